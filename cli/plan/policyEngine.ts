import * as fs from "fs";
import * as path from "path";
import type {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyConfigSchema,
    PolicyPackConfig,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { schemaValidator, SchemaProblem, unknownKeyRule } from "../../lib/config/schema";
import { PACK } from "../../policy/policies";

/**
 * Runs CrossGuard policies in process the way `pulumi preview --policy-pack` does, without the
 * CLI: the offline plan tool and the tests use it. What it mirrors, and from where:
 *
 * - Configuration (Go engine, pkg/resource/analyzer/config.go `ReconcilePolicyPackConfig`):
 *   start from each policy's own enforcement level and its schema's `default`s, apply `all`'s
 *   enforcement level to every policy, then each policy's entry (level and properties, shallow
 *   merge), then validate every policy's properties against its `configSchema` (JSON Schema,
 *   checked with ajv as the stack's settings are); any error stops the run. Entries are a level string or an object with `enforcementLevel` and properties.
 * - Stricter than the engine, so that a typo cannot pass unnoticed: a schema's top-level
 *   `additionalProperties: false` is honoured (the engine never receives it: @pulumi/policy's
 *   protoutil.js sends only `properties` and `required`, and config.go `convertSchema` builds
 *   `{type, properties, required}`), and an entry naming no policy of the pack is refused (the
 *   engine's `applyConfig` carries it, and its validation loops over the pack's policies only).
 *   `all` stays accepted.
 * - Analysis (@pulumi/policy 1.21 server.js, `makeAnalyzeRpcFun` / `makeAnalyzeStackRpcFun`):
 *   `disabled` skips a policy and `remediate` reports as `mandatory`; a validation whose
 *   function carries `__pulumiType` is skipped for other types; props go through the engine's
 *   wire form (no undefined, no `__` keys), `deserializeProperties` (secrets unwrapped) and
 *   `unknownCheckingProxy`; `isType` compares the class's `__pulumiType`; `notApplicable`
 *   throws and the throw means "no violation"; validations are awaited; each message is the
 *   policy's description, a newline, then the reported text; an unknown value turns into one
 *   advisory "can't run policy ... during preview" message; any other throw fails the run.
 *   A violation object passed to `reportViolation` may carry its own enforcement level.
 * - The engine reports a resource policy's violation on the resource's URN whatever URN the
 *   policy passes (pkg/resource/deploy/step_generator.go); a stack policy's keeps its own.
 *
 * Not mirrored: remediations (the pack has none; a policy set to `remediate` with a remediation
 * is refused) and the engine's order of concurrent resources (here: the order given).
 */

/** The enforcement level a violation is reported at. */
export type ReportedLevel = "advisory" | "mandatory";

/** One violation, as the engine reports it. */
export interface PolicyViolation {
    /** The policy's name. */
    readonly policy: string;
    readonly enforcement: ReportedLevel;
    /** The policy's description, a newline, then what the policy reported. */
    readonly message: string;
    /** The resource's URN; for a stack policy the URN it named, if any. */
    readonly urn?: string;
}

/** A policy that declared itself not applicable to a resource (or to the stack). */
export interface PolicyNotApplicable {
    readonly policy: string;
    readonly reason?: string;
    readonly urn?: string;
}

/** Everything a run found. */
export interface PolicyAnalysis {
    readonly violations: PolicyViolation[];
    readonly notApplicable: PolicyNotApplicable[];
}

/**
 * A resource to analyse. The shape the mock runtime records (`{type, name, urn, inputs}`) is
 * enough; `props` is accepted as another name for the inputs.
 */
export interface PolicyEngineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Inputs: what resource policies see. */
    readonly inputs?: Record<string, unknown>;
    readonly props?: Record<string, unknown>;
    /** Outputs: what stack policies see after an update; the inputs when absent (a preview). */
    readonly outputs?: Record<string, unknown>;
    /** The parent's URN. */
    readonly parent?: string;
    readonly protect?: boolean;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
    readonly provider?: PolicyProviderResource;
}

/** Name and version the analyzer puts in its "can't run policy" messages. */
export interface PackInfo {
    readonly name: string;
    readonly version: string;
}

