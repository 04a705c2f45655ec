/**
 * The workflows that run `npm run verify`: health.yml (daily, read-only, one issue per stack)
 * and deploy.yml's verify step. Their bash steps run here against stand-ins for `npm`,
 * `pulumi` and `gh`; the fleet summary is the real `verify:fleet`.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { renderJson, VerifyReport } from "../cli/verify/render";
import { CHECK_NAMES, CheckResult, Verdict } from "../lib/verify/check";
import { dateIn, DEFAULT_TIME_ZONE } from "../lib/calendar";
import { loadCatalogue, versionOn } from "../lib/versions/versionCatalogue";
import { servedLeaf, stackOutputs, startWorld } from "./support/verifyFakes";
import { loadWorkflow, ROOT, runStep, runStepAsync, standIn, stepNamed, WorkflowStep } from "./support/workflowSteps";
import { TS_NODE } from "./support/tsNode";


/** A verify --json report for a stack, with `verdicts` overriding the passing checks. */
function report(stack: string, region: string, verdicts: Partial<Record<(typeof CHECK_NAMES)[number], Verdict>> = {}): string {
    const figures: Record<string, Record<string, number | string>> = {
        tls: { certificateDays: verdicts.tls === "warn" ? 21 : 200 },
        azure: { instancesSeen: verdicts.azure === "fail" ? 1 : 2, instancesSized: 2 },
        version: { pexipVersion: "37.1", vdxVersion: "37.1" },
    };
    const results: CheckResult[] = CHECK_NAMES.map((name) => ({ name, verdict: verdicts[name] ?? "pass", measured: `${name} measured`, durationMs: 5, ...(figures[name] ? { figures: figures[name] } : {}) }));
    const verifyReport: VerifyReport = { stack, fqdn: `${stack}.example.dk`, region, checkedAt: "2026-12-08T05:17:00.000Z", results };
    return renderJson(verifyReport);
}

