import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as network from "@pulumi/azure-native/network";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { connectorNames } from "../lib/naming";
import { ConnectorPackage, PortRange, VmSize } from "../lib/settings";
import { Sizing } from "../lib/sizing";
import { CertificateBinding, CertificateMaterial, PublishedFacts } from "./certificateBinding";
import { ConnectorNetwork } from "./connectorNetwork";
import { CapacityOwner, ConnectorScaleSet } from "./connectorScaleSet";

export interface TeamsConnectorArgs {
    /** Azure region. */
    readonly location: string;
    /** Name prefix, 1–9 characters a–z0–9. */
    readonly baseName: string;
    /** Short region code in names. */
    readonly regionCode: string;
    /** The connector's hostname. */
    readonly fqdn: string;
    /** Entra tenant of the subscription (for the Key Vault). */
    readonly tenantId: pulumi.Input<string>;
    /** Subscription the stack deploys into. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Instances from the port requirement. */
    readonly sizing: Sizing;
    /** VM size from the allowlist. */
    readonly vmSize: VmSize;
    /** Availability zones for the public IP and the scale set. */
    readonly zones: readonly string[];
    /** Who changes capacity after creation: Pulumi, or Infinity's scheduled scaling. */
    readonly capacityOwner: CapacityOwner;
    /** Pexip Teams Connector version, the same as VDX's. */
    readonly pexipVersion: string;
    /** Pexip's versioned package and its checksum. */
    readonly connectorPackage: ConnectorPackage;
    /** VDX Conferencing Node prefixes. */
    readonly vdxNodeAddresses: readonly string[];
    /** Management prefixes for RDP and consent; none closes RDP. */
    readonly managementAddresses: readonly string[];
    /** Prefixes or service tags Microsoft's Teams and Bot services reach HTTPS from. */
    readonly teamsServiceSources: readonly string[];
    /** Media port ranges opened to VDX's nodes. */
    readonly mediaPortRanges: readonly PortRange[];
    /** Windows administrator password (a secret); generated when absent. */
    readonly adminPassword?: pulumi.Input<string>;
    /** The TLS certificate, checked. */
    readonly certificate: CertificateMaterial;
    /** The Teams application's client secret, kept in the region's Key Vault for the VMs. */
    readonly appSecret: pulumi.Input<string>;
    /** Protect what must survive (static resource group, public IP, Key Vault). */
    readonly protectStatic: boolean;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * One region's Pexip Teams Connector, in Pexip's topology: a static resource group with
 * what survives upgrades (public IP, Key Vault) and a dynamic one that upgrades may
 * recreate (network, load balancer, scale set, Event Hub).
 */
export class TeamsConnector extends pulumi.ComponentResource {
    /** The address the hostname must resolve to. */
    readonly publicIpAddress: pulumi.Output<string>;
    /** Azure name of the scale set. */
    readonly scaleSetName: pulumi.Output<string>;
    /** Instances the scale set was created with. */
    readonly instances: number;
    /** Event Hub connection string for Infinity's `notifications_queue` (a secret). */
    readonly eventHubConnectionString: pulumi.Output<string>;
    /** The region's Key Vault. */
    readonly keyVaultName: pulumi.Output<string>;
    /** Facts of the installed certificate. */
    readonly certificateFacts: pulumi.Output<PublishedFacts>;

