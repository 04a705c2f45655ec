import { ALL_PARAMETER_SETS, AttributeUse, Constant, declaredParameter, DeclaredParameter, ParamBlock } from "./powershellParameters";

/**
 * What PowerShell enforces when it binds arguments to a script's param block, evaluated on the
 * param block as read (lib/pexip/powershellParameters.ts), without running anything: the parameter
 * set it selects, the parameters mandatory in it, the `Validate*` attributes and the empty values
 * a mandatory parameter refuses. What cannot be judged from the text (a `ValidateScript`, a
 * default PowerShell computes, a .NET regular expression JavaScript does not run alike, a
 * secret's value) is named, never passed silently: the driver's `check` binds in real PowerShell.
 */

/** A value the plan knows only by its type: a secret's is never read. */
export interface SecretArgument {
    readonly secret: "credential" | "securestring" | "string";
}

/** A value only the deploying machine knows, such as the PFX's path there. */
export interface OpaqueArgument {
    readonly opaque: string;
}

export type BindingValue = string | number | boolean | null | readonly BindingValue[] | SecretArgument | OpaqueArgument;

/** A rule the plan could not judge, for one parameter. */
export interface Unevaluated {
    readonly parameter: string;
    /** The attribute as written, or `default`. */
    readonly rule: string;
    readonly why: string;
}

export type BindingVerdict =
    | { readonly binds: true; readonly parameterSet: string; readonly unevaluated: readonly Unevaluated[] }
    | {
          readonly binds: false;
          /** The script's parameter, as declared. */
          readonly parameter: string;
          /** The name the argument was given under (a name or an alias), when it was given. */
          readonly givenAs?: string;
          /** The rule: an attribute as written, `Mandatory`, `parameter set` or `declared`. */
          readonly rule: string;
          /** Why, phrased to follow "refuses it: "; never a secret's value. */
          readonly reason: string;
      };

class Refusal {
    constructor(
        readonly parameter: string,
        readonly rule: string,
        readonly reason: string,
        readonly givenAs?: string,
    ) {}
}

/** How PowerShell would bind `args` (by parameter name or alias) to `block`. */
export function bindArguments(block: ParamBlock, args: Readonly<Record<string, BindingValue>>): BindingVerdict {
    try {
        const given = new Map<DeclaredParameter, { name: string; value: BindingValue }>();
        for (const [name, value] of Object.entries(args)) {
            const parameter = declaredParameter(block.parameters, name);
            if (parameter === undefined) throw new Refusal(name, "declared", "the script declares no such parameter", name);
            given.set(parameter, { name, value });
        }
        const parameterSet = selectSet(block, [...given.keys()]);
        const unevaluated: Unevaluated[] = [];
        for (const parameter of block.parameters) {
            const argument = given.get(parameter);
            if (argument === undefined) {
                if (mandatoryIn(parameter, parameterSet)) throw new Refusal(parameter.name, "Mandatory", `mandatory${describeSet(parameterSet)}, and not given`);
                if (parameter.default !== undefined && !parameter.default.literal) {
                    unevaluated.push({ parameter: parameter.name, rule: "default", why: `its default ${parameter.default.text} is computed by PowerShell` });
                }
                continue;
            }
            try {
                if (mandatoryIn(parameter, parameterSet)) checkMandatoryValue(parameter, argument.value);
                for (const validation of parameter.validations) {
                    const why = validate(validation, parameter, argument.value);
                    if (why !== undefined) unevaluated.push({ parameter: parameter.name, rule: validation.text, why });
                }
            } catch (error) {
                if (error instanceof Refusal) throw new Refusal(error.parameter, error.rule, error.reason, argument.name);
                throw error;
            }
        }
        return { binds: true, parameterSet, unevaluated };
    } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        return { binds: false, parameter: error.parameter, rule: error.rule, reason: error.reason, ...(error.givenAs === undefined ? {} : { givenAs: error.givenAs }) };
    }
}

const describeSet = (set: string) => (set === ALL_PARAMETER_SETS ? "" : ` in the parameter set ${set}`);

/** The sets a parameter belongs to; `__AllParameterSets` stands for every one. */
function setsOf(parameter: DeclaredParameter): string[] {
    return parameter.parameterSets.map((set) => set.name);
}

function inSet(parameter: DeclaredParameter, set: string): boolean {
    return setsOf(parameter).some((name) => name === set || name === ALL_PARAMETER_SETS);
}

/** Mandatory in `set`: by the `[Parameter()]` naming that set, else by one naming none. */
function mandatoryIn(parameter: DeclaredParameter, set: string): boolean {
    const own = parameter.parameterSets.filter((membership) => membership.name === set);
    const applying = own.length > 0 ? own : parameter.parameterSets.filter((membership) => membership.name === ALL_PARAMETER_SETS);
    return applying.some((membership) => membership.mandatory);
}

/**
 * The parameter set PowerShell binds in: the one set holding every given parameter; among
 * several, the default set (`DefaultParameterSetName`), else the only one whose mandatory
 * parameters are all given. PowerShell refuses the call when none or no single one remains.
 */