describe("health.yml and deploy.yml's verify step", () => {
    const { text: healthText, workflow: health } = loadWorkflow("health.yml");
    const job = health.jobs.verify;
    const verifyStep = stepNamed(job, /^Verify every deployed stack$/);
    const issueStep = stepNamed(job, /^Open, update or close one issue per stack$/);

    let sandbox = "";
    let bin = "";
    let fixtures = "";
    let runnerTemp = "";
    beforeEach(() => {
        sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "health-"));
        bin = path.join(sandbox, "bin");
        fixtures = path.join(sandbox, "fixtures");
        runnerTemp = path.join(sandbox, "runner");
        fs.mkdirSync(fixtures);
        fs.mkdirSync(runnerTemp);
        // npm: verify prints the stack's canned report and exits with its code; verify:fleet is the real one.
        standIn(
            bin,
            "npm",
            `#!/usr/bin/env bash\necho "$*" >>"${sandbox}/npm.calls"\n` +
                `if [ "$3" = verify ]; then cat >"${sandbox}/verify.stdin.$6"; cat "${fixtures}/$6.json"; exit "$(cat "${fixtures}/$6.code")"; fi\n` +
                `if [ "$3" = verify:fleet ]; then exec node -r "${TS_NODE}" "${ROOT}/cli/verify/fleet.ts" "$5"; fi\nexit 99\n`,
        );
        standIn(
            bin,
            "pulumi",
            `#!/usr/bin/env bash\necho "$*" >>"${sandbox}/pulumi.calls"\nif [ "$1 $2" = "stack ls" ]; then cat "${fixtures}/stacks.json"; fi\n` +
                `if [ "$1 $2" = "stack output" ]; then echo "{\\"stack\\": \\"$5\\"}"; fi\n`,
        );
        // gh: issues kept in a JSON file, every call logged.
        standIn(
            bin,
            "gh",
            `#!/usr/bin/env node
const fs = require("fs");
const state = "${sandbox}/issues.json";
const issues = fs.existsSync(state) ? JSON.parse(fs.readFileSync(state, "utf8")) : [];
const args = process.argv.slice(2);
fs.appendFileSync("${sandbox}/gh.calls", args.join(" ") + "\\n");
const flag = (name) => args[args.indexOf(name) + 1];
const [noun, verb] = args;
if (noun === "issue" && verb === "list") process.stdout.write(JSON.stringify(issues.filter((i) => i.state === "open" && i.labels.includes(flag("--label"))).map(({ number, title }) => ({ number, title }))));
if (noun === "issue" && verb === "create") issues.push({ number: issues.length + 1, title: flag("--title"), labels: [flag("--label")], body: fs.readFileSync(flag("--body-file"), "utf8"), state: "open" });
if (noun === "issue" && verb === "edit") issues.find((i) => i.number === Number(args[2])).body = fs.readFileSync(flag("--body-file"), "utf8");
if (noun === "issue" && verb === "close") Object.assign(issues.find((i) => i.number === Number(args[2])), { state: "closed", comment: flag("--comment") });
fs.writeFileSync(state, JSON.stringify(issues));
`,
        );
    });
    afterEach(() => fs.rmSync(sandbox, { recursive: true, force: true }));

    const stacks = (list: { name: string; resourceCount?: number }[]) => fs.writeFileSync(path.join(fixtures, "stacks.json"), JSON.stringify(list));
    const verifies = (stack: string, json: string, code: number) => {
        fs.writeFileSync(path.join(fixtures, `${stack}.json`), json);
        fs.writeFileSync(path.join(fixtures, `${stack}.code`), String(code));
    };
    const calls = (command: string) => (fs.existsSync(path.join(sandbox, `${command}.calls`)) ? fs.readFileSync(path.join(sandbox, `${command}.calls`), "utf8").trim().split("\n") : []);
    const issues = () => JSON.parse(fs.readFileSync(path.join(sandbox, "issues.json"), "utf8")) as { number: number; title: string; body: string; state: string; comment?: string }[];
    const run = (step: WorkflowStep, env: Record<string, string> = {}) =>
        runStep(step, { cwd: ROOT, bin, runnerTemp, env: { BACKEND_URL: "azblob://state", GH_TOKEN: "stand-in", GH_REPO: "hospital/vdx-teams-connector", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "hospital/vdx-teams-connector", GITHUB_RUN_ID: "42", ...env } });
    /** One day of the workflow: verify, then the issues. */
    const day = (env: Record<string, string> = {}) => ({ verify: run(verifyStep, env), issues: run(issueStep) });

    it("is a valid workflow: daily and on dispatch, one run at a time", () => {
        assert.deepEqual(validateWorkflow(healthText).errors, []);
        assert.deepEqual(Object.keys(health.on), ["schedule", "workflow_dispatch"]);
        assert.equal(health.concurrency?.["cancel-in-progress"], false);
    });

    it("least privilege: nothing at the top, the job reads code, gets an OIDC token and writes issues; read-only Azure, no passphrase, no pulumi up", () => {
        assert.deepEqual(health.permissions, {});
        assert.deepEqual(job.permissions, { contents: "read", "id-token": "write", issues: "write" });
        const login = (job.steps ?? []).find((step) => step.uses?.startsWith("azure/login@"));
        assert.equal(login?.with?.["client-id"], "${{ vars.ARM_READER_CLIENT_ID }}");
        for (const step of job.steps ?? []) {
            assert.doesNotMatch(step.run ?? "", /\$\{\{|PASSPHRASE|pulumi (up|preview|refresh|destroy)/, step.name);
            assert.equal(step.env?.PULUMI_CONFIG_PASSPHRASE, undefined, step.name);
        }
    });

    it("verifies every stack with resources, read-only, and writes one fleet table to the summary", () => {
        stacks([{ name: "dev", resourceCount: 40 }, { name: "prod", resourceCount: 41 }, { name: "other", resourceCount: 0 }]);
        verifies("dev", report("dev", "westeurope", { dns: "fail" }), 1);
        verifies("prod", report("prod", "northeurope", { tls: "warn", infinity: "skipped" }), 0);
        const result = run(verifyStep, { INFINITY_URL: "https://infinity.example.dk" });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(calls("pulumi"), ["login azblob://state", "stack ls --json", "stack output --json --stack dev", "stack output --json --stack prod"]);
        assert.deepEqual(calls("npm").slice(0, 2), [
            "run --silent verify -- --stack dev --outputs - --json --infinity-url https://infinity.example.dk",
            "run --silent verify -- --stack prod --outputs - --json --infinity-url https://infinity.example.dk",
        ]);
        // Each verify reads its own stack's outputs from the pipe.
        assert.equal(fs.readFileSync(path.join(sandbox, "verify.stdin.prod"), "utf8"), '{"stack": "prod"}\n');
        const rows = result.summary.split("\n").filter((line) => line.startsWith("| `"));
        assert.deepEqual(rows, ["| `dev` | westeurope | 37.1 / 37.1 | 200 | 2 / 2 | fail |", "| `prod` | northeurope | 37.1 / 37.1 | 21 | 2 / 2 | warn |"]);
        assert.match(result.summary, /^\| stack \| region \| Pexip \/ VDX's \| certificate days left \| instances seen \/ sized \| verdict \|$/m);
    });

    it("without INFINITY_URL no --infinity-url: verify shows the infinity check as skipped", () => {
        stacks([{ name: "dev", resourceCount: 40 }]);
        verifies("dev", report("dev", "westeurope"), 0);
        assert.equal(run(verifyStep, { INFINITY_URL: "" }).status, 0);
        assert.equal(calls("npm")[0], "run --silent verify -- --stack dev --outputs - --json");
    });

    it("a stack verify cannot even start (exit 2) is a row and an issue, not a crash", () => {
        stacks([{ name: "dev", resourceCount: 40 }]);
        verifies("dev", "", 2);
        const { verify, issues: opened } = day();
        assert.match(verify.summary, /\| `dev` \| \? \| \? \/ \? \| \? \| \? \/ \? \| error \(exit 2\) \|/);
        assert.equal(opened.status, 1);
        assert.match(issues()[0].body, /verify exited 2 without a report/);
    });

    it("opens one issue per unhealthy stack, updates it the next day, and closes it when healthy again", () => {
        stacks([{ name: "dev", resourceCount: 40 }, { name: "prod", resourceCount: 41 }]);
        verifies("dev", report("dev", "westeurope", { azure: "fail" }), 1);
        verifies("prod", report("prod", "northeurope"), 0);

        const first = day();
        assert.equal(first.issues.status, 1, "an unhealthy stack fails the run");
        assert.match(first.issues.stdout, /::error title=Unhealthy stacks::dev:/);
        assert.deepEqual(issues().map(({ number, title, state }) => ({ number, title, state })), [{ number: 1, title: "verify: dev is unhealthy", state: "open" }]);
        assert.match(issues()[0].body, /\| azure \| ❌ fail \| azure measured \|/);

        verifies("dev", report("dev", "westeurope", { azure: "fail", dns: "fail" }), 1);
        const second = day();
        assert.match(second.issues.stdout, /updated #1: verify: dev is unhealthy/);
        assert.equal(issues().length, 1, "never a second issue");
        assert.match(issues()[0].body, /\| dns \| ❌ fail \|/);

        verifies("dev", report("dev", "westeurope"), 0);
        const third = day();
        assert.equal(third.issues.status, 0, third.issues.stderr);
        assert.equal(issues()[0].state, "closed");
        assert.match(issues()[0].comment ?? "", /Healthy again: .*actions\/runs\/42/);
        assert.ok(calls("gh").every((call) => !call.startsWith("issue close 2")));
    });

    it("a certificate warning opens the issue without failing the run", () => {
        stacks([{ name: "prod", resourceCount: 41 }]);
        verifies("prod", report("prod", "northeurope", { tls: "warn" }), 0);
        const { issues: step } = day();
        assert.equal(step.status, 0, step.stderr);
        assert.equal(issues()[0].title, "verify: prod is unhealthy");
        assert.match(issues()[0].body, /\| tls \| ⚠️ warn \|/);
    });

    describe("deploy.yml: verify after pulumi up", () => {
        const { workflow: deploy } = loadWorkflow("deploy.yml");
        const steps = deploy.jobs.deploy.steps ?? [];
        const verify = stepNamed(deploy.jobs.deploy, /^Verify the deployment$/);

        it("runs right after pulumi up, under the same condition, with the Infinity account only through env", () => {
            const up = steps.findIndex((step) => /\bpulumi up\b/.test(step.run ?? ""));
            assert.equal(steps[up + 1], verify);
            assert.equal(verify.if, steps[up].if);
            assert.deepEqual(verify.env, {
                STACK: "${{ matrix.stack }}",
                INFINITY_URL: "${{ vars.INFINITY_URL }}",
                INFINITY_STATUS_USER: "${{ secrets.INFINITY_STATUS_USER }}",
                INFINITY_STATUS_PASSWORD: "${{ secrets.INFINITY_STATUS_PASSWORD }}",
            });
        });

        it("pipes the outputs without the passphrase, waits up to 30 minutes into the step summary, and a failing check fails the job", () => {
            verifies("prod", "### Verify: `prod`: fail\n", 1);
            const failed = run(verify, { STACK: "prod", INFINITY_URL: "" });
            assert.equal(failed.status, 1);
            assert.equal(calls("npm")[0], "run --silent verify -- --stack prod --outputs - --wait 30m --markdown");
            assert.deepEqual(calls("pulumi"), ["stack output --json --stack prod"]);
            assert.equal(fs.readFileSync(path.join(sandbox, "verify.stdin.prod"), "utf8"), '{"stack": "prod"}\n');
            assert.equal(failed.summary, "### Verify: `prod`: fail\n");
            verifies("prod", "### Verify: `prod`: pass\n", 0);
            assert.equal(run(verify, { STACK: "prod", INFINITY_URL: "https://infinity.example.dk" }).status, 0);
            assert.equal(calls("npm")[1], "run --silent verify -- --stack prod --outputs - --wait 30m --markdown --infinity-url https://infinity.example.dk");
        });

        it("fails the job when the connector serves the wrong certificate: the real verify against loopback fakes, the tls check named", async function () {
            this.timeout(30_000);
            const served = servedLeaf();
            const outputs = stackOutputs(served, versionOn(loadCatalogue(ROOT), dateIn(new Date(), DEFAULT_TIME_ZONE)).version);
            const world = await startWorld(outputs, served, { user: "reader", password: "unused" });
            try {
                world.tls.serve(servedLeaf({ keyName: "other-leaf" }));
                fs.writeFileSync(path.join(fixtures, "outputs.json"), JSON.stringify(outputs));
                standIn(bin, "pulumi", `#!/usr/bin/env bash\ncat "${fixtures}/outputs.json"\n`);
                // npm runs the real verify with the step's own arguments, pointed at the fakes. Two
                // changes, so that nothing leaves the machine and the test ends: --wait 30m becomes
                // 1s (giving up is tested in tests/cli/verify/), and azure is skipped (the command line
                // signs in with DefaultAzureCredential, which would ask the real Azure).
                const fakes = world.argv.filter((arg, index) => arg !== "--infinity-url" && world.argv[index - 1] !== "--infinity-url");
                standIn(
                    bin,
                    "npm",
                    `#!/usr/bin/env bash\necho "$*" >>"${sandbox}/npm.calls"\n[ "$3" = verify ] || exit 99\nshift 4\n` +
                        `args=()\nfor arg in "$@"; do if [ "\${previous:-}" = --wait ]; then args+=(1s); else args+=("$arg"); fi; previous=$arg; done\n` +
                        `exec node -r "${TS_NODE}" "${ROOT}/cli/verify/verify.ts" "\${args[@]}" ${fakes.map((arg) => `'${arg}'`).join(" ")} --skip azure\n`,
                );
                const step = await runStepAsync(verify, { cwd: ROOT, bin, runnerTemp, env: { STACK: "prod", INFINITY_URL: "" } });
                assert.equal(calls("npm")[0], "run --silent verify -- --stack prod --outputs - --wait 30m --markdown");
                assert.equal(step.status, 1, step.stderr);
                assert.equal(step.stderr, "error: verify failed: tls\n");
                assert.match(step.summary, /^### Verify: `prod` \(`teamsconn\.example\.dk`\): fail$/m);
                assert.match(step.summary, /^\| tls \| ❌ fail \| serves [0-9A-F]{40} .*not the deployed [0-9A-F]{40}/m);
                assert.match(step.summary, /^\| azure \| ⏭️ skipped \(--skip azure given\)/m);
                assert.match(step.summary, /^\| infinity \| ⏭️ skipped \(no --infinity-url/m);
                assert.match(step.summary, /^\| dns \| ✅ pass \|/m);

                // The same step passes once the deployed certificate is served again.
                world.tls.serve(served);
                const healthy = await runStepAsync(verify, { cwd: ROOT, bin, runnerTemp, env: { STACK: "prod", INFINITY_URL: "" } });
                assert.equal(healthy.status, 0, healthy.stderr);
                assert.match(healthy.summary, /^\| tls \| ✅ pass \|/m);
            } finally {
                await world.close();
            }
        });
    });
});
