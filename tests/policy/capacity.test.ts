import * as assert from "node:assert/strict";
import { VM_SIZES } from "../../lib/contract";
import { check, of, scaleSet, testConfig, violation } from "./fixtures";

describe("policy: capacity", () => {
    describe("capacity-covers-ports", () => {
        const policy = "capacity-covers-ports";

        it("accepts capacity × calls per instance ≥ required ports", async () => {
            // 3 × 16 = 48 exactly; 4 × 15 = 60 ≥ 48 with Pexip's planning figure.
            const planned = scaleSet({ sku: { capacity: 4 }, tags: { "ports-per-instance": "15" } });
            assert.deepEqual(of(await check([scaleSet(), planned]), policy), []);
        });

        it("rejects too few instances and says how many are needed", async () => {
            const vmss = scaleSet({ sku: { capacity: 2 } });
            assert.deepEqual(of(await check([vmss]), policy), [
                violation(policy, "mandatory", vmss, "Capacity 2 × 16 calls per instance = 32 calls, fewer than the 48 concurrent ports required; set capacity to at least 3."),
            ]);
        });

        it("rejects more than 16 calls per instance", async () => {
            const vmss = scaleSet({ tags: { "ports-per-instance": "20" } });
            assert.deepEqual(of(await check([vmss]), policy), [
                violation(policy, "mandatory", vmss, `"ports-per-instance" is 20, but a Teams Connector instance carries 1 to 16 calls (Pexip plans with 15).`),
            ]);
        });

        it("rejects missing tags or capacity: cannot verify", async () => {
            const vmss = scaleSet({ sku: { capacity: undefined }, tags: { "concurrent-ports": undefined, "ports-per-instance": "many" } });
            assert.deepEqual(of(await check([vmss]), policy), [
                violation(
                    policy,
                    "mandatory",
                    vmss,
                    `The scale set lacks a whole-number "concurrent-ports" tag, a whole-number "ports-per-instance" tag, a whole-number sku.capacity: cannot verify that its capacity covers the concurrent calls it is sized for.`,
                ),
            ]);
        });
    });

    describe("vm-size-allowed", () => {
        const policy = "vm-size-allowed";

        it("accepts every size the program allows (lib/contract.ts VM_SIZES) by default", async () => {
            const sets = VM_SIZES.map((name) => scaleSet({ sku: { name } }));
            assert.deepEqual(of(await check(sets), policy), []);
        });

        it("rejects another size", async () => {
            const vmss = scaleSet({ sku: { name: "Standard_B2s" } });
            assert.deepEqual(of(await check([vmss]), policy), [
                violation(policy, "mandatory", vmss, "VM size Standard_B2s is not allowed; use one of Standard_D4s_v5, Standard_D4as_v5, Standard_F4s, Standard_F4s_v2."),
            ]);
        });

        it("takes the allowlist from configuration", async () => {
            const vmss = scaleSet({ sku: { name: "Standard_F4s" } });
            const violations = await check([vmss], testConfig({ [policy]: { allowedSizes: ["Standard_D4s_v5"] } }));
            assert.deepEqual(of(violations, policy), [violation(policy, "mandatory", vmss, "VM size Standard_F4s is not allowed; use one of Standard_D4s_v5.")]);
        });
    });
});