    constructor(name: string, args: TeamsConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:TeamsConnector", name, {}, opts);
        const names = connectorNames(args.baseName, args.regionCode);
        const { location, tags } = args;
        const staticOpts = { parent: this, protect: args.protectStatic };

        // Static: only names and the region go in, so resizing or upgrading never touches it.
        const staticGroup = new resources.ResourceGroup(
            `${name}-static-rg`,
            { resourceGroupName: names.staticResourceGroup, location, tags },
            staticOpts,
        );
        const publicIp = new network.PublicIPAddress(
            `${name}-pip`,
            {
                publicIpAddressName: names.publicIp,
                resourceGroupName: staticGroup.name,
                location,
                sku: { name: "Standard", tier: "Regional" },
                publicIPAllocationMethod: "Static",
                publicIPAddressVersion: "IPv4",
                zones: [...args.zones],
                tags,
            },
            staticOpts,
        );
        const binding = new CertificateBinding(
            `${name}-certificate`,
            {
                resourceGroupName: staticGroup.name,
                location,
                tenantId: args.tenantId,
                subscriptionId: args.subscriptionId,
                vaultName: names.keyVault,
                identityName: names.certificateIdentity,
                fqdn: args.fqdn,
                certificate: args.certificate,
                protect: args.protectStatic,
                tags,
            },
            { parent: this },
        );
        const vaultSecret = (secretName: string, value: pulumi.Input<string>) =>
            new keyvault.Secret(
                `${name}-${secretName}`,
                {
                    secretName,
                    vaultName: binding.vaultName,
                    resourceGroupName: staticGroup.name,
                    properties: { value: pulumi.secret(value) },
                    tags,
                },
                { parent: this },
            );
        const adminPassword =
            args.adminPassword ??
            new random.RandomPassword(
                `${name}-admin-password`,
                { length: 24, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2, overrideSpecial: "!#%*-_=+?" },
                { parent: this },
            ).result;
        // Kept in the vault so that an operator can fetch it for RDP; never a stack output.
        vaultSecret("windows-admin-password", adminPassword);
        vaultSecret("teams-app-secret", args.appSecret);

        // Dynamic: Pexip's upgrade path deletes and recreates this group.
        const group = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: names.dynamicResourceGroup, location, tags }, { parent: this });
        const net = new ConnectorNetwork(
            `${name}-network`,
            {
                resourceGroupName: group.name,
                location,
                subscriptionId: args.subscriptionId,
                names,
                publicIpId: publicIp.id,
                vdxNodeAddresses: args.vdxNodeAddresses,
                managementAddresses: args.managementAddresses,
                teamsServiceSources: args.teamsServiceSources,
                mediaPortRanges: args.mediaPortRanges,
                tags,
            },
            { parent: this },
        );

        const namespace = new eventhub.Namespace(
            `${name}-eventhub-ns`,
            {
                namespaceName: names.eventHubNamespace,
                resourceGroupName: group.name,
                location,
                sku: { name: "Standard", tier: "Standard", capacity: 1 },
                minimumTlsVersion: "1.2",
                tags,
            },
            { parent: this },
        );
        const hub = new eventhub.EventHub(
            `${name}-eventhub`,
            {
                eventHubName: names.eventHub,
                namespaceName: namespace.name,
                resourceGroupName: group.name,
                partitionCount: 1,
                messageRetentionInDays: 1,
            },
            { parent: this },
        );
        const accessPolicy = new eventhub.EventHubAuthorizationRule(
            `${name}-eventhub-policy`,
            {
                authorizationRuleName: names.eventHubAccessPolicy,
                eventHubName: hub.name,
                namespaceName: namespace.name,
                resourceGroupName: group.name,
                rights: ["Listen", "Send"],
            },
            { parent: this },
        );
        const keys = eventhub.listEventHubKeysOutput(
            {
                authorizationRuleName: accessPolicy.name,
                eventHubName: hub.name,
                namespaceName: namespace.name,
                resourceGroupName: group.name,
            },
            { parent: this },
        );

        const scaleSet = new ConnectorScaleSet(
            `${name}-scaleset`,
            {
                resourceGroupName: group.name,
                location,
                scaleSetName: names.scaleSet,
                computerNamePrefix: names.computerNamePrefix,
                vmSize: args.vmSize,
                sizing: args.sizing,
                zones: args.zones,
                capacityOwner: args.capacityOwner,
                pexipVersion: args.pexipVersion,
                connectorPackage: args.connectorPackage,
                adminPassword: pulumi.secret(adminPassword),
                subnetId: net.subnetId,
                backendPoolId: net.backendPoolId,
                healthProbeId: net.healthProbeId,
                rdpNatPoolId: net.rdpNatPoolId,
                certificate: { vaultId: binding.sourceVaultId, secretUrl: binding.secretUrl },
                identityId: binding.identityId,
                certificateTags: binding.certificateTags,
                tags,
            },
            { parent: this },
        );

        this.publicIpAddress = publicIp.ipAddress.apply((address) => address ?? "");
        this.scaleSetName = scaleSet.scaleSetName;
        this.instances = scaleSet.capacity;
        this.eventHubConnectionString = pulumi.secret(keys.primaryConnectionString);
        this.keyVaultName = binding.vaultName;
        this.certificateFacts = binding.facts;
        this.registerOutputs({
            publicIpAddress: this.publicIpAddress,
            scaleSetName: this.scaleSetName,
            instances: this.instances,
            eventHubConnectionString: this.eventHubConnectionString,
            keyVaultName: this.keyVaultName,
            certificateFacts: this.certificateFacts,
        });
    }
}
