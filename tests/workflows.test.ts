/**
 * The GitHub workflows: valid (YAML, and SchemaStore's workflow schema through
 * action-validator), least privilege, pinned actions, referenced scripts and files present,
 * the stack matrix derived from the stack files, and the shell and script steps that decide
 * pass or fail actually behave as claimed when run here with stand-ins.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { listStacks } from "../lib/config/stackFiles";
import { windowStatus } from "../lib/versions/maintenanceWindow";
import { readWindow } from "../cli/stackConfig";
import { GATE_OUTPUTS } from "../cli/window/window";
import { stackMatrix } from "../scripts/stack-matrix";
import { upgradeProject, UpgradeProject } from "./fixtures/upgrade/project";
import { TS_NODE } from "./support/tsNode";
import { loadWorkflow, runnerBashArgs, stepNamed, Workflow, WorkflowJob, WorkflowStep } from "./support/workflowSteps";

const ROOT = path.resolve(__dirname, "..");
// Every workflow, so that the rules below hold for each (health.yml's own steps: tests/verifyWorkflows.test.ts).
const WORKFLOW_FILES = ["pull-request.yml", "deploy.yml", "vdx-upgrade.yml", "health.yml"] as const;

type Step = WorkflowStep;
type Job = WorkflowJob;

interface Loaded {
    readonly file: string;
    readonly text: string;
    readonly workflow: Workflow;
}

function load(file: string): Loaded {
    return { file, ...loadWorkflow(file) };
}

const workflows: readonly Loaded[] = WORKFLOW_FILES.map(load);
const pr = workflows[0].workflow;
const deploy = workflows[1].workflow;
const vdxUpgrade = workflows[2].workflow;

function jobsOf(workflow: Workflow): [string, Job][] {
    return Object.entries(workflow.jobs);
}

function stepsOf(job: Job): readonly Step[] {
    return job.steps ?? [];
}

function allSteps(): { file: string; jobId: string; job: Job; step: Step }[] {
    return workflows.flatMap(({ file, workflow }) =>
        jobsOf(workflow).flatMap(([jobId, job]) => stepsOf(job).map((step) => ({ file, jobId, job, step }))),
    );
}

function stepUsing(job: Job, action: string): Step {
    const step = stepsOf(job).find((s) => s.uses?.startsWith(`${action}@`));
    assert.ok(step, `no step uses ${action}`);
    return step;
}

function permissionsOf(job: Job): Record<string, string> {
    assert.equal(typeof job.permissions, "object", "permissions must be a map");
    return job.permissions as Record<string, string>;
}

/** A job touches Azure when it logs in to Azure or hands OIDC settings to Pulumi. */
function usesAzure(job: Job): boolean {
    return stepsOf(job).some((s) => s.uses?.startsWith("azure/login@")) || job.env?.ARM_USE_OIDC !== undefined;
}

/** A job pushes to the repository: a `git push` in one of its run blocks. */
function pushes(job: Job): boolean {
    return stepsOf(job).some((s) => /\bgit push\b/.test(s.run ?? ""));
}

/** The npm scripts a run block calls: `npm test`, `npm run [--silent] <name>`. */
function npmScripts(run: string): string[] {
    const names: string[] = [];
    for (const m of run.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:--?[\w-]+\s+)*([\w:.-]+)/g)) names.push(m[1]);
    for (const m of run.matchAll(/\bnpm\s+(test|start)\b/g)) names.push(m[1]);
    return names;
}

/** What the npm scripts a workflow runs write to $GITHUB_OUTPUT themselves (their own tests check it). */
const NPM_SCRIPT_OUTPUTS: Record<string, readonly string[]> = { window: GATE_OUTPUTS };

/** Whether a step writes an output: `<name>=` in its run block, or through an npm script it runs. */
function writesOutput(step: Step, name: string): boolean {
    const run = step.run ?? "";
    return new RegExp(`\\b${name}=`).test(run) || npmScripts(run).some((script) => NPM_SCRIPT_OUTPUTS[script]?.includes(name));
}

/** Repository paths a workflow depends on: policy pack and config, scripts. */
function referencedPaths(): string[] {
    const found = new Set<string>();
    for (const { step } of allSteps()) {
        for (const key of ["policyPacks", "policyPackConfigs"]) {
            const value = step.with?.[key];
            if (typeof value === "string") value.split(/[\n,]/).map((v) => v.trim()).filter(Boolean).forEach((v) => found.add(v));
        }
        const run = step.run ?? "";
        for (const m of run.matchAll(/--policy-pack(?:-config)?\s+([^\s\\]+)/g)) found.add(m[1]);
        for (const m of run.matchAll(/\bscripts\/[\w./-]+/g)) found.add(m[0]);
    }
    return [...found].sort();
}

const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    scripts?: Record<string, string>;
};