function selectSet(block: ParamBlock, given: readonly DeclaredParameter[]): string {
    const named = [...new Set(block.parameters.flatMap(setsOf))].filter((set) => set !== ALL_PARAMETER_SETS);
    if (named.length === 0) return ALL_PARAMETER_SETS;
    const candidates = named.filter((set) => given.every((parameter) => inSet(parameter, set)));
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) {
        for (const [index, first] of given.entries()) {
            const other = given.slice(index + 1).find((second) => !named.some((set) => inSet(first, set) && inSet(second, set)));
            if (other !== undefined) {
                return refuse(other.name, "parameter set", `-${first.name} and -${other.name} are in no parameter set together (-${first.name}: ${setsOf(first).join(", ")}; -${other.name}: ${setsOf(other).join(", ")})`);
            }
        }
        return refuse(given[0]?.name ?? "", "parameter set", `no parameter set of the script holds all of ${given.map((parameter) => `-${parameter.name}`).join(", ")}`);
    }
    if (block.defaultParameterSet !== undefined && candidates.includes(block.defaultParameterSet)) return block.defaultParameterSet;
    const complete = candidates.filter((set) => block.parameters.every((parameter) => !inSet(parameter, set) || !mandatoryIn(parameter, set) || given.includes(parameter)));
    if (complete.length === 1) return complete[0];
    return refuse(given[0]?.name ?? block.parameters[0]?.name ?? "", "parameter set", `PowerShell cannot tell which of the parameter sets ${candidates.join(", ")} is meant`);
}

function refuse(parameter: string, rule: string, reason: string): never {
    throw new Refusal(parameter, rule, reason);
}

const isSecret = (value: BindingValue): value is SecretArgument => typeof value === "object" && value !== null && "secret" in value;
const isOpaque = (value: BindingValue): value is OpaqueArgument => typeof value === "object" && value !== null && "opaque" in value;


/** A mandatory parameter refuses null, an empty string and an empty collection unless it allows them. */
function checkMandatoryValue(parameter: DeclaredParameter, value: BindingValue) {
    const allows = (what: DeclaredParameter["allows"][number]) => parameter.allows.includes(what);
    if (value === null && !allows("Null")) refuse(parameter.name, "Mandatory", "a mandatory parameter refuses null without [AllowNull()]");
    if (Array.isArray(value)) {
        if (value.length === 0 && !allows("EmptyCollection")) refuse(parameter.name, "Mandatory", "a mandatory parameter refuses an empty collection without [AllowEmptyCollection()]");
        if (value.some((element) => element === null) && !allows("Null")) refuse(parameter.name, "Mandatory", "a mandatory parameter refuses a null element without [AllowNull()]");
        if (parameter.kind === "array" && /^string\[\]$/i.test(parameter.type) && value.some((element) => element === "") && !allows("EmptyString")) {
            refuse(parameter.name, "Mandatory", "a mandatory parameter refuses an empty string element without [AllowEmptyString()]");
        }
    } else if (value === "" && parameter.kind !== "array" && !allows("EmptyString")) {
        refuse(parameter.name, "Mandatory", "a mandatory parameter refuses an empty string without [AllowEmptyString()]");
    }
}

