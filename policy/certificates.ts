import { ResourceValidationPolicy } from "@pulumi/policy";
import { FACTS, factVariable } from "../lib/contract";
import {
    asObject,
    asString,
    CHECK_DATE_SCHEMA,
    CheckDateConfig,
    checkDate,
    closedConfigSchema,
   
    dateIn,
    daysBetween,
    DEFAULT_TIME_ZONE,
    factOf,
    isPexipDeployment,
    NO_SETTINGS,
    PKCS12_CONTENT_TYPE,
    Props,
    TYPES,
} from "./common";

/**
 * The connector's certificate. The stack cannot read the private material at plan time, so the
 * program passes the certificate's facts (lib/contract.ts) to the Pexip deployment, and as tags
 * on the Key Vault secret that holds the PFX when the stack stores one; these policies read them.
 */

/** What the program may append to a SAN list cut short to fit an Azure tag. */
const TRUNCATION_MARKERS = ["…", "..."];

/** A resource that installs or holds the certificate, so must carry its facts: the deployment, a PFX secret. */
function holdsCertificate(type: string, props: Props): boolean {
    return isPexipDeployment(type, props) || (type === TYPES.keyVaultSecret && asString(asObject(props.properties)?.contentType) === PKCS12_CONTENT_TYPE);
}

/** Where a resource carries a fact, for messages: a variable of the deployment, a tag elsewhere. */
function factName(type: string, fact: (typeof FACTS)[keyof typeof FACTS]): string {
    return type === TYPES.command ? factVariable(fact) : `"${fact}" tag`;
}

/** A short name for the certificate in messages. */
function certificateName(type: string, props: Props): string {
    const subject = factOf(type, props, FACTS.certificateSubject);
    return subject === undefined ? "The certificate" : `Certificate "${subject}"`;
}

/** No `*` in the subject or any SAN, and a PFX secret without facts cannot pass unverified. */
export const noWildcardCertificate: ResourceValidationPolicy = {
    name: "no-wildcard-certificate",
    description:
        "The Teams Connector's certificate must name the connector's own hostname: VDX (MedCom) and Pexip do not accept wildcard certificates for it.",
    enforcementLevel: "mandatory",
    configSchema: NO_SETTINGS,
    validateResource: (args, report) => {
        const { props, type } = args;
        const subject = factOf(type, props, FACTS.certificateSubject);
        const sans = factOf(type, props, FACTS.certificateSans);
        if (subject === undefined && sans === undefined && !holdsCertificate(type, props)) {
            return args.notApplicable("No certificate facts on this resource");
        }
        if (subject === undefined) {
            report(`The resource holds a certificate but has no ${factName(type, FACTS.certificateSubject)}: cannot verify that it is not a wildcard certificate.`);
        } else if (subject.includes("*")) {
            report(`Certificate subject "${subject}" is a wildcard; use a certificate issued to the connector's hostname.`);
        }
        if (sans === undefined) {
            report(`The resource holds a certificate but has no ${factName(type, FACTS.certificateSans)}: cannot verify that no SAN is a wildcard.`);
            return;
        }
        const names = sans.split(",").map((name) => name.trim()).filter((name) => name !== "");
        const truncated = names.length > 0 && TRUNCATION_MARKERS.includes(names[names.length - 1]);
        for (const name of truncated ? names.slice(0, -1) : names) {
            if (name.includes("*")) report(`SAN "${name}" is a wildcard; use a certificate issued to the connector's hostname.`);
        }
        if (truncated) {
            report(`The ${factName(type, FACTS.certificateSans)} is truncated: the SANs it leaves out cannot be checked for wildcards. A Teams Connector certificate needs only the connector's hostname.`);
        }
    },
};

/** Self-signed certificates are for dev stacks: VDX's nodes do not trust them. */
export const noSelfSignedInProd: ResourceValidationPolicy = {
    name: "no-self-signed-in-prod",
    description: "A production stack must not use a self-signed certificate: VDX's Conferencing Nodes do not trust it, so calls fail.",
    enforcementLevel: "mandatory",
    configSchema: NO_SETTINGS,
    validateResource: (args, report) => {
        const { props, type } = args;
        const source = factOf(type, props, FACTS.certificateSource);
        if (source !== "selfSigned") {
            return args.notApplicable("Not a self-signed certificate");
        }
        const environment = factOf(type, props, FACTS.environment);
        if (environment === undefined) {
            report(`The certificate is self-signed and the resource has no ${factName(type, FACTS.environment)}: cannot verify that this is not a production stack.`);
        } else if (environment === "prod") {
            report(`${certificateName(type, props)} is self-signed in a production stack; use a certificate from a CA that VDX's nodes trust (pfxFile or keyVaultSecret).`);
        }
    },
};

