import { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import { Fact, FACTS, factVariable } from "../lib/contract";
import { asObject, asString, factOf, listFact, Props, reportAdvisory, TYPES, validateDeployment, validateTypes } from "./common";
import { DEFAULT_THRESHOLD, ExposureThreshold, judgeExposure, THRESHOLD_SCHEMA } from "./exposure";

/**
 * Network exposure. Pexip's deployment script builds the connector's NSG from two source lists
 * the stack passes it (lib/contract.ts facts): RDP only from the management prefixes (closed when
 * none), and HTTPS from VDX's nodes and the management network that gives consent. An empty
 * HTTPS list makes Pexip's script open 443 to everyone. A list is judged by what it covers
 * (policy/exposure.ts), not by how it is spelt.
 */

/** Checks one source list of the deployment; `emptyIsOpen` for the HTTPS list. */
function checkSources(
    props: Props,
    type: string,
    fact: Fact,
    what: string,
    threshold: Partial<ExposureThreshold>,
    report: (message: string) => void,
    advise: (message: string) => void,
    emptyIsOpen: boolean,
): void {
    const variable = factVariable(fact);
    const sources = listFact(type, props, fact);
    if (sources === undefined) {
        report(`The Pexip deployment has no JSON list in ${variable}: cannot verify who may reach ${what}.`);
        return;
    }
    if (sources.length === 0) {
        if (emptyIsOpen) report(`${variable} is empty, and with no source prefixes Pexip's script opens ${what} to everyone; list VDX's node addresses.`);
        return;
    }
    const judged = judgeExposure(sources, { ...DEFAULT_THRESHOLD, ...threshold });
    if (judged.invalid.length > 0) {
        report(`${variable} holds ${judged.invalid.map((entry) => `"${entry}"`).join(", ")}, which is not an address prefix: cannot verify who may reach ${what}.`);
    }
    if (judged.open !== undefined) report(`${what} is open to the Internet: ${judged.open}. List only the prefixes that need it.`);
    for (const [first, second] of judged.overlaps) {
        advise(`${variable}: ${first} and ${second} overlap (or repeat); they are merged, so list each network once.`);
    }
}

/** RDP from the Internet is the classic way in to a Windows VM. */
export const rdpNotOpen: ResourceValidationPolicy = {
    name: "rdp-not-open",
    description: "RDP (3389) must not be open to the Internet: allow it only from listed management prefixes, or not at all.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { ...THRESHOLD_SCHEMA } },
    validateResource: validateDeployment((props, args, report: ReportViolation) => {
        checkSources(props, args.type, FACTS.rdpSources, "RDP (3389)", args.getConfig<Partial<ExposureThreshold>>(), report, (message) =>
            reportAdvisory(report, rdpNotOpen.description as string, message),
        false);
    }),
};

/** HTTPS should come from VDX's nodes and the consent network: mandatory in production. */
export const httpsSourcesRestricted: ResourceValidationPolicy = {
    name: "https-sources-restricted",
    description:
        "HTTPS (443) to the Teams Connector must be open only to VDX's Conferencing/Edge nodes and the management network used for consent (mandatory in production, advisory in development).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { ...THRESHOLD_SCHEMA } },
    validateResource: validateDeployment((props, args, report: ReportViolation) => {
        const description = httpsSourcesRestricted.description as string;
        const advise = (message: string) => reportAdvisory(report, description, message);
        // Only a stack known to be dev is let off with advisories.
        const development = factOf(args.type, props, FACTS.environment) === "dev";
        checkSources(props, args.type, FACTS.pexipSources, "HTTPS (443)", args.getConfig<Partial<ExposureThreshold>>(), development ? advise : report, advise, true);
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
