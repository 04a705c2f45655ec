import { setFlagsFromString } from "v8";
import { Language, Node, Parser, Tree } from "web-tree-sitter";

/**
 * Reads the `param(...)` block of a PowerShell script: each parameter's name and aliases, its
 * parameter sets, the attributes PowerShell enforces when it binds arguments (`Validate*`,
 * `Allow*`), and its default. This is how the stack checks its parameters against the
 * deployment script of the Pexip package the user actually has, instead of guessing Pexip's
 * parameter list (which is not public and changes between versions).
 *
 * The script is parsed with tree-sitter's PowerShell grammar (tree-sitter-powershell's
 * WebAssembly build, loaded by web-tree-sitter: no native code, nothing to compile), so strings,
 * here-strings, sub-expressions, comments and line continuations are read as PowerShell's own
 * tokenizer reads them.
 */

/** How a parameter's declared type takes a value. */
export type ParameterKind = "switch" | "bool" | "integer" | "string" | "array" | "credential" | "securestring" | "other";

/** A value PowerShell reads from the script's text alone: no variable but $true/$false/$null, no call. */
export type Constant = string | number | boolean | null | readonly Constant[];

/** An attribute as written on a parameter: `[ValidateRange(1, 10)]`, `[ValidateSet('a', IgnoreCase = $false)]`. */
export interface AttributeUse {
    /** Its name without `System.Management.Automation.` and `Attribute`, spelt as PowerShell documents it when known. */
    readonly name: string;
    /** The attribute as written, for messages. */
    readonly text: string;
    /** Positional arguments; undefined for one that is not a constant (a script block, a cast, a call). */
    readonly positional: readonly (Constant | undefined)[];
    /** Named arguments by lower-case name (`ignorecase`, `options`); a bare name (`Mandatory`) is true. */
    readonly named: Readonly<Record<string, Constant | undefined>>;
}

/** One `[Parameter()]` of a parameter: the set it puts the parameter in, and whether it is mandatory there. */
export interface ParameterSetMembership {
    /** `__AllParameterSets` when the attribute names no set (PowerShell's own name for it). */
    readonly name: string;
    readonly mandatory: boolean;
}

export interface DeclaredParameter {
    /** As written in the script; PowerShell matches parameter names case-insensitively. */
    readonly name: string;
    /** Mandatory in every parameter set that declares it. */
    readonly mandatory: boolean;
    readonly kind: ParameterKind;
    /** The type as written, like `string[]`; empty when untyped. */
    readonly type: string;
    /** Other names from `[Alias(...)]`, when the script gives some; `-Alias` binds the parameter too. */
    readonly aliases?: readonly string[];
    /** Its `[Parameter()]` attributes in order; one in `__AllParameterSets` when it has none. */
    readonly parameterSets: readonly ParameterSetMembership[];
    /** Its `Validate*` attributes, in order. */
    readonly validations: readonly AttributeUse[];
    /** What its `AllowNull`, `AllowEmptyString` and `AllowEmptyCollection` attributes allow. */
    readonly allows: readonly ("Null" | "EmptyString" | "EmptyCollection")[];
    /** Its default value, when the script gives one: a constant, or an expression PowerShell computes. */
    readonly default?: { readonly text: string } & ({ readonly literal: true; readonly value: Constant } | { readonly literal: false });
}

/** A script's param block: its parameters and `[CmdletBinding(DefaultParameterSetName = ...)]`. */
export interface ParamBlock {
    readonly parameters: readonly DeclaredParameter[];
    readonly defaultParameterSet?: string;
}

/** PowerShell's name for the set of a parameter whose `[Parameter()]` names none. */
export const ALL_PARAMETER_SETS = "__AllParameterSets";

/** The script has no script-level param block that could be read. */
export class ParamBlockError extends Error {}

/** Where the grammar could not read the text: an unexpected token, or one it had to assume missing. */
export interface SyntaxProblem {
    /** 1-based, as editors and PowerShell's own messages count. */
    readonly line: number;
    readonly column: number;
    /** Offset in the text (UTF-16 code units, as JavaScript indexes strings). */
    readonly index: number;
    readonly description: string;
}

