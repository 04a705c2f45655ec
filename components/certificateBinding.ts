import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as tls from "@pulumi/tls";
import { certificateFactValues, certificateTags, factsFromPem, pfxFromPem, TaggedFacts } from "../lib/certificate/certificate";
import { PfxSource } from "../lib/pexip/deploymentParameters";

const PKCS12 = "application/x-pkcs12";
const CERTIFICATE_SECRET_NAME = "teams-connector-tls";

/** The certificate, after configuration has been read and checked. */
export type CertificateMaterial =
    | {
          /** A PFX from disk, validated and re-encoded for Key Vault. */
          readonly kind: "upload";
          /** The PFX file as configured, relative to the project: the driver hands it to Pexip's script. */
          readonly pfxFile: string;
          /** Its password (a secret). */
          readonly password: pulumi.Input<string>;
          /** Base64 PKCS#12 protected by the empty password, as Key Vault certificates are. */
          readonly pfxBase64: pulumi.Input<string>;
          /** Facts read from the PFX. */
          readonly facts: TaggedFacts;
      }
    | {
          /** A certificate the party already keeps in its own Key Vault. */
          readonly kind: "existing";
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
    /** Globally unique Key Vault name. */
    readonly vaultName: string;
    /** The connector's hostname: the self-signed certificate is made for it. */
    readonly fqdn: string;
    /** Where the certificate comes from. */
    readonly certificate: CertificateMaterial;
    /** Protect the vault against deletion (production). */
    readonly protect: boolean;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/** Where the deployment driver finds the PFX, and the secrets it needs for it. */
export interface DeploymentPfx {
    readonly source: PfxSource;
    /** The password of a PFX file (a secret). */
    readonly password?: pulumi.Input<string>;
    /** A base64 PFX the stack made (a secret). */
    readonly pfx?: pulumi.Input<string>;
}

/**
 * The connector's TLS certificate: the region's Key Vault (which also holds the connector's
 * other secrets), the PFX as a secret carrying the certificate's facts as tags when the stack
 * has the PFX, and where Pexip's deployment gets the PFX from.
 */
export class CertificateBinding extends pulumi.ComponentResource {
    /** Name of the region's Key Vault (also for the connector's other secrets). */
    readonly vaultName: pulumi.Output<string>;
    /** Subject, SANs, expiry, thumbprint, key and source of the certificate. */
    readonly facts: pulumi.Output<PublishedFacts>;
    /** The facts as text under lib/contract.ts's keys, in full (tags clip them): for the deployment's variables. */
    readonly factValues: pulumi.Output<Record<string, string>>;
    /** Where the deployment driver gets the PFX. */
    readonly deploymentPfx: DeploymentPfx;

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
                },
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );

        const stored = this.storeCertificate(name, args, vault);
        this.vaultName = vault.name;
        this.facts = stored.facts;
        this.factValues = stored.factValues;
        this.deploymentPfx = stored.deploymentPfx;
        this.registerOutputs({ vaultName: this.vaultName, facts: this.facts, factValues: this.factValues });
    }

    private storeCertificate(name: string, args: CertificateBindingArgs, vault: keyvault.Vault) {
        const certificate = args.certificate;
        if (certificate.kind === "existing") {
            const url = new URL(certificate.secretUrl);
            const [, , secretName, secretVersion] = url.pathname.split("/");
            return {
                facts: pulumi.output(publish(certificate.facts)),
                factValues: pulumi.output(certificateFactValues(certificate.facts)),
                deploymentPfx: { source: { source: "keyVault", vaultName: url.hostname.split(".")[0], secretName, secretVersion } } as DeploymentPfx,
            };
        }
        const { pfxBase64, facts } = certificate.kind === "upload" ? certificate : this.selfSigned(name, args.fqdn);
        const tags = pulumi.output(mapFacts(facts, certificateTags));
        new keyvault.Secret(
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
        const deploymentPfx: DeploymentPfx =
            certificate.kind === "upload"
                ? { source: { source: "file", path: certificate.pfxFile }, password: certificate.password }
                : { source: { source: "stack" }, pfx: pfxBase64 };
        return { facts: pulumi.output(mapFacts(facts, publish)), factValues: pulumi.output(mapFacts(facts, certificateFactValues)), deploymentPfx };
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