interface ExpiryConfig extends CheckDateConfig {
    readonly renewalDays?: number;
}

/** Days before expiry from which the renewal is reported. */
const DEFAULT_RENEWAL_DAYS = 30;

/** The certificate's expiry as a Copenhagen date, or a reason it cannot be read. */
function expiryDate(type: string, props: Props, timeZone: string): { day: string } | { problem: string } | undefined {
    const notAfter = factOf(type, props, FACTS.certificateNotAfter);
    if (notAfter === undefined) return undefined;
    const instant = new Date(notAfter);
    if (!/^\d{4}-\d{2}-\d{2}/.test(notAfter) || Number.isNaN(instant.getTime())) {
        return { problem: `The ${factName(type, FACTS.certificateNotAfter)} is not an ISO date ("${notAfter}"): cannot verify the certificate's validity.` };
    }
    return { day: dateIn(instant, timeZone) };
}

/** An expired certificate breaks TLS from VDX's nodes; deploying one is never right. */
export const certificateNotExpired: ResourceValidationPolicy = {
    name: "certificate-not-expired",
    description: "The Teams Connector's certificate must be valid on the check date: with an expired certificate VDX's nodes cannot connect.",
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({ ...CHECK_DATE_SCHEMA }),
    validateResource: (args, report) => {
        const config = args.getConfig<Partial<CheckDateConfig>>();
        const expiry = expiryDate(args.type, args.props, config.timeZone ?? DEFAULT_TIME_ZONE);
        if (expiry === undefined) {
            if (holdsCertificate(args.type, args.props)) {
                report(`The resource holds a certificate but has no ${factName(args.type, FACTS.certificateNotAfter)}: cannot verify that it has not expired.`);
                return;
            }
            return args.notApplicable("No certificate expiry on this resource");
        }
        if ("problem" in expiry) {
            report(expiry.problem);
            return;
        }
        const today = checkDate(certificateNotExpired.name, config);
        if (expiry.day < today) {
            report(`${certificateName(args.type, args.props)} expired on ${expiry.day} (check date ${today}); install a renewed certificate.`);
        }
    },
};

/** Early warning, so the renewal is not discovered by a failed call. */
export const certificateNotExpiring: ResourceValidationPolicy = {
    name: "certificate-not-expiring",
    description: "The Teams Connector's certificate should be renewed before it expires.",
    enforcementLevel: "advisory",
    configSchema: closedConfigSchema({
        ...CHECK_DATE_SCHEMA,
        renewalDays: {
            type: "integer",
            minimum: 1,
            default: DEFAULT_RENEWAL_DAYS,
            description: "Report a certificate that expires within this many days of the check date.",
        },
    }),
    validateResource: (args, report) => {
        const config = args.getConfig<Partial<ExpiryConfig>>();
        const expiry = expiryDate(args.type, args.props, config.timeZone ?? DEFAULT_TIME_ZONE);
        // An expired or unreadable date is certificate-not-expired's to report.
        if (expiry === undefined || "problem" in expiry) {
            return args.notApplicable("No readable certificate expiry on this resource");
        }
        const today = checkDate(certificateNotExpiring.name, config);
        const days = daysBetween(today, expiry.day);
        if (days >= 0 && days <= (config.renewalDays ?? DEFAULT_RENEWAL_DAYS)) {
            report(`${certificateName(args.type, args.props)} expires on ${expiry.day}, in ${days} day(s); renew it and deploy the new certificate before then.`);
        }
    },
};

/** The certificate policies, in the order the pack lists them. */
export const certificatePolicies: ResourceValidationPolicy[] = [
    noWildcardCertificate,
    noSelfSignedInProd,
    certificateNotExpired,
    certificateNotExpiring,
];
