/**
 * Running a GitHub workflow's bash steps here, as the runner would (bash -e -o pipefail, with
 * RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), with stand-in commands first on PATH.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";

type Env = Record<string, string | number | boolean>;

export interface WorkflowStep {
    readonly name?: string;
    readonly id?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly env?: Env;
    readonly with?: Record<string, string | number | boolean>;
    readonly "continue-on-error"?: boolean | string;
}

export interface WorkflowJob {
    readonly name?: string;
    readonly needs?: string | readonly string[];
    readonly if?: string;
    readonly permissions?: Record<string, string> | string;
    readonly environment?: string | { readonly name: string };
    readonly env?: Env;
    readonly outputs?: Record<string, string>;
    readonly strategy?: {
        readonly "max-parallel"?: number;
        readonly "fail-fast"?: boolean;
        readonly matrix?: unknown;
    };
    readonly steps?: readonly WorkflowStep[];
}

export interface Workflow {
    readonly name?: string;
    readonly on: Record<string, unknown>;
    readonly permissions?: Record<string, string> | string;
    readonly concurrency?: { readonly group: string; readonly "cancel-in-progress"?: boolean };
    readonly defaults?: { readonly run?: { readonly shell?: string } };
    readonly env?: Env;
    readonly jobs: Record<string, WorkflowJob>;
}

export const ROOT = path.resolve(__dirname, "../..");

/** A workflow file's text and its parsed form (duplicate keys refused). */
export function loadWorkflow(file: string): { text: string; workflow: Workflow } {
    const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8");
    const doc = parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((error) => error.message).join("; ")}`);
    return { text, workflow: doc.toJS() as Workflow };
}

export function stepNamed(job: WorkflowJob, name: RegExp): WorkflowStep {
    const step = (job.steps ?? []).find((candidate) => name.test(candidate.name ?? ""));
    if (step === undefined) throw new Error(`no step named ${name}`);
    return step;
}

/** Writes an executable stand-in for a command into `bin`. */
export function standIn(bin: string, command: string, script: string): void {
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, command), script, { mode: 0o755 });
}

export interface StepOptions {
    readonly cwd: string;
    readonly bin: string;
    readonly runnerTemp: string;
    readonly env: Record<string, string>;
}

export interface StepResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly summary: string;
}

/** How GitHub's runner starts a `run:` step's bash (shell: bash): no profile, -e and pipefail. */
export function runnerBashArgs(step: WorkflowStep): string[] {
    return ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step.run ?? ""];
}

/** The runner's bash for a step, with fresh summary and output files. */
function stepCommand(step: WorkflowStep, options: StepOptions) {
    const summary = path.join(options.runnerTemp, "summary.md");
    const output = path.join(options.runnerTemp, "output");
    fs.writeFileSync(summary, "");
    fs.writeFileSync(output, "");
    return {
        summary,
        args: runnerBashArgs(step),
        spawnOptions: {
            cwd: options.cwd,
            env: {
                PATH: `${options.bin}:${process.env.PATH ?? ""}`,
                HOME: options.runnerTemp,
                RUNNER_TEMP: options.runnerTemp,
                GITHUB_STEP_SUMMARY: summary,
                GITHUB_OUTPUT: output,
                ...options.env,
            },
        },
    };
}

/** Runs a step's bash in `cwd` with `bin` first on PATH; RUNNER_TEMP is `runnerTemp`. */
export function runStep(step: WorkflowStep, options: StepOptions): StepResult {
    const { summary, args, spawnOptions } = stepCommand(step, options);
    const result = spawnSync("bash", args, { ...spawnOptions, encoding: "utf8" });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, summary: fs.readFileSync(summary, "utf8") };
}

/** runStep without blocking this process, for steps that talk to servers the test runs here. */
export function runStepAsync(step: WorkflowStep, options: StepOptions): Promise<StepResult> {
    const { summary, args, spawnOptions } = stepCommand(step, options);
    return new Promise((resolve, reject) => {
        const child = spawn("bash", args, spawnOptions);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout, stderr, summary: fs.readFileSync(summary, "utf8") }));
    });
}
