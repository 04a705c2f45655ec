import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isSecretValue, MOCK_CLOUD, ProgramRun, RegisteredResource } from "../cli/plan/mockRuntime";
import { DRIVER_VARIABLES, FACTS, factVariable } from "../lib/contract";
import { ConfigurationRunError } from "../program";
import { pfxFileCertificate } from "./fixtures/certificate/pfxFile";
import { FIXTURE_SCRIPTS, pexipPackage } from "./support/pexipPackage";
import { PFX_PASSWORD } from "./support/settings";
import { catalogueYaml, ofType, PROJECT_DIR, redactSecrets, REPOSITORY_VERSION, runFailingStack, runStack, single, STATIC_SUFFIXES, unwrapSecrets } from "./support/stacks";

type Inventory = Array<[type: string, name: string, parent: string | undefined]>;

const COMMAND = "command:local:Command";

/** [type, name, parent's name] of every registration, sorted for comparison. */
function inventory(resources: RegisteredResource[]): Inventory {
    const names = new Map(resources.map((resource) => [resource.urn, resource.name]));
    return resources
        .map((resource): Inventory[number] => [resource.type, resource.name, resource.parent ? names.get(resource.parent) : undefined])
        .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

function sorted(expected: Inventory): Inventory {
    return [...expected].sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

/** What every region registers, for a stack whose connector is named `stem`. */
function regionInventory(stem: string): Inventory {
    return [
        ["vdx:teams:TeamsConnector", stem, undefined],
        ["azure-native:resources:ResourceGroup", `${stem}-static-rg`, stem],
        ["azure-native:network:PublicIPAddress", `${stem}-pip`, stem],
        ["vdx:teams:CertificateBinding", `${stem}-certificate`, stem],
        ["azure-native:keyvault:Vault", `${stem}-certificate-kv`, `${stem}-certificate`],
        ["random:index/randomPassword:RandomPassword", `${stem}-admin-password`, stem],
        ["azure-native:keyvault:Secret", `${stem}-windows-admin-password`, stem],
        ["azure-native:keyvault:Secret", `${stem}-teams-app-secret`, stem],
        ["vdx:teams:PexipDeployment", `${stem}-deployment`, stem],
        [COMMAND, `${stem}-deployment-check`, `${stem}-deployment`],
        [COMMAND, `${stem}-deployment-deploy`, `${stem}-deployment`],
    ];
}

/** What the stack that owns the tenant-wide pieces adds. */
function identityInventory(baseName: string): Inventory {
    return [
        ["vdx:teams:TeamsAppConsent", `${baseName}-teams`, undefined],
        ["azuread:index/application:Application", `${baseName}-teams-app`, `${baseName}-teams`],
        ["azuread:index/servicePrincipal:ServicePrincipal", `${baseName}-teams-sp`, `${baseName}-teams`],
        ["azuread:index/applicationPassword:ApplicationPassword", `${baseName}-teams-secret`, `${baseName}-teams`],
        ["vdx:teams:TeamsBot", `${baseName}-bot`, undefined],
        ["azure-native:resources:ResourceGroup", `${baseName}-bot-rg`, `${baseName}-bot`],
        ["azure-native:botservice:Bot", `${baseName}-bot-registration`, `${baseName}-bot`],
        ["azure-native:botservice:Channel", `${baseName}-bot-teams-channel`, `${baseName}-bot`],
    ];
}

/** The command that runs Pexip's deployment script. */
function deployment(run: ProgramRun): RegisteredResource {
    return run.resources.find((resource) => resource.type === COMMAND && resource.name.endsWith("-deployment-deploy"))!;
}

/** The command that sets the capacity in place, if there is one. */
function scaling(run: ProgramRun): RegisteredResource | undefined {
    return run.resources.find((resource) => resource.type === COMMAND && resource.name.endsWith("-deployment-scale"));
}

function environment(command: RegisteredResource): Record<string, unknown> {
    return command.inputs.environment as Record<string, unknown>;
}

/** The deployment document the driver reads. */
function document(run: ProgramRun): any {
    return JSON.parse(environment(deployment(run))[DRIVER_VARIABLES.deployment] as string);
}

/** Names of the resources whose inputs differ between two runs of the same stack. */
function changed(before: ProgramRun, after: ProgramRun): string[] {
    const inputs = (run: ProgramRun) => new Map(run.resources.map((resource) => [resource.name, JSON.stringify(unwrapSecrets(resource.inputs))]));
    const old = inputs(before);
    return [...inputs(after)].filter(([name, value]) => old.get(name) !== value).map(([name]) => name).sort();
}


describe("program (index.ts under the mock runtime)", () => {
    describe("dev stack", () => {
        it("registers exactly the region, the self-signed certificate, the scaling step and the tenant-wide pieces", async () => {
            const run = await runStack("dev");
            const expected = sorted([
                ...regionInventory("vdxdevweu"),
                [COMMAND, "vdxdevweu-deployment-scale", "vdxdevweu-deployment"],
                ["azure-native:keyvault:Secret", "vdxdevweu-certificate-tls", "vdxdevweu-certificate"],
                ["tls:index/privateKey:PrivateKey", "vdxdevweu-certificate-self-signed-key", "vdxdevweu-certificate"],
                ["tls:index/selfSignedCert:SelfSignedCert", "vdxdevweu-certificate-self-signed", "vdxdevweu-certificate"],
                ...identityInventory("vdxdev"),
            ]);
            assert.deepEqual(inventory(run.resources), expected);
        });

        it("creates none of what Pexip's script creates: no scale set, network, load balancer or dynamic group", async () => {
            for (const stack of ["dev", "prod"]) {
                const run = await runStack(stack);
                const types = new Set(run.resources.map((resource) => resource.type));
                for (const type of [
                    "azure-native:compute:VirtualMachineScaleSet",
                    "azure-native:network:NetworkSecurityGroup",
                    "azure-native:network:VirtualNetwork",
                    "azure-native:network:LoadBalancer",
                ]) {
                    assert.ok(!types.has(type), `${stack} registers a ${type}`);
                }
                const groups = ofType(run, "azure-native:resources:ResourceGroup").map((group) => group.inputs.resourceGroupName);
                assert.ok(!groups.some((name) => /-TeamsConn-[a-z]+-RG$/.test(String(name))), `${stack} creates the dynamic resource group itself`);
            }
        });

        it("passes Pexip's script exactly this document", async () => {
            const run = await runStack("dev");
            assert.deepEqual(document(run), {
                subscriptionId: MOCK_CLOUD.subscriptionId,
                location: "westeurope",
                resourceGroup: "vdxdev-TeamsConn-weu-RG",
                scaleSetName: "vdxdevweu",
                tags: { environment: "dev", application: "pexip-teams-connector", "pulumi-project": "vdx-teams-connector", "pulumi-stack": "dev" },
                package: {
                    url: "https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v37.1.zip",
                    sha256: "9f2c6b1e7d4a3c5b8e0f1a2d3c4b5a6978e6d5c4b3a29180f7e6d5c4b3a29180",
                    deploymentScript: "create_vmss_deployment.ps1",
                },
                pfx: { source: "stack" },
                parameters: {
                    SubscriptionId: MOCK_CLOUD.subscriptionId,
                    ResourceGroupName: "vdxdev-TeamsConn-weu-RG",
                    VmssName: "vdxdevweu",
                    VMAdminCredential: { from: "adminCredential", userName: "pexadmin" },
                    PfxPath: { from: "pfxPath" },
                    PfxPassword: { from: "pfxPassword", as: "SecureString" },
                    TeamsConnectorFqdn: "teamsconn-dev.sundhed.example",
                    PexipFqdns: ["vdx-node1.vdx.example", "vdx-node2.vdx.example"],
                    instanceCount: { from: "instanceCount" },
                    AppCredential: { from: "appCredential", userName: run.outputs.teamsApplicationId },
                    StaticResourcesResourceGroupName: "vdxdev-TeamsConn-weu-static-RG",
                    PublicIPAddressResourceName: "vdxdev-TeamsConn-weu-PIP",
                    RdpSourceAddressPrefixes: [],
                    PexipSourceAddressPrefixes: ["198.51.100.10/32", "198.51.100.11/32"],
                },
            });
        });

        it("runs one instance, scaled by Pulumi, and protects nothing", async () => {
            const run = await runStack("dev");
            assert.equal(environment(deployment(run))[factVariable(FACTS.instanceCount)], "1");
            assert.equal(environment(scaling(run)!)[factVariable(FACTS.instanceCount)], "1");
            assert.equal(run.outputs.capacityOwner, "pulumi");
            assert.deepEqual(run.resources.filter((resource) => resource.protect), []);
        });

        it("outputs the public IP's DNS name, the CNAME to create, the dynamic group, the scale set and the masked command", async () => {
            const run = await runStack("dev");
            assert.equal(run.outputs.publicIpFqdn, "vdxdev-teamsconn-weu.westeurope.cloudapp.azure.com");
            assert.equal(run.outputs.dnsRecord, "teamsconn-dev.sundhed.example. IN CNAME vdxdev-teamsconn-weu.westeurope.cloudapp.azure.com.");
            assert.equal(run.outputs.dynamicResourceGroup, "vdxdev-TeamsConn-weu-RG");
            assert.equal(run.outputs.scaleSetName, "vdxdevweu");
            const command = run.outputs.deploymentCommand as string;
            assert.match(command, /^& \.\/create_vmss_deployment\.ps1 -SubscriptionId '00000000-0000-4000-8000-000000000001' /);
            assert.match(command, / -VMAdminCredential <PSCredential 'pexadmin' \[secret\]> /);
            assert.match(command, / -instanceCount 1 /);
            assert.match(command, / -PexipSourceAddressPrefixes '198\.51\.100\.10\/32','198\.51\.100\.11\/32'$/);
        });

        it("puts a DNS label on the static public IP, from domainNameLabel", async () => {
            const pip = (run: ProgramRun) => single(run, "azure-native:network:PublicIPAddress").inputs;
            assert.deepEqual((pip(await runStack("dev")) as any).dnsSettings, { domainNameLabel: "vdxdev-teamsconn-weu" });
            assert.deepEqual((pip(await runStack("dev", { domainNameLabel: "hospital-tc" })) as any).dnsSettings, { domainNameLabel: "hospital-tc" });
        });
    });

    describe("prod stack", () => {
        it("is judged by its file, never its name: prod saying dev is dev, with a warning that pulumi up logs", async () => {
            const run = await runStack("prod", { environment: "dev" });
            const warning = run.logs.filter((line) => line.includes("named like a production stack"));
            assert.equal(warning.length, 1, run.logs.join("\n"));
            assert.match(warning[0], /stack prod is named like a production stack, but its file sets environment: dev, .*pulumi config set environment prod/);
            assert.ok(run.resources.every((resource) => !resource.protect), "nothing protected: dev");
            assert.deepEqual((await runStack("prod")).logs.filter((line) => line.includes("named like a production stack")), []);
        });

        it("warns in pulumi up, naming identityStack, when another production stack beside it owns the Teams application and bot too", async () => {
            const prod = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
            const identityWarnings = (run: ProgramRun) => run.logs.filter((line) => line.includes("identityStack"));
            const twoOwners = await runStack("prod", {}, { siblingStacks: { "Pulumi.prod-neu.yaml": prod } });
            assert.deepEqual(identityWarnings(twoOwners), [
                "stack prod sets no identityStack, so it creates its own Teams application and bot (vdxtc-teams-bot, a global name in Azure), as production stack prod-neu does too: " +
                    "a second application and bot for one tenant. If prod-neu owns them, set identityStack: pulumi config set identityStack organization/vdx-teams-connector/prod-neu",
            ]);
            const region = `${prod.trimEnd()}\n  vdx-teams-connector:identityStack: organization/vdx-teams-connector/prod\n`;
            const dev = prod.replace(/environment: prod/, "environment: dev");
            assert.notEqual(dev, prod);
            const others: Array<Record<string, string>> = [{ "Pulumi.prod-neu.yaml": region }, { "Pulumi.staging.yaml": dev }, {}];
            for (const siblingStacks of others) {
                assert.deepEqual(identityWarnings(await runStack("prod", {}, { siblingStacks })), [], Object.keys(siblingStacks).join());
            }
            assert.deepEqual(identityWarnings(await runStack("prod")), [], "the repository's prod, beside dev");
        });

        it("registers exactly the region with the Event Hub and no scaling step, and the tenant-wide pieces", async () => {
            const run = await runStack("prod");
            assert.deepEqual(
                inventory(run.resources),
                sorted([
                    ...regionInventory("vdxtcweu"),
                    ["vdx:teams:ScalingNotifications", "vdxtcweu-eventhub", "vdxtcweu"],
                    ["azure-native:eventhub:Namespace", "vdxtcweu-eventhub-ns", "vdxtcweu-eventhub"],
                    ["azure-native:eventhub:EventHub", "vdxtcweu-eventhub-hub", "vdxtcweu-eventhub"],
                    ["azure-native:eventhub:EventHubAuthorizationRule", "vdxtcweu-eventhub-policy", "vdxtcweu-eventhub"],
                    ...identityInventory("vdxtc"),
                ]),
            );
        });

        it("passes Pexip's script exactly this document, with the certificate exported from the party's vault", async () => {
            const run = await runStack("prod");
            assert.deepEqual(document(run), {
                subscriptionId: MOCK_CLOUD.subscriptionId,
                location: "westeurope",
                resourceGroup: "vdxtc-TeamsConn-weu-RG",
                scaleSetName: "vdxtcweu",
                tags: { environment: "prod", application: "pexip-teams-connector", "pulumi-project": "vdx-teams-connector", "pulumi-stack": "prod" },
                package: {
                    url: "https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v37.1.zip",
                    sha256: "9f2c6b1e7d4a3c5b8e0f1a2d3c4b5a6978e6d5c4b3a29180f7e6d5c4b3a29180",
                    deploymentScript: "create_vmss_deployment.ps1",
                },
                pfx: { source: "keyVault", vaultName: "vdxtc-certs", secretName: "teamsconn", secretVersion: "0f1e2d3c4b5a69788796a5b4c3d2e1f0" },
                parameters: {
                    SubscriptionId: MOCK_CLOUD.subscriptionId,
                    ResourceGroupName: "vdxtc-TeamsConn-weu-RG",
                    VmssName: "vdxtcweu",
                    VMAdminCredential: { from: "adminCredential", userName: "pexadmin" },
                    PfxPath: { from: "pfxPath" },
                    PfxPassword: { from: "pfxPassword", as: "SecureString" },
                    TeamsConnectorFqdn: "teamsconn.sundhed.example",
                    PexipFqdns: ["vdx-node1.vdx.example", "vdx-node2.vdx.example", "vdx-node3.vdx.example"],
                    instanceCount: { from: "instanceCount" },
                    AppCredential: { from: "appCredential", userName: run.outputs.teamsApplicationId },
                    StaticResourcesResourceGroupName: "vdxtc-TeamsConn-weu-static-RG",
                    PublicIPAddressResourceName: "vdxtc-TeamsConn-weu-PIP",
                    RdpSourceAddressPrefixes: ["192.0.2.0/28"],
                    // VDX's nodes, then the management network: the consent workstation must reach 443.
                    PexipSourceAddressPrefixes: ["198.51.100.10/32", "198.51.100.11/32", "198.51.100.12/32", "192.0.2.0/28"],
                },
            });
        });

        it("protects the static resource group, the public IP, the Key Vault and the Event Hub namespace, and nothing else", async () => {
            const run = await runStack("prod");
            const protectedNames = run.resources.filter((resource) => resource.protect).map((resource) => resource.name);
            assert.deepEqual(protectedNames.sort(), ["vdxtcweu-certificate-kv", "vdxtcweu-eventhub-ns", "vdxtcweu-pip", "vdxtcweu-static-rg"]);
        });

        it("sizes 48 ports at 15 per VM plus one spare as 5 VMs and leaves capacity to Infinity", async () => {
            const run = await runStack("prod");
            const facts = environment(deployment(run));
            assert.equal(facts[factVariable(FACTS.instanceCount)], "5");
            assert.equal(facts[factVariable(FACTS.capacityOwner)], "infinity");
            assert.equal(scaling(run), undefined);
            assert.equal(run.outputs.instances, 5);
        });

        it("keeps the Event Hub in the static group, with the rule Infinity looks for", async () => {
            const run = await runStack("prod");
            const namespace = single(run, "azure-native:eventhub:Namespace").inputs;
            assert.equal(namespace.resourceGroupName, "vdxtc-TeamsConn-weu-static-RG");
            const rule = single(run, "azure-native:eventhub:EventHubAuthorizationRule").inputs;
            assert.equal(rule.authorizationRuleName, "standard_access_policy");
            assert.deepEqual(rule.rights, ["Listen", "Send"]);
        });
    });

    describe("lifecycle", () => {
        it("replaces the deployment delete-first only on its triggers, a secret's change among them; any other change updates its tags", async () => {
            const run = await runStack("dev");
            const command = deployment(run);
            assert.equal(command.inputs.create, "deploy");
            assert.equal(command.inputs.update, "update");
            assert.equal(command.inputs.delete, "remove");
            assert.equal(command.deleteBeforeReplace, true);
            // Replaced on triggers only (the SDK and the component both say so); nothing else may, or a tag change would redeploy.
            assert.deepEqual([...new Set(command.replaceOnChanges)], ["triggers[*]"]);
            // Nothing ignored: the engine would create a replacement from an ignored input's old value.
            assert.deepEqual(command.ignoreChanges, []);
            const triggers = command.inputs.triggers as unknown[];
            assert.equal(triggers.length, 2);
            assert.equal((triggers[0] as any).pexipVersion, "37.1");
            assert.ok(isSecretValue(triggers[1]), "the secrets' digest is a secret");
            const withNewPassword = await runStack("dev", {}, { secrets: { adminPassword: "Another-Password-42" } });
            assert.notDeepEqual(unwrapSecrets(deployment(withNewPassword).inputs.triggers), unwrapSecrets(triggers));
            assert.ok(!JSON.stringify(unwrapSecrets(deployment(withNewPassword).inputs.triggers)).includes("Another-Password-42"));
        });

        it("checks the package, with the same readable triggers, before the deployment runs", async () => {
            const run = await runStack("dev");
            const check = run.resources.find((resource) => resource.type === COMMAND && resource.name === "vdxdevweu-deployment-check")!;
            assert.equal(check.inputs.create, "check");
            assert.equal(check.inputs.update, undefined);
            assert.equal(check.inputs.delete, undefined);
            // The instance count too, which the driver's binding check gives the script's parameter; never a secret.
            assert.deepEqual(Object.keys(environment(check)), [DRIVER_VARIABLES.deployment, "VDX_INSTANCE_COUNT"]);
            assert.equal(environment(check).VDX_INSTANCE_COUNT, environment(deployment(run)).VDX_INSTANCE_COUNT);
            assert.deepEqual(JSON.parse(environment(check)[DRIVER_VARIABLES.deployment] as string), document(run));
            assert.deepEqual(check.inputs.triggers, [(deployment(run).inputs.triggers as unknown[])[0]]);
            assert.ok(deployment(run).dependencies.includes(check.urn));
        });

        it("updates the deployment in place, and redeploys nothing, when only where the package is fetched from changes", async () => {
            const before = await runStack("dev");
            const after = await runStack("dev", { connectorPackage: { url: "https://packages.example.dk/pexip/pexip_teams_connector_v37.1.zip" } });
            assert.deepEqual(changed(before, after), ["vdxdevweu-deployment-check", "vdxdevweu-deployment-deploy"]);
            assert.notDeepEqual(document(after).package, document(before).package);
            assert.deepEqual(deployment(after).inputs.triggers, deployment(before).inputs.triggers);
        });

        it("runs the driver with pwsh from the project, never an absolute path", async () => {
            const run = await runStack("dev");
            for (const command of ofType(run, COMMAND)) {
                assert.deepEqual(command.inputs.interpreter, ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", "scripts/pexip-deployment.ps1"]);
                assert.equal(command.inputs.dir, undefined);
            }
        });

        it("makes the scaling step set the capacity on create and update, never replaced, after the deployment", async () => {
            const run = await runStack("dev");
            const scale = scaling(run)!;
            assert.equal(scale.inputs.update, "scale");
            assert.equal(scale.inputs.create, "scale");
            assert.equal(scale.inputs.delete, undefined);
            // Updated, never replaced: a redeploy changes its document (the deployment's ID), so it sets the capacity again.
            assert.equal(scale.inputs.triggers, undefined);
            assert.ok(scale.dependencies.includes(deployment(run).urn));
            assert.deepEqual(JSON.parse(environment(scale)[DRIVER_VARIABLES.deployment] as string), {
                subscriptionId: MOCK_CLOUD.subscriptionId,
                resourceGroup: "vdxdev-TeamsConn-weu-RG",
                scaleSetName: "vdxdevweu",
                deployment: "vdxdevweu-deployment-deploy-id",
            });
        });

        it("changes the deployment's triggers, and no static resource, when the Pexip version changes", async () => {
            const catalogue = catalogueYaml([
                REPOSITORY_VERSION,
                { version: "38.0", announced: "2026-11-20", from: "2026-12-15", sha256: "b".repeat(64), url: "https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v38.0.zip" },
            ]);
            const before = await runStack("prod", {}, { catalogue });
            const after = await runStack("prod", { pexipVersion: "38.0" }, { catalogue });
            assert.equal((deployment(before).inputs.triggers as any)[0].pexipVersion, "37.1");
            assert.equal((deployment(after).inputs.triggers as any)[0].pexipVersion, "38.0");
            assert.deepEqual(changed(before, after), ["vdxtcweu-deployment-check", "vdxtcweu-deployment-deploy"]);
            const statics = changed(before, after).filter((name) => STATIC_SUFFIXES.some((suffix) => name.endsWith(suffix)));
            assert.deepEqual(statics, []);
        });

        it("redeploys, and touches nothing static, when the catalogue's package checksum changes", async () => {
            const before = await runStack("dev");
            const after = await runStack("dev", {}, { catalogue: catalogueYaml([{ ...REPOSITORY_VERSION, sha256: "a".repeat(64) }]) });
            assert.deepEqual(changed(before, after), ["vdxdevweu-deployment-check", "vdxdevweu-deployment-deploy"]);
            assert.equal((deployment(after).inputs.triggers as any)[0].packageSha256, "a".repeat(64));
        });

        for (const [what, change] of [
            ["the VM size", { vmSize: "Standard_D4as_v5" }],
            ["the VDX node hostnames", { vdx: { nodeAddresses: ["198.51.100.10/32"], nodeFqdns: ["vdx-node9.vdx.example"] } }],
            ["the management prefixes", { managementAddresses: ["192.0.2.64/28"] }],
            ["an extra parameter", { pexipDeployment: { parameters: { Verbose: true } } }],
        ] as const) {
            it(`redeploys, and touches nothing static, when ${what} changes`, async () => {
                const before = await runStack("dev");
                const after = await runStack("dev", change);
                assert.ok(changed(before, after).includes("vdxdevweu-deployment-deploy"));
                assert.deepEqual(changed(before, after).filter((name) => STATIC_SUFFIXES.some((suffix) => name.endsWith(suffix))), []);
                assert.notDeepEqual(deployment(after).inputs.triggers, deployment(before).inputs.triggers);
            });
        }

        it("resizes with the scaling step, changing only the deployment's capacity facts and none of its triggers", async () => {
            const before = await runStack("dev");
            const capacityFacts = [FACTS.instanceCount, FACTS.concurrentPorts, FACTS.portsPerInstance].map(factVariable);
            for (const change of [{ concurrentPorts: "33" }, { portsPerInstance: "2" }, { spareInstances: "2" }]) {
                const after = await runStack("dev", change);
                const old = unwrapSecrets(environment(deployment(before)));
                const differing = Object.entries(unwrapSecrets(environment(deployment(after))))
                    .filter(([key, value]) => JSON.stringify(old[key]) !== JSON.stringify(value))
                    .map(([key]) => key);
                assert.ok(differing.length > 0 && differing.every((key) => capacityFacts.includes(key)), `${JSON.stringify(change)}: ${differing}`);
                assert.deepEqual(deployment(after).inputs.triggers, deployment(before).inputs.triggers);
                // The check too: it binds the new count to the script's parameters (reading only).
                assert.deepEqual(changed(before, after), ["vdxdevweu-deployment-check", "vdxdevweu-deployment-deploy", "vdxdevweu-deployment-scale"]);
            }
        });

        const capacities: Array<[ports: number, perInstance: number, spare: number, instances: number]> = [
            [1, 16, 0, 1],
            [16, 16, 0, 1],
            [17, 16, 0, 2],
            [160, 16, 0, 10],
            [15, 15, 0, 1],
            [16, 15, 0, 2],
            [160, 15, 0, 11],
            [33, 16, 2, 5],
        ];
        for (const [ports, perInstance, spare, instances] of capacities) {
            it(`scales to ${instances} instance(s) for ${ports} ports at ${perInstance} per VM and ${spare} spare`, async () => {
                const run = await runStack("dev", { concurrentPorts: String(ports), portsPerInstance: String(perInstance), spareInstances: String(spare) });
                assert.equal(environment(scaling(run)!)[factVariable(FACTS.instanceCount)], String(instances));
                assert.equal(environment(deployment(run))[factVariable(FACTS.concurrentPorts)], String(ports));
            });
        }

        it("has no scaling step when Infinity owns capacity", async () => {
            const run = await runStack("dev", { infinityScaling: { minimumInstances: 1 } });
            assert.equal(scaling(run), undefined);
            assert.equal(environment(deployment(run))[factVariable(FACTS.capacityOwner)], "infinity");
        });
    });

    describe("secrets", () => {
        const secretValues = [MOCK_CLOUD.adminPassword, MOCK_CLOUD.appSecret, MOCK_CLOUD.eventHubKey];

        it("passes the admin password, the app secret and the PFX to the driver only as secrets", async () => {
            const run = await runStack("dev");
            const env = environment(deployment(run));
            for (const variable of [DRIVER_VARIABLES.adminPassword, DRIVER_VARIABLES.appSecret, DRIVER_VARIABLES.pfx]) {
                assert.ok(isSecretValue(env[variable]), `${variable} is not a secret`);
            }
            assert.equal((env[DRIVER_VARIABLES.adminPassword] as any).value, MOCK_CLOUD.adminPassword);
            // The facts and the document stay readable: only the secrets are secret.
            assert.equal(typeof env[DRIVER_VARIABLES.deployment], "string");
            assert.equal(env[factVariable(FACTS.pexipVersion)], "37.1");
        });

        it("keeps every secret out of the command strings, the document, the triggers and the plain outputs (dev, prod, a PFX file)", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-secrets-"));
            try {
                const configured = { adminPassword: "Configured-Pass-42" };
                const runs = {
                    dev: await runStack("dev", configured),
                    prod: await runStack("prod", {}, { secrets: configured }),
                    "dev with certificate.pfxFile": await runStack("dev", { ...configured, certificate: pfxFileCertificate(dir, "teamsconn-dev.sundhed.example") }),
                };
                for (const [what, run] of Object.entries(runs)) {
                    const command = deployment(run);
                    const shown = {
                        "the deployment command": run.outputs.deploymentCommand,
                        "the deployment document": environment(command)[DRIVER_VARIABLES.deployment],
                        "the triggers": redactSecrets(command.inputs.triggers),
                        "an input": redactSecrets(run.resources.map((resource) => resource.inputs)),
                        "a plain output": Object.fromEntries(Object.entries(run.outputs).filter(([, value]) => !isSecretValue(value))),
                    };
                    for (const [where, value] of Object.entries(shown)) {
                        const text = JSON.stringify(value);
                        for (const secret of [...secretValues, PFX_PASSWORD, configured.adminPassword]) {
                            assert.ok(!text.includes(secret), `${what}: ${where} holds ${secret} outside a secret`);
                        }
                    }
                }
                // No vacuous pass: the PFX password does reach the driver, as a secret.
                const pfxPassword = environment(deployment(runs["dev with certificate.pfxFile"]))[DRIVER_VARIABLES.pfxPassword];
                assert.ok(isSecretValue(pfxPassword) && pfxPassword.value === PFX_PASSWORD, "the PFX password reaches the driver as a secret");
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("keeps a generated admin password in the vault as a secret, and generates none when one is configured", async () => {
            const generated = await runStack("dev");
            const stored = ofType(generated, "azure-native:keyvault:Secret").find((secret) => secret.name.endsWith("windows-admin-password"))!;
            assert.equal(unwrapSecrets(stored.inputs).properties.value, MOCK_CLOUD.adminPassword);
            assert.ok(isSecretValue((stored.inputs.properties as any).value));
            const configured = await runStack("dev", { adminPassword: "Configured-Pass-42" });
            assert.equal(ofType(configured, "random:index/randomPassword:RandomPassword").length, 0);
            assert.equal((environment(deployment(configured))[DRIVER_VARIABLES.adminPassword] as any).value, "Configured-Pass-42");
        });

        it("outputs the Event Hub connection string only with Infinity scaling, and only as a secret", async () => {
            const prod = await runStack("prod");
            assert.ok(isSecretValue(prod.outputs.eventHubConnectionString));
            assert.match((prod.outputs.eventHubConnectionString as any).value, /SharedAccessKeyName=standard_access_policy/);
            assert.ok(isSecretValue(prod.outputs.teamsAppSecret));
            const dev = await runStack("dev");
            assert.equal(dev.outputs.eventHubConnectionString, undefined);
            assert.equal(ofType(dev, "azure-native:eventhub:Namespace").length, 0);
        });
    });

    describe("Pexip's package on this machine (connectorPackage.path)", () => {
        let dir: string;
        before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "program-package-"))));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        /** A package of the fixture script of a shape, and a catalogue vouching for it (or for another checksum). */
        const localPackage = (shape: keyof typeof FIXTURE_SCRIPTS, sha256?: string) => {
            const built = pexipPackage(dir, `${shape}.zip`, fs.readFileSync(FIXTURE_SCRIPTS[shape], "utf8"));
            return { path: built.file, sha256: built.sha256, catalogue: catalogueYaml([{ version: "37.1", sha256: sha256 ?? built.sha256 }]) };
        };

        it("checks the package and the parameters before deploying, and runs the script at its path in the zip", async () => {
            const local = localPackage("singleApp");
            const changes = { connectorPackage: { path: local.path }, pexipDeployment: { incidentReporting: true, diskEncryption: true } };
            const run = await runStack("dev", changes, { catalogue: local.catalogue });
            assert.deepEqual(document(run).package, {
                path: local.path,
                sha256: local.sha256,
                deploymentScript: "pexip_teams_connector_v37.1/create_vmss_deployment.ps1",
            });
            // Rendered as the script declares them: a [switch] and a [bool].
            assert.match(run.outputs.deploymentCommand as string, / -IncidentReporting -Encryption \$true$/);
        });

        // Built when the test runs: the folder exists only then.
        for (const [what, setup, key, fragment] of [
            [
                "a package whose SHA-256 is not the catalogue's",
                () => ({ local: localPackage("singleApp", "0".repeat(64)), extra: {} }),
                "pexip-versions.yaml:versions[0].sha256",
                "must be the SHA-256 of",
            ],
            [
                "a package without the deployment script",
                () => ({ local: localPackage("singleApp"), extra: { deploymentScript: "deploy/create.ps1" } }),
                "connectorPackage.deploymentScript",
                "holds no such file",
            ],
            ["a parameter the older script does not declare", () => ({ local: localPackage("twoApp"), extra: {} }), "pexipDeployment.parameterNames.pfxPassword", "does not declare"],
            [
                "an extra parameter the script does not declare",
                () => ({ local: localPackage("singleApp"), extra: {}, pexipDeployment: { parameters: { Bogus: 1 } } }),
                "pexipDeployment.parameters.Bogus",
                "Pexip 37.1 package",
            ],
        ] as const) {
            it(`refuses ${what} before anything is registered, naming ${key}`, async () => {
                const { local, extra, ...others } = setup() as { local: ReturnType<typeof localPackage>; extra: Record<string, string> };
                const changes = { connectorPackage: { path: local.path, ...extra }, ...others };
                const { error, resources } = await runFailingStack("dev", changes, { catalogue: local.catalogue });
                assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
                assert.equal((error as ConfigurationRunError).key, key);
                assert.ok(error.message.includes(fragment), error.message);
                assert.deepEqual(resources, []);
            });
        }
    });

    describe("bad configuration", () => {
        it("refuses an unquoted value in the stack file that the CLI would change (37.10), before anything is registered", async () => {
            // The program reads the stack file where `pulumi up` runs: the project's directory.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vdx-literals-"));
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  vdx-teams-connector:pexipVersion: 37.10\n");
            const cwd = process.cwd();
            process.chdir(dir);
            try {
                const { error, resources } = await runFailingStack("dev", {});
                assert.equal((error as ConfigurationRunError).key, "pexipVersion");
                assert.match(error.message, /37\.10/);
                assert.match(error.message, /quote/);
                assert.deepEqual(resources, []);
            } finally {
                process.chdir(cwd);
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("refuses a misspelled setting with a did-you-mean, before anything is registered", async () => {
            const { error, resources } = await runFailingStack("dev", { concurrentPort: "48" });
            assert.equal((error as ConfigurationRunError).key, "concurrentPort");
            assert.equal(error.message, 'concurrentPort is not a setting of vdx-teams-connector; did you mean concurrentPorts?, got "48"');
            assert.deepEqual(resources, []);
        });

        it("refuses a parameter set twice (an extra parameter named as a stack parameter) with one line, before anything is registered, whatever the package's source", async () => {
            const { error, resources } = await runFailingStack("dev", { pexipDeployment: { parameters: { vmssname: "other" } } });
            assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
            assert.equal((error as ConfigurationRunError).key, "pexipDeployment.parameters.vmssname");
            assert.equal(error.message, 'pexipDeployment.parameters.vmssname is set by the stack (the scale set\'s name (baseName + regionCode)) as -VmssName; change that setting, or rename the stack\'s parameter with pexipDeployment.parameterNames.vmssName, got "vmssname"');
            assert.deepEqual(resources, []);
        });

        it("refuses a stack without environment, saying how to set it, before anything is registered", async () => {
            const { error, resources } = await runFailingStack("prod", { environment: undefined });
            assert.equal((error as ConfigurationRunError).key, "environment");
            assert.equal(error.message, "environment is required in every stack file, never guessed from the stack's name: pulumi config set environment prod|dev");
            assert.deepEqual(resources, []);
        });

        it("refuses a plain-text admin password in production, before anything is registered", async () => {
            const { error, resources } = await runFailingStack("prod", { adminPassword: "Plain-Text-Pass-42" });
            assert.equal((error as ConfigurationRunError).key, "adminPassword");
            assert.match(error.message, /^adminPassword is written in plain text in Pulumi\.prod\.yaml; a production stack takes it only encrypted: pulumi config set --secret adminPassword <value>$/);
            assert.deepEqual(resources, []);
        });

        it("stops with one message naming the key, before any resource is registered", async () => {
            const { error, resources } = await runFailingStack("dev", { concurrentPorts: "abc" });
            assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
            assert.equal((error as ConfigurationRunError).key, "concurrentPorts");
            assert.equal(error.message, 'concurrentPorts must be a whole number from 1 to 1600 (a scale set holds at most 100 instances with a single placement group), got "abc"');
            assert.deepEqual(resources, []);
        });
    });
});
