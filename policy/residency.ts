import { ResourceValidationPolicy } from "@pulumi/policy";
import { FACTS, factVariable } from "../lib/contract";
import { closedConfigSchema, factOf, isPexipDeployment, TYPES } from "./common";

/**
 * Data residency. The connector carries health-care calls for Danish public-sector parties, so
 * every located resource stays in an EU region. The default list holds EU regions only:
 * Norway (norwayeast) is EEA, not EU, and Denmark's own region (Azure's .NET SDK names a
 * `denmarkeast`) could not be confirmed as generally available; a party that accepts either
 * adds it with `allowedLocations`.
 */

/** EU Azure regions with general access. */
export const DEFAULT_ALLOWED_LOCATIONS: readonly string[] = ["westeurope", "northeurope", "swedencentral", "germanywestcentral", "francecentral"];

/** Resources that exist only globally in Azure. */
const GLOBAL_TYPES: readonly string[] = [TYPES.bot, TYPES.botChannel];

/** Azure accepts display names ("West Europe") as well as programmatic ones ("westeurope"). */
function normalise(location: string): string {
    return location.replace(/\s+/g, "").toLowerCase();
}

interface ResidencyConfig {
    readonly allowedLocations: readonly string[];
}

/** Every resource with a `location` input, and the Pexip deployment, is in an allowed EU region; `global` only for the bot. */
export const euDataResidency: ResourceValidationPolicy = {
    name: "eu-data-residency",
    description: "Every located resource must be in an allowed EU region; only the Azure Bot and its channels may be global.",
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({
        allowedLocations: {
            type: "array",
            items: { type: "string", pattern: "^[a-z0-9]+$" },
            minItems: 1,
            default: [...DEFAULT_ALLOWED_LOCATIONS],
            description: "Allowed Azure regions (programmatic names, like westeurope).",
        },
    }),
    validateResource: (args, report) => {
        // The dynamic resource group Pexip's script deploys into is the deployment's location; it always has one.
        const deployment = isPexipDeployment(args.type, args.props);
        const location: unknown = deployment ? factOf(args.type, args.props, FACTS.location) : args.props.location;
        if (location === undefined || location === null) {
            if (!deployment) return args.notApplicable("The resource has no location");
            report(`The Pexip deployment has no ${factVariable(FACTS.location)}: cannot verify data residency.`);
            return;
        }
        const allowedLocations = args.getConfig<Partial<ResidencyConfig>>().allowedLocations ?? DEFAULT_ALLOWED_LOCATIONS;
        if (typeof location !== "string") {
            report(`location is not a region name (${JSON.stringify(location)}): cannot verify data residency.`);
            return;
        }
        const region = normalise(location);
        if (region === "global") {
            if (!GLOBAL_TYPES.includes(args.type)) {
                report(`location is "global", which only the Azure Bot and its channels may use; use one of ${allowedLocations.join(", ")}.`);
            }
        } else if (!allowedLocations.includes(region)) {
            report(`location "${location}" is not an allowed EU region; use one of ${allowedLocations.join(", ")}.`);
        }
    },
};

/** The residency policies, in the order the pack lists them. */
export const residencyPolicies: ResourceValidationPolicy[] = [euDataResidency];
