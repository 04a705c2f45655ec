/**
 * Reads the `param(...)` block of a PowerShell script: each parameter's name and aliases, whether
 * it is mandatory, and the kind of its type. This is how the stack checks its parameters against the
 * deployment script of the Pexip package the user actually has, instead of guessing Pexip's
 * parameter list (which is not public and changes between versions).
 *
 * Hand-written on purpose: no maintained JavaScript library parses PowerShell (the language's
 * own parser is .NET, and PowerShell is not on the machines that run the plan). It reads only
 * the script-level param block and understands just enough of the language to do so safely:
 * comments (`#`, `<# #>`), quoted strings and here-strings, and bracket nesting.
 */

/** How a parameter's declared type takes a value. */
export type ParameterKind = "switch" | "bool" | "integer" | "string" | "array" | "credential" | "securestring" | "other";

export interface DeclaredParameter {
    /** As written in the script; PowerShell matches parameter names case-insensitively. */
    readonly name: string;
    /** Mandatory in every parameter set that declares it. */
    readonly mandatory: boolean;
    readonly kind: ParameterKind;
    /** The type as written, like `string[]`; empty when untyped. */
    readonly type: string;
    /** The default value's text, when the script gives one. */
    readonly defaultText?: string;
    /** Other names from `[Alias(...)]`, when the script gives some; `-Alias` binds the parameter too. */
    readonly aliases?: readonly string[];
}

/** The script has no script-level param block that could be read. */
export class ParamBlockError extends Error {}

/** The parameters of a script's param block; throws ParamBlockError when there is none. */
export function readParameters(script: string): DeclaredParameter[] {
    const body = paramBlockBody(script);
    return splitTopLevel(body, ",")
        .map((chunk) => withoutComments(chunk).trim())
        .filter((chunk) => chunk !== "")
        .map(parseParameter);
}

/** The parameter `-name` binds to, by its name or one of its aliases, case-insensitively as PowerShell does. */
export function declaredParameter(declared: readonly DeclaredParameter[], name: string): DeclaredParameter | undefined {
    const wanted = name.toLowerCase();
    return declared.find((parameter) => [parameter.name, ...(parameter.aliases ?? [])].some((candidate) => candidate.toLowerCase() === wanted));
}

/** The text between `param(` and its closing parenthesis. */
function paramBlockBody(script: string): string {
    let index = 0;
    for (;;) {
        index = skipTrivia(script, index);
        const rest = script.slice(index);
        if (rest.startsWith("[")) {
            // [CmdletBinding()] and other attributes of the script itself.
            index = matchingClose(script, index);
            continue;
        }
        const using = /^using\s[^\r\n]*/i.exec(rest);
        if (using !== null) {
            index += using[0].length;
            continue;
        }
        const param = /^param\b/i.exec(rest);
        if (param === null) throw new ParamBlockError("the script does not begin with a param(...) block");
        index = skipTrivia(script, index + param[0].length);
        if (script[index] !== "(") throw new ParamBlockError("the script's param keyword is not followed by (");
        return script.slice(index + 1, matchingClose(script, index) - 1);
    }
}

/** The index after whitespace and comments from `index`. */
function skipTrivia(text: string, index: number): number {
    let at = index;
    for (;;) {
        while (at < text.length && /\s/.test(text[at])) at++;
        if (text.startsWith("<#", at)) {
            const end = text.indexOf("#>", at + 2);
            if (end < 0) throw new ParamBlockError("a <# comment is never closed");
            at = end + 2;
        } else if (text[at] === "#") {
            while (at < text.length && text[at] !== "\n") at++;
        } else {
            return at;
        }
    }
}

/**
 * The index after a PowerShell string literal (quoted or here-string) that starts at `index`, or
 * `index` when none starts there. Also what the driver's tests lex scripts/pexip-deployment.ps1 with.
 */