/** A parsed script. The tree lives in WebAssembly memory: call `tree.delete()` when done with it. */
export interface PowerShellSyntax {
    readonly tree: Tree;
    /** The script as given; node offsets index it, and string values are read from it. */
    readonly source: string;
    readonly errors: readonly SyntaxProblem[];
}

let parserLoading: Promise<Parser> | undefined;

/**
 * The grammar is loaded once per process, at first use. V8 optimises its huge generated lexer in
 * background threads that the process waits for before it can exit. Node 20 honours the
 * baseline-compiler-only flag set here (measured: 0.16 s instead of 9 s of CPU for a process that
 * parses one script). Node 24.22 ignores V8 flags set at run time: there the same process takes
 * ~1.6 s and peaks near 2.1 GB of memory at exit, unless node itself starts with `--liftoff-only`
 * (0.05 s, 60 MB; measured 2026-12-08). The flag is process-wide; nothing else here runs WebAssembly.
 */
function powerShellParser(): Promise<Parser> {
    parserLoading ??= (async () => {
        setFlagsFromString("--liftoff-only");
        await Parser.init();
        const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
        const parser = new Parser();
        parser.setLanguage(language);
        return parser;
    })();
    return parserLoading;
}

/**
 * Parses a PowerShell script. Two things PowerShell's tokenizer accepts and the grammar does
 * not are evened out first, keeping every offset: typographic quotes and dashes (PowerShell reads
 * ‘ ’ ‚ ‛ as ', “ ” „ as " and – — ― as -), and the `using` statements a script may begin with
 * (read as blanks; the grammar would take them for a command and lose the param block after them).
 */
export async function parsePowerShell(source: string): Promise<PowerShellSyntax> {
    const parser = await powerShellParser();
    let text = source.replace(/[\u2018-\u201B]/g, "'").replace(/[\u201C-\u201E]/g, '"').replace(/[\u2013-\u2015]/g, "-");
    let tree = parse(parser, text);
    for (let using = leadingUsing(tree); using !== undefined; using = leadingUsing(tree)) {
        text = text.slice(0, using.startIndex) + text.slice(using.startIndex, using.endIndex).replace(/[^\r\n]/g, " ") + text.slice(using.endIndex);
        tree.delete();
        tree = parse(parser, text);
    }
    return { tree, source, errors: syntaxProblems(tree.rootNode) };
}

function parse(parser: Parser, text: string): Tree {
    const tree = parser.parse(text);
    if (tree === null) throw new Error("the PowerShell grammar returned no tree");
    return tree;
}

/** The script's first statement when it is `using namespace|module|assembly ...`. */
function leadingUsing(tree: Tree): Node | undefined {
    const statements = tree.rootNode.namedChildren.find((node) => node?.type !== "comment");
    const first = statements?.type === "statement_list" ? statements.namedChildren[0] : undefined;
    const command = first?.namedChildren[0]?.namedChildren[0];
    const name = command?.type === "command" ? command.childForFieldName("command_name")?.text : undefined;
    return name !== undefined && /^using$/i.test(name) ? (first ?? undefined) : undefined;
}

function syntaxProblems(root: Node): SyntaxProblem[] {
    const problems: SyntaxProblem[] = [];
    const visit = (node: Node) => {
        if (node.isError || node.isMissing) {
            const { row, column } = node.startPosition;
            const description = node.isMissing ? `a missing ${node.type}` : node.text === "" ? "unexpected end of the text" : `unexpected ${JSON.stringify(node.text.slice(0, 30))}`;
            problems.push({ line: row + 1, column: column + 1, index: node.startIndex, description });
            return;
        }
        // Only branches holding an error are walked.
        for (const child of node.children) if (child !== null && (child.hasError || child.isMissing)) visit(child);
    };
    visit(root);
    return problems;
}

/** The parameters of a script's param block; throws ParamBlockError when there is none, or it cannot be read. */
export async function readParameters(script: string): Promise<DeclaredParameter[]> {
    return [...(await readParamBlock(script)).parameters];
}

