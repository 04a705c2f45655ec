import assert from "node:assert/strict";
import * as fs from "fs";
import { FACTS, factVariable } from "../../../lib/contract";
import {
    ADMIN_USER_NAME,
    DeploymentDocument,
    DeploymentIds,
    PfxSource,
    checkAgainstScript,
    deploymentDocument,
    deploymentFacts,
    deploymentParameters,
    factEnvironment,
    pexipSourcePrefixes,
    redeployTriggers,
    renderCommand,
    renderParameters,
    UNKNOWN_IDS,
} from "../../../lib/pexip/deploymentParameters";
import { STACK_PARAMETERS, STACK_PARAMETER_KEYS } from "../../../lib/pexip/stackParameters";
import { DeclaredParameter, readParameters } from "../../../lib/pexip/powershellParameters";
import { PexipDeploymentSettings, Settings } from "../../../lib/config/settings";
import { sizeConnector } from "../../../lib/pexip/sizing";
import { rejectsConfig } from "../../support/configErrors";
import { FIXTURE_SCRIPTS } from "../../support/pexipPackage";
import { ADMIN_PASSWORD, PFX_PASSWORD, testSettings } from "../../support/settings";

/** Our own fixture scripts (not Pexip's code), in the two shapes Pexip's script has had. */
const scriptText = (shape: "single-app" | "two-app") => fs.readFileSync(shape === "single-app" ? FIXTURE_SCRIPTS.singleApp : FIXTURE_SCRIPTS.twoApp, "utf8");
let SINGLE_APP: DeclaredParameter[];
let TWO_APP: DeclaredParameter[];
before(async () => {
    SINGLE_APP = await readParameters(scriptText("single-app"));
    TWO_APP = await readParameters(scriptText("two-app"));
});
const SCRIPT_PATH = "pexip_teams_connector_v37.1/create_vmss_deployment.ps1";

const IDS: DeploymentIds = { subscriptionId: "9b2f6c1e-0d4a-4c8e-9f1a-2b3c4d5e6f70", applicationId: "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f" };
const PFX_FILE: PfxSource = { source: "file", path: "certs/teamsconn.pfx" };
const TAGS = { environment: "prod", "pexip-version": "37.1" };

function withDeployment(changes: Partial<PexipDeploymentSettings>, overrides: Partial<Settings> = {}): Settings {
    const base = testSettings(overrides);
    return testSettings({ ...overrides, pexipDeployment: { ...base.pexipDeployment, ...changes } });
}

/** A dev stack: self-signed certificate, no management network, flags and VM size set. */
function devSettings(changes: Partial<PexipDeploymentSettings> = {}): Settings {
    return testSettings({
        stack: "dev",
        environment: "dev",
        baseName: "vdxdev",
        fqdn: "teamsconn-dev.example.dk",
        vmSize: "Standard_D4as_v5",
        sizing: { concurrentPorts: 10, portsPerInstance: 16, spareInstances: 0 },
        vdx: { nodeAddresses: ["203.0.113.5/32"], nodeFqdns: [] },
        managementAddresses: [],
        certificate: { kind: "selfSigned" },
        adminPassword: undefined,
        pexipDeployment: { incidentReporting: false, diskEncryption: true, parameters: {}, parameterNames: {}, ...changes },
    });
}

/** What the program's preflight does with a local package: settings against the script's declaration. */
function preflight(settings: Settings, declared: readonly DeclaredParameter[]): void {
    const context = { pexipVersion: settings.pexipVersion, scriptPath: SCRIPT_PATH, instanceCount: sizeConnector(settings.sizing).instances };
    checkAgainstScript(deploymentParameters(settings, UNKNOWN_IDS, declared), { parameters: declared }, context);
}

function argument(document: DeploymentDocument, name: string, declared?: readonly DeclaredParameter[], instanceCount = 3): string {
    const found = renderParameters(document, instanceCount, declared).find((parameter) => parameter.name === name);
    assert.ok(found !== undefined, `no argument ${name}`);
    return found.argument;
}

