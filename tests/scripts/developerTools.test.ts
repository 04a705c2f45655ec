import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { TS_NODE } from "../support/tsNode";

/**
 * The developer tools in scripts/ take --help, and refuse a misspelled flag, through the one
 * command-line module (cli/commandLine.ts), before doing anything: engine:build would otherwise
 * start a build of minutes, lint:workflows a lint, test:repeat a thousand runs.
 */
const ROOT = path.resolve(__dirname, "../..");

function run(script: string, args: readonly string[]) {
    return spawnSync(process.execPath, ["-r", TS_NODE, path.join(ROOT, "scripts", script), ...args], { encoding: "utf8", env: { ...process.env, XDG_CACHE_HOME: "/nonexistent" } });
}

const TOOLS = [
    { script: "engine-build.ts", usage: "usage: npm run engine:build", extra: ["now"] },
    { script: "lint-workflows.ts", usage: "usage: npm run lint:workflows", extra: ["now"] },
    { script: "repeat-test.ts", usage: "usage: npm run test:repeat -- <times> <test file> [grep]", extra: ["5"] },
] as const;

describe("developer tools on the command line (scripts/)", function () {
    // Each case starts a TypeScript child process, several per test.
    this.timeout(30000);

    for (const tool of TOOLS) {
        it(`${tool.script}: --help or -h, anywhere, prints the usage and the exit codes and exits 0; a misspelled flag or a wrong argument count is exit 2 with one line`, () => {
            for (const args of [["--help"], ["-h", "--bogus"]]) {
                const help = run(tool.script, args);
                assert.equal(help.status, 0, help.stderr);
                assert.ok(help.stdout.includes(`\n${tool.usage}\n`), help.stdout);
                assert.match(help.stdout, /^Exit codes:\n {2}0 {2}/m);
                assert.equal(help.stderr, "");
            }
            const misspelled = run(tool.script, ["--hepl"]);
            assert.equal(misspelled.status, 2, misspelled.stdout);
            assert.equal(misspelled.stderr, `error: unknown argument --hepl; ${tool.usage}\n`);
            assert.equal(misspelled.stdout, "");
            const count = run(tool.script, tool.extra);
            assert.equal(count.status, 2, count.stdout);
            assert.equal(count.stderr, `error: ${tool.usage}\n`);
        });
    }

    it("repeat-test.ts: a count that is not a whole number of at least 1 is exit 2, naming it", () => {
        const result = run("repeat-test.ts", ["0", "tests/ciRun.test.ts"]);
        assert.equal(result.status, 2);
        assert.equal(result.stderr, 'error: <times> must be a whole number of at least 1, got "0"; usage: npm run test:repeat -- <times> <test file> [grep]\n');
    });
});
