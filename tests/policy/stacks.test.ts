import * as assert from "node:assert/strict";
import { RegisteredResource } from "../../cli/plan/mockRuntime";
import { loadPolicyConfig, PolicyViolation, runPolicies, withCheckDate } from "../../cli/plan/policyEngine";
import { FACTS, factVariable } from "../../lib/contract";
import { POLICIES } from "../../policy/policies";
import { catalogueYaml, REPOSITORY_VERSION, runStack } from "../support/stacks";

/** The date the repository's stacks are checked on (the shipped config has no upgrade announced). */
const AS_OF = "2026-11-25";

async function check(resources: RegisteredResource[]): Promise<PolicyViolation[]> {
    return runPolicies(POLICIES, resources, withCheckDate(POLICIES, loadPolicyConfig(), AS_OF));
}

const mandatory = (violations: PolicyViolation[]) => violations.filter((violation) => violation.enforcement === "mandatory");

/** A copy of the resources with one resource's inputs changed, as a code change would. */
function changed(resources: RegisteredResource[], name: RegExp, change: (inputs: any) => void): RegisteredResource[] {
    return resources.map((resource) => {
        if (!name.test(resource.name)) return resource;
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
        // The catalogue lists 38.0, announced for a date after the check date: deploying it early breaks calls too.
        const catalogue = catalogueYaml([REPOSITORY_VERSION, { version: "38.0", announced: "2026-11-01", from: "2026-12-15", sha256: "b".repeat(64), url: "https://x.example/38.zip" }]);
        const run = await runStack("prod", { pexipVersion: "38.0" }, { catalogue });
        const found = mandatory(await check(run.resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["teams-connector-matches-vdx-version"]);
        assert.match(found[0].message, /37\.1/);
        assert.match(found[0].urn ?? "", /command:local:Command::vdxtcweu-deployment-deploy$/);
    });

    for (const [what, prefixes] of [
        ["by spelling", ["0.0.0.0/0"]],
        ["by coverage", ["0.0.0.0/1", "128.0.0.0/1"]],
    ] as const) {
        it(`RDP opened to the Internet ${what} is caught by rdp-not-open, and HTTPS with it by https-sources-restricted in prod`, async () => {
            const run = await runStack("prod", { managementAddresses: prefixes });
            const found = mandatory(await check(run.resources));
            assert.deepEqual(found.map((violation) => violation.policy).sort(), ["https-sources-restricted", "rdp-not-open"]);
            for (const violation of found) assert.match(violation.urn ?? "", /command:local:Command::vdxtcweu-deployment-deploy$/);
        });
    }

    it("the threshold applies to the merged HTTPS list: prod's nodes with a /16 of management addresses pass RDP but fail HTTPS", async () => {
        const run = await runStack("prod", { managementAddresses: ["10.20.0.0/16"] });
        const found = mandatory(await check(run.resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["https-sources-restricted"]);
        assert.match(found[0].message, /VDX_PEXIP_SOURCES \(vdx\.nodeAddresses and managementAddresses together\) covers 65539 IPv4 addresses once merged .*more than the threshold of 65536 set by ipv4Addresses/);
    });

    for (const [stack, name, update] of [
        ["dev", /-certificate-tls$/, (inputs: any) => (inputs.tags[FACTS.certificateSans] = "*.sundhed.example")],
        ["prod", /-deployment-deploy$/, (inputs: any) => (inputs.environment[factVariable(FACTS.certificateSans)] = "*.sundhed.example")],
    ] as const) {
        it(`${stack}: a wildcard certificate slipped past the program is caught by no-wildcard-certificate on ${name.source}`, async () => {
            const run = await runStack(stack);
            const resources = changed(run.resources, name, update);
            const found = mandatory(await check(resources));
            assert.deepEqual(found.map((violation) => violation.policy), ["no-wildcard-certificate"]);
            assert.match(found[0].message, /\*\.sundhed\.example/);
        });
    }

    it("an undersized deployment is caught by capacity-covers-ports", async () => {
        const run = await runStack("prod");
        const resources = changed(run.resources, /-deployment-deploy$/, (inputs) => {
            inputs.environment[factVariable(FACTS.instanceCount)] = "2";
        });
        const found = mandatory(await check(resources));
        assert.deepEqual(found.map((violation) => violation.policy), ["capacity-covers-ports"]);
        assert.match(found[0].message, /48/);
    });
});
