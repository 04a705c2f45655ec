import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { Fact, FACTS, factVariable } from "../lib/contract";
import { asObject, asString, closedConfigSchema, factOf, listFact, NO_SETTINGS, Props, reportAdvisory, TYPES, validateDeployment, validateTypes } from "./common";
import { DEFAULT_THRESHOLD, ExposureThreshold, inertThresholds, judgeExposure, THRESHOLD_SCHEMA } from "./exposure";

/**
 * Network exposure. Pexip's deployment script builds the connector's NSG from two source lists
 * the stack passes it (lib/contract.ts facts): RDP only from the management prefixes (closed when
 * none), and HTTPS from VDX's nodes and the management network that gives consent. An empty
 * HTTPS list makes Pexip's script open 443 to everyone. A list is judged by what it covers
 * (policy/exposure.ts), not by how it is spelt.
 */

/** A source list Pexip's script builds an NSG rule from. */
interface SourceList {
    readonly fact: Fact;
    /** The port it opens: "RDP (3389)". */
    readonly port: string;
    /** The stack settings the program makes it of (lib/pexip/deploymentParameters.ts), for the message. */
    readonly madeOf: string;
    /** True where Pexip's script opens the port to everyone when the list is empty. */
    readonly emptyIsOpen: boolean;
}

const RDP_SOURCES: SourceList = { fact: FACTS.rdpSources, port: "RDP (3389)", madeOf: "managementAddresses", emptyIsOpen: false };
const HTTPS_SOURCES: SourceList = {
    fact: FACTS.pexipSources,
    port: "HTTPS (443)",
    madeOf: "vdx.nodeAddresses and managementAddresses together",
    emptyIsOpen: true,
};

/** Checks one source list of the deployment against the policy's threshold. */
function checkSources(
    props: Props,
    type: string,
    list: SourceList,
    threshold: Partial<ExposureThreshold>,
    report: (message: string) => void,
    advise: (message: string) => void,
): void {
    const variable = factVariable(list.fact);
    const sources = listFact(type, props, list.fact);
    if (sources === undefined) {
        report(`The Pexip deployment has no JSON list in ${variable}: cannot verify who may reach ${list.port}.`);
        return;
    }
    if (sources.length === 0) {
        if (list.emptyIsOpen) report(`${variable} is empty, and with no source prefixes Pexip's script opens ${list.port} to everyone; list VDX's node addresses.`);
        return;
    }
    const judged = judgeExposure(sources, { ...DEFAULT_THRESHOLD, ...threshold });
    if (judged.invalid.length > 0) {
        report(`${variable} holds ${judged.invalid.map((entry) => `"${entry}"`).join(", ")}, which is not an address prefix: cannot verify who may reach ${list.port}.`);
    }
    if (judged.open !== undefined) {
        report(`${list.port} is open to the Internet: ${variable} (${list.madeOf}) ${judged.open}. List only the prefixes that need it.`);
    }
    for (const [first, second] of judged.overlaps) {
        advise(`${variable}: ${first} and ${second} overlap (or repeat); they are merged, so list each network once.`);
    }
}

/** RDP from the Internet is the classic way in to a Windows VM. */
export const rdpNotOpen: ResourceValidationPolicy = {
    name: "rdp-not-open",
    description: "RDP (3389) must not be open to the Internet: allow it only from listed management prefixes, or not at all.",
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({ ...THRESHOLD_SCHEMA }),
    validateResource: validateDeployment((props, args, report: ReportViolation) => {
        const advise = (message: string) => reportAdvisory(report, rdpNotOpen.description as string, message);
        checkSources(props, args.type, RDP_SOURCES, args.getConfig<Partial<ExposureThreshold>>(), report, advise);
    }),
};

/** HTTPS should come from VDX's nodes and the consent network: mandatory in production. */
export const httpsSourcesRestricted: ResourceValidationPolicy = {
    name: "https-sources-restricted",
    description:
        "HTTPS (443) to the Teams Connector must be open only to VDX's Conferencing/Edge nodes and the management network used for consent (mandatory in production, advisory in development).",
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({ ...THRESHOLD_SCHEMA }),
    validateResource: validateDeployment((props, args, report: ReportViolation) => {
        const description = httpsSourcesRestricted.description as string;
        const advise = (message: string) => reportAdvisory(report, description, message);
        // Only a stack known to be dev is let off with advisories.
        const development = factOf(args.type, props, FACTS.environment) === "dev";
        checkSources(props, args.type, HTTPS_SOURCES, args.getConfig<Partial<ExposureThreshold>>(), development ? advise : report, advise);
    }),
};

/** DNS and VDX point at the address: it must survive redeploys. */
export const publicIpStaticStandard: ResourceValidationPolicy = {
    name: "public-ip-static-standard",
    description: "The connector's public IP must be a Static, Standard SKU address: DNS and VDX point at it, so it must survive upgrades and redeploys.",
    enforcementLevel: "mandatory",
    configSchema: NO_SETTINGS,
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
    configSchema: NO_SETTINGS,
    validateResource: validateTypes(TYPES.eventHubNamespace, (props, _args, report) => {
        const version = asString(props.minimumTlsVersion);
        if (version === undefined) {
            report(`minimumTlsVersion is not set; set it to "1.2".`);
        } else if (!MODERN_TLS.includes(version)) {
            report(`minimumTlsVersion is "${version}"; set it to "1.2".`);
        }
    }),
};

/** Settings of these policies that switch their check off, by policy: each judged by the check's own rule. */
const inertExposure = (properties: Record<string, unknown>) => inertThresholds({ ...DEFAULT_THRESHOLD, ...properties });
export const networkInertSettings: Readonly<Record<string, (properties: Record<string, unknown>) => string[]>> = {
    [rdpNotOpen.name]: inertExposure,
    [httpsSourcesRestricted.name]: inertExposure,
};

/** The network policies, in the order the pack lists them. */
export const networkPolicies: ResourceValidationPolicy[] = [rdpNotOpen, httpsSourcesRestricted, publicIpStaticStandard, eventHubTls];
