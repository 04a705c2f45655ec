import * as assert from "node:assert/strict";
import { checkAzure } from "../../../lib/verify/azure";
import { timed } from "../../../lib/verify/check";
import { deployedStack } from "../../../lib/verify/stackOutputs";
import { ArmState, runningInstances, servedLeaf, stackOutputs, startFakeArm, testCredential } from "../../support/verifyFakes";

describe("verify: the azure check against a fake ARM endpoint, through @azure/arm-compute", () => {
    const stack = deployedStack(stackOutputs(servedLeaf(), "37.1"), "test");
    const state: ArmState = { instances: [] };
    let arm: Awaited<ReturnType<typeof startFakeArm>>;
    before(async () => (arm = await startFakeArm(stack.subscriptionId, stack.dynamicResourceGroup, stack.scaleSetName, state)));
    after(() => arm.close());
    const check = (credential = testCredential) => checkAzure(stack, { credential, endpoint: arm.endpoint, extraCa: arm.caPem });

    it("passes a scale set at the sized capacity with every instance Succeeded and running, read-only", async () => {
        state.scaleSet = { provisioningState: "Succeeded", capacity: 2 };
        state.instances = runningInstances(stack.scaleSetName, 2);
        arm.requests.length = 0;
        const finding = await check();
        assert.equal(finding.verdict, "pass", finding.measured);
        assert.equal(finding.measured, "2 of 2 instances Succeeded and running; capacity 2");
        assert.deepEqual(finding.figures, { instancesSeen: 2, instancesSized: 2 });
        assert.ok(arm.requests.every((request) => request.startsWith("GET ")), arm.requests.join("\n"));
        assert.ok(arm.requests.some((request) => /virtualMachines\?.*(\$|%24)expand=instanceView/.test(request)), arm.requests.join("\n"));
    });

    it("fails when one instance failed, naming it", async () => {
        state.scaleSet = { provisioningState: "Succeeded", capacity: 2 };
        state.instances = runningInstances(stack.scaleSetName, 2);
        state.instances[1] = { ...state.instances[1], provisioningState: "Failed", powerState: "PowerState/stopped" };
        const finding = await check();
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /not running: vdxdevweu-vmss_1 \(Failed, PowerState\/stopped\)/);
        assert.doesNotMatch(finding.measured, /vmss_0/);
    });

    it("fails a capacity other than the stack sized", async () => {
        state.scaleSet = { provisioningState: "Succeeded", capacity: 1 };
        state.instances = runningInstances(stack.scaleSetName, 1);
        assert.match((await check()).measured, /capacity is 1, not 2, as the stack sized it/);
    });

    it("where Infinity owns capacity: at least Infinity's minimum", async () => {
        const infinityOwned = deployedStack({ ...stackOutputs(servedLeaf(), "37.1"), capacityOwner: "infinity", infinityMinimumInstances: 1 }, "test");
        state.scaleSet = { provisioningState: "Succeeded", capacity: 3 };
        state.instances = runningInstances(stack.scaleSetName, 3);
        const finding = await checkAzure(infinityOwned, { credential: testCredential, endpoint: arm.endpoint, extraCa: arm.caPem });
        assert.equal(finding.verdict, "pass", finding.measured);
        state.scaleSet = { provisioningState: "Succeeded", capacity: 0 };
        state.instances = [];
        assert.match((await checkAzure(infinityOwned, { credential: testCredential, endpoint: arm.endpoint, extraCa: arm.caPem })).measured, /capacity is 0, not at least Infinity's minimum 1/);
    });

    it("fails a missing scale set", async () => {
        delete state.scaleSet;
        const finding = await check();
        assert.equal(finding.verdict, "fail");
        assert.equal(finding.measured, "scale set vdxdevweu-vmss in vdxdevweu-dynamic does not exist");
    });

    it("could not run when Azure refuses the credential", async () => {
        state.scaleSet = { provisioningState: "Succeeded", capacity: 2 };
        const wrong = { getToken: async () => ({ token: "not-the-token", expiresOnTimestamp: Date.now() + 3_600_000 }) };
        const result = await timed("azure", () => check(wrong));
        assert.equal(result.couldNotRun, true);
        assert.match(result.measured, /Azure refused scale set vdxdevweu-vmss in vdxdevweu-dynamic \(401\)/);
    });
});
