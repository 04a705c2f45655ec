import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { readWindow } from "../../../cli/stackConfig";
import { CATALOGUE_FILE } from "../../../lib/versions/versionCatalogue";
import { DEPLOYMENT_COMMAND, GATE_OUTPUTS, main, redeploySteps } from "../../../cli/window/window";
import { PROJECT_DIR, runStack } from "../../support/stacks";
import { TS_NODE } from "../../support/tsNode";

const SCRIPT = path.join(PROJECT_DIR, "cli", "window", "window.ts");
/** The child runs in a project directory of its own: ts-node takes the repository's compiler options from here. */
const CHILD_ENV = { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(PROJECT_DIR, "tsconfig.json") };

// ---------------------------------------------------------------------------------------
// Sample `pulumi preview --json` documents for the dev stack, in Pulumi's PreviewDigest shape
// (pkg/display: { steps: [{ op, urn, provider, oldState, newState, diffReasons, replaceReasons,
// detailedDiff }], changeSummary }), trimmed to a few resources.

const PREFIX = "urn:pulumi:dev::vdx-teams-connector::";
const URNS = {
    stack: `${PREFIX}pulumi:pulumi:Stack::vdx-teams-connector-dev`,
    staticGroup: `${PREFIX}vdx:teams:TeamsConnector$azure-native:resources:ResourceGroup::vdxdevweu-static-rg`,
    publicIp: `${PREFIX}vdx:teams:TeamsConnector$azure-native:network:PublicIPAddress::vdxdevweu-pip`,
    deploy: `${PREFIX}vdx:teams:TeamsConnector$vdx:teams:PexipDeployment$command:local:Command::vdxdevweu-deployment-deploy`,
    scale: `${PREFIX}vdx:teams:TeamsConnector$vdx:teams:PexipDeployment$command:local:Command::vdxdevweu-deployment-scale`,
};

function step(op: string, urn: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const type = urn.split("::")[2].split("$").pop();
    const state = { urn, custom: type !== "pulumi:pulumi:Stack", type, inputs: {}, outputs: {} };
    return {
        op,
        urn,
        ...(op === "create" || op === "create-replacement" ? {} : { oldState: state }),
        ...(op === "delete" || op === "delete-replaced" ? {} : { newState: state }),
        detailedDiff: null,
        ...extra,
    };
}

const unchanged = [step("same", URNS.stack), step("same", URNS.staticGroup), step("same", URNS.publicIp)];

/** An upgrade: Pexip's deployment replaced (delete first), the scaling command updated with it. */
const REDEPLOY = {
    config: { "vdx-teams-connector:pexipVersion": "38.0", "vdx-teams-connector:adminPassword": "[secret]" },
    steps: [
        ...unchanged,
        step("delete-replaced", URNS.deploy),
        step("replace", URNS.deploy, { replaceReasons: ["triggers"], detailedDiff: { "triggers[0].pexipVersion": { kind: "update", inputDiff: true } } }),
        step("create-replacement", URNS.deploy, { replaceReasons: ["triggers"] }),
        step("update", URNS.scale, { diffReasons: ["environment"] }),
    ],
    changeSummary: { same: 3, replace: 1, update: 1 },
};

/** A resize: only the scaling command is updated. */
const SCALE_ONLY = {
    steps: [...unchanged, step("same", URNS.deploy), step("update", URNS.scale, { diffReasons: ["environment"] })],
    changeSummary: { same: 4, update: 1 },
};

const NO_CHANGES = {
    steps: [...unchanged, step("same", URNS.deploy), step("same", URNS.scale)],
    changeSummary: { same: 5 },
};

// ---------------------------------------------------------------------------------------
// A project directory with the repository's Pulumi.yaml, catalogue and dev stack, the stack
// given a maintenance window.

const SATURDAY_NIGHT = { days: ["sat"], start: "22:00", hours: 4 };

function project(window: Record<string, unknown> | undefined, extraConfig: Record<string, unknown> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "window-"));
    for (const file of ["Pulumi.yaml", CATALOGUE_FILE]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    const stack = parseDocument(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8"));
    if (window !== undefined) stack.setIn(["config", "vdx-teams-connector:maintenanceWindow"], window);
    for (const [key, value] of Object.entries(extraConfig)) stack.setIn(["config", key], value);
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stack.toString());
    return dir;
}

interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly output: string;
    readonly summary: string;
}

