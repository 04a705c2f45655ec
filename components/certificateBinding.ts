import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as tls from "@pulumi/tls";
import { certificateTags, factsFromPem, pfxFromPem, TaggedFacts } from "../lib/certificate";

/** Built-in role "Key Vault Secrets User": read secret values, nothing else. */
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const PKCS12 = "application/x-pkcs12";
const CERTIFICATE_SECRET_NAME = "teams-connector-tls";

/** The certificate, after configuration has been read and checked. */
export type CertificateMaterial =
    | {
          /** A PFX from disk, validated and re-encoded for Key Vault. */
          readonly kind: "upload";
          /** Base64 PKCS#12 protected by the empty password, as Key Vault certificates are. */
          readonly pfxBase64: pulumi.Input<string>;
          /** Facts read from the PFX. */
          readonly facts: TaggedFacts;
      }
    | {
          /** A certificate the party already keeps in its own Key Vault. */
          readonly kind: "existing";
          /** ARM ID of that vault. */
          readonly keyVaultId: string;
          /** Versioned secret URL of the certificate. */
          readonly secretUrl: string;
          /** Facts declared in configuration. */
          readonly facts: TaggedFacts;
      }
    | {
          /** Dev stacks only: a self-signed RSA certificate made at deploy time. */
          readonly kind: "selfSigned";
      };

export interface CertificateBindingArgs {
    /** The static resource group: the vault survives upgrades and redeploys. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region. */
    readonly location: pulumi.Input<string>;
    /** Entra tenant of the vault. */
    readonly tenantId: pulumi.Input<string>;
    /** Subscription ID, for the role definition's ID. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Globally unique Key Vault name. */
    readonly vaultName: string;
    /** Name of the identity the scale set reads the certificate with. */
    readonly identityName: string;
    /** The connector's hostname: the self-signed certificate is made for it. */
    readonly fqdn: string;
    /** Where the certificate comes from. */
    readonly certificate: CertificateMaterial;
    /** Protect the vault against deletion (production). */
    readonly protect: boolean;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * The connector's TLS certificate in Key Vault, ready for the scale set: a vault enabled
 * for deployment, the PFX as a secret carrying the certificate's facts as tags, and an
 * identity that may read exactly that secret.
 */
export class CertificateBinding extends pulumi.ComponentResource {
    /** Name of the region's Key Vault (also for the connector's other secrets). */
    readonly vaultName: pulumi.Output<string>;
    /** ARM ID of the vault the scale set installs the certificate from. */
    readonly sourceVaultId: pulumi.Output<string>;
    /** Versioned URL of the certificate secret. */
    readonly secretUrl: pulumi.Output<string>;
    /** User-assigned identity for the scale set. */
    readonly identityId: pulumi.Output<string>;
    /** Subject, SANs, expiry, thumbprint, key and source of the certificate. */
    readonly facts: pulumi.Output<PublishedFacts>;
    /** The facts as tags (`lib/contract.ts`), for every resource that uses the certificate. */
    readonly certificateTags: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: CertificateBindingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:CertificateBinding", name, {}, opts);

        const vault = new keyvault.Vault(
            `${name}-kv`,
            {
                vaultName: args.vaultName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: "A", name: "standard" },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: 90,
                    enablePurgeProtection: true,
                    // Lets the compute platform fetch the PFX for osProfile.secrets.
                    enabledForDeployment: true,
                },
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );

        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            { resourceName: args.identityName, resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
            { parent: this },
        );

        const stored = this.storeCertificate(name, args, vault);
        new authorization.RoleAssignment(
            `${name}-secret-reader`,
            {
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
                scope: stored.secretScope,
                description: "The Teams Connector scale set reads its TLS certificate (renewals).",
            },
            { parent: this },
        );

