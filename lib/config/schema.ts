import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { closest, distance } from "fastest-levenshtein";

/**
 * JSON Schema validation with ajv, for the stack's settings (lib/config/settingsSchema.ts) and the
 * policy pack's configuration (cli/plan/policyEngine.ts): one library, one way of saying what is
 * wrong. A problem names the path (`vdx.nodeAddresses[1]`) and the rule in words, taken from the
 * schema's own `rule` annotation where it has one; an unknown key gets a did-you-mean.
 */

/** One way a value breaks its schema. */
export interface SchemaProblem {
    /** Dotted path with indexes: `vdx.nodeAddresses[1]`; empty for the value itself. */
    readonly path: string;
    /** The rule, phrased to follow the path: "must be a whole number from 1 to 1600". */
    readonly rule: string;
    /** The value given, when there is one. */
    readonly value?: unknown;
    /** True for a key the schema does not know: a typo that may explain other problems. */
    readonly unknownKey?: boolean;
}

/**
 * A JSON Schema node, with our annotations: `rule`, the rule in words, for messages; `missing`,
 * what to say when a required property is absent, in place of "is required"; `secret: true`, a
 * value that belongs in the stack file encrypted (`pulumi config set --secret`); `conceal:
 * "credentials"`, repeat the value given without the parts of a URL that carry credentials (user
 * info, query, fragment), which do not belong in a CI log; `keyKind`, what an object's keys are,
 * for the message about an unknown one ("a setting of this policy"; default "a setting" at the
 * top, "a key of <path>" below).
 */
export type Schema = Record<string, unknown> & {
    readonly rule?: string;
    readonly missing?: string;
    readonly secret?: true;
    readonly conceal?: "credentials";
    readonly keyKind?: string;
};

const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
ajv.addKeyword({ keyword: "rule", schemaType: "string" });
ajv.addKeyword({ keyword: "conceal", schemaType: "string" });
ajv.addKeyword({ keyword: "keyKind", schemaType: "string" });
ajv.addKeyword({ keyword: "missing", schemaType: "string" });
ajv.addKeyword({ keyword: "secret", schemaType: "boolean" });

/** Names a string format (`format: "cidr"`) with its test; define formats before compiling schemas that use them. */
export function defineFormat(name: string, test: (value: string) => boolean): void {
    ajv.addFormat(name, test);
}

/**
 * Where the deployment driver downloads Pexip's package: https, and nothing in the URL that could
 * be a credential. `?` and `#` are tested in the text, since the URL parser drops an empty query.
 */
function isPackageUrl(value: string): boolean {
    try {
        const url = new URL(value);
        return url.protocol === "https:" && url.username === "" && url.password === "" && !/[?#]/.test(value);
    } catch {
        return false;
    }
}

defineFormat("package-url", isPackageUrl);

/** The rule of a package's URL, kept in plain text in `storedIn`: the stack's settings and the version catalogue share it. */
export function packageUrlSchema(storedIn: string): Schema {
    return {
        type: "string",
        format: "package-url",
        // A refused URL may be one with a SAS token: the message shows it without.
        conceal: "credentials",
        rule:
            `must be an https:// URL without a query (?), fragment (#) or user:password@: it is stored in plain text in ${storedIn} and goes into the deployment document, ` +
            "so it must not carry a SAS token or credentials; host the package where the deploying identity can read it without a token in the URL",
    };
}

/** Compiles a schema once; the validator returns every problem, in the order ajv finds them. */
export function schemaValidator(schema: Schema): (value: unknown) => SchemaProblem[] {
    const validate: ValidateFunction = ajv.compile(schema);
    return (value) => (validate(value) ? [] : (validate.errors ?? []).flatMap(describe));
}

function describe(error: ErrorObject): SchemaProblem[] {
    const at = pathOf(error.instancePath);
    const parent = (error.parentSchema ?? {}) as Schema;
    // A key that breaks `propertyNames`: the key is at fault, not its object.
    if (error.propertyName !== undefined) {
        return [{ path: join(at, error.propertyName), rule: parent.rule ?? ruleOf(error, parent), value: error.propertyName }];
    }
    switch (error.keyword) {
        case "propertyNames":
            // Reported by the error of the name itself, above.
            return [];
        case "required": {
            const missing = String(error.params.missingProperty);
            const property = (parent.properties as Record<string, Schema> | undefined)?.[missing];
            return [{ path: join(at, missing), rule: property?.missing ?? "is required" }];
        }
        case "additionalProperty":
        case "additionalProperties": {
            const key = String(error.params.additionalProperty);
            const known = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {});
            const kind = parent.keyKind ?? (at === "" ? "a setting" : `a key of ${at}`);
            return [{ path: join(at, key), rule: unknownKeyRule(key, known, kind), unknownKey: true }];
        }
        case "if":
            // The failing `then` branch reports the problem itself.
            return [];
        case "format":
            return [{ path: at, rule: parent.rule ?? `must be ${String((error.params as { format: string }).format)}`, value: shown(error, parent) }];
        default:
            return [{ path: at, rule: parent.rule ?? ruleOf(error, parent), value: shown(error, parent) }];
    }
}

