import * as assert from "node:assert/strict";
import { bot, check, compliantStack, of, publicIp, resource, testConfig, violation } from "./fixtures";

describe("policy: residency", () => {
    const policy = "eu-data-residency";
    const regions = "westeurope, northeurope, swedencentral, germanywestcentral, francecentral";

    it("accepts the compliant stack: EU regions, global only for the bot and its channel", async () => {
        assert.deepEqual(of(await check(compliantStack()), policy), []);
    });

    it("accepts a display name of an allowed region", async () => {
        assert.deepEqual(of(await check([publicIp({ location: "North Europe" })]), policy), []);
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
        const violations = await check([norway, publicIp()], testConfig({ [policy]: { allowedLocations: ["norwayeast"] } }));
        assert.deepEqual(of(violations, policy), [
            violation(policy, "mandatory", publicIp(), `location "westeurope" is not an allowed EU region; use one of norwayeast.`),
        ]);
    });

    it("ignores resources without a location", async () => {
        const hub = resource("azure-native:eventhub:EventHub", "events", { namespaceName: "ns" });
        assert.deepEqual(of(await check([hub]), policy), []);
    });
});