/** Options of a run. */
export interface PolicyEngineOptions {
    /** Defaults to this repository's pack (policy/policies.ts, policy/package.json). */
    readonly pack?: PackInfo;
    /** The level of policies that declare none (`PolicyPack`'s default is advisory). */
    readonly packEnforcementLevel?: EnforcementLevel;
    /** Tags of the stack, as `configureStack` would set them. */
    readonly stackTags?: Readonly<Record<string, string>>;
}

/** A policy's settings after reconciliation: what the engine passes to `configure`. */
export interface ReconciledPolicyConfig {
    readonly enforcementLevel: EnforcementLevel;
    readonly properties: Record<string, unknown>;
}

/** The configuration is invalid; the engine refuses to run the pack. One line, problems joined as the engine joins them. */
export class PolicyConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`policy pack configuration is invalid: ${problems.join("; ")}`);
        this.name = "PolicyConfigError";
    }
}

/** The repository's policy configuration file. */
export const POLICY_CONFIG_PATH = path.join(__dirname, "..", "..", "policy", "config.json");

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The entry that sets every policy's level. */
const ALL = "all";

/**
 * Reads a `--policy-pack-config` file (policy/config.json by default) and checks its form. A check
 * date (`asOf`) is refused there: left in a file it freezes the date-dependent policies in the past
 * for every later run; it is the plan's `--as-of` flag (withCheckDate), for one run.
 */
export function loadPolicyConfig(file: string = POLICY_CONFIG_PATH): PolicyPackConfig {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new PolicyConfigError([`${file}: ${(error as Error).message}`]);
    }
    if (!isPlainObject(parsed)) throw new PolicyConfigError([`${file}: must be a JSON object of policy names`]);
    const dated = [...parseEntries(parsed as PolicyPackConfig)].filter(([, entry]) => entry.properties.asOf !== undefined).map(([name]) => name);
    if (dated.length > 0) {
        throw new PolicyConfigError(
            dated.map((name) => `${name}: asOf is not a setting of a policy configuration file, where it would freeze the check date for every later run: remove it, and give the plan --as-of YYYY-MM-DD for one run`),
        );
    }
    return parsed as PolicyPackConfig;
}

/**
 * A copy of the configuration with `asOf` set on every policy whose schema declares it, so that
 * every date-dependent policy checks the same date.
 */
export function withCheckDate(policies: Policies, config: PolicyPackConfig, asOf: string): PolicyPackConfig {
    const result: Record<string, unknown> = { ...config };
    for (const policy of policies) {
        if (policy.configSchema?.properties.asOf === undefined) continue;
        const entry = result[policy.name];
        const base = typeof entry === "string" ? { enforcementLevel: entry } : isPlainObject(entry) ? entry : {};
        result[policy.name] = { ...base, asOf };
    }
    return result as PolicyPackConfig;
}

/**
 * Each policy's enforcement level and properties, reconciled as the engine does (see the module
 * comment). Throws PolicyConfigError with every problem found.
 */
export function reconcilePolicyConfig(
    policies: Policies,
    config: PolicyPackConfig = {},
    packEnforcementLevel: EnforcementLevel = "advisory",
): Map<string, ReconciledPolicyConfig> {
    const entries = parseEntries(config);
    const result = new Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>();
    for (const policy of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) properties[key] = structuredClone(schema.default);
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel ?? packEnforcementLevel, properties });
    }
    const all = entries.get(ALL);
    if (all?.enforcementLevel !== undefined) {
        for (const entry of result.values()) entry.enforcementLevel = all.enforcementLevel;
    }
    const problems: string[] = [];
    for (const [name, given] of entries) {
        const entry = result.get(name);
        if (entry === undefined) {
            if (name !== ALL) problems.push(`${name} ${unknownKeyRule(name, [...result.keys(), ALL], "a policy of this pack")}`);
            continue;
        }
        if (given.enforcementLevel !== undefined) entry.enforcementLevel = given.enforcementLevel;
        Object.assign(entry.properties, structuredClone(given.properties));
    }
    for (const policy of policies) {
        if (policy.configSchema === undefined) continue;
        for (const problem of configValidator(policy)(result.get(policy.name)?.properties)) {
            const given = problem.value === undefined ? "" : `, got ${JSON.stringify(problem.value)}`;
            problems.push(`${policy.name}: ${problem.path || "the configuration"} ${problem.rule}${given}`);
        }
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return result;
}

