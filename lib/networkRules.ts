import { PortRange } from "./settings";

export const HTTPS_PORT = 443;
export const RDP_PORT = 3389;

/** One inbound Allow rule of the connector's NSG. */
export interface InboundRule {
    readonly name: string;
    readonly priority: number;
    readonly protocol: "Tcp" | "Udp";
    /** CIDRs or Azure service tags. */
    readonly sourceAddressPrefixes: readonly string[];
    /** A port (`443`) or a range (`40000-49999`). */
    readonly destinationPortRange: string;
}

export interface InboundRuleInput {
    /** VDX's Conferencing Node prefixes: HTTPS and media. */
    readonly vdxNodeAddresses: readonly string[];
    /** Management prefixes: HTTPS (consent) and RDP. */
    readonly managementAddresses: readonly string[];
    /** Where Microsoft's Teams and Bot services reach the connector's HTTPS endpoint from. */
    readonly teamsServiceSources: readonly string[];
    /** Media port ranges opened to the VDX nodes. */
    readonly mediaPortRanges: readonly PortRange[];
}

/**
 * The connector's inbound rules. Anything not listed falls to Azure's default deny for
 * Internet traffic; RDP has no rule at all without management prefixes, so it cannot be
 * opened by accident.
 */
export function inboundRules(input: InboundRuleInput): InboundRule[] {
    const rules: InboundRule[] = [
        {
            name: "allow-https-from-vdx-and-management",
            priority: 100,
            protocol: "Tcp",
            sourceAddressPrefixes: [...input.vdxNodeAddresses, ...input.managementAddresses],
            destinationPortRange: String(HTTPS_PORT),
        },
    ];
    if (input.teamsServiceSources.length > 0) {
        rules.push({
            name: "allow-https-from-teams-services",
            priority: 105,
            protocol: "Tcp",
            sourceAddressPrefixes: [...input.teamsServiceSources],
            destinationPortRange: String(HTTPS_PORT),
        });
    }
    if (input.managementAddresses.length > 0) {
        rules.push({
            name: "allow-rdp-from-management",
            priority: 110,
            protocol: "Tcp",
            sourceAddressPrefixes: [...input.managementAddresses],
            destinationPortRange: String(RDP_PORT),
        });
    }
    input.mediaPortRanges.forEach((range, index) => {
        rules.push({
            name: `allow-media-${range.protocol.toLowerCase()}-${range.from}-${range.to}-from-vdx`,
            priority: 200 + index,
            protocol: range.protocol,
            sourceAddressPrefixes: [...input.vdxNodeAddresses],
            destinationPortRange: range.from === range.to ? String(range.from) : `${range.from}-${range.to}`,
        });
    });
    return rules;
}
