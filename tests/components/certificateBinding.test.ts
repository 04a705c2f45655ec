import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { isSecretValue } from "../../cli/mockRuntime";
import { TAGS } from "../../lib/contract";
import { ConfigurationRunError } from "../../program";
import { daysFrom, goodChain, issueLeaf, makePfx } from "../support/certificates";
import { loadStackConfig } from "../../cli/stackConfig";
import { ofType, PROJECT_DIR, runFailingStack, runStack, single, unwrapSecrets } from "../support/stacks";

const FQDN = "teamsconn-dev.sundhed.example";
const PASSWORD = "pfx-Password-7";
const SECRETS_USER_ROLE = "4633458b-17de-408a-b874-0445c86b69e6";

/** A PFX for the dev stack's hostname, valid around today (the program checks against the clock). */
function pfxFile(dir: string, overrides: Parameters<typeof issueLeaf>[0] = {}): string {
    const { leafKey, intermediate } = goodChain();
    const today = new Date();
    const leaf = issueLeaf({ subject: FQDN, sans: [FQDN], notBefore: daysFrom(today, -1), notAfter: daysFrom(today, 200), ...overrides });
    const file = join(dir, "teamsconn.pfx");
    writeFileSync(file, makePfx({ key: leafKey, certificates: [leaf, intermediate.certificatePem], password: PASSWORD }));
    return file;
}

