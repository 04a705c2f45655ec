import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { X509Certificate, createHash } from "crypto";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { isSecretValue } from "../../cli/plan/mockRuntime";
import { DRIVER_VARIABLES, FACTS, Fact, factVariable } from "../../lib/contract";
import { ConfigurationRunError } from "../../program";
import { daysFrom, goodChain, issueLeaf, makePfx, opensslPfxContent } from "../support/certificates";
import { loadStackConfig } from "../../lib/config/stackFiles";
import { ofType, PROJECT_DIR, runFailingStack, runStack, single, unwrapSecrets } from "../support/stacks";
import { ProgramRun } from "../../cli/plan/mockRuntime";

const FQDN = "teamsconn-dev.sundhed.example";
const PASSWORD = "pfx-Password-7";

/** The Pexip deployment command's environment: what the driver and the policy pack read. */
function deploymentEnvironment(run: ProgramRun): Record<string, unknown> {
    return ofType(run, "command:local:Command").find((command) => command.inputs.create === "deploy")!.inputs.environment as Record<string, unknown>;
}

/** The leaf's validity, to the second as X.509 keeps it: around today, since the program checks against the clock. */
function validity(): { readonly notBefore: Date; readonly notAfter: Date } {
    const today = new Date(Math.floor(Date.now() / 1000) * 1000);
    return { notBefore: daysFrom(today, -1), notAfter: daysFrom(today, 200) };
}

/** A PFX for the dev stack's hostname. */
function pfxFile(dir: string, overrides: Parameters<typeof issueLeaf>[0] = {}): string {
    return writePfx(dir, issueLeaf({ subject: FQDN, sans: [FQDN], ...validity(), ...overrides }));
}

function writePfx(dir: string, leafPem: string): string {
    const { leafKey, intermediate } = goodChain();
    const file = join(dir, "teamsconn.pfx");
    writeFileSync(file, makePfx({ key: leafKey, certificates: [leafPem, intermediate.certificatePem], password: PASSWORD }));
    return file;
}

/** The value the stack stores in Key Vault for the connector's certificate, decoded from base64. */
function storedPfx(run: ProgramRun): Buffer {
    const secret = ofType(run, "azure-native:keyvault:Secret").find((resource) => resource.name === "vdxdevweu-certificate-tls")!;
    const value = unwrapSecrets(secret.inputs).properties.value;
    assert.equal(typeof value, "string", "the stored value is base64 text");
    return Buffer.from(value, "base64");
}

