/**
 * The offline plan: what a stack would create, what it costs, what the policy pack says and
 * what the party does next, without Pulumi's CLI, a backend, Azure or any secret.
 *
 *     npm run --silent plan -- --stack <name> [--json | --markdown] [--as-of YYYY-MM-DD] [--out DIR]
 *                                             [--policy-config FILE] [--help]
 *
 * It reads Pulumi.yaml and Pulumi.<name>.yaml from the current directory (encrypted values
 * stay `[secret]`), runs index.ts under the Pulumi SDK's mock runtime, runs every policy of the
 * pack with policy/config.json as `pulumi preview --policy-pack-config` would, and prints the
 * report. Exit codes: 0 fine (advisories allowed), 1 a mandatory policy violation, 2 invalid
 * configuration or an unreadable stack, 3 a bug in the plan itself. See docs/plan.md.
 */
import * as fs from "fs";
import { commandHelp, Flag, flagText, oneLine, parseFlags, runCommand, UserError, userProblem } from "../commandLine";
import { buildPlan, Planned, PlanInput } from "./buildPlan";
import { handOverFiles, writeHandOver } from "./handover";
import { hasMandatoryViolation, PlanReport } from "./planReport";
import { renderJson, renderJsonError } from "./render/json";
import { renderMarkdown } from "./render/markdown";
import { renderText } from "./render/text";

/** How the report is printed. */
export type PlanFormat = "text" | "markdown" | "json";

/** What to plan, and how. */
export interface PlanOptions extends PlanInput {
    /** Default `text`. */
    readonly format?: PlanFormat;
}

/** The outcome: what the CLI prints, and the report for callers in process. */
export interface PlanResult {
    /** 0 fine, 1 mandatory policy violation, 2 invalid configuration or stack, 3 a bug. */
    readonly exitCode: 0 | 1 | 2 | 3;
    /** Exactly what goes to stdout. */
    readonly stdout: string;
    /** Exactly what goes to stderr. */
    readonly stderr: string;
    /** The report, unless the configuration could not be planned. */
    readonly report?: PlanReport;
    /** The problem behind exit 2 or 3. */
    readonly error?: { readonly key: string; readonly message: string };
    /** Hand-over files written by `outDir`, as paths. */
    readonly files: readonly string[];
}

// ---------------------------------------------------------------------------------------
// The plan

/** Plans a stack. Never throws for a user's mistake: those come back as exit 2. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const format = options.format ?? "text";
    let planned: Planned;
    try {
        planned = await buildPlan(options);
    } catch (error) {
        const problem = userProblem(error);
        if (problem !== undefined) return failure(format, 2, problem.key, problem.message);
        const message = error instanceof Error ? error.message : String(error);
        const trace = error instanceof Error && error.stack ? `${error.stack}\n` : "";
        return { ...failure(format, 3, "internal", `internal error in the plan: ${message}`), stderr: `internal error in the plan: ${message}\n${trace}` };
    }

    const { report } = planned;
    const stdout = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : renderText(report);
    const stderr: string[] = [];
    if (format === "json") {
        // The document has no place for them; stdout must stay one JSON document.
        stderr.push(...report.warnings.map((warning) => `warning: ${warning}`));
    }
    const mandatory = report.policy.violations.filter((violation) => violation.enforcement === "mandatory");
    const files: string[] = [];
    if (mandatory.length > 0) {
        const names = [...new Set(mandatory.map((violation) => violation.policy))].join(", ");
        stderr.push(`error: ${mandatory.length} mandatory policy violation(s): ${names}`);
        if (options.outDir !== undefined) stderr.push(`hand-over files not written to ${options.outDir}: fix the mandatory violations first`);
    } else if (options.outDir !== undefined) {
        const contents = handOverFiles(planned.settings, planned.outputs, report.standIns);
        try {
            files.push(...writeHandOver(options.outDir, contents));
        } catch (error) {
            if (error instanceof UserError) return failure(format, 2, error.key, error.message);
            throw error;
        }
        stderr.push(...files.map((file) => `wrote ${file}`));
    }
    return {
        exitCode: hasMandatoryViolation(report) ? 1 : 0,
        stdout,
        stderr: stderr.map((line) => `${line}\n`).join(""),
        report,
        files,
    };
}

// ---------------------------------------------------------------------------------------
// Errors

function failure(format: PlanFormat, exitCode: 2 | 3, key: string, message: string): PlanResult {
    const line = oneLine(message);
    return format === "json"
        ? { exitCode, stdout: renderJsonError(key, line), stderr: "", error: { key, message: line }, files: [] }
        : { exitCode, stdout: "", stderr: `error: ${line}\n`, error: { key, message: line }, files: [] };
}

// ---------------------------------------------------------------------------------------
// The command line

/** One of the plan's flags (cli/commandLine.ts's Flag): the single description that the parser, the usage line and `--help` use. */
export interface PlanFlag extends Flag {
    /** The output format the flag selects; such flags exclude each other. */
    readonly format?: PlanFormat;
}

