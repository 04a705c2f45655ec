import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { TAGS } from "../lib/contract";
import { installCommand } from "../lib/installCommand";
import { ConnectorPackage, VmSize } from "../lib/settings";
import { Sizing } from "../lib/sizing";

/** Who changes the scale set's capacity once it exists. */
export type CapacityOwner = "pulumi" | "infinity";

const ADMIN_USERNAME = "pexadmin";

export interface ConnectorScaleSetArgs {
    /** Resource group (the dynamic group). */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region. */
    readonly location: pulumi.Input<string>;
    /** Azure name of the scale set (`<baseName><regionCode>`). */
    readonly scaleSetName: string;
    /** Windows computer name prefix, at most 9 characters. */
    readonly computerNamePrefix: string;
    /** VM size from the allowlist. */
    readonly vmSize: VmSize;
    /** The sizing the capacity comes from. */
    readonly sizing: Sizing;
    /** Availability zones the instances spread over; empty in regions without zones. */
    readonly zones: readonly string[];
    /** `pulumi` sets capacity on every update; `infinity` sets it once and leaves it to Infinity's scheduled scaling. */
    readonly capacityOwner: CapacityOwner;
    /** Pexip Teams Connector version to install; visible as a tag for policy. */
    readonly pexipVersion: string;
    /** The versioned package the VMs install, with its checksum. */
    readonly connectorPackage: ConnectorPackage;
    /** Windows administrator password (a secret). */
    readonly adminPassword: pulumi.Input<string>;
    /** Subnet for the NICs. */
    readonly subnetId: pulumi.Input<string>;
    /** Load balancer backend pool. */
    readonly backendPoolId: pulumi.Input<string>;
    /** Load balancer health probe that rolling upgrades wait for. */
    readonly healthProbeId: pulumi.Input<string>;
    /** RDP NAT pool, only when management prefixes are given. */
    readonly rdpNatPoolId?: pulumi.Input<string>;
    /** The TLS certificate to install into the machine store `My`. */
    readonly certificate: {
        /** ARM ID of the Key Vault that holds it (enabled for deployment). */
        readonly vaultId: pulumi.Input<string>;
        /** Versioned secret URL, so that a renewal is an explicit change. */
        readonly secretUrl: pulumi.Input<string>;
    };
    /** User-assigned identity with read access to the certificate secret. */
    readonly identityId: pulumi.Input<string>;
    /** The certificate's facts as tags, so that policy can check what the VMs install. */
    readonly certificateTags: pulumi.Input<Record<string, string>>;
    /** Tags for the scale set, on top of the sizing, version and certificate tags. */
    readonly tags: Record<string, string>;
}

/**
 * The connector's Windows scale set: capacity from the port requirement, the Pexip
 * package installed and checked on every VM, rolling upgrades behind the load balancer's
 * health probe.
 */
export class ConnectorScaleSet extends pulumi.ComponentResource {
    /** Azure name of the scale set. */
    readonly scaleSetName: pulumi.Output<string>;
    /** Instances Pulumi created the scale set with. */
    readonly capacity: number;

    constructor(name: string, args: ConnectorScaleSetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:ConnectorScaleSet", name, {}, opts);
        const { sizing } = args;

        const scaleSet = new compute.VirtualMachineScaleSet(
            `${name}-vmss`,
            {
                vmScaleSetName: args.scaleSetName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: args.vmSize, tier: "Standard", capacity: sizing.instances },
                zones: [...args.zones],
                orchestrationMode: "Uniform",
                overprovision: false,
                singlePlacementGroup: true,
                identity: { type: "UserAssigned", userAssignedIdentities: [args.identityId] },
                upgradePolicy: {
                    mode: "Rolling",
                    rollingUpgradePolicy: {
                        // A fifth of the VMs at a time: calls on the others carry on during an upgrade.
                        maxBatchInstancePercent: 20,
                        maxUnhealthyInstancePercent: 50,
                        maxUnhealthyUpgradedInstancePercent: 20,
                        pauseTimeBetweenBatches: "PT2M",
                        prioritizeUnhealthyInstances: true,
                    },
                    automaticOSUpgradePolicy: { enableAutomaticOSUpgrade: false },
                },
                automaticRepairsPolicy: { enabled: true, gracePeriod: "PT30M" },
                virtualMachineProfile: {
                    osProfile: {
                        computerNamePrefix: args.computerNamePrefix,
                        adminUsername: ADMIN_USERNAME,
                        adminPassword: args.adminPassword,
                        windowsConfiguration: {
                            // Windows updates would reboot VMs during calls; they come with redeploys.
                            enableAutomaticUpdates: false,
                            provisionVMAgent: true,
                            patchSettings: { patchMode: "Manual" },
                        },
                        secrets: [
                            {
                                sourceVault: { id: args.certificate.vaultId },
                                vaultCertificates: [{ certificateUrl: args.certificate.secretUrl, certificateStore: "My" }],
                            },
                        ],
                    },
                    storageProfile: {
                        imageReference: {
                            publisher: "MicrosoftWindowsServer",
                            offer: "WindowsServer",
                            sku: "2019-Datacenter",
                            version: "latest",
                        },
                        osDisk: { createOption: "FromImage", caching: "ReadWrite", managedDisk: { storageAccountType: "Premium_LRS" } },
                    },
                    networkProfile: {
                        healthProbe: { id: args.healthProbeId },
                        networkInterfaceConfigurations: [
                            {
                                name: "nic",
                                primary: true,
                                enableAcceleratedNetworking: true,
                                ipConfigurations: [
                                    {
                                        name: "ipconfig",
                                        primary: true,
                                        subnet: { id: args.subnetId },
                                        loadBalancerBackendAddressPools: [{ id: args.backendPoolId }],
                                        loadBalancerInboundNatPools: args.rdpNatPoolId ? [{ id: args.rdpNatPoolId }] : [],
                                        // Teams' media platform needs a public address on each instance.
                                        publicIPAddressConfiguration: {
                                            name: "instance-ip",
                                            idleTimeoutInMinutes: 15,
                                            sku: { name: "Standard", tier: "Regional" },
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                    extensionProfile: {
                        extensions: [
                            {
                                name: "pexip-teams-connector",
                                publisher: "Microsoft.Compute",
                                type: "CustomScriptExtension",
                                typeHandlerVersion: "1.10",
                                autoUpgradeMinorVersion: true,
                                // A new version re-runs the installer on every VM.
                                forceUpdateTag: args.pexipVersion,
                                settings: {
                                    fileUris: [args.connectorPackage.url],
                                    commandToExecute: installCommand(args.connectorPackage, args.pexipVersion),
                                },
                            },
                        ],
                    },
                },
                tags: pulumi.output(args.certificateTags).apply((certificateTags) => ({
                    ...args.tags,
                    ...certificateTags,
                    [TAGS.pexipVersion]: args.pexipVersion,
                    [TAGS.concurrentPorts]: String(sizing.concurrentPorts),
                    [TAGS.portsPerInstance]: String(sizing.portsPerInstance),
                    [TAGS.capacityOwner]: args.capacityOwner,
                })),
            },
            // With Infinity's scheduled scaling, Infinity changes capacity; Pulumi must not undo it.
            { parent: this, ignoreChanges: args.capacityOwner === "infinity" ? ["sku.capacity"] : [] },
        );

        this.scaleSetName = scaleSet.name;
        this.capacity = sizing.instances;
        this.registerOutputs({ scaleSetName: this.scaleSetName, capacity: this.capacity });
    }
}
