import * as assert from "node:assert/strict";
import * as path from "path";
import { recordRun, refusal } from "./recordingPwsh";
import { secretDigest } from "./secretDigest";

// The recording pwsh's decisions, without an engine (npm test; the end-to-end suite runs it for real).
describe("recording pwsh stand-in", () => {
    const repository = path.resolve(__dirname, "../../..");
    const driver = ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", "scripts/pexip-deployment.ps1"];

    it("records the driver's action and its VDX_ variables, a secret only as the hash of its JSON", () => {
        const run = recordRun([...driver, "deploy"], { VDX_APP_SECRET: "s3cret", VDX_PEXIP_VERSION: "38.0", E2E_STANDIN_LOG: "/tmp/log", E2E_REQUIRED: "1", HOME: "/root" });
        assert.equal(run.action, "deploy");
        assert.deepEqual(run.variables, {
            VDX_APP_SECRET: secretDigest("s3cret"),
            VDX_PEXIP_VERSION: "38.0",
        });
        assert.doesNotMatch(JSON.stringify(run), /s3cret/);
    });

    it("refuses what a real pwsh -File would: a missing script, relative to where the command runs, and an action the driver lacks", () => {
        assert.equal(refusal([...driver, "deploy"], repository), undefined);
        assert.match(refusal([...driver, "deploy"], path.join(repository, "lib")) ?? "", /scripts\/pexip-deployment\.ps1 does not exist/);
        assert.match(refusal([...driver, "upgrade"], repository) ?? "", /has no action "upgrade"/);
        assert.match(refusal(["-Command", "Get-Date"], repository) ?? "", /no -File/);
    });
});
