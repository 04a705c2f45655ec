import * as assert from "node:assert/strict";
import { RegisteredResource } from "../../cli/mockRuntime";
import { loadPolicyConfig, PolicyViolation, runPolicies, withCheckDate } from "../../cli/policyEngine";
import { TAGS } from "../../lib/contract";
import { POLICIES } from "../../policy/policies";
import { runStack } from "../support/stacks";

/** The date the repository's stacks are checked on (the shipped config has no upgrade announced). */
const AS_OF = "2026-11-25";

async function check(resources: RegisteredResource[]): Promise<PolicyViolation[]> {
    return runPolicies(POLICIES, resources, withCheckDate(POLICIES, loadPolicyConfig(), AS_OF));
}

const mandatory = (violations: PolicyViolation[]) => violations.filter((violation) => violation.enforcement === "mandatory");

/** A copy of the resources with one resource's inputs changed, as a code change would. */
function changed(resources: RegisteredResource[], type: string, change: (inputs: any) => void): RegisteredResource[] {
    return resources.map((resource) => {
        if (resource.type !== type) return resource;
        const inputs = structuredClone(resource.inputs);
        change(inputs);
        return { ...resource, inputs };
    });
}

describe("policy pack over the program's stacks (end to end)", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every policy runs over every resource with no mandatory violation`, async () => {
            const run = await runStack(stack);
            const violations = await check(run.resources);
            assert.deepEqual(mandatory(violations), []);
        });
    }

    it("a drifted pexipVersion is caught by teams-connector-matches-vdx-version", async () => {
        const run = await runStack("prod", { pexipVersion: "38.0" });
        const found = mandatory(await check(run.resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["teams-connector-matches-vdx-version"]);
        assert.match(found[0].message, /37\.1/);
        assert.match(found[0].urn ?? "", /VirtualMachineScaleSet::vdxtcweu-scaleset-vmss$/);
    });

    it("RDP opened to the Internet is caught by rdp-not-open", async () => {
        const run = await runStack("prod", { managementAddresses: ["0.0.0.0/0"] });
        const found = mandatory(await check(run.resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["rdp-not-open"]);
        assert.match(found[0].urn ?? "", /NetworkSecurityGroup::vdxtcweu-network-nsg$/);
    });

    for (const [stack, type] of [
        ["dev", "azure-native:keyvault:Secret"],
        ["prod", "azure-native:compute:VirtualMachineScaleSet"],
    ]) {
        it(`${stack}: a wildcard certificate slipped past the program is caught by no-wildcard-certificate on the ${type.split(":")[2]}`, async () => {
            const run = await runStack(stack);
            const resources = changed(run.resources, type, (inputs) => {
                if (inputs.tags?.[TAGS.certificateSans]) inputs.tags[TAGS.certificateSans] = "*.sundhed.example";
            });
            const found = mandatory(await check(resources));
            assert.deepEqual(found.map((violation) => violation.policy), ["no-wildcard-certificate"]);
            assert.match(found[0].message, /\*\.sundhed\.example/);
        });
    }

    it("an undersized scale set is caught by capacity-covers-ports", async () => {
        const run = await runStack("prod");
        const resources = changed(run.resources, "azure-native:compute:VirtualMachineScaleSet", (inputs) => {
            inputs.sku.capacity = 2;
        });
        const found = mandatory(await check(resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["capacity-covers-ports"]);
        assert.match(found[0].message, /48/);
    });
});