/** Runs the policies over the resources and returns the violations, as `pulumi preview` would report them. */
export async function runPolicies(
    policies: Policies,
    resources: readonly PolicyEngineResource[],
    config: PolicyPackConfig = {},
    options: PolicyEngineOptions = {},
): Promise<PolicyViolation[]> {
    return (await analyzePolicies(policies, resources, config, options)).violations;
}

/** Like runPolicies, and also returns which policies declared themselves not applicable. */
export async function analyzePolicies(
    policies: Policies,
    resources: readonly PolicyEngineResource[],
    config: PolicyPackConfig = {},
    options: PolicyEngineOptions = {},
): Promise<PolicyAnalysis> {
    const pack = options.pack ?? PACK;
    const packLevel = options.packEnforcementLevel ?? "advisory";
    const configs = reconcilePolicyConfig(policies, config, packLevel);
    const stackTags = freezeMap(new Map(Object.entries(options.stackTags ?? {})));
    const violations: PolicyViolation[] = [];
    const notApplicable: PolicyNotApplicable[] = [];
    const context: RunContext = { pack, packLevel, configs, violations, notApplicable };

    for (const resource of resources) {
        await analyzeResource(policies, resource, stackTags, context);
    }
    await analyzeStack(policies, resources, stackTags, context);
    return { violations, notApplicable };
}

// ---------------------------------------------------------------------------------------------
// Analysis, following @pulumi/policy 1.21 server.js.

interface RunContext {
    readonly pack: PackInfo;
    readonly packLevel: EnforcementLevel;
    readonly configs: Map<string, ReconciledPolicyConfig>;
    readonly violations: PolicyViolation[];
    readonly notApplicable: PolicyNotApplicable[];
}

interface ProxyModule {
    unknownCheckingProxy<T extends object>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
}

interface DeserializeModule {
    deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean): Record<string, unknown>;
}

// Untyped at run time: @pulumi/policy declares these modules `export {}`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as ProxyModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deserialize = require("@pulumi/policy/deserialize") as DeserializeModule;

/** server.js's private NotApplicableError: `notApplicable` throws it, the analyzer catches it. */
class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

/** The level a policy runs at: its reconciled configuration, else its own, else the pack's. */
function effectiveLevel(policy: Policy, context: RunContext): EnforcementLevel {
    return context.configs.get(policy.name)?.enforcementLevel || policy.enforcementLevel || context.packLevel;
}

function getConfigFun(policy: Policy, context: RunContext): <T extends object>() => T {
    return <T extends object>() => structuredClone(context.configs.get(policy.name)?.properties ?? {}) as T;
}

function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
    const { validateResource, remediateResource } = policy as ResourceValidationPolicy;
    if (typeof validateResource === "function") return true;
    if (Array.isArray(validateResource)) return validateResource.every((validation) => typeof validation === "function");
    return typeof remediateResource === "function";
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

function pulumiTypeOf(value: unknown): string | undefined {
    const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof type === "string" && type.length > 0 ? type : undefined;
}

/** server.js `isTypeOf`: the class's `__pulumiType`, else its `isInstance`. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const pulumiType = pulumiTypeOf(resourceClass);
    if (pulumiType !== undefined) return type === pulumiType;
    const isInstance = (resourceClass as { isInstance?: unknown } | undefined)?.isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** The resource's properties as the analyzer receives them, wrapped like the engine wraps them. */
function policyProps(raw: Record<string, unknown> | undefined): Record<string, unknown> {
    const wire = toWire(raw ?? {}) as Record<string, unknown>;
    return proxy.unknownCheckingProxy(deserialize.deserializeProperties({ toJavaScript: () => wire }, false));
}

/**
 * What survives the trip through the engine: protobuf Structs hold no undefined, and the engine
 * marshals inputs with SkipInternalKeys, dropping `__`-prefixed keys.
 */