/** The script's param block; throws ParamBlockError when there is none, or it cannot be read. */
export async function readParamBlock(script: string): Promise<ParamBlock> {
    const syntax = await parsePowerShell(script);
    try {
        const block = syntax.tree.rootNode.namedChildren.find((node) => node?.type === "param_block") ?? undefined;
        // PowerShell refuses the whole script on a syntax error. One after the param block is left
        // to PowerShell itself (the driver's check parses the script): the grammar is not PowerShell's.
        const problem = syntax.errors.find((error) => block === undefined || error.index < block.endIndex);
        const unparsable = problem === undefined ? "" : `it cannot be parsed at line ${problem.line}, column ${problem.column}: ${problem.description}`;
        if (block === undefined) throw new ParamBlockError(`the script does not begin with a param(...) block${problem === undefined ? "" : ` (${unparsable})`}`);
        if (problem !== undefined) throw new ParamBlockError(unparsable);
        return readBlock(block, syntax.source);
    } finally {
        syntax.tree.delete();
    }
}

/** The parameter `-name` binds to, by its name or one of its aliases, case-insensitively as PowerShell does. */
export function declaredParameter(declared: readonly DeclaredParameter[], name: string): DeclaredParameter | undefined {
    const wanted = name.toLowerCase();
    return declared.find((parameter) => [parameter.name, ...(parameter.aliases ?? [])].some((candidate) => candidate.toLowerCase() === wanted));
}

function readBlock(block: Node, source: string): ParamBlock {
    const blockAttributes = childrenOfType(childOfType(block, "attribute_list"), "attribute").map((node) => readAttribute(node, source));
    const binding = blockAttributes.find((attribute) => attribute.name === "CmdletBinding");
    const defaultSet = binding?.named.defaultparametersetname;
    const parameters = childrenOfType(childOfType(block, "parameter_list"), "script_parameter").map((node) => readParameter(node, source));

    const owners = new Map<string, string>();
    for (const parameter of parameters) {
        for (const name of [parameter.name, ...(parameter.aliases ?? [])]) {
            const owner = owners.get(name.toLowerCase());
            if (owner === undefined) {
                owners.set(name.toLowerCase(), parameter.name);
                continue;
            }
            // A parse error in PowerShell ("Duplicate parameter"); an alias clash fails every call of the script.
            throw new ParamBlockError(
                name === parameter.name && owner.toLowerCase() === name.toLowerCase()
                    ? `it declares the parameter $${name} twice ($${owner} and $${name}: PowerShell's names are case-insensitive)`
                    : `it gives the name ${name} to both $${owner} and $${parameter.name} (as a name or an alias)`,
            );
        }
    }
    return { parameters, ...(typeof defaultSet === "string" ? { defaultParameterSet: defaultSet } : {}) };
}

/** Attribute names PowerShell reads as attributes even without parentheses, like `[AllowNull]`. */
const KNOWN_ATTRIBUTES = [
    "Parameter",
    "Alias",
    "CmdletBinding",
    "AllowNull",
    "AllowEmptyString",
    "AllowEmptyCollection",
    "SupportsWildcards",
    "ValidateNotNull",
    "ValidateNotNullOrEmpty",
    "ValidateNotNullOrWhiteSpace",
    "ValidateRange",
    "ValidateSet",
    "ValidatePattern",
    "ValidateCount",
    "ValidateLength",
    "ValidateScript",
    "ValidateDrive",
    "ValidateUserDrive",
    "ValidateTrustedData",
];

/** `System.Management.Automation.ValidateSetAttribute` → `ValidateSet`; an unknown name as written. */
function attributeName(written: string): string {
    const bare = written.replace(/\s+/g, "").replace(/^System\.Management\.Automation\./i, "").replace(/Attribute$/i, "");
    return KNOWN_ATTRIBUTES.find((known) => known.toLowerCase() === bare.toLowerCase()) ?? bare;
}

