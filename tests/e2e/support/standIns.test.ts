import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { standInBuild } from "./standIns";

// The launchers in plugins/bin run the compiled stand-ins, without an engine (npm test; the end-to-end suite runs them for real).
describe("stand-in plugins compiled once per run (tests/e2e/support/standIns.ts)", () => {
    const bin = path.resolve(__dirname, "..", "plugins", "bin");
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "standins-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const env = () => ({ PATH: process.env.PATH ?? "", E2E_STANDIN_BUILD: standInBuild(), E2E_STANDIN_LOG: path.join(dir, "log.jsonl") });

    it("compiles each plugin once, with the project modules it requires", () => {
        const build = standInBuild();
        assert.equal(standInBuild(), build);
        for (const file of ["tests/e2e/plugins/standinProvider.js", "tests/e2e/plugins/recordingPwsh.js", "tests/e2e/plugins/secretDigest.js", "cli/plan/mockCloud.js", "lib/contract.js"]) {
            assert.ok(fs.existsSync(path.join(build, file)), file);
        }
    });

    it("a provider's launcher starts its package's stand-in, which prints the port it serves on", async () => {
        const child = spawn(path.join(bin, "pulumi-resource-azuread"), [], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
        try {
            const firstLine = await new Promise<string>((resolve, reject) => {
                let stdout = "";
                let stderr = "";
                child.stdout.on("data", (chunk) => {
                    stdout += chunk;
                    if (stdout.includes("\n")) resolve(stdout.split("\n")[0]);
                });
                child.stderr.on("data", (chunk) => (stderr += chunk));
                child.on("exit", (code) => reject(new Error(`the stand-in exited ${code} before printing its port: ${stderr}`)));
            });
            assert.match(firstLine, /^\d+$/);
        } finally {
            child.kill();
        }
        const start = JSON.parse(fs.readFileSync(path.join(dir, "log.jsonl"), "utf8").split("\n")[0]);
        assert.deepEqual([start.provider, start.method], ["azuread", "Start"]);
    });

    it("pwsh's launcher runs the recording pwsh, which refuses an action the driver lacks", () => {
        const run = spawnSync(path.join(bin, "pwsh"), ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", "scripts/pexip-deployment.ps1", "upgrade"], {
            cwd: path.resolve(__dirname, "../../.."),
            env: env(),
            encoding: "utf8",
        });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /has no action "upgrade"/);
    });
});
