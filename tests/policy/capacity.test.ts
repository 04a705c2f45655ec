import * as assert from "node:assert/strict";
import { VM_SIZES } from "../../lib/contract";
import { check, named, notApplicable, of, pexipDeployment, scalingCommand, testConfig, violation } from "./fixtures";

describe("policy: capacity", () => {
    describe("capacity-covers-ports", () => {
        const policy = "capacity-covers-ports";

        it("accepts instances × calls per instance ≥ required ports", async () => {
            // 3 × 16 = 48 exactly; 4 × 15 = 60 ≥ 48 with Pexip's planning figure; Infinity owning capacity changes nothing.
            const planned = named(pexipDeployment({ VDX_INSTANCE_COUNT: "4", VDX_PORTS_PER_INSTANCE: "15", VDX_CAPACITY_OWNER: "infinity" }), "planned");
            assert.deepEqual(of(await check([pexipDeployment(), planned]), policy), []);
        });

        it("rejects too few instances and says how many are needed", async () => {
            const deployment = pexipDeployment({ VDX_INSTANCE_COUNT: "2" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "2 instance(s) × 16 calls per instance = 32 calls, fewer than the 48 concurrent ports required; run at least 3 instance(s)."),
            ]);
        });

        it("rounds the instances needed up (48 ports at 15 per instance need 4)", async () => {
            const deployment = pexipDeployment({ VDX_PORTS_PER_INSTANCE: "15" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "3 instance(s) × 15 calls per instance = 45 calls, fewer than the 48 concurrent ports required; run at least 4 instance(s)."),
            ]);
        });

        it("rejects more than 16, or no, calls per instance", async () => {
            const over = pexipDeployment({ VDX_PORTS_PER_INSTANCE: "20" });
            const none = named(pexipDeployment({ VDX_PORTS_PER_INSTANCE: "0" }), "none");
            const text = (calls: number) => `VDX_PORTS_PER_INSTANCE is ${calls}, but a Teams Connector instance carries 1 to 16 calls (Pexip plans with 15).`;
            assert.deepEqual(of(await check([over, none]), policy), [violation(policy, "mandatory", over, text(20)), violation(policy, "mandatory", none, text(0))]);
        });

        it("rejects missing or non-numeric facts: cannot verify", async () => {
            const deployment = pexipDeployment({ VDX_CONCURRENT_PORTS: undefined, VDX_PORTS_PER_INSTANCE: "many" });
            const noCount = named(pexipDeployment({ VDX_INSTANCE_COUNT: "3.5" }), "no-count");
            assert.deepEqual(of(await check([deployment, noCount]), policy), [
                violation(
                    policy,
                    "mandatory",
                    deployment,
                    "The Pexip deployment lacks a whole number in VDX_CONCURRENT_PORTS, VDX_PORTS_PER_INSTANCE: cannot verify that its capacity covers the concurrent calls it is sized for.",
                ),
                violation(
                    policy,
                    "mandatory",
                    noCount,
                    "The Pexip deployment lacks a whole number in VDX_INSTANCE_COUNT: cannot verify that its capacity covers the concurrent calls it is sized for.",
                ),
            ]);
        });

        it("ignores the scaling command, which carries only the instance count", async () => {
            const scaling = scalingCommand();
            assert.deepEqual(of(await check([scaling]), policy), []);
            assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "Not the Pexip deployment" });
        });
    });

    describe("vm-size-allowed", () => {
        const policy = "vm-size-allowed";
        const allowed = "Standard_D4s_v5, Standard_D4as_v5, Standard_F4s, Standard_F4s_v2";

        it("accepts every size the program allows (lib/contract.ts VM_SIZES) by default", async () => {
            const deployments = VM_SIZES.map((size) => named(pexipDeployment({ VDX_VM_SIZE: size }), size));
            assert.deepEqual(of(await check(deployments), policy), []);
        });

        it("accepts no size chosen (empty VDX_VM_SIZE): the package's default applies", async () => {
            const unset = pexipDeployment({ VDX_VM_SIZE: "" });
            // Even with an allowlist the default is not on: the stack chose nothing.
            const config = testConfig({ [policy]: { allowedSizes: ["Standard_F4s"] } });
            assert.deepEqual(of(await check([unset], config), policy), []);
        });

        it("rejects another size", async () => {
            const deployment = pexipDeployment({ VDX_VM_SIZE: "Standard_B2s" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `VM size Standard_B2s is not allowed; use one of ${allowed}.`),
            ]);
        });

        it("compares sizes exactly", async () => {
            const deployment = pexipDeployment({ VDX_VM_SIZE: "standard_d4s_v5" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `VM size standard_d4s_v5 is not allowed; use one of ${allowed}.`),
            ]);
        });

        it("takes the allowlist from configuration", async () => {
            const deployment = pexipDeployment({ VDX_VM_SIZE: "Standard_F4s" });
            const violations = await check([deployment], testConfig({ [policy]: { allowedSizes: ["Standard_D4s_v5"] } }));
            assert.deepEqual(of(violations, policy), [violation(policy, "mandatory", deployment, "VM size Standard_F4s is not allowed; use one of Standard_D4s_v5.")]);
        });

        it("ignores the scaling command", async () => {
            const scaling = scalingCommand();
            assert.deepEqual(of(await check([scaling]), policy), []);
            assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "Not the Pexip deployment" });
        });
    });
});