function readParameter(node: Node, source: string): DeclaredParameter {
    const types: string[] = [];
    const attributes: AttributeUse[] = [];
    for (const attribute of childrenOfType(childOfType(node, "attribute_list"), "attribute")) {
        const typeLiteral = childOfType(attribute, "type_literal");
        const written = typeLiteral === undefined ? undefined : textOf(childOfType(typeLiteral, "type_spec") ?? typeLiteral, source).replace(/\s+/g, "");
        // [AllowNull] without parentheses is an attribute; [string] is a type constraint.
        if (written !== undefined && !KNOWN_ATTRIBUTES.includes(attributeName(written))) types.push(written);
        else attributes.push(readAttribute(attribute, source));
    }
    const variable = childOfType(node, "variable");
    if (variable === undefined) throw new ParamBlockError(`cannot read the parameter "${textOf(node, source).slice(0, 40)}"`);
    const name = variableName(textOf(variable, source));
    const type = types[types.length - 1] ?? "";
    const sets = attributes
        .filter((attribute) => attribute.name === "Parameter")
        .map((attribute) => ({ name: setName(attribute), mandatory: isMandatory(attribute, name) }));
    const aliases = attributes.filter((attribute) => attribute.name === "Alias").flatMap((attribute) => aliasNames(attribute, name));
    const defaultNode = childOfType(node, "script_parameter_default")?.namedChildren[0] ?? undefined;
    return {
        name,
        mandatory: sets.length > 0 && sets.every((set) => set.mandatory),
        kind: kindOf(type),
        type,
        ...(aliases.length > 0 ? { aliases } : {}),
        parameterSets: sets.length > 0 ? sets : [{ name: ALL_PARAMETER_SETS, mandatory: false }],
        validations: attributes.filter((attribute) => attribute.name.startsWith("Validate")),
        allows: (["Null", "EmptyString", "EmptyCollection"] as const).filter((what) => attributes.some((attribute) => attribute.name === `Allow${what}`)),
        ...(defaultNode === undefined ? {} : { default: defaultOf(defaultNode, source) }),
    };
}

function defaultOf(node: Node, source: string): NonNullable<DeclaredParameter["default"]> {
    const text = textOf(node, source);
    const value = constantOf(node, source);
    return value === undefined ? { text, literal: false } : { text, literal: true, value };
}

