import * as assert from "node:assert/strict";
import { bot, check, compliantStack, named, notApplicable, of, pexipDeployment, publicIp, resource, scalingCommand, testConfig, violation } from "./fixtures";

describe("policy: residency", () => {
    const policy = "eu-data-residency";
    const regions = "westeurope, northeurope, swedencentral, germanywestcentral, francecentral";

    it("accepts the compliant stack: EU regions, global only for the bot and its channel", async () => {
        assert.deepEqual(of(await check(compliantStack()), policy), []);
    });

    it("accepts a display name of an allowed region", async () => {
        const deployment = pexipDeployment({ VDX_LOCATION: "Sweden Central" });
        assert.deepEqual(of(await check([publicIp({ location: "North Europe" }), deployment]), policy), []);
    });

    it("checks the Pexip deployment's VDX_LOCATION: the dynamic resource group Pexip's script creates", async () => {
        const us = pexipDeployment({ VDX_LOCATION: "eastus" });
        const global = named(pexipDeployment({ VDX_LOCATION: "global" }), "global");
        assert.deepEqual(of(await check([us, global]), policy), [
            violation(policy, "mandatory", us, `location "eastus" is not an allowed EU region; use one of ${regions}.`),
            violation(policy, "mandatory", global, `location is "global", which only the Azure Bot and its channels may use; use one of ${regions}.`),
        ]);
    });

    // Pexip's script always deploys somewhere, so a deployment without a location cannot be verified.
    it("rejects a deployment without VDX_LOCATION: cannot verify", async () => {
        const deployment = pexipDeployment({ VDX_LOCATION: undefined });
        const found = of(await check([deployment]), policy);
        assert.deepEqual(found.map((entry) => [entry.enforcement, entry.urn]), [["mandatory", deployment.urn]]);
        assert.match(found[0].message, /VDX_LOCATION/);
    });

    it("ignores the scaling command, which carries no location", async () => {
        const scaling = scalingCommand();
        assert.deepEqual(of(await check([scaling]), policy), []);
        assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "The resource has no location" });
    });

    it("rejects a region outside the allowlist, including EEA-only Norway", async () => {
        const us = publicIp({ location: "eastus" });
        const norway = resource("azure-native:resources:ResourceGroup", "rg-no", { location: "norwayeast", tags: { environment: "prod" } });
        assert.deepEqual(of(await check([us, norway]), policy), [
            violation(policy, "mandatory", us, `location "eastus" is not an allowed EU region; use one of ${regions}.`),
            violation(policy, "mandatory", norway, `location "norwayeast" is not an allowed EU region; use one of ${regions}.`),
        ]);
    });

    it("rejects global for anything but the bot and its channels", async () => {
        const ip = publicIp({ location: "global" });
        assert.deepEqual(of(await check([ip, bot()]), policy), [
            violation(policy, "mandatory", ip, `location is "global", which only the Azure Bot and its channels may use; use one of ${regions}.`),
        ]);
    });

    it("takes the allowlist from configuration", async () => {
        const norway = publicIp({ location: "norwayeast" });
        const deployment = pexipDeployment({ VDX_LOCATION: "norwayeast" });
        const westeurope = named(publicIp(), "westeurope");
        const violations = await check([norway, deployment, westeurope], testConfig({ [policy]: { allowedLocations: ["norwayeast"] } }));
        assert.deepEqual(of(violations, policy), [
            violation(policy, "mandatory", westeurope, `location "westeurope" is not an allowed EU region; use one of norwayeast.`),
        ]);
    });

    it("ignores resources without a location", async () => {
        const hub = resource("azure-native:eventhub:EventHub", "events", { namespaceName: "ns" });
        assert.deepEqual(of(await check([hub]), policy), []);
    });
});