/** The value to repeat in the message, its credentials cut out where the schema says so. */
function shown(error: ErrorObject, parent: Schema): unknown {
    const value = error.data;
    if (parent.conceal !== "credentials" || typeof value !== "string") return value;
    return value.replace(/\/\/[^/@]*@/, "//…@").replace(/([?#]).*$/s, "$1…");
}

/** "is not a setting; did you mean portsPerInstance?" */
export function unknownKeyRule(key: string, known: readonly string[], what: string): string {
    const guess = known.length === 0 ? undefined : closest(key, [...known]);
    const near = guess !== undefined && distance(key.toLowerCase(), guess.toLowerCase()) <= Math.max(2, Math.floor(key.length / 3));
    return `is not ${what}${near ? `; did you mean ${guess}?` : known.length > 0 ? ` (known: ${known.join(", ")})` : ""}`;
}

/** A rule in words from what ajv reports, for schema nodes without a `rule`. */
function ruleOf(error: ErrorObject, parent: Schema): string {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
        case "type":
            return `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)}`;
        case "minimum":
        case "maximum":
        case "exclusiveMinimum":
        case "exclusiveMaximum":
            return rangeRule(parent);
        case "enum":
            return `must be one of ${(params.allowedValues as unknown[]).map((option) => (typeof option === "string" ? option : JSON.stringify(option))).join(", ")}`;
        case "const":
            return `must be ${JSON.stringify(params.allowedValue)}`;
        case "pattern":
            return `must match ${String(params.pattern)}`;
        case "minLength":
            return `must be at least ${params.limit} characters`;
        case "maxLength":
            return `must be at most ${params.limit} characters`;
        case "minItems":
            return `must list at least ${params.limit} item(s)`;
        case "maxItems":
            return `must list at most ${params.limit} item(s)`;
        case "uniqueItems":
            return "must not repeat items";
        default:
            return String(error.message);
    }
}

const TYPE_NAMES: Record<string, string> = {
    integer: "a whole number",
    number: "a number",
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "an object (set it in the stack file or with --path)",
};

/** "must be a whole number from 1 to 1600", from the node's bounds. */
function rangeRule(schema: Schema): string {
    const kind = schema.type === "integer" ? "a whole number" : "a number";
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    if (minimum !== undefined && maximum !== undefined) return `must be ${kind} from ${minimum} to ${maximum}`;
    if (minimum !== undefined) return `must be ${kind} ≥ ${minimum}`;
    if (maximum !== undefined) return `must be ${kind} ≤ ${maximum}`;
    return `must be ${kind} in range`;
}

/** `/vdx/nodeAddresses/1` → `vdx.nodeAddresses[1]`. */
function pathOf(pointer: string): string {
    return pointer
        .split("/")
        .slice(1)
        .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : join(path, segment)), "");
}

function join(path: string, key: string): string {
    return path === "" ? key : `${path}.${key}`;
}
