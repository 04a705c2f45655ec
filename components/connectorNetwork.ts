import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { HTTPS_PORT, inboundRules, RDP_PORT } from "../lib/networkRules";
import { PortRange } from "../lib/settings";

/** Front-end ports of the RDP NAT pool: instance n answers on 50000 + n. */
const RDP_NAT_PORTS = { start: 50000, end: 50099 };

export interface ConnectorNetworkArgs {
    /** Resource group the network lives in (the dynamic group: recreated on upgrades). */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region. */
    readonly location: pulumi.Input<string>;
    /** Subscription ID, to build the IDs of the load balancer's own parts before it exists. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Azure names of the virtual network, subnet, NSG and load balancer. */
    readonly names: {
        readonly virtualNetwork: string;
        readonly subnet: string;
        readonly networkSecurityGroup: string;
        readonly loadBalancer: string;
    };
    /** ID of the static public IP the load balancer answers on. */
    readonly publicIpId: pulumi.Input<string>;
    /** VDX's Conferencing Node prefixes: HTTPS and media come from them. */
    readonly vdxNodeAddresses: readonly string[];
    /** Management prefixes: HTTPS (consent) and RDP. RDP is closed when this is empty. */
    readonly managementAddresses: readonly string[];
    /** Prefixes or service tags Microsoft's Teams and Bot services reach HTTPS from. */
    readonly teamsServiceSources: readonly string[];
    /** Media port ranges opened to the VDX nodes. */
    readonly mediaPortRanges: readonly PortRange[];
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * The connector's network: a virtual network, an NSG that admits HTTPS and media only from
 * VDX's nodes (and management), and the Standard load balancer in front of the scale set.
 */
export class ConnectorNetwork extends pulumi.ComponentResource {
    /** Subnet the scale set's NICs join. */
    readonly subnetId: pulumi.Output<string>;
    /** Backend pool the scale set registers in. */
    readonly backendPoolId: pulumi.Output<string>;
    /** Health probe on 443 that rolling upgrades wait for. */
    readonly healthProbeId: pulumi.Output<string>;
    /** RDP NAT pool, present only when management prefixes are given. */
    readonly rdpNatPoolId: pulumi.Output<string> | undefined;

    constructor(name: string, args: ConnectorNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:ConnectorNetwork", name, {}, opts);
        const { names, tags } = args;
        const rdpOpen = args.managementAddresses.length > 0;

        const nsg = new network.NetworkSecurityGroup(
            `${name}-nsg`,
            {
                networkSecurityGroupName: names.networkSecurityGroup,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                securityRules: inboundRules(args).map((rule) => ({
                    ...rule,
                    sourceAddressPrefixes: [...rule.sourceAddressPrefixes],
                    direction: "Inbound",
                    access: "Allow",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                })),
                tags,
            },
            { parent: this },
        );

        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                virtualNetworkName: names.virtualNetwork,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                addressSpace: { addressPrefixes: ["10.100.0.0/24"] },
                // Inline so that the subnet is not fought over by a separate Subnet resource.
                subnets: [{ name: names.subnet, addressPrefix: "10.100.0.0/24", networkSecurityGroup: { id: nsg.id } }],
                tags,
            },
            { parent: this },
        );

        const lbId = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Network/loadBalancers/${names.loadBalancer}`;
        const part = (kind: string, partName: string) => pulumi.interpolate`${lbId}/${kind}/${partName}`;
        const frontend = part("frontendIPConfigurations", "public");
        const backendPoolId = part("backendAddressPools", "connectors");
        const healthProbeId = part("probes", "https");

        const loadBalancer = new network.LoadBalancer(
            `${name}-lb`,
            {
                loadBalancerName: names.loadBalancer,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "Standard", tier: "Regional" },
                frontendIPConfigurations: [{ name: "public", publicIPAddress: { id: args.publicIpId } }],
                backendAddressPools: [{ name: "connectors" }],
                probes: [{ name: "https", protocol: "Tcp", port: HTTPS_PORT, intervalInSeconds: 5, probeThreshold: 2 }],
                loadBalancingRules: [
                    {
                        name: "https",
                        protocol: "Tcp",
                        frontendPort: HTTPS_PORT,
                        backendPort: HTTPS_PORT,
                        frontendIPConfiguration: { id: frontend },
                        backendAddressPool: { id: backendPoolId },
                        probe: { id: healthProbeId },
                        enableTcpReset: true,
                        idleTimeoutInMinutes: 30,
                    },
                ],
                inboundNatPools: rdpOpen
                    ? [
                          {
                              name: "rdp",
                              protocol: "Tcp",
                              frontendPortRangeStart: RDP_NAT_PORTS.start,
                              frontendPortRangeEnd: RDP_NAT_PORTS.end,
                              backendPort: RDP_PORT,
                              frontendIPConfiguration: { id: frontend },
                          },
                      ]
                    : [],
                tags,
            },
            { parent: this },
        );

        this.subnetId = pulumi.interpolate`${vnet.id}/subnets/${names.subnet}`;
        // The parts' IDs are known before the load balancer exists; tie them to it so that
        // the scale set waits for the load balancer.
        this.backendPoolId = pulumi.all([loadBalancer.id, backendPoolId]).apply(([, id]) => id);
        this.healthProbeId = pulumi.all([loadBalancer.id, healthProbeId]).apply(([, id]) => id);
        this.rdpNatPoolId = rdpOpen ? pulumi.all([loadBalancer.id, part("inboundNatPools", "rdp")]).apply(([, id]) => id) : undefined;
        this.registerOutputs({
            subnetId: this.subnetId,
            backendPoolId: this.backendPoolId,
            healthProbeId: this.healthProbeId,
            rdpNatPoolId: this.rdpNatPoolId,
        });
    }
}
