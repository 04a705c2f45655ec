import * as pulumi from "@pulumi/pulumi";
import * as assert from "node:assert/strict";
import { isSecretValue, MOCK_CLOUD, RegisteredResource } from "../cli/mockRuntime";
import { TAGS } from "../lib/contract";
import { ConfigurationRunError } from "../program";
import { ofType, redactSecrets, runFailingStack, runStack, single, unwrapSecrets } from "./support/stacks";

type Inventory = Array<[type: string, name: string, parent: string | undefined]>;

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
        ["azure-native:managedidentity:UserAssignedIdentity", `${stem}-certificate-identity`, `${stem}-certificate`],
        ["azure-native:authorization:RoleAssignment", `${stem}-certificate-secret-reader`, `${stem}-certificate`],
        ["random:index/randomPassword:RandomPassword", `${stem}-admin-password`, stem],
        ["azure-native:keyvault:Secret", `${stem}-windows-admin-password`, stem],
        ["azure-native:keyvault:Secret", `${stem}-teams-app-secret`, stem],
        ["azure-native:resources:ResourceGroup", `${stem}-rg`, stem],
        ["vdx:teams:ConnectorNetwork", `${stem}-network`, stem],
        ["azure-native:network:NetworkSecurityGroup", `${stem}-network-nsg`, `${stem}-network`],
        ["azure-native:network:VirtualNetwork", `${stem}-network-vnet`, `${stem}-network`],
        ["azure-native:network:LoadBalancer", `${stem}-network-lb`, `${stem}-network`],
        ["azure-native:eventhub:Namespace", `${stem}-eventhub-ns`, stem],
        ["azure-native:eventhub:EventHub", `${stem}-eventhub`, stem],
        ["azure-native:eventhub:EventHubAuthorizationRule", `${stem}-eventhub-policy`, stem],
        ["vdx:teams:ConnectorScaleSet", `${stem}-scaleset`, stem],
        ["azure-native:compute:VirtualMachineScaleSet", `${stem}-scaleset-vmss`, `${stem}-scaleset`],
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

/** What must survive upgrades, with everything that could rename or replace it. */
function staticResources(resources: RegisteredResource[]) {
    const stateful = ["-static-rg", "-pip", "-certificate-kv"];
    return resources
        .filter((resource) => stateful.some((suffix) => resource.name.endsWith(suffix)))
        .map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, protect: resource.protect, inputs: resource.inputs }));
}