export function skipString(text: string, index: number): number {
    const here = /^@(['"])\r?\n/.exec(text.slice(index, index + 4));
    if (here !== null) {
        const close = new RegExp(`\\r?\\n${here[1]}@`, "g");
        close.lastIndex = index + 2;
        const found = close.exec(text);
        if (found === null) throw new ParamBlockError("a here-string is never closed");
        return found.index + found[0].length;
    }
    const quote = text[index];
    if (quote === "'") {
        // '' is an escaped quote inside a single-quoted string.
        let at = index + 1;
        for (;;) {
            const end = text.indexOf("'", at);
            if (end < 0) throw new ParamBlockError("a quoted string is never closed");
            if (text[end + 1] === "'") at = end + 2;
            else return end + 1;
        }
    }
    if (quote === '"') {
        let at = index + 1;
        while (at < text.length) {
            if (text[at] === "`") at += 2;
            else if (text[at] === '"' && text[at + 1] === '"') at += 2;
            else if (text[at] === '"') return at + 1;
            else at++;
        }
        throw new ParamBlockError("a quoted string is never closed");
    }
    return index;
}

const OPENERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** The index after the bracket that closes the one at `index`. */
function matchingClose(text: string, index: number): number {
    const stack: string[] = [];
    let at = index;
    while (at < text.length) {
        const afterString = skipString(text, at);
        if (afterString !== at) {
            at = afterString;
            continue;
        }
        const afterComment = text[at] === "#" || text.startsWith("<#", at) ? skipTrivia(text, at) : at;
        if (afterComment !== at) {
            at = afterComment;
            continue;
        }
        const char = text[at];
        if (char === "`") {
            at += 2;
            continue;
        }
        if (OPENERS[char] !== undefined) stack.push(OPENERS[char]);
        else if (char === ")" || char === "]" || char === "}") {
            if (stack.pop() !== char) throw new ParamBlockError(`unbalanced ${char}`);
            if (stack.length === 0) return at + 1;
        }
        at++;
    }
    throw new ParamBlockError(`the ${text[index]} at offset ${index} is never closed`);
}

/** `text` with its comments removed (strings kept as they are). */
function withoutComments(text: string): string {
    let result = "";
    let at = 0;
    while (at < text.length) {
        const afterString = skipString(text, at);
        if (afterString !== at) {
            result += text.slice(at, afterString);
            at = afterString;
        } else if (text[at] === "#" || text.startsWith("<#", at)) {
            // skipTrivia also eats the whitespace after a comment; keep one space in its place.
            at = skipTrivia(text, at);
            result += " ";
        } else {
            result += text[at++];
        }
    }
    return result;
}

/** `text` split at `separator` where it stands outside brackets, strings and comments. */
function splitTopLevel(text: string, separator: string): string[] {
    const parts: string[] = [];
    let start = 0;
    let at = 0;
    while (at < text.length) {
        const afterString = skipString(text, at);
        if (afterString !== at) {
            at = afterString;
            continue;
        }
        if (text[at] === "#" || text.startsWith("<#", at)) {
            at = skipTrivia(text, at);
            continue;
        }
        if (OPENERS[text[at]] !== undefined) {
            at = matchingClose(text, at);
            continue;
        }
        if (text[at] === separator) {
            parts.push(text.slice(start, at));
            start = at + 1;
        }
        at++;
    }
    parts.push(text.slice(start));
    return parts;
}

/** Attributes that take arguments, or that PowerShell accepts without parentheses. */
const BARE_ATTRIBUTES = /^(parameter|cmdletbinding|allownull|allowemptystring|allowemptycollection|supportswildcards|validatenotnull|validatenotnullorempty)$/i;

function parseParameter(chunk: string): DeclaredParameter {
    const types: string[] = [];
    const parameterAttributes: string[] = [];
    const aliases: string[] = [];
    let at = 0;
    for (;;) {
        at = skipTrivia(chunk, at);
        if (chunk[at] !== "[") break;
        const end = matchingClose(chunk, at);
        const inner = chunk.slice(at + 1, end - 1).trim();
        const attribute = /^([\w.]+)\s*\(([\s\S]*)\)$/.exec(inner);
        if (attribute !== null || BARE_ATTRIBUTES.test(inner)) {
            const name = (attribute?.[1] ?? inner).replace(/^System\.Management\.Automation\./i, "").replace(/Attribute$/i, "");
            if (/^parameter$/i.test(name)) parameterAttributes.push(attribute?.[2] ?? "");
            if (/^alias$/i.test(name) && attribute !== null) aliases.push(...aliasNames(attribute[2]));
        } else {
            types.push(inner.replace(/\s+/g, ""));
        }
        at = end;
    }
    const variable = /^\$(?:\{([^}]+)\}|([\w:]+))/.exec(chunk.slice(at));
    if (variable === null) throw new ParamBlockError(`cannot read the parameter "${chunk.slice(at, at + 40)}"`);
    const name = (variable[1] ?? variable[2]).replace(/^\w+:/, "");
    const rest = chunk.slice(at + variable[0].length).trim();
    const type = types[types.length - 1] ?? "";
    return {
        name,
        mandatory: parameterAttributes.length > 0 && parameterAttributes.every(isMandatory),
        kind: kindOf(type),
        type,
        ...(rest.startsWith("=") ? { defaultText: rest.slice(1).trim() } : {}),
        ...(aliases.length > 0 ? { aliases } : {}),
    };
}

/** The names an `[Alias(...)]` gives, each a quoted string; a name PowerShell would compute cannot be read. */
function aliasNames(argumentsText: string): string[] {
    return splitTopLevel(argumentsText, ",")
        .map((argument) => argument.trim())
        .filter((argument) => argument !== "")
        .map((argument) => {
            const single = /^'((?:[^']|'')*)'$/.exec(argument);
            if (single !== null) return single[1].replace(/''/g, "'");
            const double = /^"([^"`$]*)"$/.exec(argument);
            if (double !== null) return double[1];
            throw new ParamBlockError(`cannot read the alias ${argument}: not a quoted name`);
        });
}

/** `Mandatory`, `Mandatory = $true` or `Mandatory = 1` among a [Parameter()]'s arguments. */
function isMandatory(argumentsText: string): boolean {
    return splitTopLevel(argumentsText, ",").some((argument) => {
        const match = /^\s*mandatory\s*(?:=\s*(\S+))?\s*$/i.exec(argument);
        return match !== null && (match[1] === undefined || /^(\$true|1)$/i.test(match[1]));
    });
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
