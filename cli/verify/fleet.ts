/**
 * The daily health workflow's (health.yml) view of the fleet, from the `verify --json` reports
 * it wrote into one directory (`<stack>.json`, and `exit-codes`: `<stack> <code>` a line):
 *
 *     npm run --silent verify:fleet -- <dir>
 *
 * It prints one Markdown table, one row per stack: region, Pexip version against VDX's, days
 * until the certificate expires, instances seen against sized, and the verdict. It writes
 * `<dir>/issues` (`open|close <stack> <issue title>` a line: a failure or a certificate warning
 * opens or updates the stack's issue, a healthy stack closes it) with `<dir>/<stack>.issue.md`
 * as the issue's body, and `<dir>/unhealthy` naming the stacks that failed. Exit codes:
 * FLEET_EXIT_CODES; `--help` through the one command-line module (cli/commandLine.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { mdCell, mdCode } from "../../lib/markdown";
import { CheckResult } from "../../lib/verify/check";
import { BUG_EXIT_CODE, CommandHelp, HELP_FLAG, positionalArguments, runCommand } from "../commandLine";
import { renderMarkdown, VerifyReport } from "./render";

/** One stack's verify run as the workflow recorded it. */
export interface StackRun {
    readonly stack: string;
    readonly exitCode: number;
    /** Absent when verify printed no report (a usage or configuration error, exit 2). */
    readonly report?: VerifyReport & { readonly verdict: string; readonly summary: Record<string, number | string> };
}

/** The title that finds a stack's open issue again. */
export function issueTitle(stack: string): string {
    return `verify: ${stack} is unhealthy`;
}

/** A stack needs its issue open on a failure, a check that could not run, or a certificate warning. */
export function needsIssue(run: StackRun): boolean {
    if (run.exitCode !== 0 || run.report === undefined) return true;
    return run.report.results.some((result) => result.verdict === "fail" || (result.name === "tls" && result.verdict === "warn"));
}

export function readRuns(dir: string): StackRun[] {
    const codes = fs.readFileSync(path.join(dir, "exit-codes"), "utf8").split("\n").filter(Boolean);
    return codes.map((line) => {
        const [stack, code] = line.split(" ");
        const file = path.join(dir, `${stack}.json`);
        const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
        if (text === "") return { stack, exitCode: Number(code) };
        const json = JSON.parse(text) as StackRun["report"] & { checks: CheckResult[] };
        return { stack, exitCode: Number(code), report: { ...json, results: json.checks } };
    });
}

export function fleetTable(runs: readonly StackRun[]): string {
    const rows = runs.map((run) => {
        const summary = run.report?.summary ?? {};
        const figure = (name: string) => (summary[name] === undefined ? "?" : String(summary[name]));
        const verdict = run.report === undefined ? `error (exit ${run.exitCode})` : run.exitCode === 3 ? `${run.report.verdict} (a check could not run)` : run.report.verdict;
        return `| ${mdCode(run.stack)} | ${mdCell(run.report?.region ?? "?")} | ${figure("pexipVersion")} / ${figure("vdxVersion")} | ${figure("certificateDays")} | ${figure("instancesSeen")} / ${figure("instancesSized")} | ${verdict} |`;
    });
    return ["### Fleet health", "", "| stack | region | Pexip / VDX's | certificate days left | instances seen / sized | verdict |", "|---|---|---|---|---|---|", ...rows, ""].join("\n");
}

/** The issue's body: the stack's verify report, or why there is none. */
export function issueBody(run: StackRun): string {
    const head = `Found by the daily health workflow (health.yml); it closes this issue when ${mdCode(run.stack)} is healthy again.\n\n`;
    if (run.report === undefined) return `${head}verify exited ${run.exitCode} without a report: run \`npm run --silent verify -- --stack ${run.stack}\` to see why.\n`;
    return head + renderMarkdown(run.report);
}

const USAGE = "usage: npm run --silent verify:fleet -- <dir>";

export const FLEET_EXIT_CODES = {
    0: "the table printed, <dir>/issues and <dir>/unhealthy written, however healthy the stacks are",
    2: "a usage error: no directory, or one without the exit-codes file health.yml writes; one line on stderr",
    [BUG_EXIT_CODE]: "a bug (a stack trace on stderr)",
} as const;

const FLEET_HELP: CommandHelp = {
    about: [
        "The daily health workflow's (health.yml) view of the fleet, from the verify --json reports it wrote into <dir>",
        "(<stack>.json, and exit-codes: <stack> <code> a line): one Markdown table, one row per stack, and the issues to open",
        "or close (<dir>/issues, <dir>/<stack>.issue.md). README: Verify a deployment.",
    ],
    usage: USAGE,
    flagsNote: "Flags:",
    flags: [HELP_FLAG],
    exitCodes: FLEET_EXIT_CODES,
    examples: ['npm run --silent verify:fleet -- "$reports" >>"$GITHUB_STEP_SUMMARY"'],
};

export function main(argv: readonly string[]): number {
    const args = positionalArguments(argv, FLEET_HELP, { min: 1, max: 1 });
    if (typeof args === "number") return args;
    const [dir] = args;
    if (!fs.existsSync(path.join(dir, "exit-codes"))) {
        process.stderr.write(`error: ${USAGE} (with the exit-codes file and <stack>.json reports health.yml writes)\n`);
        return 2;
    }
    const runs = readRuns(dir);
    const actions = runs.map((run) => {
        if (!needsIssue(run)) return `close ${run.stack} ${issueTitle(run.stack)}`;
        fs.writeFileSync(path.join(dir, `${run.stack}.issue.md`), issueBody(run));
        return `open ${run.stack} ${issueTitle(run.stack)}`;
    });
    fs.writeFileSync(path.join(dir, "issues"), actions.map((line) => `${line}\n`).join(""));
    const unhealthy = runs.filter((run) => run.exitCode !== 0).map((run) => run.stack);
    fs.writeFileSync(path.join(dir, "unhealthy"), unhealthy.map((stack) => `${stack}\n`).join(""));
    process.stdout.write(fleetTable(runs));
    return 0;
}

if (require.main === module) runCommand("verify:fleet", () => main(process.argv.slice(2)));
