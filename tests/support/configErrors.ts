import assert from "node:assert/strict";
import { ConfigError } from "../../lib/config/configError";

/**
 * Asserts that `run` throws a ConfigError for `key` whose message starts with the key and
 * contains every fragment; returns the error for further checks.
 */
export function rejectsConfig(run: () => unknown, key: string, ...fragments: string[]): ConfigError {
    let caught: ConfigError | undefined;
    assert.throws(run, (error: unknown) => {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
        assert.equal(error.key, key, error.message);
        assert.ok(error.message.startsWith(`${key} `), `message should start with the key: ${error.message}`);
        for (const fragment of fragments) assert.ok(error.message.includes(fragment), `"${error.message}" should include "${fragment}"`);
        caught = error;
        return true;
    });
    return caught as ConfigError;
}
