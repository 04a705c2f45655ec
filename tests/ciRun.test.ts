import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * .ci/run, the CI entry point, run with stand-ins for every tool it calls (npm records its
 * arguments, go only exists where a test puts it), so nothing is installed or built here.
 */
const ROOT = path.resolve(__dirname, "..");

/** Runs .ci/run; `npm` lists each npm call's arguments, with E2E_REQUIRED when it is set. */
function runCi(options: { go: boolean; ci: boolean }): { status: number | null; stdout: string; stderr: string; npm: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-run-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const npmLog = path.join(dir, "npm.log");
        const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!${which("bash")}\n${body}\n`, { mode: 0o755 });
        for (const tool of ["openssl", "jq", "shellcheck"]) stub(tool, "exit 0");
        stub("npm", `echo "$*\${E2E_REQUIRED:+ (E2E_REQUIRED=$E2E_REQUIRED)}" >> ${JSON.stringify(npmLog)}`);
        if (options.go) stub("go", "exit 0");
        for (const tool of ["node", "dirname"]) fs.symlinkSync(which(tool), path.join(bin, tool));
        const result = spawnSync(which("bash"), [path.join(ROOT, ".ci", "run")], {
            env: { PATH: bin, HOME: dir, ...(options.ci ? { CI: "true" } : {}) },
            encoding: "utf8",
        });
        const npm = fs.existsSync(npmLog) ? fs.readFileSync(npmLog, "utf8").trim().split("\n") : [];
        return { status: result.status, stdout: result.stdout, stderr: result.stderr, npm };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function which(tool: string): string {
    return execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
}

describe(".ci/run", () => {
    it("fails under CI=true without Go, before installing or testing anything", () => {
        const run = runCi({ go: false, ci: true });
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stderr, /CI=true but go is not on PATH: the end-to-end tests and the workflow lint need Go/);
        assert.deepEqual(run.npm, []);
    });

    it("with Go, builds the engine and runs the workflow lint and the end-to-end tests (a missing engine fails them) after npm test", () => {
        const run = runCi({ go: true, ci: true });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.npm, ["ci --no-audit --no-fund", "test", "run engine:build", "run lint:workflows", "run test:e2e (E2E_REQUIRED=1)"]);
    });

    it("outside CI without Go, runs npm test and says that it skips the engine's checks", () => {
        const run = runCi({ go: false, ci: false });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.npm, ["ci --no-audit --no-fund", "test"]);
        assert.match(run.stdout, /go not found: skipping the workflow lint \(actionlint\) and the end-to-end tests/);
    });
});