describe("CertificateBinding (through the program)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tc-binding-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("puts a valid PFX in Key Vault and on every VM", async () => {
        const run = await runStack("dev", { certificate: { pfxFile: pfxFile(dir), password: PASSWORD } });

        const vault = single(run, "azure-native:keyvault:Vault");
        // azure-native adds defaults of its own (disk encryption, public access); these are ours.
        const expected = {
            tenantId: "00000000-0000-4000-8000-000000000002",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            enabledForDeployment: true,
        };
        const properties = vault.inputs.properties as Record<string, unknown>;
        for (const [key, value] of Object.entries(expected)) assert.deepEqual(properties[key], value, `vault properties.${key}`);

        const secret = ofType(run, "azure-native:keyvault:Secret").find((resource) => resource.name === "vdxdevweu-certificate-tls")!;
        const secretProperties = secret.inputs.properties as any;
        assert.ok(isSecretValue(secretProperties) || isSecretValue(secretProperties.value), "the PFX must be a secret");
        assert.equal(unwrapSecrets(secretProperties).contentType, "application/x-pkcs12");
        const tags = secret.inputs.tags as Record<string, string>;
        assert.equal(tags[TAGS.certificateSubject], FQDN);
        assert.equal(tags[TAGS.certificateSans], FQDN);
        assert.equal(tags[TAGS.certificateKeyType], "RSA");
        assert.equal(tags[TAGS.certificateKeySize], "2048");
        assert.equal(tags[TAGS.certificateSource], "pfxFile");
        assert.match(tags[TAGS.certificateThumbprint], /^[0-9A-F]{40}$/);

        const identity = single(run, "azure-native:managedidentity:UserAssignedIdentity");
        const [assignment] = ofType(run, "azure-native:authorization:RoleAssignment");
        assert.equal(ofType(run, "azure-native:authorization:RoleAssignment").length, 1);
        assert.match(assignment.inputs.roleDefinitionId as string, new RegExp(`/roleDefinitions/${SECRETS_USER_ROLE}$`));
        assert.match(assignment.inputs.scope as string, /\/providers\/Microsoft.KeyVault\/vaults\/vdxdevweu-kv\/secrets\/teams-connector-tls$/);
        assert.ok(typeof assignment.inputs.principalId === "string" && assignment.inputs.principalId !== "");

        const vmss = unwrapSecrets(single(run, "azure-native:compute:VirtualMachineScaleSet").inputs);
        assert.equal(vmss.virtualMachineProfile.osProfile.secrets.length, 1);
        assert.equal(vmss.virtualMachineProfile.osProfile.secrets[0].vaultCertificates.length, 1);
        assert.equal(vmss.virtualMachineProfile.osProfile.secrets[0].vaultCertificates[0].certificateStore, "My");
        assert.match(vmss.virtualMachineProfile.osProfile.secrets[0].sourceVault.id, /\/vdxdevweu-kv$/);
        assert.match(vmss.virtualMachineProfile.osProfile.secrets[0].vaultCertificates[0].certificateUrl, /^https:\/\/vdxdevweu-kv\.vault\.azure\.net\/secrets\/teams-connector-tls\/[0-9a-f]{32}$/);
        assert.deepEqual(vmss.identity, { type: "UserAssigned", userAssignedIdentities: [`/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/vdxdev-TeamsConn-weu-static-RG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${identity.inputs.resourceName}`] });

        assert.equal((run.outputs.certificate as any).source, "pfxFile");
        assert.ok(!JSON.stringify(run.outputs).includes(PASSWORD));
    });

    const refusals: Array<[string, Parameters<typeof issueLeaf>[0], RegExp]> = [
        ["a wildcard certificate", { subject: "*.sundhed.example", sans: ["*.sundhed.example"] }, /wildcard/i],
        ["an expired certificate", { notBefore: daysFrom(new Date(), -400), notAfter: daysFrom(new Date(), -5) }, /expired/i],
    ];
    for (const [title, overrides, message] of refusals) {
        it(`refuses ${title} before anything is registered`, async () => {
            const file = pfxFile(dir, overrides);
            const { error, resources } = await runFailingStack("dev", { certificate: { pfxFile: file, password: PASSWORD } });
            assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
            assert.equal((error as ConfigurationRunError).key, "certificate.pfxFile");
            assert.ok(error.message.startsWith("certificate.pfxFile"), error.message);
            assert.match(error.message, message);
            assert.deepEqual(resources, []);
        });
    }

    it("refuses a missing PFX file with the path it looked for", async () => {
        await assert.rejects(runStack("dev", { certificate: { pfxFile: join(dir, "none.pfx"), password: PASSWORD } }), /certificate\.pfxFile must be a readable PFX file/);
    });

    it("uses a certificate kept in the party's vault without storing a copy", async () => {
        const run = await runStack("prod");
        assert.equal(ofType(run, "azure-native:keyvault:Secret").filter((resource) => resource.name.endsWith("-tls")).length, 0);
        const [assignment] = ofType(run, "azure-native:authorization:RoleAssignment");
        assert.equal(assignment.inputs.scope, "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/vdxtc-certificates-RG/providers/Microsoft.KeyVault/vaults/vdxtc-certs/secrets/teamsconn");
        const vmss = unwrapSecrets(single(run, "azure-native:compute:VirtualMachineScaleSet").inputs);
        assert.equal(
            vmss.virtualMachineProfile.osProfile.secrets[0].vaultCertificates[0].certificateUrl,
            "https://vdxtc-certs.vault.azure.net/secrets/teamsconn/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        );
    });

    it("tags the scale set with the certificate's facts, whatever the source", async () => {
        for (const [stack, source] of [["dev", "selfSigned"], ["prod", "keyVaultSecret"]]) {
            const run = await runStack(stack);
            const tags = single(run, "azure-native:compute:VirtualMachineScaleSet").inputs.tags as Record<string, string>;
            assert.equal(tags[TAGS.certificateSource], source);
            assert.equal(tags[TAGS.certificateSubject], (run.outputs.certificate as any).subject);
            assert.equal(tags[TAGS.certificateThumbprint], (run.outputs.certificate as any).thumbprint);
        }
    });

    it("refuses declared facts with a wildcard SAN", async () => {
        const certificate = JSON.parse(loadStackConfig(PROJECT_DIR, "prod").config["vdx-teams-connector:certificate"]);
        await assert.rejects(
            runStack("prod", { certificate: { ...certificate, sans: ["*.sundhed.example", "teamsconn.sundhed.example"] } }),
            (error: Error) => pulumi.RunError.isInstance(error) && /^certificate\.sans .*wildcard/i.test(error.message),
        );
    });

    it("makes a self-signed certificate for the dev stack's hostname", async () => {
        const run = await runStack("dev");
        const cert = single(run, "tls:index/selfSignedCert:SelfSignedCert").inputs as any;
        assert.deepEqual(cert.dnsNames, [FQDN]);
        assert.equal(cert.subject.commonName, FQDN);
        const secret = ofType(run, "azure-native:keyvault:Secret").find((resource) => resource.name === "vdxdevweu-certificate-tls")!;
        assert.equal((secret.inputs.tags as any)[TAGS.certificateSource], "selfSigned");
        assert.equal((run.outputs.certificate as any).subject, FQDN);
    });
});
