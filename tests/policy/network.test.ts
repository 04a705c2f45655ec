import * as assert from "node:assert/strict";
import { check, eventHubNamespace, networkSecurityGroup, of, publicIp, rule, securityRule, violation } from "./fixtures";

describe("policy: network", () => {
    describe("rdp-not-open", () => {
        const policy = "rdp-not-open";
        const rdpText = (name: string, sources: string) =>
            `Security rule "${name}" allows RDP (3389) inbound from ${sources}; list the management prefixes instead.`;

        it("accepts RDP from listed management prefixes, and rules that do not admit everyone", async () => {
            const nsg = networkSecurityGroup([
                rule({ name: "rdp-mgmt", destinationPortRange: "3389", sourceAddressPrefixes: ["198.51.100.0/24"] }),
                rule({ name: "deny-rdp", destinationPortRange: "3389", sourceAddressPrefix: "*", sourceAddressPrefixes: undefined, access: "Deny" }),
                rule({ name: "outbound", destinationPortRange: "*", sourceAddressPrefix: "*", sourceAddressPrefixes: undefined, direction: "Outbound" }),
                rule({ name: "icmp", protocol: "Icmp", destinationPortRange: "*", sourceAddressPrefix: "Internet", sourceAddressPrefixes: undefined }),
            ]);
            assert.deepEqual(of(await check([nsg, securityRule()]), policy), []);
        });

        it("rejects inline rules opening 3389 to everyone: single port, range, list, and *", async () => {
            const nsg = networkSecurityGroup([
                rule({ name: "single", destinationPortRange: "3389", sourceAddressPrefix: "*", sourceAddressPrefixes: undefined }),
                rule({ name: "range", destinationPortRange: "3000-4000", sourceAddressPrefixes: ["192.0.2.10/32", "Internet"] }),
                rule({ name: "list", destinationPortRange: undefined, destinationPortRanges: ["443", "3389"], sourceAddressPrefix: "0.0.0.0/0", sourceAddressPrefixes: undefined }),
                rule({ name: "all-ports", destinationPortRange: "*", protocol: "*", sourceAddressPrefix: "Any", sourceAddressPrefixes: undefined }),
            ]);
            assert.deepEqual(of(await check([nsg]), policy), [
                violation(policy, "mandatory", nsg, rdpText("single", `"*"`)),
                violation(policy, "mandatory", nsg, rdpText("range", `"Internet"`)),
                violation(policy, "mandatory", nsg, rdpText("list", `"0.0.0.0/0"`)),
                violation(policy, "mandatory", nsg, rdpText("all-ports", `"Any"`)),
            ]);
        });

        it("rejects a standalone SecurityRule opening 3389 to the Internet", async () => {
            const standalone = securityRule({ sourceAddressPrefixes: undefined, sourceAddressPrefix: "Internet" });
            assert.deepEqual(of(await check([standalone]), policy), [violation(policy, "mandatory", standalone, rdpText("rdp-from-management", `"Internet"`))]);
        });
    });

    describe("https-sources-restricted", () => {
        const policy = "https-sources-restricted";

        it("accepts HTTPS from VDX's node addresses", async () => {
            assert.deepEqual(of(await check([networkSecurityGroup()]), policy), []);
        });

        it("advises when 443 is open to everyone", async () => {
            const nsg = networkSecurityGroup([rule({ sourceAddressPrefix: "*", sourceAddressPrefixes: undefined })]);
            assert.deepEqual(of(await check([nsg]), policy), [
                violation(
                    policy,
                    "advisory",
                    nsg,
                    `Security rule "https-from-vdx" allows HTTPS (443) inbound from "*"; restrict it to VDX's node addresses and the consent management network.`,
                ),
            ]);
        });
    });

    describe("public-ip-static-standard", () => {
        const policy = "public-ip-static-standard";

        it("accepts a Static Standard address", async () => {
            assert.deepEqual(of(await check([publicIp()]), policy), []);
        });

        it("rejects a Dynamic or Basic address", async () => {
            const ip = publicIp({ publicIPAllocationMethod: "Dynamic", sku: { name: "Basic" } });
            const unset = publicIp({ publicIPAllocationMethod: undefined, sku: undefined });
            assert.deepEqual(of(await check([ip, unset]), policy), [
                violation(policy, "mandatory", ip, `publicIPAllocationMethod is "Dynamic"; set it to "Static".`),
                violation(policy, "mandatory", ip, `sku.name is "Basic"; set it to "Standard" (the Standard load balancer needs a Standard IP).`),
                violation(policy, "mandatory", unset, `publicIPAllocationMethod is not set; set it to "Static".`),
                violation(policy, "mandatory", unset, `sku.name is not set; set it to "Standard" (the Standard load balancer needs a Standard IP).`),
            ]);
        });
    });

    describe("event-hub-tls", () => {
        const policy = "event-hub-tls";

        it("accepts TLS 1.2", async () => {
            assert.deepEqual(of(await check([eventHubNamespace()]), policy), []);
        });

        it("rejects an older or unset minimum TLS version", async () => {
            const old = eventHubNamespace({ minimumTlsVersion: "1.0" });
            const unset = eventHubNamespace({ minimumTlsVersion: undefined });
            assert.deepEqual(of(await check([old, unset]), policy), [
                violation(policy, "mandatory", old, `minimumTlsVersion is "1.0"; set it to "1.2".`),
                violation(policy, "mandatory", unset, `minimumTlsVersion is not set; set it to "1.2".`),
            ]);
        });
    });
});
