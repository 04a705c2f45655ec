import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TS_NODE } from "../../support/tsNode";

const FLEET = path.resolve(__dirname, "../../../cli/verify/fleet.ts");

/** verify:fleet as health.yml runs it, in a directory of its own. */
function fleet(args: (dir: string) => string[]): { status: number | null; stdout: string; stderr: string; written: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-"));
    try {
        fs.writeFileSync(path.join(dir, "exit-codes"), "");
        const result = spawnSync(process.execPath, ["-r", TS_NODE, FLEET, ...args(dir)], { encoding: "utf8" });
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, written: fs.readdirSync(dir).sort() };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("verify:fleet (cli/verify/fleet.ts) on the command line", () => {
    it("--help (or -h), anywhere: the usage, the exit codes and an example; exit 0, nothing written", () => {
        for (const args of [() => ["--help"], (dir: string) => [dir, "-h"]]) {
            const run = fleet(args);
            assert.equal(run.status, 0, run.stderr);
            assert.match(run.stdout, /^usage: npm run --silent verify:fleet -- <dir>$/m);
            assert.match(run.stdout, /^Exit codes:\n  0  .*\n  2  .*\n  3  a bug/m);
            assert.deepEqual(run.written, ["exit-codes"]);
        }
    });

    it("a misspelled flag, no directory or two, one without the exit-codes file: exit 2 with one line, nothing written", () => {
        for (const [args, message] of [
            [(dir: string) => [dir, "--hepl"], /^error: unknown argument --hepl; usage: npm run --silent verify:fleet -- <dir>\n$/],
            [() => [], /^error: usage: npm run --silent verify:fleet -- <dir>\n$/],
            [(dir: string) => [dir, dir], /^error: usage: npm run --silent verify:fleet -- <dir>\n$/],
            [(dir: string) => [path.join(dir, "elsewhere")], /^error: usage: npm run --silent verify:fleet -- <dir> \(with the exit-codes file/],
        ] as const) {
            const run = fleet(args);
            assert.equal(run.status, 2, run.stdout);
            assert.match(run.stderr, message);
            assert.deepEqual(run.written, ["exit-codes"]);
        }
    });

    it("a directory with the exit-codes file: the table, the issues and the unhealthy list; exit 0", () => {
        const run = fleet((dir) => [dir]);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.written, ["exit-codes", "issues", "unhealthy"]);
    });
});
