import * as assert from "node:assert/strict";
import { timed } from "../../../lib/verify/check";
import { checkInfinity, InfinityOptions } from "../../../lib/verify/infinity";
import { activeNodes, infinityTime, InfinityState, startFakeInfinity } from "../../support/verifyFakes";

describe("verify: the infinity check against a fake Infinity status API with basic auth", () => {
    const PASSWORD = "Recognisable-Infinity-Pa55word";
    const scaleSet = "vdxdevweu-vmss";
    const names = [`${scaleSet}_0`, `${scaleSet}_1`];
    const state: InfinityState = { nodes: [] };
    let infinity: Awaited<ReturnType<typeof startFakeInfinity>>;
    before(async () => (infinity = await startFakeInfinity("reader", PASSWORD, state)));
    after(() => infinity.close());
    const options = (overrides: Partial<InfinityOptions> = {}): InfinityOptions => ({
        url: infinity.url,
        user: "reader",
        password: PASSWORD,
        credentialsVariables: "INFINITY_STATUS_USER and INFINITY_STATUS_PASSWORD",
        activeState: "active",
        heartbeatMinutes: 5,
        dsc: true,
        now: new Date(),
        ...overrides,
    });
    beforeEach(() => {
        // Another region's node on the same Infinity is not this stack's.
        state.nodes = [...activeNodes(scaleSet, names), ...activeNodes("vdxprodneu-vmss", ["vdxprodneu-vmss_0"])];
        state.dsc = [];
    });

    it("passes the right count of active nodes with fresh heartbeats and no failing DSC resources (across pages)", async () => {
        const finding = await checkInfinity(scaleSet, 2, options());
        assert.equal(finding.verdict, "pass", finding.measured);
        assert.equal(finding.measured, `2 Teams nodes of ${scaleSet}, 2 active; DSC without failing resources`);
    });

    it("matches scaleset_id given as the scale set's ARM ID", async () => {
        state.nodes = activeNodes(`/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSet}`, names);
        assert.equal((await checkInfinity(scaleSet, 2, options())).verdict, "pass");
    });

    it("says by name that DSC was not read without --infinity-dsc, and when Infinity does not serve it", async () => {
        assert.match((await checkInfinity(scaleSet, 2, options({ dsc: false }))).measured, /DSC not read \(--infinity-dsc not given\)/);
        delete state.dsc;
        assert.match((await checkInfinity(scaleSet, 2, options())).measured, /DSC not read: this Infinity does not serve status\/v1\/teamsnodedsc\//);
    });

    it("fails a stale heartbeat, naming the node", async () => {
        state.nodes[1] = { ...state.nodes[1], heartbeat_time: infinityTime(new Date(Date.now() - 10 * 60_000)) };
        const finding = await checkInfinity(scaleSet, 2, options());
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, new RegExp(`no heartbeat in 5 minutes: ${names[1]} \\(`));
    });

    it("fails a node that is not in the active state, and fewer nodes than Azure runs", async () => {
        state.nodes[0] = { ...state.nodes[0], state: "starting" };
        const finding = await checkInfinity(scaleSet, 3, options());
        assert.match(finding.measured, new RegExp(`not active: ${names[0]} \\(starting\\)`));
        assert.match(finding.measured, /Infinity sees 2 Teams nodes of this scale set, Azure runs 3/);
    });

    it("fails failing DSC resources, naming the node and the resources", async () => {
        state.dsc = [{ name: names[1], failing_resources: ["[Script]ConfigureTeamsConnector"] }];
        const finding = await checkInfinity(scaleSet, 2, options());
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /DSC failing resources: vdxdevweu-vmss_1 \(\["\[Script\]ConfigureTeamsConnector"\]\)/);
    });

    it("a 401 could not run: names the credentials variables and never echoes the password", async () => {
        const result = await timed("infinity", () => checkInfinity(scaleSet, 2, options({ password: "wrong-password" })));
        assert.equal(result.couldNotRun, true);
        assert.match(result.measured, /Infinity refused the account \(HTTP 401\): check INFINITY_STATUS_USER and INFINITY_STATUS_PASSWORD/);
        assert.doesNotMatch(JSON.stringify(result), /wrong-password|Pa55word/);
    });
});
