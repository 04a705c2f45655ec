import type { TokenCredential } from "@azure/identity";
import { VersionCatalogue } from "../versions/versionCatalogue";
import { checkAzure } from "./azure";
import { CheckName, CheckResult, Finding, skipped, timed } from "./check";
import { checkDns } from "./dns";
import { checkInfinity, InfinityOptions } from "./infinity";
import { DeployedStack } from "./stackOutputs";
import { checkTls } from "./tls";
import { checkVersion } from "./version";

/** Everything the checks need besides the stack's outputs. */
export interface VerifyOptions {
    readonly dnsServers: readonly string[];
    readonly connectTo?: { readonly host: string; readonly port: number };
    /** PEM roots trusted besides Node's, for the TLS check and a private ARM endpoint. */
    readonly extraCa?: string;
    readonly warnDays: number;
    readonly azure: { readonly credential: TokenCredential; readonly endpoint?: string };
    /** Absent: the infinity check is skipped, with this reason. */
    readonly infinity: Omit<InfinityOptions, "now"> | { readonly skip: string };
    readonly catalogue: VersionCatalogue;
    /** Checks the operator skipped: shown as skipped, never as passed. */
    readonly skip?: readonly CheckName[];
    /** The clock; default the real one. */
    readonly now?: () => Date;
}

/** Runs the five checks once, in order; the infinity check compares with what the azure check saw. */
export async function runChecks(stack: DeployedStack, options: VerifyOptions): Promise<CheckResult[]> {
    const now = options.now ?? (() => new Date());
    const run = (name: CheckName, check: () => Promise<Finding>) => timed(name, options.skip?.includes(name) ? async () => skipped(`--skip ${name} given`) : check);
    const extraCa = options.extraCa === undefined ? {} : { extraCa: options.extraCa };
    const dns = await run("dns", () => checkDns(stack, { servers: options.dnsServers }));
    const tls = await run("tls", () => checkTls(stack, { warnDays: options.warnDays, now: now(), ...(options.connectTo ? { connectTo: options.connectTo } : {}), ...extraCa }));
    const azure = await run("azure", () => checkAzure(stack, { ...options.azure, ...extraCa }));
    const infinityOptions = options.infinity;
    // As many Teams nodes as Azure runs; when Azure was not read, as many as the stack sized.
    const seen = azure.figures?.instancesSeen;
    const expectedNodes = typeof seen === "number" && !azure.couldNotRun ? seen : stack.instances;
    const infinity = await run("infinity", async () =>
        "skip" in infinityOptions ? skipped(infinityOptions.skip) : checkInfinity(stack.scaleSetName, expectedNodes, { ...infinityOptions, now: now() }),
    );
    const version = await run("version", async () => checkVersion(stack.pexipVersion, options.catalogue, now()));
    return [dns, tls, azure, infinity, version];
}

/** Whether `--wait` can stop: nothing failed and nothing could not run. */
export function settled(results: readonly CheckResult[]): boolean {
    return results.every((result) => result.verdict !== "fail");
}

/** How `--wait` polls, and what it tells while it waits. */
export interface WaitOptions {
    /** Give up this long after the first run, with the last run's results. 0: run once. */
    readonly waitMs: number;
    readonly pollMs: number;
    /** Called after each unsettled run with the time waited so far. */
    readonly onProgress?: (results: readonly CheckResult[], waitedMs: number) => void;
    readonly sleep?: (ms: number) => Promise<void>;
}

/** Runs the checks until they settle or the wait runs out; the last results. */
export async function verifyUntilSettled(stack: DeployedStack, options: VerifyOptions, wait: WaitOptions): Promise<CheckResult[]> {
    const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const start = Date.now();
    for (;;) {
        const results = await runChecks(stack, options);
        const waited = Date.now() - start;
        if (settled(results) || waited + wait.pollMs > wait.waitMs) return results;
        wait.onProgress?.(results, waited);
        await sleep(wait.pollMs);
    }
}