/** Applies one `Validate*` attribute; refuses, or returns why it could not be judged (undefined when it passes). */
function validate(attribute: AttributeUse, parameter: DeclaredParameter, value: BindingValue): string | undefined {
    const refuseWith = (reason: string): never => refuse(parameter.name, attribute.text, reason);
    if (attribute.name === "ValidateScript") return "a script block decides, which only PowerShell runs";
    if (attribute.positional.includes(undefined) || Object.values(attribute.named).includes(undefined)) return "its arguments are computed by PowerShell";
    const args = attribute.positional as readonly Constant[];
    const elements: readonly BindingValue[] = Array.isArray(value) ? value : [value];
    if (isSecret(value)) {
        // A credential or password the driver passes is never null; its content is not the plan's to read.
        if (attribute.name === "ValidateNotNull" || (attribute.name === "ValidateNotNullOrEmpty" && value.secret === "credential")) return undefined;
        return "it applies to a secret, whose value the plan never reads";
    }
    if (elements.some(isOpaque)) return `it applies to ${elements.filter(isOpaque).map((element) => element.opaque)[0]}, known only on the deploying machine`;
    const plain = elements as readonly (string | number | boolean | null)[];
    switch (attribute.name) {
        case "ValidateNotNull":
            if (value === null || plain.includes(null)) refuseWith("the value is null");
            return undefined;
        case "ValidateNotNullOrEmpty":
        case "ValidateNotNullOrWhiteSpace": {
            const blank = attribute.name === "ValidateNotNullOrEmpty" ? (text: string) => text === "" : (text: string) => text.trim() === "";
            if (value === null || plain.includes(null)) refuseWith("the value is null");
            if (Array.isArray(value) && value.length === 0) refuseWith("the collection is empty");
            if (plain.some((element) => typeof element === "string" && blank(element))) refuseWith(attribute.name === "ValidateNotNullOrEmpty" ? "the value is empty" : "the value is empty or white space");
            return undefined;
        }
        case "ValidateCount": {
            const [min, max] = args;
            if (typeof min !== "number" || typeof max !== "number") return "its bounds are not numbers";
            const count = Array.isArray(value) ? value.length : 1;
            if (!Array.isArray(value) && parameter.kind !== "array") return "it applies to a value that is not a collection";
            if (count < min || count > max) refuseWith(`${count} ${count === 1 ? "value is" : "values are"} given, it takes ${min} to ${max}`);
            return undefined;
        }
        case "ValidateLength": {
            const [min, max] = args;
            if (typeof min !== "number" || typeof max !== "number") return "its bounds are not numbers";
            for (const element of plain) {
                const length = String(element).length;
                if (length < min || length > max) refuseWith(`${JSON.stringify(element)} has ${length} characters, it takes ${min} to ${max}`);
            }
            return undefined;
        }
        case "ValidateRange":
            return validateRange(args, plain, refuseWith);
        case "ValidateSet": {
            const allowed = args.flat() as Constant[];
            // PowerShell compares case-insensitively unless IgnoreCase is given false.
            const flag = attribute.named.ignorecase;
            const ignoreCase = !("ignorecase" in attribute.named) || !(flag === false || flag === 0 || flag === null || flag === "");
            const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
            const names = allowed.map((option) => fold(String(option)));
            for (const element of plain) {
                if (!names.includes(fold(String(element)))) refuseWith(`${JSON.stringify(element)} is not one of ${allowed.map(String).join(", ")}${ignoreCase ? "" : " (case-sensitive)"}`);
            }
            return undefined;
        }
        case "ValidatePattern": {
            const pattern = args[0];
            if (typeof pattern !== "string") return "its pattern is not a string";
            const regex = dotnetRegex(pattern, attribute.named.options, plain);
            if (typeof regex === "string") return regex;
            for (const element of plain) if (!regex.test(String(element))) refuseWith(`${JSON.stringify(element)} does not match ${pattern}`);
            return undefined;
        }
        default:
            return `${attribute.name} is not evaluated offline`;
    }
}

const RANGE_KINDS: Record<string, (value: number) => boolean> = {
    positive: (value) => value > 0,
    nonnegative: (value) => value >= 0,
    negative: (value) => value < 0,
    nonpositive: (value) => value <= 0,
};

function validateRange(args: readonly Constant[], values: readonly (string | number | boolean | null)[], refuseWith: (reason: string) => never): string | undefined {
    const numbers = values.map((value) => (typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : undefined));
    if (numbers.includes(undefined)) return "it applies to a value that is not a number";
    const [first, second] = args;
    if (args.length === 1 && typeof first === "string" && RANGE_KINDS[first.toLowerCase()] !== undefined) {
        for (const value of numbers as number[]) if (!RANGE_KINDS[first.toLowerCase()](value)) refuseWith(`${value} is not ${first}`);
        return undefined;
    }
    if (typeof first !== "number" || typeof second !== "number") return "its bounds are not numbers";
    for (const value of numbers as number[]) if (value < first || value > second) refuseWith(`${value} is not from ${first} to ${second}`);
    return undefined;
}

/** .NET RegexOptions that JavaScript has a flag for; CultureInvariant and Compiled change no match here. */
const REGEX_FLAGS: Record<string, string> = { ignorecase: "i", multiline: "m", singleline: "s", cultureinvariant: "", compiled: "", none: "" };

/**
 * A .NET pattern as a JavaScript RegExp, or why it cannot be one: constructs JavaScript lacks or
 * reads otherwise (`\A`, `\Z`, inline options, atomic and conditional groups, class subtraction,
 * Unicode classes), and `\d`, `\w`, `\s`, `\b` on non-ASCII text, which .NET reads by Unicode.
 */
function dotnetRegex(pattern: string, options: Constant | undefined, values: readonly (string | number | boolean | null)[]): RegExp | string {
    let flags = "i";
    if (options !== undefined) {
        const names = (Array.isArray(options) ? (options as Constant[]) : String(options).split(",")).map((name) => String(name).trim().toLowerCase());
        const unknown = names.find((name) => REGEX_FLAGS[name] === undefined);
        if (unknown !== undefined) return `its option ${unknown} has no JavaScript equivalent`;
        flags = [...new Set(names.map((name) => REGEX_FLAGS[name]))].join("");
    }
    const unsupported = /\\[AZzGpPkK]|\(\?[imnsx-]+[:)]|\(\?>|\(\?\(|\(\?#|\(\?<\w*-|\(\?'|-\[/.exec(pattern);
    if (unsupported !== null) return `its pattern uses ${unsupported[0]}, which JavaScript does not run as .NET does`;
    if (/\\[dDwWsSbB]/.test(pattern) && values.some((value) => /[^\x00-\x7f]/.test(String(value)))) return "its pattern's \\d, \\w, \\s or \\b reads non-ASCII text by .NET's Unicode rules";
    if (/\$/.test(pattern) && values.some((value) => /\n$/.test(String(value)))) return "its $ matches before a final line break in .NET";
    try {
        return new RegExp(pattern, flags);
    } catch {
        return "its pattern is not one JavaScript can compile";
    }
}