/** `$Name`, `${my var}`, `$script:Name` → the parameter's name. */
function variableName(written: string): string {
    const braced = /^\$\{([\s\S]*)\}$/.exec(written);
    const name = braced !== null ? braced[1].replace(/`(.)/g, "$1") : written.slice(1);
    return name.replace(/^(?:global|local|private|script|using|variable):/i, "");
}

function readAttribute(node: Node, source: string): AttributeUse {
    const nameNode = childOfType(node, "attribute_name") ?? childOfType(node, "type_literal");
    const positional: (Constant | undefined)[] = [];
    const named: Record<string, Constant | undefined> = {};
    for (const argument of childrenOfType(childOfType(node, "attribute_arguments"), "attribute_argument")) {
        const [first, value] = argument.namedChildren;
        if (first?.type === "simple_name") named[first.text.toLowerCase()] = value === undefined || value === null ? true : constantOf(value, source);
        else if (first !== null && first !== undefined) positional.push(constantOf(first, source));
    }
    const written = nameNode === undefined ? "" : textOf(childOfType(nameNode, "type_spec") ?? nameNode, source);
    return { name: attributeName(written), text: textOf(node, source), positional, named };
}

function setName(parameter: AttributeUse): string {
    const name = parameter.named.parametersetname;
    return typeof name === "string" && name !== "" ? name : ALL_PARAMETER_SETS;
}

/** `Mandatory`, `Mandatory = $true`, `Mandatory = 2`: any value PowerShell takes as true. */
function isMandatory(parameter: AttributeUse, name: string): boolean {
    if (!("mandatory" in parameter.named)) return false;
    const value = parameter.named.mandatory;
    if (value === undefined) throw new ParamBlockError(`cannot read ${parameter.text} of $${name}: Mandatory is not a constant`);
    return isTrue(value);
}

/** PowerShell's conversion of a constant to a boolean. */
function isTrue(value: Constant): boolean {
    if (Array.isArray(value)) return value.length > 1 || (value.length === 1 && isTrue(value[0] as Constant));
    return value !== null && value !== false && value !== 0 && value !== "";
}

/** The names an `[Alias(...)]` gives; a name PowerShell would compute cannot be read. */
function aliasNames(alias: AttributeUse, name: string): string[] {
    return alias.positional.flatMap((value) => {
        const names = Array.isArray(value) ? value : [value];
        if (!names.every((each): each is string => typeof each === "string")) throw new ParamBlockError(`cannot read ${alias.text} of $${name}: not a quoted name`);
        return names;
    });
}

/** Expression nodes that only wrap their one operand. */
const WRAPPERS = new Set([
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "string_literal",
    "integer_literal",
    "parenthesized_expression",
    "pipeline",
    "pipeline_chain",
    "statement_list",
]);

/** The value of a constant expression, or undefined when PowerShell would have to compute it. */
function constantOf(node: Node, source: string): Constant | undefined {
    const operands = node.namedChildren.filter((child): child is Node => child !== null && child.type !== "comment");
    if (node.type === "array_literal_expression" && operands.length > 1) return allConstant(operands.map((operand) => constantOf(operand, source)));
    if (node.type === "array_expression") {
        const inner = operands[0];
        if (inner === undefined) return [];
        const value = constantOf(inner, source);
        return value === undefined || Array.isArray(value) ? value : [value];
    }
    if (WRAPPERS.has(node.type) && operands.length === 1 && node.childCount <= 3) return constantOf(operands[0], source);
    const text = textOf(node, source);
    switch (node.type) {
        case "decimal_integer_literal":
        case "real_literal":
            return numberOf(text);
        case "hexadecimal_integer_literal":
            return /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : undefined;
        case "variable":
            return ({ $true: true, $false: false, $null: null } as Record<string, Constant>)[text.toLowerCase()];
        case "verbatim_string_characters":
            return text.slice(1, -1).replace(/(['\u2018-\u201B])['\u2018-\u201B]/g, "$1");
        case "verbatim_here_string_characters":
            return hereStringBody(text);
        case "expandable_string_literal":
            return operands.length > 0 ? undefined : unescape(text.slice(1, -1).replace(/(["\u201C-\u201E])["\u201C-\u201E]/g, "$1"));
        case "expandable_here_string_literal":
            return operands.length > 0 ? undefined : unescape(hereStringBody(text));
        case "expression_with_unary_operator": {
            const operator = node.child(0)?.text;
            const operand = operands.length === 1 ? constantOf(operands[0], source) : undefined;
            if (typeof operand !== "number") return undefined;
            return operator === "-" ? -operand : operator === "+" ? operand : undefined;
        }
        default:
            return undefined;
    }
}

function allConstant(values: readonly (Constant | undefined)[]): Constant | undefined {
    return values.every((value): value is Constant => value !== undefined) ? values : undefined;
}

const MULTIPLIERS: Record<string, number> = { "": 1, kb: 2 ** 10, mb: 2 ** 20, gb: 2 ** 30, tb: 2 ** 40, pb: 2 ** 50 };

/** `42`, `1.5`, `10kb`, `5l`, `2d`. */
function numberOf(text: string): number | undefined {
    const match = /^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(?:l|d|u|ul|ui|us|y|uy|s|n)?(kb|mb|gb|tb|pb)?$/i.exec(text);
    return match === null ? undefined : Number(match[1]) * MULTIPLIERS[(match[2] ?? "").toLowerCase()];
}

/** The lines between a here-string's header line and its closing line. */
function hereStringBody(text: string): string {
    return text.replace(/^@["'][^\S\r\n]*\r?\n/, "").replace(/\r?\n["']@$/, "");
}

const ESCAPES: Record<string, string> = { "0": "\0", a: "\x07", b: "\b", e: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** A double-quoted string's backtick escapes. */
function unescape(text: string): string {
    return text.replace(/`(.)/gs, (_, char: string) => ESCAPES[char] ?? char);
}

function textOf(node: Node, source: string): string {
    return source.slice(node.startIndex, node.endIndex);
}

function childOfType(node: Node | undefined, type: string): Node | undefined {
    return node?.namedChildren.find((child) => child?.type === type) ?? undefined;
}

function childrenOfType(node: Node | undefined, type: string): Node[] {
    return (node?.namedChildren ?? []).filter((child): child is Node => child !== null && child.type === type);
}

function kindOf(type: string): ParameterKind {
    const name = type.toLowerCase().replace(/^system\.(management\.automation\.)?/, "").replace(/^security\./, "");
    if (name === "") return "other";
    if (name.endsWith("[]") || /^(collections\.generic\.)?list\[/.test(name)) return "array";
    if (name === "switch" || name === "switchparameter") return "switch";
    if (name === "bool" || name === "boolean") return "bool";
    if (/^u?(int|int16|int32|int64|long|byte)$/.test(name)) return "integer";
    if (name === "string") return "string";
    if (name === "pscredential") return "credential";
    if (name === "securestring") return "securestring";
    return "other";
}
