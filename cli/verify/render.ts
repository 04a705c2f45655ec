/**
 * How verify's results are shown: text lines for a person, one JSON object for tools (the
 * health workflow reads it), a GitHub step summary in Markdown.
 */
import { mdCell, mdCode } from "../../lib/markdown";
import { CheckResult, exitCodeOf, overallVerdict } from "../../lib/verify/check";

/** One verify run of one stack. */
export interface VerifyReport {
    readonly stack: string;
    readonly fqdn: string;
    /** The Azure location, when the stack outputs it. */
    readonly region?: string;
    readonly checkedAt: string;
    readonly results: readonly CheckResult[];
}

/** The figures the fleet table shows, gathered from the checks that measured them. */
export function summaryOf(results: readonly CheckResult[]): Record<string, number | string> {
    return Object.assign({}, ...results.map((result) => result.figures ?? {}));
}

/** A check's verdict as shown: `skipped` always with its reason, a check that could not run said so. */
function verdictText(result: CheckResult): string {
    return result.couldNotRun ? "fail (could not run)" : result.verdict;
}

export function renderText(report: VerifyReport): string {
    const width = Math.max(...report.results.map((result) => verdictText(result).length));
    const lines = report.results.map((result) => {
        const expected = result.expected === undefined || result.verdict !== "fail" ? "" : ` (expected ${result.expected})`;
        const detail = result.verdict === "skipped" ? `(${result.measured})` : `${result.measured}${expected}`;
        return `  ${result.name.padEnd(8)} ${verdictText(result).padEnd(width)}  ${detail}  [${result.durationMs} ms]`;
    });
    return `verify ${report.stack} (${report.fqdn}): ${overallVerdict(report.results)}\n${lines.join("\n")}\n`;
}

export function renderJson(report: VerifyReport): string {
    const { results, ...rest } = report;
    const json = { ...rest, verdict: overallVerdict(results), exitCode: exitCodeOf(results), summary: summaryOf(results), checks: results };
    return `${JSON.stringify(json, null, 2)}\n`;
}

export function renderMarkdown(report: VerifyReport): string {
    const icon = { pass: "✅", warn: "⚠️", fail: "❌", skipped: "⏭️" } as const;
    const rows = report.results.map((result) => {
        const verdict = result.verdict === "skipped" ? `${icon.skipped} skipped (${mdCell(result.measured)})` : `${icon[result.verdict]} ${verdictText(result)}`;
        const measured = result.verdict === "skipped" ? "" : mdCell(result.measured + (result.verdict === "fail" && result.expected ? ` (expected ${result.expected})` : ""));
        return `| ${result.name} | ${verdict} | ${measured} | ${result.durationMs} ms |`;
    });
    return [
        `### Verify: ${mdCode(report.stack)} (${mdCode(report.fqdn)}): ${overallVerdict(report.results)}`,
        "",
        "| check | verdict | measured | time |",
        "|---|---|---|---|",
        ...rows,
        "",
        `Checked at ${report.checkedAt}.`,
        "",
    ].join("\n");
}

/** The line stderr gets for a failed run: the checks at fault, by name. */
export function failureLine(results: readonly CheckResult[]): string {
    const failed = results.filter((result) => result.verdict === "fail");
    return failed.length === 0 ? "" : `error: verify failed: ${failed.map((result) => `${result.name}${result.couldNotRun ? " (could not run)" : ""}`).join(", ")}\n`;
}

/** What `--wait` shows on stderr after a run that has not settled. */
export function progressLine(results: readonly CheckResult[], waitedMs: number): string {
    const waiting = results.filter((result) => result.verdict === "fail").map((result) => `${result.name}: ${result.measured}`);
    return `verify: waiting ${formatDuration(waitedMs)} so far for ${waiting.join("; ")}\n`;
}

/** 90000 → "1m30s". */
export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    const minutes = Math.floor(seconds / 60);
    return minutes === 0 ? `${seconds}s` : `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
}