describe("program (index.ts under the mock runtime)", () => {
    describe("dev stack", () => {
        it("registers exactly the region, the self-signed certificate and the tenant-wide pieces", async () => {
            const run = await runStack("dev");
            const expected = sorted([
                ...regionInventory("vdxdevweu"),
                ["azure-native:keyvault:Secret", "vdxdevweu-certificate-tls", "vdxdevweu-certificate"],
                ["tls:index/privateKey:PrivateKey", "vdxdevweu-certificate-self-signed-key", "vdxdevweu-certificate"],
                ["tls:index/selfSignedCert:SelfSignedCert", "vdxdevweu-certificate-self-signed", "vdxdevweu-certificate"],
                ...identityInventory("vdxdev"),
            ]);
            assert.deepEqual(inventory(run.resources), expected);
        });

        it("runs one instance owned by Pulumi and protects nothing", async () => {
            const run = await runStack("dev");
            const vmss = single(run, "azure-native:compute:VirtualMachineScaleSet");
            assert.equal((vmss.inputs.sku as any).capacity, 1);
            assert.deepEqual(vmss.ignoreChanges, []);
            assert.equal(run.outputs.capacityOwner, "pulumi");
            assert.deepEqual(run.resources.filter((resource) => resource.protect), []);
        });

        it("uses Pexip's names from baseName and regionCode", async () => {
            const run = await runStack("dev");
            const azureNames = run.resources.flatMap((resource) =>
                Object.entries(resource.inputs)
                    .filter(([key]) => key.endsWith("Name"))
                    .map(([, value]) => value),
            );
            for (const name of [
                "vdxdev-TeamsConn-weu-static-RG",
                "vdxdev-TeamsConn-weu-RG",
                "vdxdev-TeamsConn-weu-PIP",
                "vdxdev-TeamsConn-weu-NSG",
                "vdxdev-TeamsConn-weu-LB",
                "vdxdevweu",
                "vdxdev-TeamsBotChan-RG",
                "standard_access_policy",
            ]) {
                assert.ok(azureNames.includes(name), `no resource is named ${name}`);
            }
        });
    });

    describe("prod stack", () => {
        it("registers exactly the region and the tenant-wide pieces, with the certificate from the party's vault", async () => {
            const run = await runStack("prod");
            assert.deepEqual(inventory(run.resources), sorted([...regionInventory("vdxtcweu"), ...identityInventory("vdxtc")]));
        });

        it("protects the static resource group, the public IP and the Key Vault, and nothing else", async () => {
            const run = await runStack("prod");
            const protectedNames = run.resources.filter((resource) => resource.protect).map((resource) => resource.name);
            assert.deepEqual(protectedNames.sort(), ["vdxtcweu-certificate-kv", "vdxtcweu-pip", "vdxtcweu-static-rg"]);
        });

        it("sizes 48 ports at 15 per VM plus one spare as 5 VMs and leaves capacity to Infinity", async () => {
            const run = await runStack("prod");
            const vmss = single(run, "azure-native:compute:VirtualMachineScaleSet");
            assert.equal((vmss.inputs.sku as any).capacity, 5);
            assert.deepEqual(vmss.ignoreChanges, ["sku.capacity"]);
            assert.equal((vmss.inputs.tags as any)[TAGS.capacityOwner], "infinity");
            assert.equal(run.outputs.instances, 5);
        });
    });

    describe("scale set", () => {
        const capacities: Array<[ports: number, perInstance: number, instances: number]> = [
            [1, 16, 1],
            [15, 16, 1],
            [16, 16, 1],
            [17, 16, 2],
            [33, 16, 3],
            [160, 16, 10],
            [1, 15, 1],
            [15, 15, 1],
            [16, 15, 2],
            [17, 15, 2],
            [33, 15, 3],
            [160, 15, 11],
        ];
        for (const [ports, perInstance, instances] of capacities) {
            it(`has capacity ${instances} for ${ports} ports at ${perInstance} per VM`, async () => {
                const run = await runStack("dev", { concurrentPorts: String(ports), portsPerInstance: String(perInstance) });
                const vmss = single(run, "azure-native:compute:VirtualMachineScaleSet");
                assert.equal((vmss.inputs.sku as any).capacity, instances);
                assert.equal((vmss.inputs.tags as any)[TAGS.concurrentPorts], String(ports));
                assert.equal((vmss.inputs.tags as any)[TAGS.portsPerInstance], String(perInstance));
            });
        }

        it("adds spare instances to the capacity", async () => {
            const run = await runStack("dev", { concurrentPorts: "33", spareInstances: "2" });
            assert.equal((single(run, "azure-native:compute:VirtualMachineScaleSet").inputs.sku as any).capacity, 5);
        });

        it("installs the configured package version, checks its SHA-256 and shows the version as a tag", async () => {
            const run = await runStack("dev", { pexipVersion: "38.2" });
            const vmss = unwrapSecrets(single(run, "azure-native:compute:VirtualMachineScaleSet").inputs);
            assert.equal(vmss.tags[TAGS.pexipVersion], "38.2");
            const [extension] = vmss.virtualMachineProfile.extensionProfile.extensions;
            assert.equal(extension.forceUpdateTag, "38.2");
            assert.deepEqual(extension.settings.fileUris, ["https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v37.1.zip"]);
            assert.match(extension.settings.commandToExecute, /Get-FileHash -Algorithm SHA256 -Path 'pexip_teams_connector_v37\.1\.zip'/);
            assert.match(extension.settings.commandToExecute, /9F2C6B1E7D4A3C5B8E0F1A2D3C4B5A6978E6D5C4B3A29180F7E6D5C4B3A29180/);
            assert.match(extension.settings.commandToExecute, /TeamsConnector\\38\.2\\install_teams_connector\.ps1/);
        });

        it("is Windows Server Datacenter with rolling upgrades behind the load balancer's probe", async () => {
            const run = await runStack("dev", { vmSize: "Standard_D4as_v5" });
            const vmss = unwrapSecrets(single(run, "azure-native:compute:VirtualMachineScaleSet").inputs);
            assert.equal(vmss.sku.name, "Standard_D4as_v5");
            assert.equal(vmss.upgradePolicy.mode, "Rolling");
            assert.match(vmss.virtualMachineProfile.storageProfile.imageReference.sku, /Datacenter/);
            assert.match(vmss.virtualMachineProfile.networkProfile.healthProbe.id, /loadBalancers\/vdxdev-TeamsConn-weu-LB\/probes\/https$/);
        });
    });

    describe("network", () => {
        const inboundRules = async (changes: Record<string, unknown>) => {
            const run = await runStack("dev", changes);
            return {
                rules: (single(run, "azure-native:network:NetworkSecurityGroup").inputs.securityRules as any[]).map((rule) => ({
                    name: rule.name,
                    port: rule.destinationPortRange,
                    protocol: rule.protocol,
                    sources: rule.sourceAddressPrefixes,
                })),
                natPools: (single(run, "azure-native:network:LoadBalancer").inputs as any).inboundNatPools,
            };
        };

        it("has no RDP rule and no RDP NAT pool without management prefixes", async () => {
            const { rules, natPools } = await inboundRules({});
            assert.deepEqual(rules, [
                { name: "allow-https-from-vdx-and-management", port: "443", protocol: "Tcp", sources: ["198.51.100.10/32", "198.51.100.11/32"] },
                { name: "allow-media-udp-40000-49999-from-vdx", port: "40000-49999", protocol: "Udp", sources: ["198.51.100.10/32", "198.51.100.11/32"] },
            ]);
            assert.deepEqual(natPools, []);
        });

        it("opens HTTPS to Microsoft's Teams service sources when given, in a rule of their own", async () => {
            const { rules } = await inboundRules({ teamsServiceSources: ["AzureBotService", "52.112.0.0/14"] });
            assert.deepEqual(rules[1], { name: "allow-https-from-teams-services", port: "443", protocol: "Tcp", sources: ["AzureBotService", "52.112.0.0/14"] });
            assert.equal(rules.length, 3);
        });

        it("opens HTTPS and RDP to the management prefixes when given", async () => {
            const { rules, natPools } = await inboundRules({ managementAddresses: ["192.0.2.0/28"], mediaPortRanges: [{ protocol: "Tcp", from: 10000, to: 10000 }] });
            assert.deepEqual(rules, [
                { name: "allow-https-from-vdx-and-management", port: "443", protocol: "Tcp", sources: ["198.51.100.10/32", "198.51.100.11/32", "192.0.2.0/28"] },
                { name: "allow-rdp-from-management", port: "3389", protocol: "Tcp", sources: ["192.0.2.0/28"] },
                { name: "allow-media-tcp-10000-10000-from-vdx", port: "10000", protocol: "Tcp", sources: ["198.51.100.10/32", "198.51.100.11/32"] },
            ]);
            assert.equal(natPools.length, 1);
            assert.equal(natPools[0].backendPort, 3389);
        });
    });

    describe("secrets", () => {
        it("keeps a generated admin password secret on the scale set and in the vault", async () => {
            const run = await runStack("dev");
            const vmss = single(run, "azure-native:compute:VirtualMachineScaleSet").inputs;
            // azure-native makes the whole profile one secret, since the password is inside it.
            assert.ok(isSecretValue(vmss.virtualMachineProfile));
            assert.equal(unwrapSecrets(vmss).virtualMachineProfile.osProfile.adminPassword, MOCK_CLOUD.adminPassword);
            const stored = ofType(run, "azure-native:keyvault:Secret").find((secret) => secret.name.endsWith("windows-admin-password"))!;
            assert.equal(unwrapSecrets(stored.inputs).properties.value, MOCK_CLOUD.adminPassword);
            // Nowhere in any resource's inputs is the password readable outside a secret.
            assert.ok(!JSON.stringify(redactSecrets(run.resources.map((resource) => resource.inputs))).includes(MOCK_CLOUD.adminPassword));
        });

        it("keeps a configured admin password secret and generates none", async () => {
            const run = await runStack("dev", { adminPassword: "Configured-Pass-42" });
            const vmss = single(run, "azure-native:compute:VirtualMachineScaleSet").inputs;
            assert.ok(isSecretValue(vmss.virtualMachineProfile));
            assert.equal(unwrapSecrets(vmss).virtualMachineProfile.osProfile.adminPassword, "Configured-Pass-42");
            assert.equal(ofType(run, "random:index/randomPassword:RandomPassword").length, 0);
        });

        it("outputs the Event Hub connection string and the app secret only as secrets", async () => {
            const run = await runStack("dev");
            assert.ok(isSecretValue(run.outputs.eventHubConnectionString));
            assert.match((run.outputs.eventHubConnectionString as any).value, /SharedAccessKeyName=standard_access_policy/);
            assert.ok(isSecretValue(run.outputs.teamsAppSecret));
            const plain = JSON.stringify(Object.fromEntries(Object.entries(run.outputs).filter(([, value]) => !isSecretValue(value))));
            for (const secret of [MOCK_CLOUD.eventHubKey, MOCK_CLOUD.appSecret, MOCK_CLOUD.adminPassword]) {
                assert.ok(!plain.includes(secret), `a plain output contains ${secret}`);
            }
        });

        it("gives the Event Hub a Listen and Send rule named standard_access_policy", async () => {
            const run = await runStack("dev");
            const rule = single(run, "azure-native:eventhub:EventHubAuthorizationRule").inputs;
            assert.equal(rule.authorizationRuleName, "standard_access_policy");
            assert.deepEqual(rule.rights, ["Listen", "Send"]);
        });
    });

    describe("static resources", () => {
        it("keep their names and inputs when ports or the Pexip version change", async () => {
            const before = staticResources((await runStack("prod")).resources);
            const after = staticResources((await runStack("prod", { concurrentPorts: "160", pexipVersion: "38.0", spareInstances: "0" })).resources);
            assert.equal(before.length, 3);
            assert.deepEqual(after, before);
        });
    });

    describe("bad configuration", () => {
        it("stops with one message naming the key, before any resource is registered", async () => {
            const { error, resources } = await runFailingStack("dev", { concurrentPorts: "abc" });
            assert.ok(pulumi.RunError.isInstance(error), "reported as a RunError: no stack trace");
            assert.equal((error as ConfigurationRunError).key, "concurrentPorts");
            assert.equal(error.message, 'concurrentPorts must be a whole number ≥ 1, got "abc"');
            assert.deepEqual(resources, []);
        });
    });
});
