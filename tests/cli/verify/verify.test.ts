import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { dateIn, DEFAULT_TIME_ZONE } from "../../../lib/calendar";
import { VERIFY_EXIT_CODES } from "../../../lib/verify/check";
import { loadCatalogue, versionOn } from "../../../lib/versions/versionCatalogue";
import { automationOutputs, INFINITY_PASSWORD_VARIABLE, INFINITY_USER_VARIABLE, verify, VERIFY_FLAGS, VerifyEnvironment } from "../../../cli/verify/verify";
import { servedLeaf, stackOutputs, startWorld, testCredential, World } from "../../support/verifyFakes";

const ROOT = path.resolve(__dirname, "../../..");
const PASSWORD = "Recognisable-Infinity-Pa55word";
const APP_SECRET = "app-secret-not-to-print";

describe("npm run verify, against loopback fakes of DNS, TLS, ARM and Infinity", function () {
    this.timeout(30_000);
    const served = servedLeaf();
    const pexipVersion = versionOn(loadCatalogue(ROOT), dateIn(new Date(), DEFAULT_TIME_ZONE)).version;
    const outputs = stackOutputs(served, pexipVersion);
    let world: World;
    /** Everything any run printed, for the secret check at the end. */
    const printed: string[] = [];

    before(async () => (world = await startWorld(outputs, served, { user: "reader", password: PASSWORD })));
    after(() => world.close());
    beforeEach(() => {
        // Healthy again: each test breaks one thing.
        world.zone.set("teamsconn.example.dk", { cname: String(outputs.publicIpFqdn) });
        world.tls.serve(served);
        world.armState.scaleSet = { provisioningState: "Succeeded", capacity: 2 };
        world.infinityState.nodes.forEach((node) => (node.heartbeat_time = new Date().toISOString().replace("Z", "")));
    });

    const environment = (overrides: Partial<VerifyEnvironment> = {}): VerifyEnvironment => ({
        env: { [INFINITY_USER_VARIABLE]: "reader", [INFINITY_PASSWORD_VARIABLE]: PASSWORD },
        projectDir: ROOT,
        stdin: async () => JSON.stringify(outputs),
        stackOutputs: async () => outputs,
        credential: () => testCredential,
        pollMs: 50,
        ...overrides,
    });
    async function run(extra: string[], overrides: Partial<VerifyEnvironment> = {}, onProgress?: (line: string) => void) {
        const progress: string[] = [];
        const result = await verify(["--stack", "dev", ...world.argv, ...extra], environment(overrides), (line) => {
            progress.push(line);
            onProgress?.(line);
        });
        printed.push(result.stdout, result.stderr, ...progress);
        return { ...result, progress };
    }

    it("passes a healthy deployment: each check with its verdict, what it measured and how long it took; exit 0", async () => {
        const result = await run([]);
        assert.equal(result.exitCode, 0, result.stdout + result.stderr);
        assert.equal(result.stderr, "");
        const lines = result.stdout.trim().split("\n");
        assert.equal(lines[0], "verify dev (teamsconn.example.dk): pass");
        assert.deepEqual(lines.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 2).join(" ")), ["dns pass", "tls pass", "azure pass", "infinity pass", "version pass"]);
        for (const line of lines.slice(1)) assert.match(line, /\[\d+ ms\]$/);
        assert.match(result.stdout, /infinity +pass +2 Teams nodes of vdxdevweu-vmss, 2 active; DSC not read \(--infinity-dsc not given\)/);
    });

    it("--json: one object with the stack, the verdict, the exit code, the fleet figures and every check", async () => {
        const result = await run(["--json"]);
        const json = JSON.parse(result.stdout);
        assert.deepEqual(Object.keys(json), ["stack", "fqdn", "region", "checkedAt", "verdict", "exitCode", "summary", "checks"]);
        assert.equal(json.region, "westeurope");
        assert.equal(json.exitCode, 0);
        assert.deepEqual(json.checks.map((check: { name: string }) => check.name), ["dns", "tls", "azure", "infinity", "version"]);
        for (const check of json.checks) {
            assert.equal(typeof check.measured, "string");
            assert.equal(typeof check.durationMs, "number");
            assert.ok(["pass", "warn", "fail", "skipped"].includes(check.verdict));
        }
        assert.deepEqual(Object.keys(json.summary).sort(), ["certificateDays", "infinityNodes", "instancesSeen", "instancesSized", "pexipVersion", "thumbprint", "vdxVersion"]);
        assert.equal(json.summary.instancesSeen, 2);
        assert.equal(json.summary.vdxVersion, pexipVersion);
    });

    it("--markdown: a step summary table, one row per check; a skipped check shows as skipped with why, never as passed", async () => {
        const result = await run(["--markdown", "--skip", "infinity"]);
        const rows = result.stdout.split("\n").filter((line) => line.startsWith("| "));
        assert.equal(rows[0], "| check | verdict | measured | time |");
        assert.deepEqual(rows.slice(1).map((row) => row.split(" | ")[0].slice(2)), ["dns", "tls", "azure", "infinity", "version"]);
        assert.match(result.stdout, /^### Verify: `dev` \(`teamsconn\.example\.dk`\): pass$/m);
        assert.match(rows[4], /^\| infinity \| ⏭️ skipped \(--skip infinity given\) \|/);
    });

    it("without --infinity-url the infinity check is skipped, saying what is not seen", async () => {
        const argv = world.argv.filter((arg, index) => arg !== "--infinity-url" && world.argv[index - 1] !== "--infinity-url");
        const result = await verify(["--stack", "dev", ...argv], environment());
        printed.push(result.stdout, result.stderr);
        assert.equal(result.exitCode, 0);
        assert.match(result.stdout, /infinity +skipped +\(no --infinity-url: without Infinity access nothing shows registration or DSC state\)/);
    });

    it("exit 1 when the connector serves another certificate, naming the check on stderr", async () => {
        world.tls.serve(servedLeaf({ keyName: "other-leaf" }));
        const result = await run([]);
        assert.equal(result.exitCode, 1);
        assert.equal(result.stderr, "error: verify failed: tls\n");
        assert.match(result.stdout, /tls +fail +serves .* not the deployed/);
    });

    it("exit 3 when Infinity refuses the account: names the variables, never the password", async () => {
        const result = await run([], { env: { [INFINITY_USER_VARIABLE]: "reader", [INFINITY_PASSWORD_VARIABLE]: `${PASSWORD}-wrong` } });
        assert.equal(result.exitCode, 3);
        assert.equal(result.stderr, "error: verify failed: infinity (could not run)\n");
        assert.match(result.stdout, /check INFINITY_STATUS_USER and INFINITY_STATUS_PASSWORD/);
    });

    it("a failure outranks a check that could not run: exit 1", async () => {
        world.zone.set("teamsconn.example.dk", { a: ["203.0.113.7"] });
        const result = await run([], { env: { [INFINITY_USER_VARIABLE]: "reader", [INFINITY_PASSWORD_VARIABLE]: "wrong" } });
        assert.equal(result.exitCode, 1);
        assert.equal(result.stderr, "error: verify failed: dns, infinity (could not run)\n");
    });

    for (const [argv, env, pattern] of [
        [["--bogus"], undefined, /^error: unknown argument --bogus; usage: npm run --silent verify/],
        [["--json", "--markdown"], undefined, /^error: give --json or --markdown, not both/],
        [["--wait", "soon"], undefined, /^error: --wait must be a duration like 30m, 90s or 1h30m, got "soon"/],
        [["--skip", "ping"], undefined, /^error: --skip must name a check \(dns, tls, azure, infinity, version\), got "ping"/],
        [[], {}, /^error: --infinity-url needs INFINITY_STATUS_USER and INFINITY_STATUS_PASSWORD set to a read-only Infinity account/],
    ] as const) {
        it(`exit 2 for a usage error: ${[...argv].join(" ") || "no Infinity account"}`, async () => {
            const result = await run([...argv], env === undefined ? {} : { env });
            assert.equal(result.exitCode, 2);
            assert.equal(result.stdout, "");
            assert.match(result.stderr, pattern);
            assert.equal(result.stderr.split("\n").length, 2, "one line");
        });
    }

    it("exit 2 naming a missing stack output, before any check runs", async () => {
        const { scaleSetName: _dropped, ...partial } = outputs;
        const result = await run([], { stackOutputs: async () => partial });
        assert.equal(result.exitCode, 2);
        assert.match(result.stderr, /^error: stack output scaleSetName is missing \(read from stack dev's state\)/);
    });

    it("exit 3 when the stack's state cannot be read, 2 when there is no such stack", async () => {
        const backend = await run([], { stackOutputs: async () => Promise.reject(new Error("code: 255\nstderr: error: failed to load checkpoint: blob unreachable")) });
        assert.equal(backend.exitCode, 3);
        assert.equal(backend.stderr, "error: reading stack dev's outputs failed: stderr: error: failed to load checkpoint: blob unreachable\n");
        const missing = await run([], { stackOutputs: async () => Promise.reject(new Error("code: 255\nstderr: error: no stack named 'dev' found")) });
        assert.equal(missing.exitCode, 2);
    });

    it("exit 2 without the Pulumi CLI on PATH, saying so and how to do without it (the README's first command on a fresh machine)", async () => {
        const savedPath = process.env.PATH;
        process.env.PATH = world.dir;
        try {
            const result = await run([], { stackOutputs: automationOutputs });
            assert.equal(result.exitCode, 2);
            assert.equal(
                result.stderr,
                "error: reading stack dev's outputs needs the Pulumi CLI, which is not on PATH: install it and pulumi login, or pipe pulumi stack output --json into --outputs - (README: Verify a deployment)\n",
            );
        } finally {
            process.env.PATH = savedPath;
        }
    });

    it("--outputs reads pulumi stack output --json from a file or stdin, without the Automation API", async () => {
        const file = path.join(world.dir, "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const noState = { stackOutputs: async () => assert.fail("the Automation API was asked") };
        assert.equal((await run(["--outputs", file], noState)).exitCode, 0);
        assert.equal((await run(["--outputs", "-"], noState)).exitCode, 0);
        fs.writeFileSync(file, JSON.stringify({ ...outputs, certificate: "[secret]" }));
        assert.match((await run(["--outputs", file], noState)).stderr, /stack output certificate is a secret and was blinded/);
    });

    it("--wait turns green when a fake becomes healthy part-way, showing on stderr what it waits for and how long so far", async () => {
        world.zone.set("teamsconn.example.dk", { a: ["203.0.113.7"] });
        world.armState.instances[1].powerState = "PowerState/starting";
        let rounds = 0;
        const result = await run(["--wait", "20s"], {}, () => {
            if (++rounds === 2) {
                world.zone.set("teamsconn.example.dk", { cname: String(outputs.publicIpFqdn) });
                world.armState.instances[1].powerState = "PowerState/running";
            }
        });
        assert.equal(result.exitCode, 0, result.stdout);
        assert.equal(result.progress.length, 2);
        assert.match(result.progress[0], /^verify: waiting \d+s so far for dns: A 203\.0\.113\.7; azure: .*vdxdevweu-vmss_1 \(Succeeded, PowerState\/starting\)/);
    });

    it("--wait gives up at its deadline with the last results and exit 1", async () => {
        world.armState.scaleSet = { provisioningState: "Updating", capacity: 2 };
        const started = Date.now();
        const result = await run(["--wait", "1s"]);
        assert.equal(result.exitCode, 1);
        assert.ok(result.progress.length >= 1);
        assert.ok(Date.now() - started < 5000);
        assert.match(result.stdout, /azure +fail .*the scale set is Updating, not Succeeded/);
    });

    it("--help: every flag, the Infinity variables, the exit codes and examples; exit 0", async () => {
        const result = await verify(["--stack", "dev", "--help"], environment());
        assert.equal(result.exitCode, 0);
        for (const flag of VERIFY_FLAGS) assert.ok(result.stdout.includes(flag.name), flag.name);
        for (const [code, meaning] of Object.entries(VERIFY_EXIT_CODES)) assert.ok(result.stdout.includes(`  ${code}  ${meaning}`), code);
        assert.match(result.stdout, /INFINITY_STATUS_USER/);
        assert.match(result.stdout, /Examples:\n {2}npm run --silent verify -- --stack dev\n/);
    });

    it("prints no secret anywhere: not the Infinity password, not a secret stack output", () => {
        assert.ok(printed.length > 20);
        for (const text of printed) {
            assert.ok(!text.includes("Pa55word"), text);
            assert.ok(!text.includes(APP_SECRET), text);
        }
    });
});
