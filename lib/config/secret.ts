import { inspect } from "util";

/** What stands where a secret was, everywhere: logs, plans, stack-file placeholders. */
export const REDACTED = "[secret]";

/**
 * A secret read from configuration. It prints, logs and serialises as `[secret]`; only
 * `reveal()` gives the value, and the one place that calls it hands it to `pulumi.secret`.
 */
export class Secret {
    readonly #value: string;

    constructor(value: string) {
        this.#value = value;
    }

    reveal(): string {
        return this.#value;
    }

    toString(): string {
        return REDACTED;
    }

    toJSON(): string {
        return REDACTED;
    }

    [inspect.custom](): string {
        return REDACTED;
    }
}
