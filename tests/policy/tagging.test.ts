import * as assert from "node:assert/strict";
import { check, compliantStack, named, notApplicable, of, pexipDeployment, publicIp, resource, scalingCommand, violation } from "./fixtures";

describe("policy: tagging", () => {
    const policy = "environment-tagged";

    it("accepts the compliant stack, where every taggable resource carries environment", async () => {
        assert.deepEqual(of(await check(compliantStack()), policy), []);
    });

    it("rejects a taggable resource without environment, or with an unknown value", async () => {
        const untagged = named(publicIp({ tags: undefined }), "untagged");
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

    it("ignores the Pexip deployment and its scaling step: commands, not Azure resources, with no tags", async () => {
        const deployment = pexipDeployment();
        const scaling = scalingCommand();
        assert.deepEqual(of(await check([deployment, scaling]), policy), []);
        assert.deepEqual(await notApplicable([deployment, scaling], policy), {
            [deployment.name]: "Not a taggable azure-native resource",
            [scaling.name]: "Not a taggable azure-native resource",
        });
    });
});
