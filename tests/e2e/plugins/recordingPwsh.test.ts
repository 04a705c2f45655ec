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

    const counted = { VDX_INSTANCE_COUNT: "2" };

    it("refuses what a real pwsh -File would: a missing script, relative to where the command runs, and an action the driver lacks", () => {
        assert.equal(refusal([...driver, "deploy"], repository, counted), undefined);
        assert.match(refusal([...driver, "deploy"], path.join(repository, "lib"), counted) ?? "", /scripts\/pexip-deployment\.ps1 does not exist/);
        assert.match(refusal([...driver, "upgrade"], repository, counted) ?? "", /has no action "upgrade"/);
        assert.match(refusal(["-Command", "Get-Date"], repository, counted) ?? "", /no -File/);
    });

    it("refuses, as the driver does, a check, deploy or scale without a whole instance count of at least 1; update and remove need none", () => {
        for (const action of ["check", "deploy", "scale"]) {
            for (const count of [undefined, "", "0", "two", "-1", "1.5"]) {
                assert.match(refusal([...driver, action], repository, { VDX_INSTANCE_COUNT: count }) ?? "", /refuses VDX_INSTANCE_COUNT/, `${action} ${count}`);
            }
            assert.equal(refusal([...driver, action], repository, { VDX_INSTANCE_COUNT: "3" }), undefined);
        }
        for (const action of ["update", "remove"]) assert.equal(refusal([...driver, action], repository, {}), undefined);
    });
});