/** The plan's flags, in the order of the usage line. Each may be given once. */
export const PLAN_FLAGS: readonly PlanFlag[] = [
    { name: "--stack", value: "<name>", required: true, meaning: "the stack to plan, Pulumi.<name>.yaml in the current directory" },
    { name: "--json", format: "json", meaning: "print exactly one JSON document, for tools (docs/plan.md); excludes --markdown" },
    { name: "--markdown", format: "markdown", meaning: "print the report as a pull-request comment, with a Mermaid diagram" },
    {
        name: "--as-of",
        value: "YYYY-MM-DD",
        meaning: "the version policy's check date; default today in Copenhagen (never set in a policy configuration file)",
    },
    {
        name: "--out",
        value: "DIR",
        meaning: "also write the hand-over files (VDX request, Teams PowerShell) into DIR, created if missing; not on a mandatory violation",
    },
    { name: "--policy-config", value: "FILE", meaning: "this policy configuration instead of policy/config.json (as pulumi preview --policy-pack-config)" },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

/** What each exit code means, for `--help`. */
const EXIT_CODES: Readonly<Record<PlanResult["exitCode"], string>> = {
    0: "no mandatory policy violation (advisories and warnings allowed)",
    1: "a mandatory policy violation: the report is still printed, --out writes nothing",
    2: 'invalid configuration, an unreadable stack or a usage mistake: one line "error: ..." on stderr (with --json a JSON error object on stdout)',
    3: "a bug in the plan itself: the message and a stack trace on stderr",
};

const USAGE = `usage: npm run --silent plan -- ${PLAN_FLAGS.flatMap((flag) => {
    if (flag.format === undefined) return [flag.required ? flagText(flag) : `[${flagText(flag)}]`];
    // The format flags as one choice, where the first of them stands.
    const formats = PLAN_FLAGS.filter((other) => other.format !== undefined);
    return flag === formats[0] ? [`[${formats.map((other) => other.name).join(" | ")}]`] : [];
}).join(" ")}`;

/** The text `--help` prints: the usage line, every flag with its meaning, the exit codes and two examples. */
export function planHelp(): string {
    return commandHelp({
        about: [
            "The offline plan: what a stack would create, what it costs and what the policy pack says, without Azure,",
            "a Pulumi backend or any secret (docs/plan.md).",
        ],
        usage: USAGE,
        flagsNote: "Flags (each at most once; --flag=value works too):",
        flags: PLAN_FLAGS,
        exitCodes: EXIT_CODES,
        examples: ["npm run --silent plan -- --stack dev", "npm run --silent plan -- --stack prod --json --out plan-out > plan.json"],
    });
}

/** Parsed command line; `help` prints the help. */
export interface PlanArguments {
    readonly options?: PlanOptions;
    readonly help?: boolean;
    /** Where the problem's output goes (JSON when --json was among the arguments). */
    readonly format: PlanFormat;
}

/** Parses the arguments; throws UserError for a usage mistake, naming the flag. */
export function parseArguments(argv: readonly string[]): PlanArguments {
    const { help, values } = parseFlags(argv, PLAN_FLAGS, USAGE);
    if (help) return { help: true, format: "text" };
    const formats = PLAN_FLAGS.filter((flag) => flag.format !== undefined && values.has(flag.name));
    const format = formats[0]?.format ?? "text";
    if (formats.length > 1) throw new UserError(formats[0].name, `${formats.map((flag) => flag.name).join(" and ")} exclude each other`);
    const value = (name: string) => values.get(name)?.[0];
    const asOf = value("--as-of");
    const outDir = value("--out");
    const policyConfigFile = value("--policy-config");
    return {
        format,
        options: {
            stack: value("--stack")!,
            format,
            ...(asOf === undefined ? {} : { asOf }),
            ...(outDir === undefined ? {} : { outDir }),
            ...(policyConfigFile === undefined ? {} : { policyConfigFile }),
        },
    };
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    let parsed: PlanArguments;
    try {
        parsed = parseArguments(argv);
    } catch (error) {
        const problem = userProblem(error);
        if (problem === undefined) throw error;
        const format: PlanFormat = argv.includes("--json") ? "json" : "text";
        const result = failure(format, 2, problem.key, problem.message);
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        return 2;
    }
    if (parsed.help || parsed.options === undefined) {
        process.stdout.write(planHelp());
        return 0;
    }
    const result = await plan(parsed.options);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
}

if (require.main === module) {
    runCommand("the plan", async () => {
        const code = await main(process.argv.slice(2));
        // For the benchmark: the child's peak memory where /usr/bin/time is missing.
        const rssFile = process.env.PLAN_MAX_RSS_FILE;
        if (rssFile) fs.writeFileSync(rssFile, `${process.resourceUsage().maxRSS}\n`);
        return code;
    });
}
