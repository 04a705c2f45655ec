import { isMap, isScalar, isSeq, Node, parseDocument, Scalar } from "yaml";
import { ConfigError } from "./configError";

/**
 * The Pulumi CLI reads a stack file's unquoted scalars as YAML numbers and hands the program the
 * number's own text: `pexipVersion: 37.10` arrives as "37.1", `0x10` as "16", `1e9` as
 * "1000000000", `1_000` as "1000", `010` as "8" (measured with the CLI built here, v3.274.1; the CLI also
 * rewrites the file that way on the next `pulumi config set`). A stack must be read as written,
 * so such a value is refused before anything else, with the advice to quote it. Only a number
 * written the way it would be printed back (`48`, `37.1`) is taken as it stands.
 */

/** The stack file's first value that the CLI would change, as a ConfigError; nothing when there is none. */
export function checkStackLiterals(text: string, project: string): void {
    const document = parseDocument(text, { keepSourceTokens: true });
    const config = document.get("config", true);
    if (!isMap(config)) return;
    for (const pair of config.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        const name = key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key;
        walk(pair.value as Node | null, name);
    }
}

function walk(node: Node | null, path: string): void {
    if (isMap(node)) {
        for (const pair of node.items) walk(pair.value as Node | null, `${path}.${isScalar(pair.key) ? String(pair.key.value) : "?"}`);
    } else if (isSeq(node)) {
        node.items.forEach((item, index) => walk(item as Node | null, `${path}[${index}]`));
    } else if (isScalar(node) && node.type === Scalar.PLAIN) {
        const written = writtenText(node);
        if (AS_WRITTEN.test(written) && !Number.isSafeInteger(Math.trunc(Number(written)))) {
            // The CLI may keep it (Go reads 64-bit integers), but nothing downstream could use it exactly.
            throw new ConfigError(path, `is written ${written} without quotes, a number too large to read exactly: write "${written}"`);
        }
        const read = changedNumber(written);
        if (read !== undefined) {
            throw new ConfigError(path, `is written ${written} without quotes, which YAML reads as the number ${read}, so the stack would get "${read}": write "${written}"`);
        }
    }
}

/** A scalar as the file writes it (parsed with `keepSourceTokens`): `37.10`, where its value is 37.1. */
export function writtenText(node: Scalar): string {
    return node.srcToken && "source" in node.srcToken ? String(node.srcToken.source) : String(node.value);
}

/** Decimal integers and decimals without trailing zeros read back as written. */
const AS_WRITTEN = /^(0|-?[1-9][0-9]*)(\.[0-9]*[1-9])?$/;
/** Integer forms the CLI's YAML (Go's yaml.v3) reads: decimal, 0x, 0o, 0b and old-style octal; `_` is ignored. */
const INTEGER = /^[-+]?(0[bB][01]+|0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const SPECIAL = /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

/** The number a plain scalar turns into when it is not the number as written, else undefined. */
function changedNumber(text: string): string | undefined {
    const compact = text.replace(/_/g, "");
    if (SPECIAL.test(text)) return text.toLowerCase().includes("nan") ? "NaN" : text.startsWith("-") ? "-Infinity" : "Infinity";
    if (!INTEGER.test(compact) && !FLOAT.test(compact)) return undefined;
    if (AS_WRITTEN.test(text)) return undefined;
    const sign = compact.startsWith("-") ? -1 : 1;
    const digits = compact.replace(/^[-+]/, "");
    // A leading 0 makes an octal number for Go; JavaScript reads 0x, 0o, 0b, exponents and the rest alike.
    return String(sign * (/^0[0-7]+$/.test(digits) ? parseInt(digits, 8) : Number(digits)));
}
