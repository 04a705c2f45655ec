import { ResourceValidationPolicy } from "@pulumi/policy";
import { FACTS } from "../lib/contract";
import { closedConfigSchema, tagOf } from "./common";

/**
 * The program puts the `environment` tag on every taggable resource, and other policies depend
 * on it (no-self-signed-in-prod reads it from the certificate's secret). This policy keeps that
 * contract: an azure-native resource that takes `tags` or a `location` (ARM tracked resources,
 * which are all taggable) carries `environment` with a known value.
 */

/** Values of the `environment` tag the program writes (lib/config/settings.ts `Environment`). */
export const DEFAULT_ENVIRONMENTS: readonly string[] = ["dev", "prod"];

interface TaggingConfig {
    readonly environments: readonly string[];
}

/** `environment` on every taggable azure-native resource. */
export const environmentTagged: ResourceValidationPolicy = {
    name: "environment-tagged",
    description: `Every taggable Azure resource must carry the "${FACTS.environment}" tag, which tells production from development.`,
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({
        environments: {
            type: "array",
            items: { type: "string", minLength: 1 },
            minItems: 1,
            default: [...DEFAULT_ENVIRONMENTS],
            description: `Allowed values of the "${FACTS.environment}" tag.`,
        },
    }),
    validateResource: (args, report) => {
        const { props } = args;
        const taggable = args.type.startsWith("azure-native:") && (props.tags !== undefined || props.location !== undefined);
        if (!taggable) {
            return args.notApplicable("Not a taggable azure-native resource");
        }
        const environments = args.getConfig<Partial<TaggingConfig>>().environments ?? DEFAULT_ENVIRONMENTS;
        const environment = tagOf(props, FACTS.environment);
        if (environment === undefined) {
            report(`The resource has no "${FACTS.environment}" tag; set it to one of ${environments.join(", ")}.`);
        } else if (!environments.includes(environment)) {
            report(`The "${FACTS.environment}" tag is "${environment}"; use one of ${environments.join(", ")}.`);
        }
    },
};

/** The tagging policies, in the order the pack lists them. */
export const taggingPolicies: ResourceValidationPolicy[] = [environmentTagged];