function toWire(value: unknown): unknown {
    if (value === undefined) return null;
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") {
        if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be sent to a policy pack`);
        return value;
    }
    if (Array.isArray(value)) return value.map(toWire);
    if (isPlainObject(value)) {
        const result: Record<string, unknown> = {};
        for (const [key, entry] of Object.entries(value)) {
            if (entry !== undefined && !key.startsWith("__")) result[key] = toWire(entry);
        }
        return result;
    }
    throw new TypeError(`a ${Object.prototype.toString.call(value)} cannot be sent to a policy pack; pass plain data`);
}

function resourceOptions(resource: PolicyEngineResource): PolicyResourceOptions {
    return {
        protect: resource.protect ?? false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(resource.parent === undefined ? {} : { parent: resource.parent }),
    };
}

/** server.js `makeReportViolationFun`, including its violation-object form. */
function makeReport(policy: Policy, level: EnforcementLevel, context: RunContext, urnOverride?: string) {
    const reported = (level === "remediate" ? "mandatory" : level) as ReportedLevel;
    return (message: unknown, urn?: string): void => {
        if (typeof message === "object" && message !== null) {
            const info = message as { message?: string; description?: string; enforcementLevel?: EnforcementLevel; urn?: string; name?: string };
            const own = info.enforcementLevel || reported;
            context.violations.push({
                policy: info.name || policy.name,
                // The engine reports remediate as mandatory (step_generator.go).
                enforcement: (own === "remediate" ? "mandatory" : own) as ReportedLevel,
                message: info.message || info.description || policy.description,
                urn: urnOverride ?? info.urn,
            });
            return;
        }
        context.violations.push({
            policy: policy.name,
            enforcement: reported,
            message: message ? `${policy.description}\n${message as string}` : policy.description,
            urn: urnOverride ?? urn,
        });
    };
}

/** Unknown values, not-applicable throws, and everything else, as server.js handles them. */
function handleThrow(error: unknown, policy: Policy, context: RunContext, urn?: string): void {
    const policyFrom = `policy '${policy.name}' from policy pack '${context.pack.name}@v${context.pack.version}'`;
    if (error instanceof proxy.UnknownValueError) {
        context.violations.push({
            policy: policy.name,
            enforcement: "advisory",
            message: `can't run ${policyFrom} during preview: ${error.message}`,
            urn,
        });
    } else if (error instanceof NotApplicableError) {
        context.notApplicable.push({ policy: policy.name, reason: error.reason, urn });
    } else {
        const detail = error instanceof Error ? error.message : String(error);
        throw new Error(`Error validating resource with ${policyFrom}: ${detail}`, { cause: error });
    }
}

async function analyzeResource(
    policies: Policies,
    resource: PolicyEngineResource,
    stackTags: ReadonlyMap<string, string>,
    context: RunContext,
): Promise<void> {
    for (const policy of policies) {
        const level = effectiveLevel(policy, context);
        if (level === "disabled" || !isResourcePolicy(policy)) continue;
        if (policy.validateResource === undefined) {
            context.notApplicable.push({ policy: policy.name, reason: "Policy does not implement validateResource", urn: resource.urn });
            continue;
        }
        if (level === "remediate" && policy.remediateResource !== undefined) {
            throw new Error(`policy '${policy.name}' is set to remediate; this runner does not run remediations`);
        }
        if (!Array.isArray(policy.validateResource)) {
            const pulumiType = pulumiTypeOf(policy.validateResource);
            if (pulumiType !== undefined && resource.type !== pulumiType) {
                context.notApplicable.push({ policy: policy.name, reason: `Policy only applies to resources of type '${pulumiType}'`, urn: resource.urn });
                continue;
            }
        }
        const report = makeReport(policy, level, context, resource.urn);
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const validation of validations) {
            try {
                // Fresh props for every validation, as the analyzer deserializes them each time.
                const props = policyProps(resource.inputs ?? resource.props);
                const args: ResourceValidationArgs = {
                    type: resource.type,
                    props,
                    urn: resource.urn,
                    name: resource.name,
                    opts: resourceOptions(resource),
                    stackTags,
                    isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
                    asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
                    getConfig: getConfigFun(policy, context),
                    notApplicable: throwNotApplicable,
                    ...(resource.provider === undefined ? {} : { provider: resource.provider }),
                };
                await Promise.resolve(validation(args, report));
            } catch (error) {
                handleThrow(error, policy, context, resource.urn);
            }
        }
    }
}

