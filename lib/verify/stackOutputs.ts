import { ConfigError } from "../config/configError";

/**
 * The stack outputs verify reads (program.ts's outputs block), checked once: a missing or
 * mistyped output is a configuration error (exit 2) naming it, before any check runs.
 */
export interface DeployedStack {
    /** The connector's public name, the one Teams and the certificate use. */
    readonly fqdn: string;
    readonly publicIpFqdn: string;
    readonly publicIpAddress: string;
    /** The region the stack deploys to (an Azure location). */
    readonly location?: string;
    readonly subscriptionId: string;
    readonly dynamicResourceGroup: string;
    readonly scaleSetName: string;
    /** The instances the stack sized. */
    readonly instances: number;
    /** Who sets the scale set's capacity: Pulumi (exactly `instances`) or Infinity's scheduled scaling. */
    readonly capacityOwner: "pulumi" | "infinity";
    /** Infinity's minimum, when Infinity owns capacity. */
    readonly infinityMinimumInstances?: number;
    readonly pexipVersion: string;
    /** The deployed certificate: the SHA-1 thumbprint (40 hex digits) and its expiry. */
    readonly certificate: { readonly thumbprint: string; readonly notAfter: string };
}

/** How `pulumi stack output --json` shows a secret it was not asked to reveal. */
export const BLINDED_SECRET = "[secret]";

/** Reads the outputs (`pulumi stack output --json`'s object, or the Automation API's values). */
export function deployedStack(outputs: Readonly<Record<string, unknown>>, source: string): DeployedStack {
    const fail = (name: string, rule: string): never => {
        throw new ConfigError(`stack output ${name}`, `${rule} (read from ${source}); run pulumi up with this version of the program first`);
    };
    const value = (name: string): unknown => {
        const found = outputs[name];
        if (found === undefined || found === null) fail(name, "is missing");
        if (found === BLINDED_SECRET) fail(name, "is a secret and was blinded: verify needs it in plain text");
        return found;
    };
    const text = (name: string): string => {
        const found = value(name);
        return typeof found === "string" && found !== "" ? found : fail(name, "must be a non-empty string");
    };
    const count = (name: string): number => {
        const found = value(name);
        return typeof found === "number" && Number.isInteger(found) && found >= 0 ? found : fail(name, "must be a whole number");
    };
    const capacityOwner = text("capacityOwner");
    if (capacityOwner !== "pulumi" && capacityOwner !== "infinity") fail("capacityOwner", 'must be "pulumi" or "infinity"');
    const certificate = value("certificate") as { thumbprint?: unknown; notAfter?: unknown };
    if (typeof certificate !== "object" || typeof certificate.thumbprint !== "string" || !/^[0-9A-Fa-f]{40}$/.test(certificate.thumbprint)) {
        fail("certificate", "must carry the certificate's SHA-1 thumbprint as 40 hex digits");
    }
    const location = outputs.location;
    return {
        fqdn: text("fqdn").toLowerCase(),
        publicIpFqdn: text("publicIpFqdn").toLowerCase(),
        publicIpAddress: text("publicIpAddress"),
        ...(typeof location === "string" ? { location } : {}),
        subscriptionId: text("subscriptionId"),
        dynamicResourceGroup: text("dynamicResourceGroup"),
        scaleSetName: text("scaleSetName"),
        instances: count("instances"),
        capacityOwner: capacityOwner as DeployedStack["capacityOwner"],
        ...(capacityOwner === "infinity" ? { infinityMinimumInstances: count("infinityMinimumInstances") } : {}),
        pexipVersion: text("pexipVersion"),
        certificate: { thumbprint: (certificate.thumbprint as string).toUpperCase(), notAfter: String(certificate.notAfter ?? "") },
    };
}