        this.vaultName = vault.name;
        this.sourceVaultId = stored.sourceVaultId;
        this.secretUrl = stored.secretUrl;
        this.identityId = identity.id;
        this.facts = stored.facts;
        this.certificateTags = stored.certificateTags;
        this.registerOutputs({
            vaultName: this.vaultName,
            sourceVaultId: this.sourceVaultId,
            secretUrl: this.secretUrl,
            identityId: this.identityId,
            facts: this.facts,
            certificateTags: this.certificateTags,
        });
    }

    private storeCertificate(name: string, args: CertificateBindingArgs, vault: keyvault.Vault) {
        const certificate = args.certificate;
        if (certificate.kind === "existing") {
            const secretName = new URL(certificate.secretUrl).pathname.split("/")[2];
            return {
                sourceVaultId: pulumi.output(certificate.keyVaultId),
                secretUrl: pulumi.output(certificate.secretUrl),
                secretScope: pulumi.output(`${certificate.keyVaultId}/secrets/${secretName}`),
                facts: pulumi.output(publish(certificate.facts)),
                certificateTags: pulumi.output(certificateTags(certificate.facts)),
            };
        }
        const { pfxBase64, facts } = certificate.kind === "upload" ? certificate : this.selfSigned(name, args.fqdn);
        const tags = pulumi.output(mapFacts(facts, certificateTags));
        const secret = new keyvault.Secret(
            `${name}-tls`,
            {
                secretName: CERTIFICATE_SECRET_NAME,
                vaultName: vault.name,
                resourceGroupName: args.resourceGroupName,
                properties: { value: pulumi.secret(pfxBase64), contentType: PKCS12 },
                tags: tags.apply((facts) => ({ ...args.tags, ...facts })),
            },
            { parent: this },
        );
        return {
            sourceVaultId: vault.id,
            secretUrl: secret.properties.apply((properties) => properties.secretUriWithVersion),
            // The secret's own ID, so that the assignment waits for the secret and follows it.
            secretScope: secret.id,
            facts: pulumi.output(mapFacts(facts, publish)),
            certificateTags: tags,
        };
    }

    /** An RSA key and a one-year certificate for the hostname, made by the tls provider. */
    private selfSigned(name: string, fqdn: string) {
        const key = new tls.PrivateKey(`${name}-self-signed-key`, { algorithm: "RSA", rsaBits: 2048 }, { parent: this });
        const cert = new tls.SelfSignedCert(
            `${name}-self-signed`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: fqdn },
                dnsNames: [fqdn],
                validityPeriodHours: 24 * 365,
                earlyRenewalHours: 24 * 30,
                allowedUses: ["key_encipherment", "digital_signature", "server_auth"],
            },
            { parent: this },
        );
        const pfxBase64 = pulumi.secret(pulumi.all([key.privateKeyPem, cert.certPem]).apply(([keyPem, certPem]) => pfxFromPem(keyPem, certPem)));
        // Facts come from the certificate alone; unwrapping the secret PFX here would mark them secret.
        const facts = cert.certPem.apply((certPem): TaggedFacts => factsFromPem(certPem, "selfSigned"));
        return { pfxBase64, facts };
    }
}

/** Applies `fn` to facts known now or at deploy time; `pulumi.output` would flatten their Date. */
function mapFacts<T>(facts: TaggedFacts | pulumi.Output<TaggedFacts>, fn: (facts: TaggedFacts) => T): pulumi.Input<T> {
    return pulumi.Output.isInstance(facts) ? facts.apply(fn) : fn(facts);
}

/** Certificate facts as a stack output: plain JSON, the expiry as an ISO date. */
export interface PublishedFacts {
    readonly subject: string;
    readonly sans: string[];
    readonly notAfter: string;
    readonly thumbprint: string;
    readonly keyType: string;
    readonly keySize: number;
    readonly source: string;
}

function publish(facts: TaggedFacts): PublishedFacts {
    const { subject, sans, notAfter, thumbprint, keyType, keySize, source } = facts;
    return { subject, sans: [...sans], notAfter: notAfter.toISOString(), thumbprint, keyType, keySize, source };
}