async function analyzeStack(
    policies: Policies,
    resources: readonly PolicyEngineResource[],
    stackTags: ReadonlyMap<string, string>,
    context: RunContext,
): Promise<void> {
    for (const policy of policies) {
        const level = effectiveLevel(policy, context);
        if (level === "disabled" || !isStackPolicy(policy)) continue;
        const pulumiType = pulumiTypeOf(policy.validateStack);
        if (pulumiType !== undefined && !resources.some((resource) => resource.type === pulumiType)) {
            context.notApplicable.push({ policy: policy.name, reason: `Policy only applies to resources of type '${pulumiType}'` });
            continue;
        }
        const report = makeReport(policy, level, context);
        try {
            const byUrn = new Map<string, PolicyResource & { dependencies: PolicyResource[] }>();
            for (const resource of resources) {
                const props = policyProps(resource.outputs ?? resource.inputs ?? resource.props);
                const entry = {
                    type: resource.type,
                    props,
                    urn: resource.urn,
                    name: resource.name,
                    opts: resourceOptions(resource),
                    dependencies: [] as PolicyResource[],
                    propertyDependencies: {} as Record<string, PolicyResource[]>,
                    isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
                    asType: (resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined),
                    ...(resource.provider === undefined ? {} : { provider: resource.provider }),
                } as unknown as PolicyResource & { dependencies: PolicyResource[] };
                byUrn.set(resource.urn, entry);
            }
            for (const resource of resources) {
                const entry = byUrn.get(resource.urn)!;
                const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
                if (parent !== undefined) entry.parent = parent;
                entry.dependencies = (resource.dependencies ?? []).flatMap((urn) => byUrn.get(urn) ?? []);
                for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
                    entry.propertyDependencies[key] = urns.flatMap((urn) => byUrn.get(urn) ?? []);
                }
            }
            const args: StackValidationArgs = {
                resources: [...byUrn.values()],
                getConfig: getConfigFun(policy, context),
                stackTags,
                notApplicable: throwNotApplicable,
            };
            await Promise.resolve(policy.validateStack(args, report));
        } catch (error) {
            handleThrow(error, policy, context);
        }
    }
}

function freezeMap(map: Map<string, string>): ReadonlyMap<string, string> {
    return Object.freeze({
        entries: map.entries.bind(map),
        forEach: map.forEach.bind(map),
        get: map.get.bind(map),
        has: map.has.bind(map),
        keys: map.keys.bind(map),
        size: map.size,
        values: map.values.bind(map),
        [Symbol.iterator]: map[Symbol.iterator].bind(map),
    });
}

// ---------------------------------------------------------------------------------------------
// Configuration entries and schema validation.

interface ParsedEntry {
    readonly enforcementLevel?: EnforcementLevel;
    readonly properties: Record<string, unknown>;
}

/** The engine's parsePolicyPackConfig: a level string, or an object with an optional level. */
function parseEntries(config: PolicyPackConfig): Map<string, ParsedEntry> {
    const entries = new Map<string, ParsedEntry>();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(config as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!LEVELS.includes(value as EnforcementLevel)) problems.push(`${name}: "${value}" is not a valid enforcement level`);
            else entries.set(name, { enforcementLevel: value as EnforcementLevel, properties: {} });
            continue;
        }
        if (!isPlainObject(value)) {
            problems.push(`${name}: must be an enforcement level or an object`);
            continue;
        }
        const { enforcementLevel, ...properties } = value as Record<string, unknown>;
        if (enforcementLevel !== undefined && (typeof enforcementLevel !== "string" || !LEVELS.includes(enforcementLevel as EnforcementLevel))) {
            problems.push(`${name}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
            continue;
        }
        entries.set(name, { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties });
    }
    if (problems.length > 0) throw new PolicyConfigError(problems);
    return entries;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
}

/** Each policy's compiled config validator. */
const validators = new WeakMap<Policy, (value: unknown) => SchemaProblem[]>();

/**
 * A policy's config schema as the engine checks it (JSON Schema, with ajv: lib/config/schema.ts), and
 * with its `additionalProperties` (see the module comment), compiled once.
 */
function configValidator(policy: Policy): (value: unknown) => SchemaProblem[] {
    let validate = validators.get(policy);
    if (validate === undefined) {
        const { properties, required, additionalProperties } = policy.configSchema as PolicyConfigSchema & { additionalProperties?: boolean };
        validate = schemaValidator({
            type: "object",
            properties,
            ...(required === undefined ? {} : { required }),
            ...(additionalProperties === undefined ? {} : { additionalProperties }),
            keyKind: "a setting of this policy",
        });
        validators.set(policy, validate);
    }
    return validate;
}