describe("deployment parameters", () => {
    describe("deploymentParameters", () => {
        it("gives a prod stack's parameters, in order, each with the key that sets or names it", () => {
            const entries = deploymentParameters(testSettings(), IDS);
            assert.deepEqual(entries, [
                { name: "SubscriptionId", value: IDS.subscriptionId, key: "pexipDeployment.parameterNames.subscriptionId", nameConfirmed: true },
                { name: "ResourceGroupName", value: "medcom-TeamsConn-weu-RG", key: "pexipDeployment.parameterNames.resourceGroupName", nameConfirmed: true },
                { name: "VmssName", value: "medcomweu", key: "pexipDeployment.parameterNames.vmssName", nameConfirmed: true },
                { name: "VMAdminCredential", value: { from: "adminCredential", userName: ADMIN_USER_NAME }, key: "pexipDeployment.parameterNames.vmAdminCredential", nameConfirmed: true },
                { name: "PfxPath", value: { from: "pfxPath" }, key: "pexipDeployment.parameterNames.pfxPath", nameConfirmed: true },
                { name: "PfxPassword", value: { from: "pfxPassword", as: "SecureString" }, key: "pexipDeployment.parameterNames.pfxPassword", nameConfirmed: false },
                { name: "TeamsConnectorFqdn", value: "teamsconn.example.dk", key: "pexipDeployment.parameterNames.teamsConnectorFqdn", nameConfirmed: true },
                { name: "PexipFqdns", value: ["node1.vdx.example", "node2.vdx.example"], key: "pexipDeployment.parameterNames.pexipFqdns", nameConfirmed: true },
                { name: "instanceCount", value: { from: "instanceCount" }, key: "pexipDeployment.parameterNames.instanceCount", nameConfirmed: true },
                { name: "AppCredential", value: { from: "appCredential", userName: IDS.applicationId }, key: "pexipDeployment.parameterNames.appCredential", nameConfirmed: false },
                {
                    name: "StaticResourcesResourceGroupName",
                    value: "medcom-TeamsConn-weu-static-RG",
                    key: "pexipDeployment.parameterNames.staticResourcesResourceGroupName",
                    nameConfirmed: true,
                },
                { name: "PublicIPAddressResourceName", value: "medcom-TeamsConn-weu-PIP", key: "pexipDeployment.parameterNames.publicIPAddressResourceName", nameConfirmed: true },
                { name: "RdpSourceAddressPrefixes", value: ["198.51.100.0/24"], key: "pexipDeployment.parameterNames.rdpSourceAddressPrefixes", nameConfirmed: true },
                {
                    name: "PexipSourceAddressPrefixes",
                    value: ["192.0.2.10/32", "192.0.2.11/32", "198.51.100.0/24"],
                    key: "pexipDeployment.parameterNames.pexipSourceAddressPrefixes",
                    nameConfirmed: true,
                },
            ]);
        });

        it("marks a name as unconfirmed only while it is the stack's default for a name Pexip's public commands do not show", () => {
            const unconfirmed = (settings: Settings) => deploymentParameters(settings, IDS).filter((entry) => !entry.nameConfirmed).map((entry) => entry.name);
            assert.deepEqual(unconfirmed(devSettings()), ["PfxPassword", "AppCredential", "VmSize"]);
            assert.deepEqual(
                unconfirmed(withDeployment({ parameterNames: { appCredential: "TrustedAppCredential" }, parameters: { Verbose: true } })),
                ["PfxPassword"],
            );
        });

        it("leaves the package's defaults alone: no IncidentReporting, Encryption or VmSize when they are not set", () => {
            const names = deploymentParameters(testSettings(), IDS).map((entry) => entry.name);
            for (const name of ["IncidentReporting", "Encryption", "VmSize"]) assert.equal(names.includes(name), false, name);
        });

        it("passes a dev stack's flags, VM size and empty lists", () => {
            const values = Object.fromEntries(deploymentParameters(devSettings(), IDS).map((entry) => [entry.name, entry.value]));
            assert.deepEqual(values, {
                SubscriptionId: IDS.subscriptionId,
                ResourceGroupName: "vdxdev-TeamsConn-weu-RG",
                VmssName: "vdxdevweu",
                VMAdminCredential: { from: "adminCredential", userName: ADMIN_USER_NAME },
                PfxPath: { from: "pfxPath" },
                PfxPassword: { from: "pfxPassword", as: "SecureString" },
                TeamsConnectorFqdn: "teamsconn-dev.example.dk",
                PexipFqdns: [],
                instanceCount: { from: "instanceCount" },
                AppCredential: { from: "appCredential", userName: IDS.applicationId },
                StaticResourcesResourceGroupName: "vdxdev-TeamsConn-weu-static-RG",
                PublicIPAddressResourceName: "vdxdev-TeamsConn-weu-PIP",
                RdpSourceAddressPrefixes: [],
                PexipSourceAddressPrefixes: ["203.0.113.5/32"],
                IncidentReporting: false,
                Encryption: true,
                VmSize: "Standard_D4as_v5",
            });
        });

        it("opens HTTPS to VDX's nodes and to the management network, RDP to the management network only", () => {
            const settings = testSettings();
            assert.deepEqual(pexipSourcePrefixes(settings), ["192.0.2.10/32", "192.0.2.11/32", "198.51.100.0/24"]);
        });

        it("gives every stack parameter a default name, as the settings' keys list them", () => {
            assert.deepEqual(STACK_PARAMETER_KEYS, Object.keys(STACK_PARAMETERS));
            const all = withDeployment({ incidentReporting: true, diskEncryption: true }, { vmSize: "Standard_D4s_v5" });
            assert.deepEqual(
                deploymentParameters(all, IDS).map((entry) => entry.key),
                STACK_PARAMETER_KEYS.map((key) => `pexipDeployment.parameterNames.${key}`),
            );
        });

        it("renames a parameter with pexipDeployment.parameterNames, keeping its value and place", () => {
            const entries = deploymentParameters(withDeployment({ parameterNames: { appCredential: "TrustedAppCredential", instanceCount: "InstanceCount" } }), IDS);
            const names = entries.map((entry) => entry.name);
            assert.equal(names.includes("AppCredential"), false);
            assert.deepEqual(entries[9], {
                name: "TrustedAppCredential",
                value: { from: "appCredential", userName: IDS.applicationId },
                key: "pexipDeployment.parameterNames.appCredential",
                nameConfirmed: true,
            });
            assert.deepEqual(entries[8], { name: "InstanceCount", value: { from: "instanceCount" }, key: "pexipDeployment.parameterNames.instanceCount", nameConfirmed: true });
        });

        it("drops a parameter named null", () => {
            const names = deploymentParameters(withDeployment({ parameterNames: { pfxPassword: null, vmSize: null } }, { vmSize: "Standard_D4s_v5" }), IDS).map(
                (entry) => entry.name,
            );
            assert.equal(names.includes("PfxPassword"), false);
            assert.equal(names.includes("VmSize"), false);
            assert.equal(names.length, 13);
        });

        it("adds pexipDeployment.parameters after the stack's, under their own keys", () => {
            const entries = deploymentParameters(withDeployment({ parameters: { Tier: "Premium", DiskSizeGb: 256, Zones: ["1", "2"] } }), IDS);
            assert.deepEqual(entries.slice(-3), [
                { name: "Tier", value: "Premium", key: "pexipDeployment.parameters.Tier", nameConfirmed: true },
                { name: "DiskSizeGb", value: 256, key: "pexipDeployment.parameters.DiskSizeGb", nameConfirmed: true },
                { name: "Zones", value: ["1", "2"], key: "pexipDeployment.parameters.Zones", nameConfirmed: true },
            ]);
        });

        it("refuses an extra parameter the stack sets, whatever its case, naming the setting to change", () => {
            rejectsConfig(
                () => deploymentParameters(withDeployment({ parameters: { vmssname: "other" } }), IDS),
                "pexipDeployment.parameters.vmssname",
                "is set by the stack",
                STACK_PARAMETERS.vmssName.what,
                "pexipDeployment.parameterNames.vmssName",
            );
            rejectsConfig(
                () => deploymentParameters(withDeployment({ parameters: { PexipSourceAddressPrefixes: [] } }), IDS),
                "pexipDeployment.parameters.PexipSourceAddressPrefixes",
                "pexipDeployment.parameterNames.pexipSourceAddressPrefixes",
            );
        });

        it("refuses an extra parameter under the name a stack parameter was renamed to", () => {
            rejectsConfig(
                () => deploymentParameters(withDeployment({ parameterNames: { appCredential: "TrustedAppCredential" }, parameters: { TrustedAppCredential: "x" } }), IDS),
                "pexipDeployment.parameters.TrustedAppCredential",
                "pexipDeployment.parameterNames.appCredential",
            );
        });

        it("passes the PFX password as a plain string only when the script declares it [string]", async () => {
            const declared = await readParameters(scriptText("single-app").replace("[securestring] $PfxPassword", "[string] $PfxPassword"));
            const entries = deploymentParameters(testSettings(), IDS, declared);
            assert.deepEqual(entries.find((entry) => entry.name === "PfxPassword")?.value, { from: "pfxPassword", as: "String" });
            const secure = deploymentParameters(testSettings(), IDS, SINGLE_APP);
            assert.deepEqual(secure.find((entry) => entry.name === "PfxPassword")?.value, { from: "pfxPassword", as: "SecureString" });
        });

        it("follows a renamed PFX password parameter to find its declared type", async () => {
            const declared = await readParameters(scriptText("single-app").replace("[securestring] $PfxPassword", "[string] $CertificatePassword"));
            const entries = deploymentParameters(withDeployment({ parameterNames: { pfxPassword: "CertificatePassword" } }), IDS, declared);
            assert.deepEqual(entries.find((entry) => entry.name === "CertificatePassword")?.value, { from: "pfxPassword", as: "String" });
        });
    });

    describe("a parameter given twice", () => {
        it("refuses two stack parameters renamed to one name: one would be lost (here the HTTPS sources, opening 443 to all)", () => {
            rejectsConfig(
                () => deploymentParameters(withDeployment({ parameterNames: { pexipSourceAddressPrefixes: "RdpSourceAddressPrefixes" } }), UNKNOWN_IDS),
                "pexipDeployment.parameterNames.pexipSourceAddressPrefixes",
                "is set by the stack",
                "pexipDeployment.parameterNames.rdpSourceAddressPrefixes",
            );
        });

        it("refuses two extra parameters that differ only in case", () => {
            rejectsConfig(
                () => deploymentParameters(withDeployment({ parameters: { Foo: 1, foo: 2 } }), UNKNOWN_IDS),
                "pexipDeployment.parameters.foo",
                "-Foo, which pexipDeployment.parameters.Foo already sets",
            );
        });
    });

    describe("checkAgainstScript (the preflight)", () => {
        describe("single-app script", () => {
            it("passes a prod stack with the default names", () => {
                assert.doesNotThrow(() => preflight(testSettings(), SINGLE_APP));
            });

            it("passes a dev stack with the flags and VM size set", () => {
                const dev = devSettings();
                assert.doesNotThrow(() => preflight({ ...dev, vdx: { ...dev.vdx, nodeFqdns: ["node1.vdx.example"] } }, SINGLE_APP));
            });

            it("refuses what PowerShell's binding refuses, naming the setting, the parameter and the rule (here an empty list for a mandatory array)", () => {
                rejectsConfig(
                    () => preflight(devSettings(), SINGLE_APP),
                    "pexipDeployment.parameterNames.pexipFqdns",
                    "gives -PexipFqdns a value that",
                    "refuses by Mandatory: a mandatory parameter refuses an empty collection without [AllowEmptyCollection()]",
                );
            });

            it("refuses two parameters the script puts in no parameter set together, under the setting of the later one", () => {
                const inSet = (name: string) => [{ name, mandatory: false }];
                const exclusive = SINGLE_APP.map((parameter) =>
                    parameter.name === "Tier" ? { ...parameter, parameterSets: inSet("Standard") } : parameter.name === "DiskSizeGb" ? { ...parameter, parameterSets: inSet("Custom") } : parameter,
                );
                rejectsConfig(
                    () => preflight(withDeployment({ parameters: { Tier: "Premium", DiskSizeGb: 256 } }), exclusive),
                    "pexipDeployment.parameters.DiskSizeGb",
                    "cannot bind together: -Tier and -DiskSizeGb are in no parameter set together",
                );
                assert.doesNotThrow(() => preflight(withDeployment({ parameters: { Tier: "Premium" } }), exclusive));
            });

            it("refuses a value a Validate* attribute of the script refuses, and returns what it could not judge", () => {
                const validated = SINGLE_APP.map((parameter) =>
                    parameter.name === "Tier" ? { ...parameter, validations: [{ name: "ValidateSet", text: "[ValidateSet('Standard', 'Premium')]", positional: ["Standard", "Premium"], named: {} }] } : parameter,
                );
                rejectsConfig(
                    () => preflight(withDeployment({ parameters: { Tier: "Basic" } }), validated),
                    "pexipDeployment.parameters.Tier",
                    "gives -Tier a value that",
                    "refuses by [ValidateSet('Standard', 'Premium')]: \"Basic\" is not one of Standard, Premium",
                    '"Basic"',
                );
                const settings = withDeployment({ parameters: { Tier: "premium" } });
                const context = { pexipVersion: "37.1", scriptPath: SCRIPT_PATH, instanceCount: 3 };
                const unevaluated = checkAgainstScript(deploymentParameters(settings, UNKNOWN_IDS, validated), { parameters: validated }, context);
                assert.deepEqual(unevaluated, [{ parameter: "Tags", rule: "default", why: "its default @{ owner = 'pexip'; note = 'a, b (c)' } is computed by PowerShell" }]);
            });

            it("passes extra parameters that the script declares, with fitting values", () => {
                const settings = withDeployment({ parameters: { Tier: "Premium", DiskSizeGb: 256, Tags: "anything", Untyped: ["a", "b"], Notes: "n" } });
                assert.doesNotThrow(() => preflight(settings, SINGLE_APP));
            });

            it("matches names case-insensitively, like PowerShell", () => {
                assert.doesNotThrow(() => preflight(withDeployment({ parameterNames: { instanceCount: "InstanceCount", vmssName: "VMSSNAME" } }), SINGLE_APP));
            });

            it("takes a parameter under an alias the script declares, also for a mandatory one, and refuses it given twice", () => {
                const aliased = SINGLE_APP.map((parameter) => (parameter.name === "AppCredential" ? { ...parameter, aliases: ["TrustedAppCredential"] } : parameter));
                assert.doesNotThrow(() => preflight(withDeployment({ parameterNames: { appCredential: "trustedappcredential" } }), aliased));
                rejectsConfig(
                    () => preflight(withDeployment({ parameters: { TrustedAppCredential: "x" } }), aliased),
                    "pexipDeployment.parameters.TrustedAppCredential",
                    "alias of -AppCredential",
                    "already set by pexipDeployment.parameterNames.appCredential",
                );
            });

            it("refuses an extra parameter the script does not declare, naming it, the package version and the parameters it does declare", () => {
                const error = rejectsConfig(
                    () => preflight(withDeployment({ parameters: { Bogus: "x" } }), SINGLE_APP),
                    "pexipDeployment.parameters.Bogus",
                    "-Bogus",
                    "does not declare",
                    "Pexip 37.1 package",
                    SCRIPT_PATH,
                    "it declares: SubscriptionId, ResourceGroupName",
                );
                assert.equal(error.given, "Bogus");
            });

            it("refuses a rename to a name the script does not declare, under the rename's key", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: { appCredential: "TrustedAppCredential" } }), SINGLE_APP),
                    "pexipDeployment.parameterNames.appCredential",
                    "-TrustedAppCredential",
                    "Pexip 37.1 package",
                );
            });

            it("names the version the settings give", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameters: { Bogus: "x" } }, { pexipVersion: "38" }), SINGLE_APP),
                    "pexipDeployment.parameters.Bogus",
                    "Pexip 38 package",
                );
            });

            it("refuses leaving out a mandatory parameter, naming it", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: { appCredential: null } }), SINGLE_APP),
                    "pexipDeployment.parameters.AppCredential",
                    "declares -AppCredential mandatory",
                    "takes a secret the stack does not pass",
                    "Pexip 37.1 package",
                );
            });

            it("does not require an optional parameter the stack leaves out", () => {
                assert.doesNotThrow(() => preflight(withDeployment({ parameterNames: { pfxPassword: null, rdpSourceAddressPrefixes: null } }), SINGLE_APP));
            });

            it("refuses a list for a scalar, under the key that gives it", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameters: { Tier: ["Standard", "Premium"] } }), SINGLE_APP),
                    "pexipDeployment.parameters.Tier",
                    "gives -Tier a list",
                    "declares it [string]",
                    "Pexip 37.1 package",
                );
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: { pexipFqdns: "Tier" } }), SINGLE_APP),
                    "pexipDeployment.parameterNames.pexipFqdns",
                    "gives -Tier a list",
                );
            });

            it("refuses other values the declared type cannot take", () => {
                const cases: Array<[Partial<PexipDeploymentSettings>, string, string]> = [
                    [{ parameters: { DiskSizeGb: "large" } }, "pexipDeployment.parameters.DiskSizeGb", "a string, but"],
                    [{ parameters: { DiskSizeGb: 1.5 } }, "pexipDeployment.parameters.DiskSizeGb", "a number, but"],
                    [{ parameters: { Tier: true } }, "pexipDeployment.parameters.Tier", "true or false"],
                    [{ incidentReporting: true, parameterNames: { incidentReporting: "Tier" } }, "pexipDeployment.parameterNames.incidentReporting", "true or false"],
                    [{ parameterNames: { instanceCount: "Tier" } }, "pexipDeployment.parameterNames.instanceCount", "a whole number"],
                    [{ parameterNames: { vmAdminCredential: "Tier" } }, "pexipDeployment.parameterNames.vmAdminCredential", "a credential"],
                    [{ parameterNames: { pfxPassword: "DiskSizeGb" } }, "pexipDeployment.parameterNames.pfxPassword", "a password"],
                    [{ parameterNames: { pfxPath: "DiskSizeGb" } }, "pexipDeployment.parameterNames.pfxPath", "a file path"],
                    [{ parameterNames: { teamsConnectorFqdn: "IncidentReporting" } }, "pexipDeployment.parameterNames.teamsConnectorFqdn", "a string, but"],
                ];
                for (const [changes, key, fragment] of cases) rejectsConfig(() => preflight(withDeployment(changes), SINGLE_APP), key, fragment);
            });
        });

        describe("two-app script (older versions)", () => {
            const renamed = { appCredential: "TrustedAppCredential", pfxPassword: null };

            it("refuses the default names: the script declares no PfxPassword", () => {
                rejectsConfig(
                    () => preflight(testSettings(), TWO_APP),
                    "pexipDeployment.parameterNames.pfxPassword",
                    "-PfxPassword",
                    "does not declare",
                    "Pexip 37.1 package",
                    "TrustedAppCredential, GuestAppCredential",
                );
            });

            it("refuses AppCredential once PfxPassword is dropped", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: { pfxPassword: null } }), TWO_APP),
                    "pexipDeployment.parameterNames.appCredential",
                    "-AppCredential",
                    "does not declare",
                );
            });

            it("with the renames, still refuses the missing mandatory GuestAppCredential", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: renamed, incidentReporting: true, diskEncryption: false }, { pexipVersion: "32.1" }), TWO_APP),
                    "pexipDeployment.parameters.GuestAppCredential",
                    "declares -GuestAppCredential mandatory",
                    "Pexip 32.1 package",
                );
            });

            it("refuses a plain value for GuestAppCredential: a credential cannot be given as an extra parameter", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: renamed, parameters: { GuestAppCredential: "guest-secret" } }), TWO_APP),
                    "pexipDeployment.parameters.GuestAppCredential",
                    "gives -GuestAppCredential a string",
                    "declares it [PSCredential]",
                );
            });

            it("refuses the VM size, which the older script does not take", () => {
                rejectsConfig(
                    () => preflight(withDeployment({ parameterNames: renamed }, { vmSize: "Standard_D4s_v5" }), TWO_APP),
                    "pexipDeployment.parameterNames.vmSize",
                    "-VmSize",
                );
            });

            it("passes when every parameter the script declares mandatory is set", () => {
                // Only a script without GuestAppCredential can pass: the stack has one application.
                const declared = TWO_APP.filter((parameter) => parameter.name !== "GuestAppCredential");
                assert.doesNotThrow(() => preflight(withDeployment({ parameterNames: renamed, incidentReporting: true, diskEncryption: false }), declared));
            });
        });
    });

    describe("deploymentDocument", () => {
        it("holds everything the driver needs, and the parameters by name in order", () => {
            const settings = testSettings({ connectorPackage: { source: { kind: "path", path: "packages/pexip_teams_connector_v37.1.zip" }, sha256: "ab".repeat(32), sha256Key: "pexip-versions.yaml:versions[0].sha256", deploymentScript: "create_vmss_deployment.ps1" } });
            const document = deploymentDocument(settings, IDS, PFX_FILE, TAGS, SCRIPT_PATH, SINGLE_APP);
            assert.deepEqual(
                { ...document, parameters: Object.keys(document.parameters) },
                {
                    subscriptionId: IDS.subscriptionId,
                    location: "westeurope",
                    resourceGroup: "medcom-TeamsConn-weu-RG",
                    scaleSetName: "medcomweu",
                    tags: TAGS,
                    package: { path: "packages/pexip_teams_connector_v37.1.zip", sha256: "ab".repeat(32), deploymentScript: SCRIPT_PATH },
                    pfx: PFX_FILE,
                    parameters: deploymentParameters(settings, IDS).map((entry) => entry.name),
                },
            );
            assert.deepEqual(document.parameters.PexipFqdns, ["node1.vdx.example", "node2.vdx.example"]);
        });

        it("gives the driver the package's URL, and the configured script when no inspected path is known", () => {
            const document = deploymentDocument(testSettings(), IDS, PFX_FILE, TAGS);
            assert.deepEqual(document.package, {
                url: "https://dl.example.com/pexip_teams_connector_37_1.zip",
                sha256: "0".repeat(64),
                deploymentScript: "create_vmss_deployment.ps1",
            });
            assert.equal("path" in document.package, false);
        });

        it("never holds a secret: the driver takes them from its environment", () => {
            for (const settings of [testSettings(), devSettings()]) {
                const text = JSON.stringify(deploymentDocument(settings, IDS, PFX_FILE, TAGS, SCRIPT_PATH, SINGLE_APP));
                assert.ok(!text.includes(ADMIN_PASSWORD), "admin password");
                assert.ok(!text.includes(PFX_PASSWORD), "PFX password");
                // A Secret object would serialise as [secret]: none may stand in the document.
                assert.ok(!text.includes("[secret]"), text);
            }
        });
    });

    describe("rendering the command line", () => {
        const prod = deploymentDocument(testSettings(), IDS, PFX_FILE, TAGS, SCRIPT_PATH, SINGLE_APP);

        it("renders a prod stack's command, secrets masked", () => {
            assert.equal(
                renderCommand(prod, 3, SINGLE_APP),
                "& ./create_vmss_deployment.ps1" +
                    ` -SubscriptionId '${IDS.subscriptionId}'` +
                    " -ResourceGroupName 'medcom-TeamsConn-weu-RG'" +
                    " -VmssName 'medcomweu'" +
                    " -VMAdminCredential <PSCredential 'pexadmin' [secret]>" +
                    " -PfxPath 'certs/teamsconn.pfx'" +
                    " -PfxPassword <SecureString [secret]>" +
                    " -TeamsConnectorFqdn 'teamsconn.example.dk'" +
                    " -PexipFqdns 'node1.vdx.example','node2.vdx.example'" +
                    " -instanceCount 3" +
                    ` -AppCredential <PSCredential '${IDS.applicationId}' [secret]>` +
                    " -StaticResourcesResourceGroupName 'medcom-TeamsConn-weu-static-RG'" +
                    " -PublicIPAddressResourceName 'medcom-TeamsConn-weu-PIP'" +
                    " -RdpSourceAddressPrefixes '198.51.100.0/24'" +
                    " -PexipSourceAddressPrefixes '192.0.2.10/32','192.0.2.11/32','198.51.100.0/24'",
            );
        });

        it("renders a dev stack's command: the stack's PFX, empty lists, the flags and the VM size", () => {
            const dev = deploymentDocument(devSettings(), IDS, { source: "stack" }, TAGS, SCRIPT_PATH, SINGLE_APP);
            const command = renderCommand(dev, 1, SINGLE_APP);
            for (const part of [
                " -PfxPath <temporary PFX from the stack>",
                " -PexipFqdns @()",
                " -instanceCount 1",
                " -RdpSourceAddressPrefixes @()",
                " -PexipSourceAddressPrefixes '203.0.113.5/32'",
                " -IncidentReporting:$false",
                " -Encryption $true",
                " -VmSize 'Standard_D4as_v5'",
            ]) {
                assert.ok(command.includes(part), `${command}\nshould include\n${part}`);
            }
        });

        it("renders the instance count it is given, not one from the document", () => {
            assert.equal(argument(prod, "instanceCount", SINGLE_APP, 7), "-instanceCount 7");
            assert.ok(renderCommand(prod, 12, SINGLE_APP).includes(" -instanceCount 12 "));
        });

        it("renders a [switch] as present or :$false", () => {
            const on = deploymentDocument(withDeployment({ incidentReporting: true }), IDS, PFX_FILE, TAGS);
            const off = deploymentDocument(withDeployment({ incidentReporting: false }), IDS, PFX_FILE, TAGS);
            assert.equal(argument(on, "IncidentReporting", SINGLE_APP), "-IncidentReporting");
            assert.equal(argument(off, "IncidentReporting", SINGLE_APP), "-IncidentReporting:$false");
        });

        it("renders a [bool] with a value", () => {
            const settings = withDeployment({ incidentReporting: true, diskEncryption: true });
            const document = deploymentDocument(settings, IDS, PFX_FILE, TAGS);
            assert.equal(argument(document, "Encryption", SINGLE_APP), "-Encryption $true");
            assert.equal(argument(deploymentDocument(withDeployment({ diskEncryption: false }), IDS, PFX_FILE, TAGS), "Encryption", SINGLE_APP), "-Encryption $false");
            // The older script declares IncidentReporting [bool] too.
            assert.equal(argument(document, "IncidentReporting", TWO_APP), "-IncidentReporting $true");
        });

        it("renders -Name:$value, which suits a switch and a bool, when the declaration is not known", () => {
            const document = deploymentDocument(withDeployment({ incidentReporting: true, diskEncryption: false, parameters: { SkipChecks: true } }), IDS, PFX_FILE, TAGS);
            assert.equal(argument(document, "IncidentReporting"), "-IncidentReporting:$true");
            assert.equal(argument(document, "Encryption"), "-Encryption:$false");
            // Declared script, but a parameter it does not declare.
            assert.equal(argument(document, "SkipChecks", SINGLE_APP), "-SkipChecks:$true");
        });

        it("renders lists comma-separated, an empty list as @(), and numbers bare", () => {
            const document = deploymentDocument(withDeployment({ parameters: { Zones: ["1", "2"], Empty: [], DiskSizeGb: 256 } }), IDS, PFX_FILE, TAGS);
            assert.equal(argument(document, "Zones"), "-Zones '1','2'");
            assert.equal(argument(document, "Empty"), "-Empty @()");
            assert.equal(argument(document, "DiskSizeGb"), "-DiskSizeGb 256");
        });

        it("single-quotes strings, doubling the quotes inside them", () => {
            const document = deploymentDocument(withDeployment({ parameters: { Notes: "VDX's 'TC' $(rm -rf) `n", Owners: ["O'Brien", "plain"] } }), IDS, PFX_FILE, TAGS);
            assert.equal(argument(document, "Notes"), "-Notes 'VDX''s ''TC'' $(rm -rf) `n'");
            assert.equal(argument(document, "Owners"), "-Owners 'O''Brien','plain'");
        });

        it("masks credentials and passwords, and shows where the PFX comes from", async () => {
            assert.equal(argument(prod, "VMAdminCredential"), "-VMAdminCredential <PSCredential 'pexadmin' [secret]>");
            assert.equal(argument(prod, "AppCredential"), `-AppCredential <PSCredential '${IDS.applicationId}' [secret]>`);
            assert.equal(argument(prod, "PfxPassword"), "-PfxPassword <SecureString [secret]>");
            assert.equal(argument(prod, "PfxPath"), "-PfxPath 'certs/teamsconn.pfx'");
            const keyVault = deploymentDocument(testSettings(), IDS, { source: "keyVault", vaultName: "medcomweu-kv", secretName: "teamsconn", secretVersion: "0".repeat(32) }, TAGS);
            assert.equal(argument(keyVault, "PfxPath"), "-PfxPath <temporary PFX from Key Vault medcomweu-kv>");
            const declaredString = await readParameters(scriptText("single-app").replace("[securestring] $PfxPassword", "[string] $PfxPassword"));
            const plain = deploymentDocument(testSettings(), IDS, PFX_FILE, TAGS, SCRIPT_PATH, declaredString);
            assert.equal(argument(plain, "PfxPassword", declaredString), "-PfxPassword <String [secret]>");
        });

        it("never shows the secret values", () => {
            for (const [settings, pfx] of [
                [testSettings(), PFX_FILE],
                [devSettings(), { source: "stack" }],
            ] as Array<[Settings, PfxSource]>) {
                const document = deploymentDocument(settings, IDS, pfx, TAGS, SCRIPT_PATH, SINGLE_APP);
                for (const declared of [SINGLE_APP, TWO_APP, undefined]) {
                    const text = renderCommand(document, 3, declared) + JSON.stringify(renderParameters(document, 3, declared));
                    assert.ok(!text.includes(ADMIN_PASSWORD), "admin password");
                    assert.ok(!text.includes(PFX_PASSWORD), "PFX password");
                }
            }
        });

        it("runs the script by its file name, whatever folder of the package it is in", () => {
            assert.ok(renderCommand(prod, 3).startsWith("& ./create_vmss_deployment.ps1 -SubscriptionId "));
        });
    });

    describe("facts and redeploy triggers", () => {
        const settings = testSettings();
        const sizing = sizeConnector(settings.sizing);

        it("gives the policy pack's facts, the prefixes as JSON lists", () => {
            const facts = deploymentFacts(settings, sizing, "pulumi");
            assert.deepEqual(facts, {
                [FACTS.environment]: "prod",
                [FACTS.pexipVersion]: "37.1",
                [FACTS.location]: "westeurope",
                [FACTS.instanceCount]: "3",
                [FACTS.concurrentPorts]: "48",
                [FACTS.portsPerInstance]: "16",
                [FACTS.capacityOwner]: "pulumi",
                [FACTS.vmSize]: "",
                [FACTS.rdpSources]: JSON.stringify(["198.51.100.0/24"]),
                [FACTS.pexipSources]: JSON.stringify(["192.0.2.10/32", "192.0.2.11/32", "198.51.100.0/24"]),
            });
            assert.deepEqual(JSON.parse(facts[FACTS.rdpSources] as string), settings.managementAddresses);
            assert.deepEqual(JSON.parse(facts[FACTS.pexipSources] as string), deploymentParameters(settings, IDS).find((entry) => entry.name === "PexipSourceAddressPrefixes")?.value);
        });

        it("gives a dev stack's VM size, empty RDP list and Infinity as capacity owner", () => {
            const dev = devSettings();
            const facts = deploymentFacts(dev, sizeConnector(dev.sizing), "infinity");
            assert.equal(facts[FACTS.vmSize], "Standard_D4as_v5");
            assert.equal(facts[FACTS.rdpSources], "[]");
            assert.equal(facts[FACTS.pexipSources], '["203.0.113.5/32"]');
            assert.equal(facts[FACTS.capacityOwner], "infinity");
            assert.equal(facts[FACTS.instanceCount], "1");
        });

        it("turns facts into the deployment command's VDX_ variables, including the instance count the driver reads", () => {
            const environment = factEnvironment(deploymentFacts(settings, sizing, "pulumi"));
            assert.equal(environment.VDX_PEXIP_VERSION, "37.1");
            assert.equal(environment.VDX_ENVIRONMENT, "prod");
            assert.equal(environment.VDX_RDP_SOURCES, '["198.51.100.0/24"]');
            assert.equal(environment[factVariable(FACTS.instanceCount)], "3");
            assert.equal(factVariable(FACTS.instanceCount), "VDX_INSTANCE_COUNT");
            assert.ok(Object.keys(environment).every((name) => /^VDX_[A-Z_]+$/.test(name)), Object.keys(environment).join(", "));
            assert.equal(Object.keys(environment).length, 10);
        });

        const triggersOf = (changed: Settings, thumbprint = "AB12", pfx: PfxSource = PFX_FILE, tags: Record<string, string> = TAGS, ids = IDS) =>
            redeployTriggers(deploymentDocument(changed, ids, pfx, tags), changed.pexipVersion, thumbprint);

        it("redeploys on what the script is given or runs from, and on a new certificate", () => {
            const document = deploymentDocument(settings, IDS, PFX_FILE, TAGS);
            const triggers = triggersOf(settings);
            assert.deepEqual(triggers, {
                pexipVersion: "37.1",
                packageSha256: "0".repeat(64),
                deploymentScript: "create_vmss_deployment.ps1",
                certificateThumbprint: "AB12",
                subscriptionId: IDS.subscriptionId,
                location: settings.location,
                resourceGroup: document.resourceGroup,
                scaleSetName: document.scaleSetName,
                parameters: document.parameters,
            });
            for (const changed of [
                testSettings({ pexipVersion: "38" }),
                testSettings({ vmSize: "Standard_D4as_v5" }),
                testSettings({ fqdn: "teamsconn2.example.dk" }),
                testSettings({ managementAddresses: ["203.0.113.0/28"] }),
                testSettings({ vdx: { ...settings.vdx, nodeFqdns: ["node9.vdx.example"] } }),
                withDeployment({ parameters: { Verbose: true } }),
                withDeployment({ parameterNames: { appCredential: "TrustedAppCredential" } }),
            ]) {
                assert.notDeepEqual(triggersOf(changed), triggers, JSON.stringify(changed));
            }
            assert.notDeepEqual(triggersOf(settings, "CD34"), triggers);
            assert.notDeepEqual(triggersOf(settings, "AB12", PFX_FILE, TAGS, { ...IDS, applicationId: "another" }), triggers);
        });

        it("does not redeploy on a new tag or PFX source for the same certificate", () => {
            assert.deepEqual(triggersOf(settings, "AB12", { source: "stack" }, { ...TAGS, owner: "it" }), triggersOf(settings));
        });

        it("does not redeploy when the same package moves from a URL to a local copy, whose script is found in a folder", () => {
            const local: Settings = { ...settings, connectorPackage: { ...settings.connectorPackage, source: { kind: "path", path: "packages/tc.zip" } } };
            const fromUrl = redeployTriggers(deploymentDocument(settings, IDS, PFX_FILE, TAGS), settings.pexipVersion, "AB12");
            const fromPath = redeployTriggers(deploymentDocument(local, IDS, PFX_FILE, TAGS, SCRIPT_PATH), settings.pexipVersion, "AB12");
            assert.deepEqual(fromPath, fromUrl);
        });

        it("does not redeploy on a resize, which is the scaling command's job", () => {
            const resized = testSettings({ sizing: { concurrentPorts: 160, portsPerInstance: 8, spareInstances: 2 } });
            assert.deepEqual(triggersOf(resized), triggersOf(settings));
        });

        it("holds no secret", () => {
            const text = JSON.stringify(triggersOf(settings)) + JSON.stringify(deploymentFacts(settings, sizing, "pulumi"));
            assert.ok(!text.includes(ADMIN_PASSWORD) && !text.includes(PFX_PASSWORD));
        });
    });
});
