import { PolicyConfigSchema, ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { dateIn, DATE_PATTERN, DEFAULT_TIME_ZONE, isCalendarDate } from "../lib/calendar";
import { DRIVER_ACTIONS, Fact, factVariable } from "../lib/contract";

export { dateIn, DATE_PATTERN, daysBetween, DEFAULT_TIME_ZONE, isCalendarDate } from "../lib/calendar";

/**
 * Helpers shared by the policy modules. The pack does not load `@pulumi/azure-native` (136 MB):
 * policies match resources by their type token and read the inputs as plain data.
 */

/** Type tokens of the resources the program creates. */
export const TYPES = {
    /** The Pexip deployment and its scaling step are `local.Command`s of @pulumi/command. */
    command: "command:local:Command",
    publicIp: "azure-native:network:PublicIPAddress",
    keyVault: "azure-native:keyvault:Vault",
    keyVaultSecret: "azure-native:keyvault:Secret",
    eventHubNamespace: "azure-native:eventhub:Namespace",
    bot: "azure-native:botservice:Bot",
    botChannel: "azure-native:botservice:Channel",
} as const;

/** Content type of a PFX stored as a Key Vault secret. */
export const PKCS12_CONTENT_TYPE = "application/x-pkcs12";

/** Inputs as a policy sees them: plain data, wrapped by the analyzer in its unknown-checking proxy. */
export type Props = Record<string, unknown>;

/** A resource validation written against the inputs. */
export type PropsValidation = (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void | Promise<void>;

/**
 * A validation that runs only for resources of the given types and marks the policy not
 * applicable for the others. With a single type the token is attached as `__pulumiType`, as
 * `validateResourceOfType` does, so the analyzer skips other types without calling it.
 */
export function validateTypes(types: string | readonly string[], validate: PropsValidation): ResourceValidation {
    const list = typeof types === "string" ? [types] : types;
    const validation: ResourceValidation = (args, report) => {
        if (!list.includes(args.type)) {
            return args.notApplicable(`Policy only applies to resources of type ${list.map((type) => `'${type}'`).join(", ")}`);
        }
        return validate(args.props, args, report);
    };
    if (list.length === 1) {
        (validation as ResourceValidation & { __pulumiType?: string }).__pulumiType = list[0];
    }
    return validation;
}

/** `value` as an object, or undefined when it is anything else. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `value` as a list, or undefined when it is anything else. */
export function asArray(value: unknown): readonly unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

/** `value` as a string, or undefined when it is anything else. */
export function asString(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}

/** True for the command that runs Pexip's deployment (not its scaling step). */
export function isPexipDeployment(type: string, props: Props): boolean {
    return type === TYPES.command && props.create === DRIVER_ACTIONS.deploy;
}

/**
 * A fact about the connector (lib/contract.ts): an environment variable of the Pexip deployment,
 * a tag of any other resource; undefined when the resource does not carry it.
 */
export function factOf(type: string, props: Props, fact: Fact): string | undefined {
    if (type !== TYPES.command) return tagOf(props, fact);
    const value = asObject(props.environment)?.[factVariable(fact)];
    return value === undefined || value === null ? undefined : String(value);
}

/** A fact that holds a JSON list of strings; undefined when absent or not such a list. */
export function listFact(type: string, props: Props, fact: Fact): string[] | undefined {
    const text = factOf(type, props, fact);
    if (text === undefined) return undefined;
    try {
        const value: unknown = JSON.parse(text);
        return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
    } catch {
        return undefined;
    }
}

/** A validation of the Pexip deployment's facts; not applicable to anything else. */
export function validateDeployment(validate: PropsValidation): ResourceValidation {
    return validateTypes(TYPES.command, (props, args, report) => {
        if (!isPexipDeployment(args.type, props)) return args.notApplicable("Not the Pexip deployment");
        return validate(props, args, report);
    });
}

/** One tag of a resource, or undefined when the resource has no such tag. */
export function tagOf(props: Props, key: string): string | undefined {
    const tags = asObject(props.tags);
    if (tags === undefined) return undefined;
    const value = tags[key];
    return value === undefined || value === null ? undefined : String(value);
}

/** A whole number written as a tag ("48"), or undefined when the text is not one. */
export function wholeNumber(text: string | undefined): number | undefined {
    if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
    return Number(text);
}

/**
 * Reports a violation at the advisory level from a policy whose own level is higher.
 *
 * @pulumi/policy 1.21's analyzer (`makeReportViolationFun` in server.js) accepts a violation
 * object whose `enforcementLevel` overrides the policy's; the published type admits only a
 * string, hence the cast. tests/policy/engineConformance.test.ts proves it against the real
 * analyzer. The message gets the description prefix the analyzer gives string messages.
 */
export function reportAdvisory(report: ReportViolation, description: string, message: string): void {
    const violation = { message: `${description}\n${message}`, enforcementLevel: "advisory" };
    (report as unknown as (violation: { message: string; enforcementLevel: string }) => void)(violation);
}

// ---------------------------------------------------------------------------------------------
// Configuration. A property a policy does not declare is refused, not ignored: a typo such as
// `ipv4Adresses` would otherwise leave the setting it meant at its default.

/**
 * A policy's configSchema that refuses undeclared properties. The engine never sees the schema's
 * `additionalProperties` (@pulumi/policy sends only `properties` and `required`), so the offline
 * engine (cli/plan/policyEngine.ts) refuses them from the schema and `withClosedConfig` under the real one.
 */
export function closedConfigSchema(properties: Record<string, PolicyConfigJSONSchema>, required?: string[]): PolicyConfigSchema {
    return { properties, ...(required === undefined ? {} : { required }), additionalProperties: false } as PolicyConfigSchema;
}

/** The configSchema of a policy without settings: any property given to it is a typo. */
export const NO_SETTINGS = closedConfigSchema({});

/**
 * The policy, its every validation first refusing a configuration property its configSchema does
 * not declare: the engine passes such a property on instead of refusing it, and the throw fails
 * the preview. Applied to every policy of the pack at once (policy/policies.ts).
 */
export function withClosedConfig(policy: ResourceValidationPolicy): ResourceValidationPolicy {
    const validate = policy.validateResource as ResourceValidation;
    const known = Object.keys(policy.configSchema?.properties ?? {});
    return {
        ...policy,
        validateResource: (args, report) => {
            const unknown = Object.keys(args.getConfig<object>()).filter((key) => !known.includes(key));
            if (unknown.length > 0) {
                const verb = unknown.length === 1 ? "is not a setting" : "are not settings";
                throw new Error(`${policy.name}: ${unknown.join(", ")} ${verb} of this policy${known.length > 0 ? ` (known: ${known.join(", ")})` : ""}`);
            }
            return validate(args, report);
        },
    };
}

// ---------------------------------------------------------------------------------------------
// Check dates. Date-dependent policies take `asOf` so that tests and offline plans are
// deterministic; without it they use today's date where VDX operates.

/** Config schema properties of every date-dependent policy. */
export const CHECK_DATE_SCHEMA: Record<string, PolicyConfigJSONSchema> = {
    asOf: {
        type: "string",
        pattern: DATE_PATTERN,
        description: "Check date (YYYY-MM-DD) instead of today, for tests and offline plans.",
    },
    timeZone: {
        type: "string",
        minLength: 1,
        default: DEFAULT_TIME_ZONE,
        description: "IANA time zone whose calendar date is 'today'.",
    },
};

/** The part of a date-dependent policy's configuration that fixes the check date. */
export interface CheckDateConfig {
    readonly asOf?: string;
    readonly timeZone?: string;
}

/**
 * The date a policy checks against: `asOf` when configured, else today in `timeZone`.
 * A broken value is a configuration error, so it throws rather than reporting per resource.
 */
export function checkDate(policy: string, config: CheckDateConfig, now: Date = new Date()): string {
    if (config.asOf !== undefined) {
        if (!isCalendarDate(config.asOf)) throw new Error(`${policy}: asOf must be a calendar date YYYY-MM-DD, got "${config.asOf}"`);
        return config.asOf;
    }
    const timeZone = config.timeZone ?? DEFAULT_TIME_ZONE;
    try {
        return dateIn(now, timeZone);
    } catch {
        throw new Error(`${policy}: timeZone must be an IANA time zone like ${DEFAULT_TIME_ZONE}, got "${timeZone}"`);
    }
}

