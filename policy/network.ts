import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asObject, asString, Props, TYPES, validateTypes } from "./common";

/**
 * Network exposure. The connector's NSG lets HTTPS in from VDX's nodes and the consent
 * management network, and RDP only from listed management prefixes, closed when none is listed
 * (Pexip's installer topology). Rules are read both inline on the NSG and as standalone
 * SecurityRule resources.
 */

/** Source prefixes that mean "anyone on the Internet". */
const EVERYONE = new Set(["*", "internet", "any", "0.0.0.0/0", "::/0"]);

/** Protocols without ports: a rule for them opens no TCP/UDP port. */
const PORTLESS_PROTOCOLS = new Set(["icmp", "esp", "ah"]);

/** One security rule's fields, as azure-native takes them (flat; ARM's `properties` tolerated). */
interface Rule {
    readonly name: string;
    readonly fields: Props;
}

/** The rules of an NSG (inline) or the standalone rule itself. */
function rulesOf(type: string, props: Props, resourceName: string): Rule[] {
    if (type === TYPES.securityRule) {
        return [{ name: asString(props.name) ?? resourceName, fields: asObject(props.properties) ?? props }];
    }
    const rules: Rule[] = [];
    let index = 0;
    for (const entry of asArray(props.securityRules) ?? []) {
        const rule = asObject(entry);
        if (rule !== undefined) {
            rules.push({ name: asString(rule.name) ?? `securityRules[${index}]`, fields: asObject(rule.properties) ?? rule });
        }
        index++;
    }
    return rules;
}

/** The everyone-sources an inbound Allow rule admits, empty when it admits none. */
function everyoneSources(rule: Props): string[] {
    if (asString(rule.direction)?.toLowerCase() !== "inbound" || asString(rule.access)?.toLowerCase() !== "allow") return [];
    const protocol = asString(rule.protocol)?.toLowerCase();
    if (protocol !== undefined && PORTLESS_PROTOCOLS.has(protocol)) return [];
    const sources = [asString(rule.sourceAddressPrefix), ...(asArray(rule.sourceAddressPrefixes) ?? []).map(asString)];
    return sources.filter((source): source is string => source !== undefined && EVERYONE.has(source.trim().toLowerCase()));
}

/** True when a port expression (`443`, `3000-4000`, `*`) includes the port. */
function portExpressionIncludes(expression: string, port: number): boolean {
    const text = expression.trim();
    if (text === "*") return true;
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
    if (range !== null) return Number(range[1]) <= port && port <= Number(range[2]);
    return /^\d+$/.test(text) && Number(text) === port;
}

/** True when the rule's destination ports include the port. */
function rulePortsInclude(rule: Props, port: number): boolean {
    const expressions = [asString(rule.destinationPortRange), ...(asArray(rule.destinationPortRanges) ?? []).map(asString)];
    return expressions.some((expression) => expression !== undefined && portExpressionIncludes(expression, port));
}

/** Reports each rule that admits everyone to the port. */
function reportOpenPort(type: string, props: Props, resourceName: string, port: number, report: (rule: string, sources: string[]) => void): void {
    for (const rule of rulesOf(type, props, resourceName)) {
        const sources = everyoneSources(rule.fields);
        if (sources.length > 0 && rulePortsInclude(rule.fields, port)) report(rule.name, sources);
    }
}

const quoted = (sources: string[]): string => sources.map((source) => `"${source}"`).join(", ");

/** RDP from the Internet is the classic way in to a Windows VM. */
export const rdpNotOpen: ResourceValidationPolicy = {
    name: "rdp-not-open",
    description: "RDP (3389) must not be open to the Internet: allow it only from listed management prefixes, or not at all.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes([TYPES.networkSecurityGroup, TYPES.securityRule], (props, args, report: ReportViolation) => {
        reportOpenPort(args.type, props, args.name, 3389, (rule, sources) =>
            report(`Security rule "${rule}" allows RDP (3389) inbound from ${quoted(sources)}; list the management prefixes instead.`),
        );
    }),
};

/** HTTPS should come from VDX's nodes and the consent network, which the docs name. */
export const httpsSourcesRestricted: ResourceValidationPolicy = {
    name: "https-sources-restricted",
    description: "HTTPS (443) to the Teams Connector should be open only to VDX's Conferencing/Edge nodes and the management network used for consent.",
    enforcementLevel: "advisory",
    validateResource: validateTypes([TYPES.networkSecurityGroup, TYPES.securityRule], (props, args, report) => {
        reportOpenPort(args.type, props, args.name, 443, (rule, sources) =>
            report(`Security rule "${rule}" allows HTTPS (443) inbound from ${quoted(sources)}; restrict it to VDX's node addresses and the consent management network.`),
        );
    }),
};

/** DNS and VDX point at the address: it must survive redeploys. */
export const publicIpStaticStandard: ResourceValidationPolicy = {
    name: "public-ip-static-standard",
    description: "The connector's public IP must be a Static, Standard SKU address: DNS and VDX point at it, so it must survive upgrades and redeploys.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes(TYPES.publicIp, (props, _args, report) => {
        const allocation = asString(props.publicIPAllocationMethod);
        if (allocation !== "Static") {
            report(`publicIPAllocationMethod is ${allocation === undefined ? "not set" : `"${allocation}"`}; set it to "Static".`);
        }
        const sku = asString(asObject(props.sku)?.name);
        if (sku !== "Standard") {
            report(`sku.name is ${sku === undefined ? "not set" : `"${sku}"`}; set it to "Standard" (the Standard load balancer needs a Standard IP).`);
        }
    }),
};

/** TLS versions accepted for the Event Hub namespace Infinity connects to. */
const MODERN_TLS = ["1.2", "1.3"];

/** TLS 1.2 only, as for the connector itself. */
export const eventHubTls: ResourceValidationPolicy = {
    name: "event-hub-tls",
    description: "The Event Hub namespace must require TLS 1.2 or later, set explicitly.",
    enforcementLevel: "mandatory",
    validateResource: validateTypes(TYPES.eventHubNamespace, (props, _args, report) => {
        const version = asString(props.minimumTlsVersion);
        if (version === undefined) {
            report(`minimumTlsVersion is not set; set it to "1.2".`);
        } else if (!MODERN_TLS.includes(version)) {
            report(`minimumTlsVersion is "${version}"; set it to "1.2".`);
        }
    }),
};

/** The network policies, in the order the pack lists them. */
export const networkPolicies: ResourceValidationPolicy[] = [rdpNotOpen, httpsSourcesRestricted, publicIpStaticStandard, eventHubTls];
