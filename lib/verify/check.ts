/**
 * What one check of `npm run verify` reports, and how the checks' verdicts become the command's
 * exit code. Plain logic: no Pulumi, no network.
 */

/** The checks, in the order they run and are shown. */
export const CHECK_NAMES = ["dns", "tls", "azure", "infinity", "version"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** `skipped` always comes with the reason, so a skipped check never reads as a pass. */
export type Verdict = "pass" | "warn" | "fail" | "skipped";

/** One check's outcome. */
export interface CheckResult {
    readonly name: CheckName;
    readonly verdict: Verdict;
    /** What the check found, in words (for `skipped`: why it was skipped). */
    readonly measured: string;
    /** What it expected, when that is not obvious from `measured`. */
    readonly expected?: string;
    /** The check could not run (network, credentials): a `fail` that says nothing about the connector. */
    readonly couldNotRun?: boolean;
    readonly durationMs: number;
    /** Figures the fleet summary reads (days left on the certificate, instances seen and sized, versions). */
    readonly figures?: Readonly<Record<string, number | string>>;
}

/** A check's outcome before it was timed. */
export type Finding = Omit<CheckResult, "name" | "durationMs">;

/** Thrown inside a check when it cannot judge: the network or the credentials failed, not the connector. */
export class CannotRun extends Error {}

/** Runs a check, timing it; a CannotRun becomes a `fail` marked as not run. Any other error is a bug and propagates. */
export async function timed(name: CheckName, check: () => Promise<Finding>): Promise<CheckResult> {
    const start = performance.now();
    let finding: Finding;
    try {
        finding = await check();
    } catch (error) {
        if (!(error instanceof CannotRun)) throw error;
        finding = { verdict: "fail", couldNotRun: true, measured: `could not run: ${error.message}` };
    }
    return { name, ...finding, durationMs: Math.round(performance.now() - start) };
}

/** A `skipped` finding with its reason. */
export function skipped(why: string): Finding {
    return { verdict: "skipped", measured: why };
}

/** What each exit code means, for `--help`, the README and the workflows. */
export const VERIFY_EXIT_CODES = {
    0: "every check passed, warned (a certificate expiring within --warn-days) or was skipped with its reason",
    1: "a check failed: the connector does not work as deployed (the failing checks are named on stderr)",
    2: "a usage or configuration error: a wrong flag, an unreadable outputs file, a stack output missing, no such stack, no Pulumi CLI to read it; one line on stderr",
    3: "a check could not run (network, credentials) and none failed: nothing is known about what it checks; or verify itself broke (a stack trace on stderr)",
} as const;
export type VerifyExitCode = keyof typeof VERIFY_EXIT_CODES;

/**
 * A failure the connector has outranks a check that could not run: the operator must act on it
 * either way, and exit 1 says the connector itself is broken.
 */
export function exitCodeOf(results: readonly CheckResult[]): 0 | 1 | 3 {
    if (results.some((result) => result.verdict === "fail" && !result.couldNotRun)) return 1;
    if (results.some((result) => result.couldNotRun)) return 3;
    return 0;
}

/** The whole run's verdict: the worst of the checks' (skipped counts as neither). */
export function overallVerdict(results: readonly CheckResult[]): "pass" | "warn" | "fail" {
    if (results.some((result) => result.verdict === "fail")) return "fail";
    if (results.some((result) => result.verdict === "warn")) return "warn";
    return "pass";
}