/** Runs the gate in process over `preview`, in `dir`, with GITHUB_OUTPUT and the summary in files. */
function gate(dir: string, preview: unknown, args: string[], env: Record<string, string> = {}): Run {
    const previewFile = path.join(dir, "preview.json");
    fs.writeFileSync(previewFile, typeof preview === "string" ? preview : JSON.stringify(preview, null, 4));
    const output = path.join(dir, "output");
    const summary = path.join(dir, "summary");
    fs.writeFileSync(output, "");
    fs.writeFileSync(summary, "");
    let stdout = "";
    let stderr = "";
    const code = main(["--stack", "dev", "--preview", "preview.json", ...args], {
        cwd: dir,
        env: { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, ...env },
        clock: () => new Date("2026-01-14T12:00:00Z"),
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr, output: fs.readFileSync(output, "utf8"), summary: fs.readFileSync(summary, "utf8") };
}

function outputsOf(run: Run): Record<string, string> {
    return Object.fromEntries(run.output.trimEnd().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

describe("the maintenance-window gate (cli/window/window.ts)", () => {
    const dirs: string[] = [];
    const inProject = (window: Record<string, unknown> | undefined, extraConfig?: Record<string, unknown>) => {
        const dir = project(window, extraConfig);
        dirs.push(dir);
        return dir;
    };
    after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    describe("reading the preview", () => {
        it("finds Pexip's deployment replaced, in any of the three steps Pulumi shows for a replacement", () => {
            assert.deepEqual(redeploySteps(REDEPLOY, "dev"), [
                { name: "vdxdevweu-deployment-deploy", op: "delete-replaced" },
                { name: "vdxdevweu-deployment-deploy", op: "replace" },
                { name: "vdxdevweu-deployment-deploy", op: "create-replacement" },
            ]);
            for (const op of ["replace", "create-replacement", "delete-replaced", "delete"]) {
                assert.deepEqual(redeploySteps({ steps: [step(op, URNS.deploy)] }, "dev"), [{ name: "vdxdevweu-deployment-deploy", op }], op);
            }
        });

        it("finds no redeploy in a resize, a tag update, an unchanged stack, a first creation or an empty preview", () => {
            assert.deepEqual(redeploySteps(SCALE_ONLY, "dev"), []);
            // An update of the deployment command runs the driver's `update`: tags only, the connector keeps running.
            assert.deepEqual(redeploySteps({ steps: [step("update", URNS.deploy)] }, "dev"), []);
            assert.deepEqual(redeploySteps(NO_CHANGES, "dev"), []);
            assert.deepEqual(redeploySteps({ steps: [step("create", URNS.deploy), step("replace", URNS.publicIp)] }, "dev"), []);
            // Pulumi leaves steps out when there are none.
            assert.deepEqual(redeploySteps({ changeSummary: {} }, "dev"), []);
        });

        it("refuses what is not pulumi preview --json, and a preview of another stack", () => {
            assert.throws(() => redeploySteps([], "dev"), /not the output of pulumi preview --json/);
            assert.throws(() => redeploySteps({ steps: {} }, "dev"), /steps is not a list/);
            assert.throws(() => redeploySteps({ steps: [{ op: "same" }] }, "dev"), /steps\[0\] has no op and urn/);
            assert.throws(() => redeploySteps({ steps: [{ op: "same", urn: "vdxdevweu-pip" }] }, "dev"), /malformed URN/);
            assert.throws(() => redeploySteps(REDEPLOY, "prod"), /the preview is of stack "dev", not "prod"/);
        });

        it("matches the deployment command the program registers, and not the scaling command", async () => {
            const run = await runStack("dev");
            const commands = run.resources.filter((resource) => resource.type === DEPLOYMENT_COMMAND.type);
            const matched = commands.filter((resource) => redeploySteps({ steps: [step("replace", resource.urn)] }, "dev").length > 0);
            assert.deepEqual(matched.map((resource) => resource.name), ["vdxdevweu-deployment-deploy"]);
            assert.deepEqual(commands.map((resource) => resource.name).sort(), ["vdxdevweu-deployment-check", "vdxdevweu-deployment-deploy", "vdxdevweu-deployment-scale"]);
            // The samples above name the same resources.
            for (const resource of commands.filter((command) => !command.name.endsWith("-check"))) assert.ok(Object.values(URNS).some((urn) => urn.endsWith(`::${resource.name}`)), resource.name);
        });
    });

    describe("reading the stack", () => {
        it("reads the window with the Copenhagen default, and none when unset", () => {
            assert.deepEqual(readWindow(inProject(SATURDAY_NIGHT), "dev"), { ...SATURDAY_NIGHT, timeZone: "Europe/Copenhagen" });
            assert.equal(readWindow(inProject(undefined), "dev"), undefined);
        });

        it("reads the window of a stack with encrypted values, which it never decrypts", () => {
            const dir = inProject(SATURDAY_NIGHT, { "vdx-teams-connector:adminPassword": { secure: "v1:c2FsdA==:ZW5jcnlwdGVk" } });
            assert.deepEqual(readWindow(dir, "dev")?.days, ["sat"]);
        });
    });

    describe("the verdict, $GITHUB_OUTPUT and the summary", () => {
        // 2026-03-28 is a Saturday: 22:00 in Copenhagen is 21:00 UTC, the night before summer time.
        const inside = ["--now", "2026-03-28T23:30:00+01:00"];
        const outside = ["--now", "2026-03-25T10:00:00Z"];

        it("holds a redeploy outside the window, exit 0, and says when the next window opens and what to do then", () => {
            const run = gate(inProject(SATURDAY_NIGHT), REDEPLOY, outside);
            assert.equal(run.code, 0, run.stderr);
            assert.deepEqual(outputsOf(run), { proceed: "false", redeploy: "true", "next-window": "2026-03-28T21:00:00Z" });
            assert.equal(run.stdout.split("\n").length, 2, "one line");
            assert.match(run.stdout, /^window: hold \(dev\): dev redeploys \(vdxdevweu-deployment-deploy delete-replaced, .*\) outside its window sat 22:00 for 4 hours \(Europe\/Copenhagen\)/);
            assert.match(run.stdout, /next window opens Saturday 2026-03-28 22:00 Europe\/Copenhagen \(UTC\+01:00\) = 2026-03-28T21:00:00Z: re-run the job then, or dispatch the deploy workflow with stack=dev\n$/);
            assert.match(run.summary, /^### Maintenance window: `dev` held\n/);
            assert.match(run.summary, /`pulumi up` did not run for this stack/);
            assert.match(run.summary, /\*\*Next window opens Saturday 2026-03-28 22:00 Europe\/Copenhagen \(UTC\+01:00\) = 2026-03-28T21:00:00Z\.\*\*/);
            assert.match(run.summary, /gh workflow run deploy\.yml -f stack=dev/);
            assert.match(run.summary, /re-run this job if `main` has not moved on/);
            assert.match(run.summary, /`override_window`/);
        });

        it("lets a redeploy inside the window proceed and says when the window closes, on both clocks", () => {
            const run = gate(inProject(SATURDAY_NIGHT), REDEPLOY, inside);
            assert.deepEqual(outputsOf(run), { proceed: "true", redeploy: "true", "next-window": "2026-04-04T20:00:00Z" });
            // Saturday 22:00 for 4 hours ends at 02:00, which the clock skips that night: 03:00 CEST.
            assert.match(run.stdout, /^window: proceed \(dev\): .* inside its window .*, which closes Sunday 2026-03-29 03:00 Europe\/Copenhagen \(UTC\+02:00\) = 2026-03-29T01:00:00Z\n$/);
            assert.match(run.summary, /^### Maintenance window: `dev` proceeds\n/);
        });

        it("never holds a resize or an unchanged stack, inside the window or not", () => {
            for (const preview of [SCALE_ONLY, NO_CHANGES]) {
                const run = gate(inProject(SATURDAY_NIGHT), preview, outside);
                assert.deepEqual(outputsOf(run), { proceed: "true", redeploy: "false", "next-window": "2026-03-28T21:00:00Z" });
                assert.equal(run.stdout, "window: proceed (dev): no redeploy in the preview; a resize or any other change is never held\n");
                assert.match(run.summary, /No redeploy in this preview.*applies to redeploys only/);
            }
        });

        it("lets every change proceed when the stack has no window, with no next window to name", () => {
            const run = gate(inProject(undefined), REDEPLOY, outside);
            assert.deepEqual(outputsOf(run), { proceed: "true", redeploy: "true", "next-window": "" });
            assert.match(run.stdout, /no maintenanceWindow is set, so any time is allowed\n$/);
            assert.match(run.summary, /No `maintenanceWindow` is set/);
        });

        it("proceeds on an emergency override outside the window and records who did it, loudly", () => {
            const run = gate(inProject(SATURDAY_NIGHT), REDEPLOY, [...outside, "--override"], { GITHUB_ACTOR: "alice", GITHUB_ACTIONS: "true" });
            assert.deepEqual(outputsOf(run), { proceed: "true", redeploy: "true", "next-window": "2026-03-28T21:00:00Z" });
            assert.match(run.stdout, /^::warning title=Maintenance window::window: proceed \(dev\): EMERGENCY OVERRIDE by alice: dev redeploys/);
            assert.match(run.summary, /^### Maintenance window: `dev` proceeds by EMERGENCY OVERRIDE\n/);
            assert.match(run.summary, /> \[!CAUTION\]\n> \*\*Emergency override by alice\*\*: .*\*\*outside\*\* the stack's maintenance window/);
            assert.match(run.summary, /at Wednesday 2026-03-25 11:00 Europe\/Copenhagen \(UTC\+01:00\) = 2026-03-25T10:00:00Z/);
            const rerun = gate(inProject(SATURDAY_NIGHT), REDEPLOY, [...outside, "--override"], { GITHUB_ACTOR: "alice", GITHUB_TRIGGERING_ACTOR: "bob" });
            assert.match(rerun.summary, /Emergency override by alice \(re-run by bob\)/);
        });

        it("records an override that was not needed, without the alarm", () => {
            const run = gate(inProject(SATURDAY_NIGHT), SCALE_ONLY, [...outside, "--override"], { GITHUB_ACTOR: "alice" });
            assert.equal(outputsOf(run).proceed, "true");
            assert.doesNotMatch(run.summary, /CAUTION/);
            assert.match(run.summary, /Emergency override asked for by alice; not needed: nothing was held/);
        });

        it("annotates a hold on a runner, and stays plain elsewhere", () => {
            assert.match(gate(inProject(SATURDAY_NIGHT), REDEPLOY, outside, { GITHUB_ACTIONS: "true" }).stdout, /^::warning title=Maintenance window::window: hold/);
            assert.match(gate(inProject(SATURDAY_NIGHT), REDEPLOY, inside, { GITHUB_ACTIONS: "true" }).stdout, /^window: proceed/);
        });

        it("uses the clock without --now, and writes no files when not on a runner", () => {
            const dir = inProject(SATURDAY_NIGHT);
            fs.writeFileSync(path.join(dir, "preview.json"), JSON.stringify(REDEPLOY));
            let stdout = "";
            const code = main(["--stack", "dev", "--preview", "preview.json"], {
                cwd: dir,
                env: {},
                // Wednesday 2026-01-14 13:00 in Copenhagen.
                clock: () => new Date("2026-01-14T12:00:00Z"),
                stdout: (text) => (stdout += text),
                stderr: () => undefined,
            });
            assert.equal(code, 0);
            assert.match(stdout, /^window: hold .* next window opens Saturday 2026-01-17 22:00/);
        });

        it("writes exactly the outputs the workflow reads", () => {
            const run = gate(inProject(SATURDAY_NIGHT), REDEPLOY, inside);
            assert.deepEqual(Object.keys(outputsOf(run)), [...GATE_OUTPUTS]);
        });
    });

    describe("usage errors: exit 2 with one line", () => {
        const cases: Array<[string, unknown, string[], RegExp]> = [
            ["no --stack", NO_CHANGES, ["--stack"], /--stack needs a value/],
            ["a bad --now", NO_CHANGES, ["--now", "tomorrow"], /--now must be an ISO 8601 instant with its offset/],
            ["--now without an offset", NO_CHANGES, ["--now", "2026-03-28T22:00"], /--now must be an ISO 8601 instant/],
            ["an impossible --now date (JavaScript would read 2 March)", NO_CHANGES, ["--now", "2026-02-30T10:00Z"], /--now must be an ISO 8601 instant with its offset, a real date and time, .*got "2026-02-30T10:00Z"/],
            ["an impossible --now time", NO_CHANGES, ["--now", "2026-03-28T24:30:00+01:00"], /--now must be an ISO 8601 instant/],
            ["an unknown flag", NO_CHANGES, ["--force"], /unknown argument --force/],
            ["a preview that is not JSON", "warning: something\n{", [], /is not JSON/],
            ["a preview of another shape", [], [], /not the output of pulumi preview --json/],
        ];
        for (const [label, preview, args, message] of cases) {
            it(label, () => {
                const run = gate(inProject(SATURDAY_NIGHT), preview, args);
                assert.equal(run.code, 2);
                assert.match(run.stderr, message);
                assert.equal(run.stderr.split("\n").length, 2, run.stderr);
                assert.equal(run.stdout, "");
                assert.equal(run.output, "", "no outputs: the step fails");
            });
        }

        it("an encrypted part of maintenanceWindow is no \"no window\": it cannot be judged, and says how to fix it", () => {
            const secret = { secure: "v1:c2FsdA==:ZW5jcnlwdGVk" };
            for (const window of [{ ...SATURDAY_NIGHT, start: secret }, secret]) {
                const dir = inProject(window as Record<string, unknown>);
                const run = gate(dir, REDEPLOY, ["--now", "2026-01-14T12:00:00Z"]);
                assert.equal(run.code, 2);
                assert.equal(run.stdout, "");
                assert.equal(run.output, "", "no outputs: the step fails, nothing proceeds");
                assert.match(run.stderr, /^error: maintenanceWindow is encrypted \(secure\) in Pulumi\.dev\.yaml, so the window cannot be judged without decrypting it: .*write it in plain text[^\n]*\n$/);
                assert.doesNotMatch(run.stderr, /ZW5jcnlwdGVk/);
            }
        });

        it("--help prints the usage, the flags and the exit codes, exit 0, whatever else is given", () => {
            let stdout = "";
            const code = main(["--bogus", "--help"], { cwd: os.tmpdir(), env: {}, clock: () => new Date(), stdout: (text) => (stdout += text), stderr: () => assert.fail("stderr") });
            assert.equal(code, 0);
            assert.match(stdout, /^usage: npm run --silent window -- --stack <name> --preview <pulumi-preview-json> \[--now ISO\] \[--override\]$/m);
            assert.match(stdout, /^ {2}-h, --help +print this help/m);
            for (const code of ["0", "2", "3"]) assert.match(stdout, new RegExp(`^  ${code}  `, "m"));
        });

        it("a missing preview file, an unknown stack, a broken window", () => {
            const dir = inProject(SATURDAY_NIGHT);
            const io = { cwd: dir, env: {}, clock: () => new Date(), stdout: () => undefined };
            const errorOf = (argv: string[]) => {
                let stderr = "";
                assert.equal(main(argv, { ...io, stderr: (text) => (stderr += text) }), 2);
                return stderr;
            };
            assert.match(errorOf(["--stack", "dev", "--preview", "missing.json"]), /^error: cannot read the preview .*missing\.json\n$/);
            assert.match(errorOf(["--stack", "prod-mars", "--preview", "missing.json"]), /^error: unknown stack "prod-mars": no Pulumi\.prod-mars\.yaml/);
            assert.match(errorOf(["--preview", "missing.json"]), /^error: --stack <name> is required/);
            const broken = inProject({ days: ["caturday"], start: "22:00", hours: 4 });
            let stderr = "";
            assert.equal(main(["--stack", "dev", "--preview", "x.json"], { ...io, cwd: broken, stderr: (text) => (stderr += text) }), 2);
            assert.match(stderr, /^error: maintenanceWindow\.days/);
        });
    });

    describe("as the workflow runs it", () => {
        it("a child process writing $GITHUB_OUTPUT and the summary, exit 0 on a hold and 2 on an unknown stack", () => {
            const dir = inProject(SATURDAY_NIGHT);
            fs.writeFileSync(path.join(dir, "preview.json"), JSON.stringify(REDEPLOY));
            const output = path.join(dir, "output");
            const summary = path.join(dir, "summary");
            const result = spawnSync(process.execPath, ["-r", TS_NODE, SCRIPT, "--stack", "dev", "--preview", "preview.json", "--now", "2026-03-25T10:00:00Z"], {
                cwd: dir,
                encoding: "utf8",
                env: { ...CHILD_ENV, GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary },
            });
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stdout, /^window: hold \(dev\)/);
            assert.equal(fs.readFileSync(output, "utf8"), "proceed=false\nredeploy=true\nnext-window=2026-03-28T21:00:00Z\n");
            assert.match(fs.readFileSync(summary, "utf8"), /### Maintenance window: `dev` held/);

            const unknown = spawnSync(process.execPath, ["-r", TS_NODE, SCRIPT, "--stack", "nope", "--preview", "preview.json"], { cwd: dir, encoding: "utf8", env: CHILD_ENV });
            assert.equal(unknown.status, 2);
            assert.match(unknown.stderr, /^error: unknown stack "nope"/);
        });

        it("package.json runs it as npm run window", () => {
            const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts;
            assert.equal(scripts.window, "ts-node --swc cli/window/window.ts");
        });
    });
});