describe("CertificateBinding (through the program)", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tc-binding-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("puts a valid PFX in Key Vault, and hands the file and its password to Pexip's deployment", async () => {
        const { notAfter } = validity();
        const leafPem = issueLeaf({ subject: FQDN, sans: [FQDN], ...validity() });
        const file = writePfx(dir, leafPem);
        const run = await runStack("dev", { certificate: { pfxFile: file, password: PASSWORD } });
        const vault = single(run, "azure-native:keyvault:Vault");
        // azure-native adds defaults of its own (disk encryption, public access); these are ours.
        const expected = {
            tenantId: "00000000-0000-4000-8000-000000000002",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
        };
        const properties = vault.inputs.properties as Record<string, unknown>;
        for (const [key, value] of Object.entries(expected)) assert.deepEqual(properties[key], value, `vault properties.${key}`);
        // Pexip's script installs the certificate; no scale set reads the vault.
        assert.notEqual(properties.enabledForDeployment, true);
        assert.equal(ofType(run, "azure-native:authorization:RoleAssignment").length, 0);
        assert.equal(ofType(run, "azure-native:managedidentity:UserAssignedIdentity").length, 0);

        const secret = ofType(run, "azure-native:keyvault:Secret").find((resource) => resource.name === "vdxdevweu-certificate-tls")!;
        const secretProperties = secret.inputs.properties as any;
        assert.ok(isSecretValue(secretProperties) || isSecretValue(secretProperties.value), "the PFX must be a secret");
        assert.equal(unwrapSecrets(secretProperties).contentType, "application/x-pkcs12");
        const tags = secret.inputs.tags as Record<string, string>;
        assert.equal(tags[FACTS.certificateSubject], FQDN);
        assert.equal(tags[FACTS.certificateSans], FQDN);
        assert.equal(tags[FACTS.certificateKeyType], "RSA");
        assert.equal(tags[FACTS.certificateKeySize], "2048");
        assert.equal(tags[FACTS.certificateSource], "pfxFile");
        // Windows' form of the thumbprint: SHA-1 of the DER, upper-case hex, as the test computes it itself.
        const thumbprint = createHash("sha1").update(new X509Certificate(leafPem).raw).digest("hex").toUpperCase();
        assert.equal(tags[FACTS.certificateThumbprint], thumbprint);
        assert.equal(tags[FACTS.certificateNotAfter], notAfter.toISOString());
        assert.equal(deploymentEnvironment(run)[factVariable(FACTS.certificateThumbprint)], thumbprint);

        const environment = deploymentEnvironment(run);
        assert.deepEqual(JSON.parse(environment[DRIVER_VARIABLES.deployment] as string).pfx, { source: "file", path: file });
        assert.ok(isSecretValue(environment[DRIVER_VARIABLES.pfxPassword]));
        assert.equal((environment[DRIVER_VARIABLES.pfxPassword] as any).value, PASSWORD);
        assert.equal(environment[DRIVER_VARIABLES.pfx], undefined);

        assert.equal((run.outputs.certificate as any).source, "pfxFile");
        assert.ok(!JSON.stringify(run.outputs).includes(PASSWORD));
    });

    it("stores in Key Vault the PFX's key, leaf and chain, as OpenSSL reads them with the empty password", async () => {
        const { leafKey, intermediate } = goodChain();
        const leafPem = issueLeaf({ subject: FQDN, sans: [FQDN], ...validity() });
        const run = await runStack("dev", { certificate: { pfxFile: writePfx(dir, leafPem), password: PASSWORD } });
        const stored = opensslPfxContent(storedPfx(run), "");
        assert.deepEqual(stored.certificates, [new X509Certificate(leafPem).raw, new X509Certificate(intermediate.certificatePem).raw]);
        assert.equal(stored.publicKeyPem, leafKey.publicKeyPem);
    });

    it("stores the same PFX bytes on every run, so a second `pulumi up` changes nothing", async () => {
        const file = pfxFile(dir);
        const stored = async () => storedPfx(await runStack("dev", { certificate: { pfxFile: file, password: PASSWORD } }));
        const [first, second] = [await stored(), await stored()];
        assert.ok(first.length > 0, "a PFX is stored");
        assert.deepEqual(first, second);
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

    it("refuses a PFX without its intermediate chain before anything is registered, without the password", async () => {
        const { leafKey } = goodChain();
        const leaf = issueLeaf({ subject: FQDN, sans: [FQDN], ...validity() });
        const file = join(dir, "leaf-only.pfx");
        writeFileSync(file, makePfx({ key: leafKey, certificates: [leaf], password: PASSWORD }));
        const { error, resources } = await runFailingStack("dev", { certificate: { pfxFile: file, password: PASSWORD } });
        assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
        assert.equal((error as ConfigurationRunError).key, "certificate.pfxFile");
        assert.match(error.message, /^certificate\.pfxFile \(.*leaf-only\.pfx\): must contain the intermediate chain.*all certificates in the certification path/);
        assert.ok(!error.message.includes(PASSWORD), "the PFX password is never in a message");
        assert.deepEqual(resources, []);
    });

    it("refuses a missing PFX file with the path it looked for", async () => {
        await assert.rejects(runStack("dev", { certificate: { pfxFile: join(dir, "none.pfx"), password: PASSWORD } }), /certificate\.pfxFile must be a readable PFX file/);
    });

    it("uses a certificate kept in the party's vault without storing a copy: the driver exports it at deploy time", async () => {
        const run = await runStack("prod");
        assert.equal(ofType(run, "azure-native:keyvault:Secret").filter((resource) => resource.name.endsWith("-tls")).length, 0);
        const environment = deploymentEnvironment(run);
        assert.deepEqual(JSON.parse(environment[DRIVER_VARIABLES.deployment] as string).pfx, {
            source: "keyVault",
            vaultName: "vdxtc-certs",
            secretName: "teamsconn",
            secretVersion: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        });
        assert.equal(environment[DRIVER_VARIABLES.pfx], undefined);
        assert.equal(environment[DRIVER_VARIABLES.pfxPassword], undefined);
    });

    it("gives the Pexip deployment and the stack's outputs the facts Pulumi.prod.yaml declares, as written there", async () => {
        const run = await runStack("prod");
        const declared: Array<[Fact, string]> = [
            [FACTS.certificateSource, "keyVaultSecret"],
            [FACTS.certificateSubject, "teamsconn.sundhed.example"],
            [FACTS.certificateSans, "teamsconn.sundhed.example"],
            [FACTS.certificateNotAfter, "2029-11-30T23:59:59.000Z"],
            [FACTS.certificateThumbprint, "4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B"],
            [FACTS.certificateKeyType, "RSA"],
            [FACTS.certificateKeySize, "2048"],
        ];
        const environment = deploymentEnvironment(run);
        for (const [fact, value] of declared) assert.equal(environment[factVariable(fact)], value, fact);
        assert.deepEqual(run.outputs.certificate, {
            subject: "teamsconn.sundhed.example",
            sans: ["teamsconn.sundhed.example"],
            notAfter: "2029-11-30T23:59:59.000Z",
            thumbprint: "4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B",
            keyType: "RSA",
            keySize: 2048,
            source: "keyVaultSecret",
        });
    });

    it("gives the Pexip deployment the self-signed certificate's facts on the dev stack", async () => {
        const run = await runStack("dev");
        const environment = deploymentEnvironment(run);
        assert.equal(environment[factVariable(FACTS.certificateSource)], "selfSigned");
        assert.equal(environment[factVariable(FACTS.certificateSubject)], FQDN);
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
        assert.equal((secret.inputs.tags as any)[FACTS.certificateSource], "selfSigned");
        assert.equal((run.outputs.certificate as any).subject, FQDN);
        // The driver gets the PFX the stack made, as a secret.
        assert.ok(isSecretValue(deploymentEnvironment(run)[DRIVER_VARIABLES.pfx]));
    });
});
