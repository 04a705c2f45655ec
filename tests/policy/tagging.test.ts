import * as assert from "node:assert/strict";
import { check, compliantStack, of, publicIp, resource, violation } from "./fixtures";

describe("policy: tagging", () => {
    const policy = "environment-tagged";

    it("accepts the compliant stack, where every taggable resource carries environment", async () => {
        assert.deepEqual(of(await check(compliantStack()), policy), []);
    });

    it("rejects a taggable resource without environment, or with an unknown value", async () => {
        const untagged = publicIp({ tags: undefined });
        const staging = resource("azure-native:resources:ResourceGroup", "rg", { location: "westeurope", tags: { environment: "staging" } });
        assert.deepEqual(of(await check([untagged, staging]), policy), [
            violation(policy, "mandatory", untagged, `The resource has no "environment" tag; set it to one of dev, prod.`),
            violation(policy, "mandatory", staging, `The "environment" tag is "staging"; use one of dev, prod.`),
        ]);
    });

    it("ignores providers, components and untaggable children", async () => {
        const resources = [
            resource("pulumi:providers:azure-native", "default", { location: "westeurope" }),
            resource("vdx:connector:TeamsConnector", "connector", { location: "westeurope" }),
            resource("azure-native:eventhub:EventHub", "events", { namespaceName: "ns" }),
        ];
        assert.deepEqual(of(await check(resources), policy), []);
    });
});