/** Runs a workflow's bash step here, with `npm` replaced by a stand-in that exits with `npmExit`. */
function runStep(
    step: Step,
    env: Record<string, string>,
    npm: { stdout: string; stderr: string; exit: number },
): { status: number; output: Record<string, string>; summary: string; stderr: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "step-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(dir, "npm.out"), npm.stdout);
        fs.writeFileSync(path.join(dir, "npm.err"), npm.stderr);
        fs.writeFileSync(
            path.join(bin, "npm"),
            `#!/usr/bin/env bash\necho "$*" >"${dir}/npm.args"\ncat "${dir}/npm.out"\ncat "${dir}/npm.err" >&2\nexit ${npm.exit}\n`,
            { mode: 0o755 },
        );
        const outputFile = path.join(dir, "output");
        const summaryFile = path.join(dir, "summary");
        fs.writeFileSync(outputFile, "");
        fs.writeFileSync(summaryFile, "");
        const result = spawnSync("bash", runnerBashArgs(step), {
            encoding: "utf8",
            env: {
                PATH: `${bin}:${process.env.PATH ?? ""}`,
                RUNNER_TEMP: dir,
                GITHUB_OUTPUT: outputFile,
                GITHUB_STEP_SUMMARY: summaryFile,
                ...env,
            },
        });
        const output: Record<string, string> = {};
        for (const line of fs.readFileSync(outputFile, "utf8").split("\n")) {
            const eq = line.indexOf("=");
            if (eq > 0) output[line.slice(0, eq)] = line.slice(eq + 1);
        }
        if (output.report !== undefined && fs.existsSync(output.report)) {
            output.reportText = fs.readFileSync(output.report, "utf8");
        }
        if (fs.existsSync(path.join(dir, "npm.args"))) output.npmArgs = fs.readFileSync(path.join(dir, "npm.args"), "utf8").trim();
        return {
            status: result.status ?? -1,
            output,
            summary: fs.readFileSync(summaryFile, "utf8"),
            stderr: result.stderr,
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("workflows", () => {
    describe("syntax", () => {
        for (const { file, text } of workflows) {
            it(`${file} passes action-validator (SchemaStore workflow schema)`, () => {
                const state = validateWorkflow(text);
                assert.equal(state.actionType, "workflow");
                assert.deepEqual(state.errors, [], JSON.stringify(state.errors, null, 2));
            });
        }

        it("action-validator does reject a broken workflow (the check is live)", () => {
            const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - runs: echo\n";
            assert.notEqual(validateWorkflow(broken).errors.length, 0);
        });
    });

    describe("references between jobs and steps", () => {
        for (const { file, text, workflow } of workflows) {
            it(`${file}: every steps.<id>.outputs.<name> is a step of the job that writes it`, () => {
                for (const [jobId, job] of jobsOf(workflow)) {
                    const jobText = JSON.stringify(job);
                    for (const m of jobText.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
                        const step = stepsOf(job).find((s) => s.id === m[1]);
                        assert.ok(step, `${jobId}: no step with id ${m[1]}`);
                        assert.ok(writesOutput(step, m[2]), `${jobId}: step ${m[1]} never writes ${m[2]}`);
                    }
                }
            });

            it(`${file}: every needs.<job>.outputs.<name> is a declared output of a needed job`, () => {
                for (const [jobId, job] of jobsOf(workflow)) {
                    const needs = job.needs === undefined ? [] : typeof job.needs === "string" ? [job.needs] : job.needs;
                    const jobText = JSON.stringify(job);
                    for (const m of jobText.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
                        assert.ok(needs.includes(m[1]), `${jobId} reads ${m[1]} without needing it`);
                        assert.ok(workflow.jobs[m[1]]?.outputs?.[m[2]], `${m[1]} declares no output ${m[2]}`);
                    }
                }
            });

            it(`${file}: every inputs.<name> is a workflow_dispatch input`, () => {
                const dispatch = workflow.on.workflow_dispatch as { inputs?: Record<string, unknown> } | undefined;
                for (const m of text.matchAll(/\binputs\.([\w-]+)/g)) {
                    assert.ok(dispatch?.inputs?.[m[1]], `no input ${m[1]}`);
                }
            });
        }
    });

    describe("least privilege", () => {
        for (const { file, text, workflow } of workflows) {
            it(`${file}: no default token permissions at the top`, () => {
                const top = workflow.permissions;
                assert.ok(top !== undefined, "top-level permissions must be declared");
                if (typeof top === "string") {
                    assert.equal(top, "read-all");
                } else {
                    for (const [scope, level] of Object.entries(top)) assert.notEqual(level, "write", scope);
                }
                assert.doesNotMatch(text, /write-all/);
            });

            for (const [jobId, job] of jobsOf(workflow)) {
                it(`${file}: job ${jobId} declares its permissions, id-token only if it uses Azure`, () => {
                    const permissions = permissionsOf(job);
                    // Write only where the job pushes a branch (the upgrade pull request's).
                    assert.equal(permissions["contents"], pushes(job) ? "write" : "read");
                    assert.equal(permissions["id-token"] === "write", usesAzure(job));
                    for (const [scope, level] of Object.entries(permissions)) {
                        assert.ok(["read", "write", "none"].includes(level), `${scope}: ${level}`);
                    }
                });
            }
        }

        it("only jobs that comment on or open pull requests may write to them", () => {
            for (const { workflow } of workflows) {
                for (const [jobId, job] of jobsOf(workflow)) {
                    const comments = stepsOf(job).some(
                        (s) => s.uses?.startsWith("actions/github-script@") || s.with?.["comment-on-pr"] === true || /\bgh pr (create|edit|comment|ready|close)\b/.test(s.run ?? ""),
                    );
                    assert.equal(permissionsOf(job)["pull-requests"] === "write", comments, jobId);
                }
            }
        });
    });

    describe("Node.js", () => {
        for (const { file, workflow } of workflows) {
            it(`${file}: every setup-node installs Node 24, the version engines and .ci/run name`, () => {
                const setups = jobsOf(workflow).flatMap(([, job]) => stepsOf(job).filter((s) => s.uses?.startsWith("actions/setup-node@")));
                assert.ok(setups.length > 0);
                for (const setup of setups) assert.equal(String(setup.with?.["node-version"]), "24", setup.name ?? setup.uses);
            });
        }
    });

    describe("pinned actions", () => {
        const pins = new Map<string, string>();
        for (const { file, text } of workflows) {
            it(`${file}: every uses: is a full commit SHA with its release tag`, () => {
                const lines = text.split("\n").filter((line) => /^\s*(-\s+)?uses:/.test(line));
                assert.ok(lines.length > 0);
                for (const line of lines) {
                    const m = /uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s+v\d+\.\d+\.\d+\s*$/.exec(line);
                    assert.ok(m, `not pinned to a SHA with a "# vX.Y.Z" comment: ${line.trim()}`);
                    const previous = pins.get(m[1]);
                    assert.ok(previous === undefined || previous === m[2], `${m[1]} pinned to two SHAs`);
                    pins.set(m[1], m[2]);
                }
            });
        }

        it("no step uses a local or docker action", () => {
            for (const { step } of allSteps()) {
                if (step.uses) assert.doesNotMatch(step.uses, /^(\.|docker:)/);
            }
        });
    });

    describe("shell steps", () => {
        for (const { file, workflow } of workflows) {
            it(`${file}: bash by default, every run block starts with set -euo pipefail`, () => {
                assert.equal(workflow.defaults?.run?.shell, "bash");
                for (const [jobId, job] of jobsOf(workflow)) {
                    for (const step of stepsOf(job)) {
                        if (step.run === undefined) continue;
                        assert.match(step.run, /^set -euo pipefail\n/, `${jobId}: ${step.name ?? step.run}`);
                    }
                }
            });
        }

        it("no expression is expanded inside a run block (no injection, no secret in a command line)", () => {
            for (const { jobId, step } of allSteps()) {
                if (step.run !== undefined) assert.doesNotMatch(step.run, /\$\{\{/, `${jobId}: ${step.name}`);
            }
        });

        it("the passphrase is given only to the step that runs Pulumi, and never printed", () => {
            for (const { workflow } of workflows) {
                assert.equal(workflow.env?.PULUMI_CONFIG_PASSPHRASE, undefined);
                for (const [jobId, job] of jobsOf(workflow)) {
                    assert.equal(job.env?.PULUMI_CONFIG_PASSPHRASE, undefined, jobId);
                    for (const step of stepsOf(job)) {
                        const given = step.env?.PULUMI_CONFIG_PASSPHRASE;
                        if (given !== undefined) {
                            assert.equal(given, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
                            const runsPulumi = step.uses?.startsWith("pulumi/actions@") || /\bpulumi (up|preview)\b/.test(step.run ?? "");
                            assert.ok(runsPulumi, `${jobId}: ${step.name}`);
                        }
                        assert.doesNotMatch(step.run ?? "", /(echo|printf|cat)[^\n]*PASSPHRASE/);
                    }
                }
            }
        });

        it("secrets reach steps only through env or action inputs", () => {
            for (const { workflow } of workflows) {
                for (const [jobId, job] of jobsOf(workflow)) {
                    for (const [name, value] of Object.entries(job.env ?? {})) {
                        assert.doesNotMatch(String(value), /secrets\./, `${jobId} env ${name}`);
                    }
                }
            }
        });
    });

    describe("referenced scripts and files", () => {
        const scripts = new Set(allSteps().flatMap(({ step }) => npmScripts(step.run ?? "")));

        it("the workflows call npm test and npm run plan", () => {
            assert.ok(scripts.has("test"));
            assert.ok(scripts.has("plan"));
        });

        for (const name of [...scripts].sort()) {
            it(`npm script "${name}" exists in package.json`, () => {
                assert.ok(packageJson.scripts?.[name], `package.json has no "${name}" script`);
            });
        }

        const paths = referencedPaths();
        it("the workflows reference the policy pack, its config and the matrix script", () => {
            assert.deepEqual(paths, ["policy", "policy/config.json", "scripts/stack-matrix.ts"]);
        });

        it("every repository path a workflow names, in a step or a comment, exists (files move: issue 19)", () => {
            for (const { file, text } of workflows) {
                for (const [named] of text.matchAll(/(?<![\w/.$-])(?:scripts|cli|lib|tests|docs|policy|engine|components)\/[\w./-]*\w/g)) {
                    assert.ok(fs.existsSync(path.join(ROOT, named)), `${file} names ${named}, which does not exist`);
                }
            }
        });

        for (const p of paths) {
            it(`${p} exists`, () => {
                assert.ok(fs.existsSync(path.join(ROOT, p)), `${p} is missing`);
            });
        }
    });

    describe("stack matrix script", () => {
        let dir: string;

        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        });

        afterEach(() => {
            fs.rmSync(dir, { recursive: true, force: true });
        });

        function touch(...names: string[]): void {
            for (const name of names) fs.writeFileSync(path.join(dir, name), "config: {}\n");
        }

        function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
            const result = spawnSync(
                process.execPath,
                ["-r", TS_NODE, path.join(ROOT, "scripts", "stack-matrix.ts"), ...args],
                { cwd: ROOT, encoding: "utf8" },
            );
            return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
        }

        it("lists one stack per Pulumi.<stack>.yaml: dev, other, prod, prod-<region>s", () => {
            touch(
                "Pulumi.yaml",
                "Pulumi.prod-westeurope.yaml",
                "Pulumi.prod.yaml",
                "Pulumi.prod-northeurope.yaml",
                "Pulumi.dev.yaml",
                "Pulumi.staging.yaml",
                "Pulumi.dev.yaml.bak",
                "Pulumi.prod.yml",
                "README.md",
            );
            fs.mkdirSync(path.join(dir, "Pulumi.dir.yaml"));
            assert.deepEqual(listStacks(dir), ["dev", "staging", "prod", "prod-northeurope", "prod-westeurope"]);
        });

        it("prints the matrix GitHub reads with fromJSON", () => {
            touch("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "Pulumi.prod-swedencentral.yaml");
            const result = cli("--dir", dir);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.stdout, '{"stack":["dev","prod","prod-swedencentral"]}\n');
        });

        it("narrows to one stack with --only, and an empty --only means all", () => {
            touch("Pulumi.dev.yaml", "Pulumi.prod.yaml");
            assert.deepEqual(stackMatrix(dir, "prod"), { stack: ["prod"] });
            assert.deepEqual(stackMatrix(dir, ""), { stack: ["dev", "prod"] });
            const result = cli("--dir", dir, "--only", "");
            assert.equal(result.stdout, '{"stack":["dev","prod"]}\n');
        });

        it("fails on an unknown --only stack, no stack file, or an invalid name", () => {
            touch("Pulumi.dev.yaml");
            const unknown = cli("--dir", dir, "--only", "prod-mars");
            assert.equal(unknown.status, 1);
            assert.match(unknown.stderr, /prod-mars/);
            assert.equal(unknown.stdout, "");

            fs.rmSync(path.join(dir, "Pulumi.dev.yaml"));
            touch("Pulumi.yaml");
            assert.throws(() => stackMatrix(dir), /no Pulumi\.<stack>\.yaml/);
            assert.equal(cli("--dir", dir).status, 1);

            touch("Pulumi.$(id).yaml");
            assert.throws(() => listStacks(dir), /not a valid stack name/);
            assert.equal(cli("--bogus").status, 2);
        });

        it("matches the Pulumi.*.yaml files at the repository root", () => {
            const files = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..+\.yaml$/.test(f));
            const expected = files.map((f) => f.slice("Pulumi.".length, -".yaml".length)).sort();
            if (expected.length === 0) {
                assert.throws(() => stackMatrix(ROOT), /no Pulumi/);
                return;
            }
            assert.deepEqual([...stackMatrix(ROOT).stack].sort(), expected);
            const out = execFileSync(
                process.execPath,
                ["-r", TS_NODE, path.join(ROOT, "scripts", "stack-matrix.ts")],
                // Not the root: the script must find the stack files from its own location.
                { cwd: path.join(ROOT, "tests"), encoding: "utf8" },
            );
            assert.deepEqual(JSON.parse(out), stackMatrix(ROOT));
        });
    });

    describe("pull-request.yml", () => {
        const jobs = pr.jobs;

        it("runs on pull_request only, never pull_request_target", () => {
            assert.deepEqual(Object.keys(pr.on), ["pull_request"]);
            for (const { workflow } of workflows) assert.ok(!("pull_request_target" in workflow.on));
        });

        it("installs with npm ci on Node 24 with the npm cache, then tests", () => {
            for (const [jobId, job] of jobsOf(pr)) {
                const setup = stepUsing(job, "actions/setup-node");
                assert.equal(String(setup.with?.["node-version"]), "24", jobId);
                assert.equal(setup.with?.cache, "npm", jobId);
                assert.ok(stepsOf(job).some((s) => /^npm ci$/m.test(s.run ?? "")), jobId);
            }
            const runs = stepsOf(jobs.test).map((s) => s.run ?? "");
            const install = runs.findIndex((r) => /^npm ci$/m.test(r));
            const test = runs.findIndex((r) => /^npm test$/m.test(r));
            const matrix = runs.findIndex((r) => r.includes("scripts/stack-matrix.ts"));
            assert.ok(install >= 0 && install < test && test < matrix);
        });

        it("derives the stack matrix in the first job; no hand-written stack list", () => {
            assert.equal(jobs.test.needs, undefined);
            assert.equal(jobs.test.outputs?.matrix, "${{ steps.stacks.outputs.matrix }}");
            for (const jobId of ["plan", "preview"]) {
                assert.equal(jobs[jobId].needs, "test");
                assert.equal(jobs[jobId].strategy?.matrix, "${{ fromJSON(needs.test.outputs.matrix) }}");
                assert.equal(jobs[jobId].strategy?.["fail-fast"], false);
            }
        });

        it("plans in Markdown into the job summary, comments best effort, fails on exit 1 and 2", () => {
            const plan = stepNamed(jobs.plan, /^Offline plan$/);
            assert.match(plan.run ?? "", /npm run --silent plan -- --stack "\$STACK" --markdown/);
            assert.match(plan.run ?? "", /GITHUB_STEP_SUMMARY/);
            const comment = stepUsing(jobs.plan, "actions/github-script");
            assert.equal(comment["continue-on-error"], true);
            assert.equal(comment.if, "github.event.pull_request.head.repo.full_name == github.repository");
            const fail = stepNamed(jobs.plan, /^Fail on/);
            assert.equal(fail.if, "steps.plan.outputs.status != '0'");
            assert.equal(plan.id, "plan");
        });

        for (const [exit, reason] of [
            [0, undefined],
            [1, "a mandatory policy is violated"],
            [2, "the stack configuration is invalid"],
            [7, "the plan command failed"],
        ] as const) {
            it(`the plan step records exit ${exit} and still writes the summary`, () => {
                const plan = stepNamed(jobs.plan, /^Offline plan$/);
                const result = runStep(plan, { STACK: "prod" }, {
                    stdout: "## Plan for prod\n\n| resource | count |\n",
                    stderr: "policy: vm-size is mandatory\n",
                    exit,
                });
                assert.equal(result.status, 0, result.stderr);
                assert.equal(result.output.status, String(exit));
                assert.equal(result.output.npmArgs, "run --silent plan -- --stack prod --markdown");
                assert.match(result.summary, /## Plan for prod/);
                assert.equal(result.output.reportText, result.summary);
                if (reason === undefined) {
                    assert.doesNotMatch(result.summary, /exited with/);
                } else {
                    assert.match(result.summary, new RegExp(`exited with ${exit}: ${reason}`));
                    assert.match(result.summary, /vm-size is mandatory/);
                }
                const fail = stepNamed(jobs.plan, /^Fail on/);
                if (exit !== 0) {
                    const failed = runStep(fail, { STACK: "prod", STATUS: String(exit) }, { stdout: "", stderr: "", exit: 0 });
                    assert.equal(failed.status, 1);
                }
            });
        }

        describe("the comment script", () => {
            type Comment = { id: number; body: string; user: { type: string }; html_url: string };

            async function runComment(existing: Comment[], report: string) {
                const step = stepUsing(jobs.plan, "actions/github-script");
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "comment-"));
                const file = path.join(dir, "report.md");
                fs.writeFileSync(file, report);
                const calls: { op: string; args: Record<string, unknown> }[] = [];
                const github = {
                    rest: {
                        issues: {
                            listComments: "listComments",
                            updateComment: async (args: Record<string, unknown>) => calls.push({ op: "update", args }),
                            createComment: async (args: Record<string, unknown>) => {
                                calls.push({ op: "create", args });
                                return { data: { html_url: "https://example.invalid/c/new" } };
                            },
                        },
                    },
                    paginate: async (what: string, args: Record<string, unknown>) => {
                        calls.push({ op: what, args });
                        return existing;
                    },
                };
                const context = { repo: { owner: "o", repo: "r" }, payload: { pull_request: { number: 42 } } };
                const core = { info: () => undefined };
                const saved = { STACK: process.env.STACK, REPORT: process.env.REPORT };
                process.env.STACK = "prod-westeurope";
                process.env.REPORT = file;
                try {
                    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
                        ...args: string[]
                    ) => (...values: unknown[]) => Promise<unknown>;
                    const script = new AsyncFunction("require", "github", "context", "core", String(step.with?.script));
                    await script(require, github, context, core);
                } finally {
                    process.env.STACK = saved.STACK;
                    process.env.REPORT = saved.REPORT;
                    if (saved.STACK === undefined) delete process.env.STACK;
                    if (saved.REPORT === undefined) delete process.env.REPORT;
                    fs.rmSync(dir, { recursive: true, force: true });
                }
                return calls;
            }

            const marker = "<!-- vdx-teams-connector:offline-plan:prod-westeurope -->";

            it("creates one comment carrying the hidden marker", async () => {
                const calls = await runComment([], "plan text");
                assert.deepEqual(calls.map((c) => c.op), ["listComments", "create"]);
                assert.equal(calls[1].args.issue_number, 42);
                assert.equal(calls[1].args.body, `${marker}\nplan text`);
            });

            it("updates the bot's earlier comment for the same stack, not others", async () => {
                const calls = await runComment(
                    [
                        { id: 1, body: `${marker}\nold`, user: { type: "User" }, html_url: "u1" },
                        { id: 2, body: "<!-- vdx-teams-connector:offline-plan:prod -->\nother", user: { type: "Bot" }, html_url: "u2" },
                        { id: 3, body: `${marker}\nold`, user: { type: "Bot" }, html_url: "u3" },
                    ],
                    "new plan",
                );
                assert.deepEqual(calls.map((c) => c.op), ["listComments", "update"]);
                assert.equal(calls[1].args.comment_id, 3);
                assert.equal(calls[1].args.body, `${marker}\nnew plan`);
            });

            it("truncates a plan longer than a comment may be", async () => {
                const calls = await runComment([], "x".repeat(70000));
                const body = String(calls[1].args.body);
                assert.ok(body.length < 65536);
                assert.match(body, /Truncated/);
            });
        });

        it("previews with Pulumi and the policy pack only when Azure is configured, never for forks", () => {
            const preview = jobs.preview;
            for (const name of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "PULUMI_BACKEND_URL"]) {
                assert.ok(preview.if?.includes(`vars.${name} != ''`), name);
            }
            assert.ok(preview.if?.includes("github.event.pull_request.head.repo.full_name == github.repository"));
            assert.deepEqual(preview.env, {
                ARM_USE_OIDC: "true",
                ARM_CLIENT_ID: "${{ vars.ARM_CLIENT_ID }}",
                ARM_TENANT_ID: "${{ vars.ARM_TENANT_ID }}",
                ARM_SUBSCRIPTION_ID: "${{ vars.ARM_SUBSCRIPTION_ID }}",
            });
            const login = stepUsing(preview, "azure/login");
            assert.equal(login.with?.["client-id"], "${{ vars.ARM_CLIENT_ID }}");
            const pulumi = stepUsing(preview, "pulumi/actions");
            assert.deepEqual(pulumi.with, {
                command: "preview",
                "stack-name": "${{ matrix.stack }}",
                "cloud-url": "${{ vars.PULUMI_BACKEND_URL }}",
                policyPacks: "policy",
                policyPackConfigs: "policy/config.json",
                "comment-on-pr": true,
                "github-token": "${{ secrets.GITHUB_TOKEN }}",
            });
            assert.deepEqual(permissionsOf(preview), { contents: "read", "id-token": "write", "pull-requests": "write" });
            assert.deepEqual(permissionsOf(jobs.plan), { contents: "read", "pull-requests": "write" });
            assert.deepEqual(permissionsOf(jobs.test), { contents: "read" });
        });

        it("runs the end-to-end tests, never skipped, on an engine cached by every Go pin the build reads", () => {
            const e2e = jobs.e2e;
            const pins: string[] = [];
            const walk = (dir: string) => {
                for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
                    const relative = `${dir}/${entry.name}`;
                    if (entry.isDirectory()) walk(relative);
                    else if (entry.name === "go.mod" || entry.name === "go.sum") pins.push(relative);
                }
            };
            walk("engine");
            const cache = stepUsing(e2e, "actions/cache");
            const key = String(cache.with?.key);
            for (const pin of pins) assert.ok(key.includes(`'${pin}'`), `the cache key hashes ${pin}`);
            // Where scripts/engine-build.ts keeps its builds without XDG_CACHE_HOME.
            assert.equal(cache.with?.path, "~/.cache/vdx-teams-connector");
            const runs = stepsOf(e2e).map((step) => step.run ?? "");
            const at = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));
            const [restore, build, lint, endToEnd] = [stepsOf(e2e).indexOf(cache), at(/^npm run engine:build$/m), at(/^npm run lint:workflows$/m), at(/^npm run test:e2e$/m)];
            assert.ok(restore >= 0 && restore < build && build < lint && build < endToEnd, runs.join("\n---\n"));
            assert.equal(stepsOf(e2e)[endToEnd].env?.E2E_REQUIRED, "1", "a missing engine fails the job instead of skipping the suite");
            assert.equal(stepUsing(e2e, "actions/setup-go").with?.["go-version-file"], "engine/go.mod");
            assert.deepEqual(permissionsOf(e2e), { contents: "read" });
        });
    });

    describe("deploy.yml", () => {
        const jobs = deploy.jobs;

        it("runs on push to main and on a manual dispatch with an optional stack and the emergency override", () => {
            assert.deepEqual(Object.keys(deploy.on).sort(), ["push", "workflow_dispatch"]);
            assert.deepEqual(deploy.on.push, { branches: ["main"] });
            const dispatch = deploy.on.workflow_dispatch as {
                inputs: Record<string, { required: boolean; type: string; default?: unknown; description: string }>;
            };
            assert.deepEqual(Object.keys(dispatch.inputs), ["stack", "override_window"]);
            assert.equal(dispatch.inputs.stack.required, false);
            assert.equal(dispatch.inputs.stack.type, "string");
            const override = dispatch.inputs.override_window;
            assert.equal(override.type, "boolean");
            assert.equal(override.required, false);
            assert.equal(override.default, false);
            assert.match(override.description, /^EMERGENCY ONLY: .*maintenance window/);
        });

        it("never cancels a running deploy", () => {
            assert.equal(deploy.concurrency?.["cancel-in-progress"], false);
            assert.ok(deploy.concurrency?.group);
        });

        it("deploys one stack at a time, each in the environment of the same name, in script order", () => {
            const job = jobs.deploy;
            assert.equal(job.needs, "stacks");
            assert.equal(job.strategy?.["max-parallel"], 1);
            assert.equal(job.strategy?.["fail-fast"], true);
            assert.equal(job.strategy?.matrix, "${{ fromJSON(needs.stacks.outputs.matrix) }}");
            assert.equal(job.environment, "${{ matrix.stack }}");
            const matrixStep = stepNamed(jobs.stacks, /^Stack matrix$/);
            assert.match(matrixStep.run ?? "", /scripts\/stack-matrix\.ts --only "\$\{ONLY_STACK:-\}"/);
            assert.equal(matrixStep.env?.ONLY_STACK, "${{ inputs.stack }}");
        });

        it("tests before deploying, and deploys main only", () => {
            const runs = stepsOf(jobs.stacks).map((s) => s.run ?? "");
            assert.ok(runs.some((r) => /^npm test$/m.test(r)));
            const gate = stepNamed(jobs.stacks, /branch/);
            const branch = runStep(gate, { GITHUB_REF: "refs/heads/feature", BACKEND_URL: "azblob://state" }, { stdout: "", stderr: "", exit: 0 });
            assert.equal(branch.output.deploy, "false");
            const unset = runStep(gate, { GITHUB_REF: "refs/heads/main", BACKEND_URL: "" }, { stdout: "", stderr: "", exit: 0 });
            assert.equal(unset.output.deploy, "false");
            const ok = runStep(gate, { GITHUB_REF: "refs/heads/main", BACKEND_URL: "azblob://state" }, { stdout: "", stderr: "", exit: 0 });
            assert.equal(ok.output.deploy, "true");
            assert.equal(jobs.deploy.if, "needs.stacks.outputs.deploy == 'true'");
        });

        it("runs pulumi up with the policy pack after the offline plan and an OIDC login", () => {
            const job = jobs.deploy;
            const names = stepsOf(job).map((s) => s.name ?? s.uses ?? "");
            const plan = names.findIndex((n) => n.startsWith("Offline plan"));
            const login = stepsOf(job).findIndex((s) => s.uses?.startsWith("azure/login@"));
            const up = stepsOf(job).findIndex((s) => /\bpulumi up\b/.test(s.run ?? ""));
            assert.ok(plan >= 0 && plan < login && login < up, names.join(" | "));
            const run = stepsOf(job)[up].run ?? "";
            assert.match(run, /pulumi up --yes --non-interactive --stack "\$STACK"/);
            assert.match(run, /--policy-pack policy --policy-pack-config policy\/config\.json/);
            assert.equal(job.env?.ARM_USE_OIDC, "true");
            assert.deepEqual(permissionsOf(job), { contents: "read", "id-token": "write" });
            assert.deepEqual(permissionsOf(jobs.stacks), { contents: "read" });
        });

        it("signs Az PowerShell in for Pexip's deployment script, at the Az version the package asks for, and again right before pulumi up", () => {
            const job = jobs.deploy;
            const steps = stepsOf(job);
            const logins = steps.filter((s) => s.uses?.startsWith("azure/login@"));
            assert.equal(logins.length, 2);
            for (const login of logins) {
                assert.equal(login.with?.["enable-AzPSSession"], true);
                assert.deepEqual(login.with, logins[0].with);
                assert.equal(login.uses, logins[0].uses);
            }
            // Fresh tokens for the script's half hour: the step just before pulumi up, under the same condition.
            const upIndex = steps.findIndex((s) => /\bpulumi up\b/.test(s.run ?? ""));
            assert.equal(steps[upIndex - 1], logins[1]);
            assert.equal(logins[1].if, steps[upIndex].if);
            const install = steps.findIndex((s) => /Install-Module -Name Az -RequiredVersion \$env:AZ_POWERSHELL_VERSION/.test(s.run ?? ""));
            const up = steps.findIndex((s) => /\bpulumi up\b/.test(s.run ?? ""));
            assert.ok(install >= 0 && install < up);
            assert.equal(steps[install].env?.AZ_POWERSHELL_VERSION, "${{ vars.AZ_POWERSHELL_VERSION }}");
            const unset = runStep(steps[install], { AZ_POWERSHELL_VERSION: "" }, { stdout: "", stderr: "", exit: 0 });
            assert.equal(unset.status, 2);
        });

        describe("the maintenance window before pulumi up", () => {
            const steps = stepsOf(jobs.deploy);
            const preview = stepNamed(jobs.deploy, /^pulumi preview/);
            const gate = stepNamed(jobs.deploy, /^Maintenance window/);
            const up = steps.find((s) => /\bpulumi up\b/.test(s.run ?? ""))!;

            it("previews after the Azure login, then gates, then runs pulumi up only when the gate says proceed", () => {
                const login = steps.findIndex((s) => s.uses?.startsWith("azure/login@"));
                const order = [login, steps.indexOf(preview), steps.indexOf(gate), steps.indexOf(up)];
                assert.deepEqual([...order].sort((a, b) => a - b), order, steps.map((s) => s.name ?? s.uses).join(" | "));
                assert.ok(login >= 0);
                assert.equal(gate.id, "window");
                assert.equal(up.if, "steps.window.outputs.proceed == 'true'");
                for (const step of steps.slice(0, steps.indexOf(up) - 1)) assert.equal(step.if, undefined, step.name);
            });

            it("previews the stack as pulumi up deploys it: same backend, passphrase and policy pack, JSON into RUNNER_TEMP", () => {
                const run = preview.run ?? "";
                assert.match(run, /pulumi login "\$BACKEND_URL"/);
                assert.match(run, /pulumi preview --json --non-interactive --stack "\$STACK" \\\n\s+--policy-pack policy --policy-pack-config policy\/config\.json \\\n\s+>"\$RUNNER_TEMP\/preview\.json"\n$/);
                assert.deepEqual(preview.env, up.env);
                assert.match(gate.run ?? "", /--preview "\$RUNNER_TEMP\/preview\.json"/);
            });

            it("gives the gate the stack and the override through env, and no secret", () => {
                assert.deepEqual(gate.env, { STACK: "${{ matrix.stack }}", OVERRIDE_WINDOW: "${{ inputs.override_window }}" });
            });

            it("passes --override only when the dispatch input is true", () => {
                for (const [given, expected] of [["true", " --override"], ["false", ""], ["", ""]] as const) {
                    const result = runStep(gate, { STACK: "prod", OVERRIDE_WINDOW: given }, { stdout: "window: proceed (prod)\n", stderr: "", exit: 0 });
                    assert.equal(result.status, 0, result.stderr);
                    assert.match(result.output.npmArgs, new RegExp(`^run --silent window -- --stack prod --preview /\\S+/preview\\.json${expected}$`), given);
                }
                // A usage error fails the step, and with it the stack's job.
                assert.equal(runStep(gate, { STACK: "prod", OVERRIDE_WINDOW: "" }, { stdout: "", stderr: "error: x\n", exit: 2 }).status, 2);
            });

            /**
             * Runs the preview, gate and up steps here in order, as the runner would: one RUNNER_TEMP,
             * the gate's GITHUB_OUTPUT deciding up's `if:`, the real gate (npm run window) over the
             * repository's stack files, and a stand-in `pulumi` that logs its arguments and prints
             * `previewJson` for `pulumi preview`.
             */
            function runGatedDeploy(previewJson: unknown, env: Record<string, string>): { outputs: Record<string, string>; summary: string; pulumi: string[] } {
                const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-"));
                try {
                    const bin = path.join(dir, "bin");
                    fs.mkdirSync(bin);
                    fs.writeFileSync(path.join(dir, "preview.out"), JSON.stringify(previewJson));
                    fs.writeFileSync(
                        path.join(bin, "pulumi"),
                        `#!/usr/bin/env bash\necho "$*" >>"${dir}/pulumi.calls"\nif [ "$1" = preview ]; then cat "${dir}/preview.out"; fi\n`,
                        { mode: 0o755 },
                    );
                    const files = { GITHUB_OUTPUT: path.join(dir, "output"), GITHUB_STEP_SUMMARY: path.join(dir, "summary") };
                    fs.writeFileSync(files.GITHUB_OUTPUT, "");
                    fs.writeFileSync(files.GITHUB_STEP_SUMMARY, "");
                    const outputs: Record<string, string> = {};
                    for (const step of [preview, gate, up]) {
                        if (step === up && outputs.proceed !== "true") continue;
                        const result = spawnSync("bash", runnerBashArgs(step), {
                            cwd: ROOT,
                            encoding: "utf8",
                            env: { PATH: `${bin}:${process.env.PATH ?? ""}`, HOME: process.env.HOME ?? dir, RUNNER_TEMP: dir, ...files, ...env },
                        });
                        assert.equal(result.status, 0, `${step.name}: ${result.stderr}`);
                        if (step === gate) {
                            for (const line of fs.readFileSync(files.GITHUB_OUTPUT, "utf8").split("\n").filter(Boolean)) {
                                outputs[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
                            }
                        }
                    }
                    return {
                        outputs,
                        summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, "utf8"),
                        pulumi: fs.readFileSync(path.join(dir, "pulumi.calls"), "utf8").trim().split("\n").map((call) => call.split(" ")[0]),
                    };
                } finally {
                    fs.rmSync(dir, { recursive: true, force: true });
                }
            }

            const upgrade = {
                steps: [
                    {
                        op: "replace",
                        urn: "urn:pulumi:dev::vdx-teams-connector::vdx:teams:TeamsConnector$vdx:teams:PexipDeployment$command:local:Command::vdxdevweu-deployment-deploy",
                    },
                ],
            };
            const env = { STACK: "dev", BACKEND_URL: "file:///state", GITHUB_ACTOR: "alice", GITHUB_WORKFLOW: "deploy", GITHUB_SHA: "0".repeat(40) };

            it("end to end: a redeploy reaches pulumi up exactly when the dev stack's window allows it now", () => {
                const allowedNow = () => String(windowStatus(readWindow(ROOT, "dev"), new Date()).open);
                // Asked before and after, so that a window opening or closing meanwhile cannot fail the test.
                const before = allowedNow();
                const run = runGatedDeploy(upgrade, { ...env, OVERRIDE_WINDOW: "" });
                assert.ok([before, allowedNow()].includes(run.outputs.proceed), run.outputs.proceed);
                assert.deepEqual(Object.keys(run.outputs), [...GATE_OUTPUTS]);
                assert.equal(run.outputs.redeploy, "true");
                assert.deepEqual(run.pulumi, run.outputs.proceed === "true" ? ["login", "preview", "login", "up"] : ["login", "preview"]);
                assert.match(run.summary, /### Maintenance window: `dev`/);
            });

            it("end to end: the emergency override reaches pulumi up, whatever the time", () => {
                const run = runGatedDeploy(upgrade, { ...env, OVERRIDE_WINDOW: "true" });
                assert.equal(run.outputs.proceed, "true");
                assert.deepEqual(run.pulumi, ["login", "preview", "login", "up"]);
                assert.match(run.summary, /alice/);
            });
        });

        it("stops before Azure when the offline plan exits 1 or 2", () => {
            const plan = stepNamed(jobs.deploy, /^Offline plan/);
            for (const exit of [1, 2]) {
                const result = runStep(plan, { STACK: "prod" }, { stdout: "plan\n", stderr: "", exit });
                assert.equal(result.status, exit);
            }
            assert.equal(runStep(plan, { STACK: "prod" }, { stdout: "plan\n", stderr: "", exit: 0 }).summary, "plan\n");
        });
    });

    describe("vdx-upgrade.yml", () => {
        const jobs = vdxUpgrade.jobs;
        const text = workflows[2].text;
        const findStep = stepNamed(jobs.find, /^Upgrade pull requests$/);
        const commitStep = stepNamed(jobs["pull-request"], /^Commit the stack files/);
        const prStep = stepNamed(jobs["pull-request"], /^Open or update the pull request$/);
        const closeStep = stepNamed(jobs["close-outdated"], /^Close the pull requests of versions no longer targeted$/);

        it("runs daily and on a manual dispatch, one run at a time, never cancelled", () => {
            assert.deepEqual(Object.keys(vdxUpgrade.on), ["schedule", "workflow_dispatch"]);
            const schedule = vdxUpgrade.on.schedule as Array<{ cron: string }>;
            assert.equal(schedule.length, 1);
            assert.match(schedule[0].cron, /^\d{1,2} \d{1,2} \* \* \*$/);
            assert.equal(vdxUpgrade.concurrency?.["cancel-in-progress"], false);
        });

        it("finds the upgrades in a read-only job, quickly: npm ci, no tests, then cli/upgrade/upgradePr.ts", () => {
            const find = jobs.find;
            assert.deepEqual(permissionsOf(find), { contents: "read" });
            assert.equal(stepUsing(find, "actions/checkout").with?.["persist-credentials"], false);
            const setup = stepUsing(find, "actions/setup-node");
            assert.equal(String(setup.with?.["node-version"]), "24");
            assert.equal(setup.with?.cache, "npm");
            const runs = stepsOf(find).map((s) => s.run ?? "");
            assert.ok(runs.findIndex((r) => /^npm ci$/m.test(r)) < runs.indexOf(findStep.run ?? ""));
            assert.ok(!runs.some((r) => /\bnpm test\b/.test(r)), "the pull request's own checks run the tests");
            assert.match(findStep.run ?? "", /^npm run --silent upgrade-pr -- --out "\$out"$/m);
            assert.deepEqual(find.outputs, {
                matrix: "${{ steps.upgrades.outputs.matrix }}",
                count: "${{ steps.upgrades.outputs.count }}",
                branches: "${{ steps.upgrades.outputs.branches }}",
            });
        });

        it("hands the files over as an artifact, also with nothing to propose: the closing comments are in it", () => {
            const upload = stepUsing(jobs.find, "actions/upload-artifact");
            assert.equal(upload.if, undefined);
            assert.equal(upload.with?.path, "${{ runner.temp }}/vdx-upgrade");
            for (const job of ["pull-request", "close-outdated"]) {
                const download = stepUsing(jobs[job], "actions/download-artifact");
                assert.equal(download.with?.name, upload.with?.name, job);
                assert.equal(download.with?.path, upload.with?.path, job);
            }
            assert.match(findStep.run ?? "", /^\s*out="\$\{RUNNER_TEMP\}\/vdx-upgrade"$/m);
        });

        it("opens pull requests from main only, one job per version, with only contents and pull-requests write, running no project code", () => {
            const job = jobs["pull-request"];
            assert.deepEqual(permissionsOf(job), { contents: "write", "pull-requests": "write" });
            assert.equal(job.needs, "find");
            assert.equal(job.if, "needs.find.outputs.count != '0' && github.ref == 'refs/heads/main'");
            assert.equal(job.strategy?.matrix, "${{ fromJSON(needs.find.outputs.matrix) }}");
            for (const step of stepsOf(job)) assert.doesNotMatch(step.run ?? "", /\b(npm|npx|node|ts-node)\b/, step.name);
            assert.deepEqual(stepsOf(job).map((s) => s.uses?.split("@")[0] ?? s.name), [
                "actions/checkout",
                "actions/download-artifact",
                "Commit the stack files to the branch",
                "Open or update the pull request",
            ]);
            assert.equal(stepUsing(job, "actions/checkout").with?.["fetch-depth"], 0);
            assert.deepEqual(prStep.env, {
                VERSION: "${{ matrix.version }}",
                BRANCH: "${{ matrix.branch }}",
                BASE: "${{ github.ref_name }}",
                GH_REPO: "${{ github.repository }}",
                GH_TOKEN: "${{ secrets.GITHUB_TOKEN }}",
            });
            assert.deepEqual(commitStep.env, { VERSION: "${{ matrix.version }}", BRANCH: "${{ matrix.branch }}" });
        });

        it("closes outdated pull requests from main only, also with no target, with only pull-requests write, running no project code", () => {
            const job = jobs["close-outdated"];
            assert.deepEqual(permissionsOf(job), { contents: "read", "pull-requests": "write" });
            assert.equal(job.needs, "find");
            assert.equal(job.if, "github.ref == 'refs/heads/main'");
            assert.deepEqual(stepsOf(job).map((s) => s.uses?.split("@")[0] ?? s.name), ["actions/download-artifact", "Close the pull requests of versions no longer targeted"]);
            for (const step of stepsOf(job)) assert.doesNotMatch(step.run ?? "", /\b(npm|npx|node|ts-node|git)\b/, step.name);
            assert.deepEqual(closeStep.env, {
                TARGETS: "${{ needs.find.outputs.branches }}",
                BASE: "${{ github.ref_name }}",
                GH_REPO: "${{ github.repository }}",
                GH_TOKEN: "${{ secrets.GITHUB_TOKEN }}",
            });
            // It closes pull requests and deletes nothing, no branch in particular.
            assert.doesNotMatch(closeStep.run ?? "", /--delete-branch|\bgit push\b|\bgh api\b|\bdelete\b/);
        });

        it("gh's --jq filters, run here with jq: the open pull request and whether it is a draft; this repository's vdx-upgrade/* pull requests only", function () {
            if (spawnSync("jq", ["--version"]).status !== 0) this.skip();
            const jq = (step: Step, listed: unknown[]) => {
                const filter = /--jq '([^']+)'/.exec(step.run ?? "")?.[1];
                assert.ok(filter, step.name);
                const result = spawnSync("jq", ["-r", filter], { input: JSON.stringify(listed), encoding: "utf8" });
                assert.equal(result.status, 0, result.stderr);
                return result.stdout;
            };
            assert.equal(jq(prStep, []), "");
            assert.equal(jq(prStep, [{ number: 7, isDraft: true }]), "7 true\n");
            assert.equal(jq(prStep, [{ number: 7, isDraft: false }]), "7 false\n");
            const listed = [
                { number: 4, headRefName: "vdx-upgrade/37.1", isCrossRepository: false },
                { number: 5, headRefName: "vdx-upgrade/38.0", isCrossRepository: true },
                { number: 6, headRefName: "feature/vdx-upgrade/38.0", isCrossRepository: false },
                { number: 7, headRefName: "vdx-upgrade/38.0", isCrossRepository: false },
            ];
            assert.equal(jq(closeStep, listed), "4 vdx-upgrade/37.1\n7 vdx-upgrade/38.0\n");
            assert.equal(jq(closeStep, []), "");
        });

        it("says in its header that GitHub runs no checks for its pull requests, citing GitHub's documentation", () => {
            const header = text.slice(0, text.indexOf("\nname:"));
            assert.match(header, /GitHub starts no workflow for events caused by the repository's GITHUB_TOKEN/);
            assert.match(header, /close and reopen the pull request/);
            assert.match(header, /docs\.github\.com\/en\/actions\/how-tos\/write-workflows\/choose-when-workflows-run\/trigger-a-workflow/);
        });

        describe("end to end on a throwaway repository, with stand-ins for npm's wrapper and gh", function () {
            // The first job's step plans every stack in a child process: seconds, more on a busy machine.
            this.timeout(90000);
            // Made in `before`, so that a filtered run leaves nothing behind.
            let sandbox = "";
            let origin = "";
            let runnerTemp = "";
            let bin = "";
            let ghCalls = "";
            /** What `gh pr list --head` prints: `<number> <isDraft>` of the version's open pull request, or nothing. */
            let openPr = "";
            /** What the closing step's `gh pr list` prints: `<number> <branch>` a line. */
            let openPrs = "";
            const BOT = "41898282+github-actions[bot]@users.noreply.github.com";
            const quiet = () => ({ GIT_CONFIG_NOSYSTEM: "1", HOME: sandbox });
            const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...quiet() } }).trim();
            const asAlice = ["-c", "user.name=Alice", "-c", "user.email=alice@hospital.example"];
            let clones = 0;
            /** A fresh clone of main, as actions/checkout makes one for each job. */
            const checkout = () => {
                const dir = path.join(sandbox, `clone-${clones++}`);
                git(sandbox, "clone", "--quiet", "--branch", "main", origin, dir);
                return dir;
            };
            /** Runs a step's bash in a clone, with the stand-ins first on the PATH. */
            const run = (step: Step, cwd: string, env: Record<string, string>) => {
                fs.writeFileSync(path.join(sandbox, "output"), "");
                fs.writeFileSync(path.join(sandbox, "summary"), "");
                const result = spawnSync("bash", runnerBashArgs(step), {
                    cwd,
                    encoding: "utf8",
                    env: {
                        PATH: `${bin}:${process.env.PATH ?? ""}`,
                        RUNNER_TEMP: runnerTemp,
                        GITHUB_OUTPUT: path.join(sandbox, "output"),
                        GITHUB_STEP_SUMMARY: path.join(sandbox, "summary"),
                        TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
                        ...quiet(),
                        ...env,
                    },
                });
                const output = Object.fromEntries(
                    fs.readFileSync(path.join(sandbox, "output"), "utf8").split("\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
                );
                return { status: result.status, stdout: result.stdout, stderr: result.stderr, output, summary: fs.readFileSync(path.join(sandbox, "summary"), "utf8") };
            };
            const branchEnv = { VERSION: "38.0", BRANCH: "vdx-upgrade/38.0" };
            const prEnv = { ...branchEnv, BASE: "main", GH_REPO: "hospital/vdx-teams-connector", GH_TOKEN: "stand-in" };
            const branchHead = () => git(origin, "rev-parse", "refs/heads/vdx-upgrade/38.0");
            /** Runs the second job's two steps in a fresh clone, with `open` the open pull request as `<number> <isDraft>` (or none). */
            const pullRequestJob = (open: string) => {
                fs.writeFileSync(openPr, open);
                fs.writeFileSync(ghCalls, "");
                const commit = run(commitStep, checkout(), branchEnv);
                assert.equal(commit.status, 0, commit.stderr);
                const pr = run(prStep, checkout(), prEnv);
                assert.equal(pr.status, 0, pr.stderr);
                return { commit, pr, calls: fs.readFileSync(ghCalls, "utf8").trim().split("\n") };
            };

            let made: UpgradeProject;
            before(() => {
                sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "vdx-upgrade-"));
                [origin, runnerTemp, bin, ghCalls, openPr, openPrs] = ["origin.git", "runner", "bin", "gh.calls", "open-pr", "open-prs"].map((name) => path.join(sandbox, name));
                made = upgradeProject();
                fs.mkdirSync(bin);
                // npm's wrapper stands in: the real cli/upgrade/upgradePr.ts, on the test's date and policy configuration.
                fs.writeFileSync(
                    path.join(bin, "npm"),
                    `#!/usr/bin/env bash\n[ "$1 $2 $3 $4" = "run --silent upgrade-pr --" ] || exit 97\nshift 4\nexec "${process.execPath}" -r "${TS_NODE}" "${path.join(ROOT, "cli", "upgrade", "upgradePr.ts")}" "$@" --as-of 2026-12-03 --policy-config "${made.policyConfigFile}"\n`,
                    { mode: 0o755 },
                );
                fs.writeFileSync(
                    path.join(bin, "gh"),
                    // With a file `no-drafts` beside it, it refuses drafts as GitHub does for a private repository on the Free plan.
                    `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${ghCalls}"\nif [ -f "${sandbox}/no-drafts" ]; then case " $* " in *" --draft "*|*" --undo "*) echo "Draft pull requests are not supported in this repository." >&2; exit 1 ;; esac; fi\nif [ "$1 $2" = "pr list" ]; then case " $* " in *" --head "*) cat "${openPr}" ;; *) cat "${openPrs}" ;; esac; fi\n`,
                    { mode: 0o755 },
                );
                git(sandbox, "init", "--quiet", "--bare", "--initial-branch=main", origin);
                const seed = path.join(sandbox, "seed");
                git(sandbox, "init", "--quiet", "--initial-branch=main", seed);
                for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "pexip-versions.yaml"]) fs.copyFileSync(path.join(made.dir, file), path.join(seed, file));
                git(seed, "add", ".");
                git(seed, ...asAlice, "commit", "--quiet", "-m", "VDX announces Pexip 38.0");
                git(seed, "push", "--quiet", origin, "main");
            });
            after(() => {
                made.remove();
                fs.rmSync(sandbox, { recursive: true, force: true });
            });

            it("an announcement: the first job finds it and writes the matrix, the summary and the files", () => {
                const result = run(findStep, checkout(), {});
                assert.equal(result.status, 0, result.stderr);
                assert.deepEqual(result.output, { matrix: '{"include":[{"version":"38.0","branch":"vdx-upgrade/38.0"}]}', count: "1", branches: "vdx-upgrade/38.0" });
                assert.equal(result.summary, "### VDX upgrades as of 2026-12-03\n\n- `vdx-upgrade/38.0`: Upgrade to Pexip 38.0, VDX's version from 2026-12-15 (dev, prod), draft\n");
                assert.ok(fs.existsSync(path.join(runnerTemp, "vdx-upgrade", "38.0", "body.md")));
                assert.equal(fs.readFileSync(path.join(runnerTemp, "vdx-upgrade", "38.0", "state.txt"), "utf8"), "draft\n");
            });

            it("the second job commits the stack files to vdx-upgrade/38.0 and opens one pull request, a draft before VDX's switch", () => {
                const { commit, calls } = pullRequestJob("");
                assert.match(commit.stdout, /^pushed vdx-upgrade\/38\.0$/m);
                assert.deepEqual(git(origin, "diff", "--name-only", "main", "vdx-upgrade/38.0").split("\n"), ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
                assert.equal(git(origin, "show", "vdx-upgrade/38.0:Pulumi.dev.yaml"), fs.readFileSync(path.join(runnerTemp, "vdx-upgrade", "38.0", "stacks", "Pulumi.dev.yaml"), "utf8").trim());
                assert.equal(git(origin, "log", "-1", "--format=%ae %s", "vdx-upgrade/38.0"), `${BOT} Upgrade to Pexip 38.0, VDX's version from 2026-12-15`);
                assert.equal(git(origin, "rev-parse", "vdx-upgrade/38.0~1"), git(origin, "rev-parse", "main"));
                const body = path.join(runnerTemp, "vdx-upgrade", "38.0", "body.md");
                assert.deepEqual(calls, [
                    'pr list --head vdx-upgrade/38.0 --base main --state open --json number,isDraft --jq .[0] | select(. != null) | "\\(.number) \\(.isDraft)"',
                    `pr create --head vdx-upgrade/38.0 --base main --title Upgrade to Pexip 38.0, VDX's version from 2026-12-15 --body-file ${body} --draft`,
                ]);
            });

            it("the next day: nothing to push, and the open pull request is updated, never a second one", () => {
                const head = branchHead();
                const { commit, calls } = pullRequestJob("7 true");
                assert.match(commit.stdout, /^vdx-upgrade\/38\.0 already holds these changes: nothing to push$/m);
                assert.equal(branchHead(), head);
                assert.match(calls[1], /^pr edit 7 --title Upgrade to Pexip 38\.0, VDX's version from 2026-12-15 --body-file /);
                assert.equal(calls.length, 2);
            });

            it("marked ready by hand before VDX's switch: made a draft again", () => {
                const { calls } = pullRequestJob("7 false");
                assert.deepEqual(calls.slice(1).map((call) => call.split(" --title")[0]), ["pr edit 7", "pr ready --undo 7"]);
            });

            it("where GitHub refuses drafts: opened ready for review, and left so, with a warning instead of a failed run", () => {
                const noDrafts = path.join(sandbox, "no-drafts");
                fs.writeFileSync(noDrafts, "");
                try {
                    const created = pullRequestJob("");
                    assert.deepEqual(created.calls.slice(1).map((call) => call.replace(/ --head[^]*?--body-file \S+/, "")), ["pr create --draft", "pr create"]);
                    assert.match(created.pr.stdout, /^::warning::GitHub refused a draft here; merge only when the pull request's body says so$/m);
                    const kept = pullRequestJob("7 false");
                    assert.deepEqual(kept.calls.slice(1).map((call) => call.split(" --title")[0]), ["pr edit 7", "pr ready --undo 7"]);
                    assert.match(kept.pr.stdout, /::warning::GitHub refused a draft here; .* \(#7\)$/m);
                } finally {
                    fs.rmSync(noDrafts);
                }
            });

            /** Runs `test` with state.txt saying `ready`, as the first job writes it from VDX's switch date on when the checksum is there. */
            const onceMergeable = (test: () => void) => {
                const state = path.join(runnerTemp, "vdx-upgrade", "38.0", "state.txt");
                const written = fs.readFileSync(state, "utf8");
                fs.writeFileSync(state, "ready\n");
                try {
                    test();
                } finally {
                    fs.writeFileSync(state, written);
                }
            };

            it("once mergeable: the open draft is marked ready for review", () =>
                onceMergeable(() => {
                    const { calls } = pullRequestJob("7 true");
                    assert.deepEqual(calls.slice(1).map((call) => call.split(" --title")[0]), ["pr edit 7", "pr ready 7"]);
                }));

            it("once mergeable: a ready one is left as it is, and a new one is opened ready", () =>
                onceMergeable(() => {
                    assert.equal(pullRequestJob("7 false").calls.length, 2);
                    assert.match(pullRequestJob("").calls[1], /^pr create --head vdx-upgrade\/38\.0 --base main --title /);
                }));

            it("main moved on: the branch is rebuilt on it; a maintainer's empty commit to run the checks does not stop that", () => {
                const maintainer = checkout();
                git(maintainer, "switch", "--quiet", "vdx-upgrade/38.0");
                git(maintainer, ...asAlice, "commit", "--quiet", "--allow-empty", "-m", "Run the checks");
                git(maintainer, "push", "--quiet", "origin", "vdx-upgrade/38.0");
                const other = checkout();
                fs.writeFileSync(path.join(other, "NOTES.md"), "notes\n");
                git(other, "add", "NOTES.md");
                git(other, ...asAlice, "commit", "--quiet", "-m", "Notes");
                git(other, "push", "--quiet", "origin", "main");
                const { commit } = pullRequestJob("7 true");
                assert.match(commit.stdout, /^pushed vdx-upgrade\/38\.0$/m);
                assert.equal(git(origin, "rev-parse", "vdx-upgrade/38.0~1"), git(origin, "rev-parse", "main"));
                assert.match(git(origin, "show", "vdx-upgrade/38.0:NOTES.md"), /notes/);
            });

            it("a person's commit on the branch is kept: no push, a warning, and the description still updated", () => {
                const person = checkout();
                git(person, "switch", "--quiet", "vdx-upgrade/38.0");
                fs.appendFileSync(path.join(person, "Pulumi.dev.yaml"), "# reviewed\n");
                git(person, ...asAlice, "commit", "--quiet", "-am", "Reviewed");
                git(person, "push", "--quiet", "origin", "vdx-upgrade/38.0");
                const head = branchHead();
                const { commit, calls } = pullRequestJob("7 true");
                assert.match(commit.stdout, /^::warning title=Branch not rebuilt::vdx-upgrade\/38\.0 has commits by alice@hospital\.example; they are kept/m);
                assert.equal(branchHead(), head);
                assert.match(calls[1], /^pr edit 7 /);
            });

            /** Runs the closing job's step (it needs no clone) with the open pull requests as `<number> <branch>` lines, and returns gh's calls. */
            const closeJob = (targets: string, open: string) => {
                fs.writeFileSync(openPrs, open);
                fs.writeFileSync(ghCalls, "");
                const refs = git(origin, "for-each-ref");
                const result = run(closeStep, sandbox, { TARGETS: targets, BASE: "main", GH_REPO: "hospital/vdx-teams-connector", GH_TOKEN: "stand-in" });
                assert.equal(result.status, 0, result.stderr);
                assert.equal(git(origin, "for-each-ref"), refs, "no branch deleted or moved");
                return { stdout: result.stdout, calls: fs.readFileSync(ghCalls, "utf8").trim().split("\n") };
            };
            const LIST = 'pr list --base main --state open --limit 200 --json number,headRefName,isCrossRepository --jq .[] | select((.isCrossRepository | not) and (.headRefName | startswith("vdx-upgrade/"))) | "\\(.number) \\(.headRefName)"';

            it("the closing job leaves the targets' pull requests, and closes the others with why: no stack needs it, or the catalogue no longer lists it", () => {
                const { stdout, calls } = closeJob("vdx-upgrade/38.0", "4 vdx-upgrade/37.1\n7 vdx-upgrade/38.0\n9 vdx-upgrade/36.0\n");
                assert.deepEqual(calls, [
                    LIST,
                    "pr close 4 --comment Closed by the vdx-upgrade workflow as of 2026-12-03: no stack needs Pexip 37.1 any more: every stack on `main` runs it or a later version.",
                    "pr close 9 --comment Closed by the vdx-upgrade workflow: pexip-versions.yaml does not list Pexip 36.0, so no stack moves to it.",
                ]);
                assert.equal(stdout, "closed pull request #4 (vdx-upgrade/37.1)\nclosed pull request #9 (vdx-upgrade/36.0)\n");
                assert.deepEqual(closeJob("vdx-upgrade/38.0", "").calls, [LIST]);
            });

            it("the stacks upgraded on main by hand: no target, and the next run closes 38.0's pull request, its branch kept", () => {
                const person = checkout();
                for (const file of ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(runnerTemp, "vdx-upgrade", "38.0", "stacks", file), path.join(person, file));
                git(person, ...asAlice, "commit", "--quiet", "-am", "Upgrade to 38.0 by hand");
                git(person, "push", "--quiet", "origin", "main");
                // A new run: a new runner, an empty temporary directory.
                fs.rmSync(path.join(runnerTemp, "vdx-upgrade"), { recursive: true });
                const found = run(findStep, checkout(), {});
                assert.equal(found.status, 0, found.stderr);
                assert.deepEqual(found.output, { matrix: '{"include":[]}', count: "0", branches: "" });
                const { calls } = closeJob(found.output.branches, "7 vdx-upgrade/38.0\n");
                assert.deepEqual(calls, [
                    LIST,
                    "pr close 7 --comment Closed by the vdx-upgrade workflow as of 2026-12-03: no stack needs Pexip 38.0 any more: every stack on `main` runs it or a later version.",
                ]);
                assert.ok(branchHead());
            });
        });
    });
});
