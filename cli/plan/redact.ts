import { isSecretValue } from "./mockRuntime";
import { SECRET_TEXT } from "./planReport";

/**
 * Secrets in the plan: every value with Pulumi's secret marker becomes "[secret]". As a second
 * line of defence, a secret string that also turns up inside an unmarked string is cut out there too.
 */

/** Keys whose string values inside a secret object are themselves secret (not names or sizes). */
const SECRET_KEYS = /password|secret|key|token|connectionstring|value|pfx|customdata/i;

/**
 * The secret strings to cut out of unmarked text: values wrapped by the marker themselves, and
 * values under a secret-looking key inside a wrapped object. Short strings, and strings that are
 * also plain values elsewhere (a name inside a secret object), would blank out unrelated text.
 */
export function collectSecrets(values: readonly unknown[]): Set<string> {
    const secret = new Set<string>();
    const plain = new Set<string>();
    const visit = (value: unknown, inSecret: boolean, key: string | undefined, wrapped: boolean): void => {
        if (isSecretValue(value)) return visit(value.value, true, key, true);
        if (typeof value === "string") {
            if (!inSecret) plain.add(value);
            else if (value.length >= 8 && value !== SECRET_TEXT && (wrapped || (key !== undefined && SECRET_KEYS.test(key)))) secret.add(value);
        } else if (Array.isArray(value)) {
            value.forEach((item) => visit(item, inSecret, key, false));
        } else if (typeof value === "object" && value !== null) {
            Object.entries(value).forEach(([name, item]) => visit(item, inSecret, name, false));
        }
    };
    values.forEach((value) => visit(value, false, undefined, false));
    plain.forEach((value) => secret.delete(value));
    return secret;
}

export function redact(value: unknown, secrets: ReadonlySet<string>): unknown {
    if (isSecretValue(value)) return SECRET_TEXT;
    if (typeof value === "string") return redactText(value, secrets);
    if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, secrets)]));
    }
    return value;
}

export function redactText(text: string, secrets: ReadonlySet<string>): string {
    let result = text;
    for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(SECRET_TEXT);
    return result;
}
