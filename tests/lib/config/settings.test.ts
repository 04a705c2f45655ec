import * as assert from "node:assert/strict";
import { inspect } from "util";
import { ConfigError } from "../../../lib/config/configError";
import { parseSettings, RawConfig } from "../../../lib/config/settings";
import { VersionCatalogue } from "../../../lib/versions/versionCatalogue";
import { rejectsConfig } from "../../support/configErrors";

const VALID: Record<string, unknown> = {
    location: "westeurope",
    environment: "dev",
    baseName: "vdxdev",
    regionCode: "weu",
    fqdn: "teamsconn.sundhed.example",
    concurrentPorts: "48",
    pexipVersion: "37.1",
    vdx: { nodeAddresses: ["198.51.100.10/32"], nodeFqdns: ["vdx-node1.vdx.example"] },
    certificate: { selfSigned: true },
    teamsTenantId: "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
};

const PROJECT = "vdx-teams-connector";

/** Configuration as the engine gives it: namespaced keys, strings, objects and lists as JSON text. */
function config(values: Record<string, unknown>): RawConfig {
    const entries = Object.entries(values)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key === "location" ? "azure-native:location" : key.includes(":") ? key : `${PROJECT}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]);
    return Object.fromEntries(entries);
}

/** VDX's versions as a test catalogue gives them: 37.1 with its package, 38.0 announced without a checksum yet. */
const CATALOGUE: VersionCatalogue = {
    versions: [
        { version: "37.1", sha256: "a".repeat(64), url: "https://store.example/pexip/tc_v37.1.zip" },
        { version: "38.0", announced: "2026-11-20", from: "2026-12-15" },
    ],
};

function parse(changes: Record<string, unknown> = {}, stack = "dev", secretKeys: string[] = []) {
    return parseSettings(config({ ...VALID, ...changes }), { project: PROJECT, stack, secretKeys, catalogue: CATALOGUE });
}

function rejects(changes: Record<string, unknown>, key: string, fragment: string, stack = "dev"): ConfigError {
    return rejectsConfig(() => parse(changes, stack), key, fragment);
}

describe("parseSettings", () => {
    it("applies the documented defaults", () => {
        const settings = parse();
        // Pexip plans with 15 calls per instance (docs.pexip.com/admin/teams_scaling.htm); 16 is the limit.
        assert.equal(settings.sizing.portsPerInstance, 15);
        assert.equal(settings.sizing.spareInstances, 0);
        assert.equal(settings.vmSize, undefined, "the package's own default VM size");
        assert.equal(settings.domainNameLabel, "vdxdev-teamsconn-weu");
        assert.deepEqual(settings.managementAddresses, []);
        assert.deepEqual(settings.connectorPackage, {
            source: { kind: "url", url: "https://store.example/pexip/tc_v37.1.zip" },
            sha256: "a".repeat(64),
            sha256Key: "pexip-versions.yaml:versions[0].sha256",
            deploymentScript: "create_vmss_deployment.ps1",
        });
        assert.deepEqual(settings.pexipDeployment, { incidentReporting: undefined, diskEncryption: undefined, parameters: {}, parameterNames: {} });
        assert.equal(settings.adminPassword, undefined);
        assert.equal(settings.infinityScaling, undefined);
        assert.equal(settings.environment, "dev");
        assert.deepEqual(settings.identity, {
            owner: true,
            consent: "url",
            botName: "vdxdev-teams-bot",
            botEndpoint: "https://teamsconn.sundhed.example/api/messages",
            botCallingWebhook: "https://teamsconn.sundhed.example/api/calling",
            consentRedirectUri: "https://teamsconn.sundhed.example/adminconsent",
        });
        assert.deepEqual(settings.cost, { licensePerYear: 15000, vmPerYear: 25000 });
    });

    it("takes the package's checksum and location from the catalogue; a stack may point elsewhere, never vouch for another checksum", () => {
        assert.deepEqual(parse({}).connectorPackage.source, { kind: "url", url: "https://store.example/pexip/tc_v37.1.zip" });
        assert.deepEqual(parse({ connectorPackage: { path: "downloads/tc.zip" } }).connectorPackage, {
            source: { kind: "path", path: "downloads/tc.zip" },
            sha256: "a".repeat(64),
            sha256Key: "pexip-versions.yaml:versions[0].sha256",
            deploymentScript: "create_vmss_deployment.ps1",
        });
        assert.equal(parse({ connectorPackage: { url: "https://mirror.example/tc.zip" } }).connectorPackage.sha256, "a".repeat(64));
    });

    describe("the environment: from the stack file, never from the stack's name", () => {
        const production = { environment: "prod", certificate: { pfxFile: "x.pfx", password: "p" } };
        const encrypted = [`${PROJECT}:certificate`];

        it("takes what the file says, whatever the name", () => {
            assert.equal(parse(production, "weu", encrypted).environment, "prod");
            assert.equal(parse({ environment: "dev" }, "prod").environment, "dev");
        });

        for (const [title, changes] of [
            ["absent", { environment: undefined }],
            ["empty, as Pulumi.yaml's old default left it", { environment: "" }],
        ] as const) {
            it(`refuses a stack without it (${title}), saying how to set it`, () => {
                for (const stack of ["dev", "prod", "weu"]) {
                    const error = rejectsConfig(() => parse(changes, stack), "environment", "is required in every stack file", "pulumi config set environment prod|dev");
                    assert.equal(error.message.split("\n").length, 1);
                }
            });
        }

        it("refuses a value other than dev or prod", () => rejects({ environment: "production" }, "environment", "must be dev or prod"));

        it("warns when a stack named like production says dev", () => {
            for (const stack of ["prod", "Prod", "prod2", "prod_weu", "weu-prod", "PROD-x", "production"]) {
                const { warnings } = parse({}, stack);
                assert.equal(warnings.length, 1, `${stack}: ${warnings.join("; ")}`);
                assert.match(warnings[0], new RegExp(`^stack ${stack} is named like a production stack, but its file sets environment: dev.*pulumi config set environment prod$`));
            }
            for (const stack of ["dev", "weu", "test-2"]) assert.deepEqual(parse({}, stack).warnings, [], stack);
            assert.deepEqual(parse(production, "prod-weu", encrypted).warnings, []);
        });
    });

    describe("plain-text secrets: refused in production, a warning in dev", () => {
        const pfx = { pfxFile: "x.pfx", password: "Pfx-Pa55word" };

        it("refuses them in a production stack, naming the setting and the command, never the value", () => {
            for (const [changes, key, command] of [
                [{ adminPassword: "Correct-Horse-9", certificate: pfx }, "adminPassword", "pulumi config set --secret adminPassword <value>"],
                [{ certificate: pfx }, "certificate.password", "pulumi config set --secret --path certificate.password <value>"],
            ] as const) {
                const secretKeys = key === "adminPassword" ? [`${PROJECT}:certificate`] : [];
                const error = rejectsConfig(() => parse({ environment: "prod", ...changes }, "weu", secretKeys), key, "is written in plain text in Pulumi.weu.yaml", command);
                assert.ok(!error.message.includes("Correct-Horse-9") && !error.message.includes("Pfx-Pa55word"), error.message);
            }
        });

        it("takes them encrypted in production", () => {
            const secretKeys = [`${PROJECT}:adminPassword`, `${PROJECT}:certificate`];
            const settings = parse({ environment: "prod", adminPassword: "Correct-Horse-9", certificate: pfx }, "prod", secretKeys);
            assert.deepEqual(settings.warnings, []);
        });

        it("warns about each in dev", () => {
            const { warnings } = parse({ adminPassword: "Correct-Horse-9", certificate: pfx }, "dev");
            assert.deepEqual(
                warnings.map((warning) => warning.split(" ")[0]),
                ["adminPassword", "certificate.password"],
            );
            for (const warning of warnings) assert.match(warning, /is written in plain text in Pulumi\.dev\.yaml: encrypt it \(pulumi config set --secret .*\); a production stack refuses it$/);
            assert.ok(!warnings.join("").includes("Correct-Horse-9"));
        });
    });

    it("keeps the admin password a secret that never prints", () => {
        const settings = parse({ adminPassword: "Correct-Horse-9" });
        assert.equal(settings.adminPassword?.reveal(), "Correct-Horse-9");
        assert.ok(!JSON.stringify(settings).includes("Correct-Horse-9"));
        assert.ok(!inspect(settings, { depth: 10 }).includes("Correct-Horse-9"));
        assert.ok(!`${settings.adminPassword}`.includes("Correct-Horse-9"));
    });

    it("builds the Teams instruction URL from the first VDX node", () => {
        const settings = parse({ teams: { tenantKey: "teams@vdx.example", prefix: "8" } });
        assert.equal(settings.teams?.domain, "vdx.example");
        assert.equal(settings.teams?.instructionUrl, "https://vdx-node1.vdx.example/teams/?conf={ConfId}&ivr=teams&d=vdx.example&prefix=8&w");
        assert.equal(settings.teams?.grantTo, "global");
    });

    it("reads a secondary region's identity from the owning stack", () => {
        const settings = parse({ identityStack: "organization/vdx-teams-connector/prod" });
        assert.deepEqual(settings.identity, { owner: false, identityStack: "organization/vdx-teams-connector/prod" });
    });

    describe("refuses bad configuration, naming the key", () => {
        const cases: Array<[string, Record<string, unknown>, string, string]> = [
            ["missing location", { location: undefined }, "azure-native:location", "is required"],
            ["location in display form", { location: "West Europe" }, "azure-native:location", "lower case"],
            ["baseName too long", { baseName: "abcdefghij" }, "baseName", "1–9 characters"],
            ["baseName upper case", { baseName: "VDX" }, "baseName", "a–z and 0–9"],
            ["baseName starting with a digit", { baseName: "1tc" }, "baseName", "starting with a letter"],
            ["regionCode with digits", { regionCode: "we1" }, "regionCode", "letters a–z"],
            ["names too short", { baseName: "a", regionCode: "b" }, "regionCode", "3–14 characters"],
            ["names too long", { baseName: "vdxdevtst", regionCode: "westeur" }, "regionCode", "3–14 characters"],
            ["missing fqdn", { fqdn: undefined }, "fqdn", "is required"],
            ["wildcard fqdn", { fqdn: "*.sundhed.example" }, "fqdn", "never a wildcard"],
            ["fqdn with one label", { fqdn: "teamsconn" }, "fqdn", "must be a DNS name"],
            ["fqdn with bad characters", { fqdn: "teams_conn.example" }, "fqdn", "must be a DNS name"],
            ["fqdn with a trailing dot", { fqdn: "teamsconn.sundhed.example." }, "fqdn", 'must not end with a dot: write the name as the certificate and VDX know it, like teamsconn.example.dk, got "teamsconn.sundhed.example."'],
            ["ports not a number", { concurrentPorts: "abc" }, "concurrentPorts", 'must be a whole number from 1 to 1600 (a scale set holds at most 100 instances with a single placement group), got "abc"'],
            ["ports zero", { concurrentPorts: "0" }, "concurrentPorts", "from 1 to 1600"],
            ["ports fractional", { concurrentPorts: "2.5" }, "concurrentPorts", "whole number"],
            ["ports missing", { concurrentPorts: undefined }, "concurrentPorts", "is required"],
            ["17 calls per instance", { portsPerInstance: "17" }, "portsPerInstance", "from 1 to 16"],
            ["negative spares", { spareInstances: "-1" }, "spareInstances", "from 0 to 99"],
            ["VM size with spaces", { vmSize: "d4s v5" }, "vmSize", "must be an Azure VM size name like Standard_D4s_v5"],
            ["VM size with a dash", { vmSize: "Standard-D4" }, "vmSize", "must be an Azure VM size name"],
            ["version not a version", { pexipVersion: "latest" }, "pexipVersion", 'like "37.1"'],
            ["no VDX object", { vdx: undefined }, "vdx", "is required"],
            ["no VDX addresses", { vdx: { nodeAddresses: [], nodeFqdns: ["vdx-node1.vdx.example"] } }, "vdx.nodeAddresses", "1–100 address prefixes"],
            ["VDX address not a CIDR", { vdx: { nodeAddresses: ["198.51.100.10"], nodeFqdns: ["vdx-node1.vdx.example"] } }, "vdx.nodeAddresses[0]", "CIDR"],
            ["VDX prefix too long", { vdx: { nodeAddresses: ["198.51.100.0/33"], nodeFqdns: ["vdx-node1.vdx.example"] } }, "vdx.nodeAddresses[0]", "CIDR"],
            ["no VDX hostnames", { vdx: { nodeAddresses: ["198.51.100.0/24"], nodeFqdns: [] } }, "vdx.nodeFqdns", "must list 1–100 hostnames"],
            ["VDX hostnames left out", { vdx: { nodeAddresses: ["198.51.100.0/24"] } }, "vdx.nodeFqdns", "is required"],
            ["VDX hostname wildcard", { vdx: { nodeAddresses: ["198.51.100.0/24"], nodeFqdns: ["*.vdx.example"] } }, "vdx.nodeFqdns[0]", "wildcard"],
            ["management address not a CIDR", { managementAddresses: ["office"] }, "managementAddresses[0]", "CIDR"],
            ["management addresses not a list", { managementAddresses: "192.0.2.0/28" }, "managementAddresses", "must be a list"],
            ["weak admin password", { adminPassword: "short" }, "adminPassword", "12–123 characters"],
            ["package not https", { connectorPackage: { url: "http://x.example/a.zip" } }, "connectorPackage.url", "must be an https:// URL"],
            ["package with a SAS token", { connectorPackage: { url: "https://x.blob.core.windows.net/p/a.zip?sv=2024&sig=abc" } }, "connectorPackage.url", "must not carry a SAS token"],
            ["package with an empty query", { connectorPackage: { url: "https://x.example/a.zip?" } }, "connectorPackage.url", "without a query (?)"],
            ["package with a fragment", { connectorPackage: { url: "https://x.example/a.zip#sig=abc" } }, "connectorPackage.url", "fragment (#)"],
            ["package with a user and password", { connectorPackage: { url: "https://deployer:hunter2@x.example/a.zip" } }, "connectorPackage.url", "user:password@"],
            ["a checksum in the stack", { connectorPackage: { url: "https://x.example/a.zip", sha256: "a".repeat(64) } }, "connectorPackage.sha256", "comes from pexip-versions.yaml, never from a stack"],
            ["a version the catalogue does not list", { pexipVersion: "36.0" }, "pexipVersion", "must be a version pexip-versions.yaml lists (37.1, 38.0)"],
            ["a version without a checksum in the catalogue", { pexipVersion: "38.0" }, "pexipVersion", "has no package checksum in pexip-versions.yaml: download Pexip's Teams Connector package for 38.0 and add its SHA-256 as versions[1].sha256"],
            ["package with path and url", { connectorPackage: { path: "a.zip", url: "https://x.example/a.zip" } }, "connectorPackage", "at most one of path"],
            ["package path not a zip", { connectorPackage: { path: "a.tar" } }, "connectorPackage.path", ".zip"],
            ["deployment script not a .ps1", { connectorPackage: { path: "a.zip", deploymentScript: "deploy.sh" } }, "connectorPackage.deploymentScript", ".ps1"],
            ["deployment script outside the package (..)", { connectorPackage: { path: "a.zip", deploymentScript: "pexip/../../evil.ps1" } }, "connectorPackage.deploymentScript", "no . or .. segment"],
            ["deployment script at an absolute path", { connectorPackage: { path: "a.zip", deploymentScript: "/tmp/evil.ps1" } }, "connectorPackage.deploymentScript", "relative"],
            ["deployment script on a drive", { connectorPackage: { path: "a.zip", deploymentScript: "C:/evil.ps1" } }, "connectorPackage.deploymentScript", "relative"],
            ["DNS label with capitals", { domainNameLabel: "Hospital-TC" }, "domainNameLabel", "DNS label"],
            ["incident reporting not a boolean", { pexipDeployment: { incidentReporting: "yes" } }, "pexipDeployment.incidentReporting", "true or false"],
            ["extra parameter with a dash", { pexipDeployment: { parameters: { "-Verbose": true } } }, "pexipDeployment.parameters.-Verbose", "parameter name"],
            ["extra parameter as an object", { pexipDeployment: { parameters: { Extra: { a: 1 } } } }, "pexipDeployment.parameters.Extra", "secrets are passed by the stack"],
            ["renaming an unknown parameter", { pexipDeployment: { parameterNames: { appCredentials: "X" } } }, "pexipDeployment.parameterNames.appCredentials", "appCredential"],
            ["renaming to a bad name", { pexipDeployment: { parameterNames: { appCredential: "Trusted App" } } }, "pexipDeployment.parameterNames.appCredential", "parameter name"],
            ["no certificate", { certificate: undefined }, "certificate", "is required"],
            ["two certificate sources", { certificate: { selfSigned: true, pfxFile: "a.pfx" } }, "certificate", "exactly one source"],
            ["PFX without password", { certificate: { pfxFile: "a.pfx" } }, "certificate.password", "is required"],
            ["PFX with an empty password", { certificate: { pfxFile: "a.pfx", password: "" } }, "certificate.password", "must not be empty"],
            ["unversioned Key Vault secret", { certificate: { keyVaultSecretId: "https://kv1.vault.azure.net/secrets/tc" } }, "certificate.keyVaultSecretId", "versioned"],
            [
                "secret in another vault than keyVaultId",
                {
                    certificate: {
                        keyVaultSecretId: `https://certs-a.vault.azure.net/secrets/tc/${"0".repeat(32)}`,
                        keyVaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/certs-b",
                        subject: "teamsconn.sundhed.example",
                        notAfter: "2029-01-01T00:00:00Z",
                        thumbprint: "A".repeat(40),
                        keySize: 2048,
                    },
                },
                "certificate.keyVaultId",
                "(certs-a)",
            ],
            ["tenant not a GUID", { teamsTenantId: "contoso.onmicrosoft.com" }, "teamsTenantId", "GUID"],
            ["unknown consent mode", { consent: "ask" }, "consent", "grant, url"],
            ["identity stack malformed", { identityStack: "prod" }, "identityStack", "organization/vdx-teams-connector/prod"],
            ["identity stack with consent", { identityStack: "organization/vdx-teams-connector/prod", consent: "grant" }, "consent", "identityStack"],
            ["identity stack with bot name", { identityStack: "organization/vdx-teams-connector/prod", botName: "x-bot" }, "botName", "identityStack"],
            ["tenant key not an address", { teams: { tenantKey: "teams" } }, "teams.tenantKey", "address"],
            ["dial prefix with letters", { teams: { tenantKey: "teams@vdx.example", prefix: "ab" } }, "teams.prefix", "digits"],
            ["schedule ends before it starts", { infinityScaling: { minimumInstances: 1, schedules: [{ name: "a", days: ["mon"], from: "16:00", to: "07:00", instancesToAdd: 1 }] } }, "infinityScaling.schedules[0].to", "later than"],
            ["schedule on an unknown day", { infinityScaling: { minimumInstances: 1, schedules: [{ name: "a", days: ["monday"], from: "07:00", to: "16:00", instancesToAdd: 1 }] } }, "infinityScaling.schedules[0].days[0]", "mon, tue"],
            ["unknown time zone", { infinityScaling: { minimumInstances: 1, timeZone: "Copenhagen" } }, "infinityScaling.timeZone", "IANA"],
            ["negative licence price", { cost: { licensePerYear: -1 } }, "cost.licensePerYear", "from 0 to 100000000"],
        ];
        for (const [title, changes, key, fragment] of cases) {
            it(`${title} → ${key}`, () => rejects(changes, key, fragment));
        }

        it("a package URL with a token says why and what to do instead", () =>
            rejectsConfig(
                () => parse({ connectorPackage: { url: "https://x.blob.core.windows.net/p/a.zip?sig=abc" } }),
                "connectorPackage.url",
                "stored in plain text in the stack's config and goes into the deployment document",
                "host the package where the deploying identity can read it without a token in the URL",
            ));

        it("shows a refused package URL without its token or password", () => {
            for (const [url, shown] of [
                ["https://x.blob.core.windows.net/p/a.zip?sv=2024&sig=s3cr3t", "https://x.blob.core.windows.net/p/a.zip?…"],
                ["https://deployer:s3cr3t@x.example/a.zip", "https://…@x.example/a.zip"],
                ["https://x.example/a.zip#sig=s3cr3t", "https://x.example/a.zip#…"],
            ]) {
                assert.throws(
                    () => parse({ connectorPackage: { url } }),
                    (error: Error) => error.message.startsWith("connectorPackage.url ") && error.message.endsWith(`got ${JSON.stringify(shown)}`) && !error.message.includes("s3cr3t"),
                    url,
                );
            }
        });

        it("self-signed certificate on a production stack → certificate.selfSigned", () =>
            rejects({ environment: "prod" }, "certificate.selfSigned", "dev stacks only", "prod"));

        it("never shows a rejected admin password", () => {
            assert.throws(() => parse({ adminPassword: "secretpass" }), (error: Error) => !error.message.includes("secretpass"));
        });
    });
    describe("refuses misspelled keys instead of falling back to a default", () => {
        const typos: Array<[string, Record<string, unknown>, string, string]> = [
            ["a top-level key", { concurrentPort: "48" }, "concurrentPort", "is not a setting of vdx-teams-connector; did you mean concurrentPorts?"],
            ["a top-level key, plural", { spareInstance: "1" }, "spareInstance", "did you mean spareInstances?"],
            ["the project's namespace", { "vdx-teams-conector:concurrentPorts": "48" }, "vdx-teams-conector:concurrentPorts", "did you mean vdx-teams-connector:concurrentPorts?"],
            ["a nested key of vdx", { vdx: { nodeAdresses: ["198.51.100.10/32"] } }, "vdx.nodeAdresses", "is not a key of vdx; did you mean nodeAddresses?"],
            ["a nested key of certificate", { certificate: { selfSigned: true, pasword: "x" } }, "certificate.pasword", "did you mean password?"],
            ["a nested key of teams", { teams: { tenantKey: "teams@vdx.example", prefx: "8" } }, "teams.prefx", "did you mean prefix?"],
            ["a nested key of infinityScaling", { infinityScaling: { minimumInstances: 1, minimumInstance: 2 } }, "infinityScaling.minimumInstance", "did you mean minimumInstances?"],
            ["a nested key of connectorPackage", { connectorPackage: { url: "https://x.example/a.zip", sha: "b" } }, "connectorPackage.sha", "is not a key of connectorPackage"],
            ["a nested key of pexipDeployment", { pexipDeployment: { incidentReports: true } }, "pexipDeployment.incidentReports", "did you mean incidentReporting?"],
            ["a parameter name to rename", { pexipDeployment: { parameterNames: { appCredentials: "X" } } }, "pexipDeployment.parameterNames.appCredentials", "did you mean appCredential?"],
            ["a key of a schedule", { infinityScaling: { minimumInstances: 1, schedules: [{ name: "a", days: ["mon"], from: "07:00", to: "16:00", instanceToAdd: 1, instancesToAdd: 1 }] } }, "infinityScaling.schedules[0].instanceToAdd", "did you mean instancesToAdd?"],
        ];
        for (const [title, changes, key, fragment] of typos) {
            it(`${title} → ${key}`, () => rejects(changes, key, fragment));
        }

        it("names the misspelled key's value, unless the key is a secret, and a key missing after the namespace", () => {
            assert.throws(() => parse({ concurrentPort: "48" }), { message: 'concurrentPort is not a setting of vdx-teams-connector; did you mean concurrentPorts?, got "48"' });
            assert.throws(
                () => parse({ adminPasword: "s3cret" }, "dev", [`${PROJECT}:adminPasword`]),
                (error: Error) => /did you mean adminPassword\? \(value not shown: it is a secret\)$/.test(error.message) && !error.message.includes("s3cret"),
            );
            rejects({ "vdx-teams-connector:": "x" }, "vdx-teams-connector:", "names no setting after the namespace");
        });

        it("reads the keys of the providers this stack uses, and refuses a namespace nothing reads", () => {
            assert.equal(parse({ "azure-native:subscriptionId": "x", "azuread:tenantId": "y" }).baseName, "vdxdev");
            rejects({ "azurenative:location": "westeurope" }, "azurenative:location", "which nothing in this stack reads");
        });
    });

    describe("bounds", () => {
        const cases: Array<[string, Record<string, unknown>, string, string]> = [
            ["100,000 ports", { concurrentPorts: "100000" }, "concurrentPorts", "from 1 to 1600"],
            ["a number beyond JavaScript's safe integers", { concurrentPorts: "99999999999999999999" }, "concurrentPorts", 'got "99999999999999999999"'],
            ["1,000 spare instances", { spareInstances: "1000" }, "spareInstances", "from 0 to 99"],
            ["ports and spares beyond 100 instances", { concurrentPorts: "1600", portsPerInstance: "15", spareInstances: "1" }, "concurrentPorts", "needs 108 instances"],
            ["a schedule adding 100,000 instances", { infinityScaling: { minimumInstances: 1, schedules: [{ name: "a", days: ["mon"], from: "07:00", to: "16:00", instancesToAdd: 100000 }] } }, "infinityScaling.schedules[0].instancesToAdd", "from 1 to 99"],
            [
                "schedules adding more than a scale set holds",
                {
                    infinityScaling: {
                        minimumInstances: 60,
                        schedules: [
                            { name: "a", days: ["mon"], from: "07:00", to: "16:00", instancesToAdd: 30 },
                            { name: "b", days: ["tue"], from: "07:00", to: "16:00", instancesToAdd: 20 },
                        ],
                    },
                },
                "infinityScaling.schedules",
                "may add at most 40 instances in all",
            ],
            ["a fractional price", { cost: { vmPerYear: 2.5 } }, "cost.vmPerYear", "whole number"],
        ];
        for (const [title, changes, key, fragment] of cases) {
            it(`${title} → ${key}`, () => rejects(changes, key, fragment));
        }

        it("accepts the largest plan one scale set holds", () => {
            const settings = parse({ concurrentPorts: "1600", portsPerInstance: "16" });
            assert.equal(settings.sizing.concurrentPorts, 1600);
        });
    });

    describe("values", () => {
        it("takes zones as YAML numbers or as text", () => {
            assert.deepEqual(parse({ zones: [1, 2, 3] }).zones, ["1", "2", "3"]);
            assert.deepEqual(parse({ zones: ["1", "3"] }).zones, ["1", "3"]);
            assert.deepEqual(parse({ zones: [] }).zones, []);
            rejects({ zones: [4] }, "zones[0]", "must be 1, 2 or 3");
        });

        it("takes address prefixes with host bits set, and IPv6; never a bare address or a length beyond the version's", () => {
            const prefixes = ["192.0.2.10/24", "2001:db8::/48", "2001:db8::1/128"];
            assert.deepEqual(parse({ managementAddresses: prefixes }).managementAddresses, prefixes);
            rejects({ managementAddresses: ["2001:db8::7"] }, "managementAddresses[0]", "CIDR");
            rejects({ managementAddresses: ["192.0.2.0/28", "2001:db8::/129"] }, "managementAddresses[1]", "CIDR");
        });

        it("takes any well-formed VM size: the policy vm-size-allowed, not the settings, says which are allowed", () => {
            assert.equal(parse({ vmSize: "Standard_E8ds_v6" }).vmSize, "Standard_E8ds_v6");
        });

        it("reads Pulumi.yaml's empty defaults as not set", () => {
            const settings = parse({ vmSize: "", infinityScaling: {}, teams: {}, pexipDeployment: {}, cost: {}, consent: "", identityStack: "" });
            assert.equal(settings.infinityScaling, undefined);
            assert.equal(settings.teams, undefined);
            assert.equal(settings.vmSize, undefined);
            assert.equal(settings.identity.owner, true);
        });

        it("keeps parameterNames.<x>: null: the script lacks that parameter", () => {
            const settings = parse({ pexipDeployment: { parameterNames: { pfxPassword: null } } });
            assert.deepEqual(settings.pexipDeployment.parameterNames, { pfxPassword: null });
        });

        it("needs minimumInstances to turn Infinity's scaling on", () => {
            rejects({ infinityScaling: { timeZone: "Europe/Copenhagen" } }, "infinityScaling.minimumInstances", "is required");
            assert.equal(parse({ infinityScaling: { minimumInstances: 2 } }).infinityScaling?.minimumInstances, 2);
        });

        it("never shows a secret's value in a refusal", () => {
            const error = rejectsConfig(
                () => parse({ certificate: { pfxFile: "a.pfx", password: 42 } }, "dev", [`${PROJECT}:certificate`]),
                "certificate.password",
                "value not shown",
            );
            assert.ok(!error.message.includes("42"));
        });
    });
});
