/**
 * A setting that breaks a rule. The message names the key, the rule and the value given,
 * so that the person who wrote the stack file knows what to change without a stack trace.
 */
export class ConfigError extends Error {
    constructor(
        /** The configuration key, with a path for nested values (`vdx.nodeAddresses[1]`). */
        readonly key: string,
        /** The rule the value breaks, phrased to follow the key ("must be ..."). */
        readonly rule: string,
        /** The value as given; omitted when the key is missing. */
        readonly given?: unknown,
    ) {
        super(given === undefined ? `${key} ${rule}` : `${key} ${rule}, got ${describe(given)}`);
        this.name = "ConfigError";
    }
}

function describe(value: unknown): string {
    return JSON.stringify(value) ?? String(value);
}
