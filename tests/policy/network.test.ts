import * as assert from "node:assert/strict";
import { DEFAULT_THRESHOLD, inertThresholds, judgeExposure } from "../../policy/exposure";
import { check, eventHubNamespace, named, notApplicable, of, pexipDeployment, publicIp, scalingCommand, testConfig, violation, withSources } from "./fixtures";

/** What judgeExposure says of a list covering all of IPv4, whatever its spelling. */
const ALL_IPV4 = "covers 4294967296 IPv4 addresses once merged (0.0.0.0/0), more than the threshold of 65536 set by ipv4Addresses";
const ALL_IPV6 = "covers at least an IPv6 /32's worth of addresses once merged (::/0), the threshold set by ipv6PrefixLength";

describe("policy: network", () => {
    describe("rdp-not-open", () => {
        const policy = "rdp-not-open";
        const open = (why: string) => `RDP (3389) is open to the Internet: VDX_RDP_SOURCES (managementAddresses) ${why}. List only the prefixes that need it.`;

        it("accepts RDP from the listed management prefixes", async () => {
            const wider = named(withSources({ rdp: ["198.51.100.0/24", "203.0.113.7", "2001:db8:42::/48"] }), "wider");
            assert.deepEqual(of(await check([pexipDeployment(), wider]), policy), []);
        });

        it("accepts an empty list: Pexip's script then opens no RDP at all", async () => {
            assert.deepEqual(of(await check([withSources({ rdp: [] })]), policy), []);
        });

        it("rejects 0.0.0.0/0 and ::/0 as spelt", async () => {
            const ipv4 = withSources({ rdp: ["0.0.0.0/0"] });
            const ipv6 = named(withSources({ rdp: ["198.51.100.0/24", "::/0"] }), "ipv6");
            assert.deepEqual(of(await check([ipv4, ipv6]), policy), [
                violation(policy, "mandatory", ipv4, open(ALL_IPV4)),
                violation(policy, "mandatory", ipv6, open(ALL_IPV6)),
            ]);
        });

        it("judges by coverage, not spelling: two IPv4 halves, four quarters, two IPv6 halves", async () => {
            const halves = named(withSources({ rdp: ["0.0.0.0/1", "128.0.0.0/1"] }), "halves");
            const quarters = named(withSources({ rdp: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"] }), "quarters");
            const ipv6Halves = named(withSources({ rdp: ["::/1", "8000::/1"] }), "ipv6-halves");
            assert.deepEqual(of(await check([halves, quarters, ipv6Halves]), policy), [
                violation(policy, "mandatory", halves, open(ALL_IPV4)),
                violation(policy, "mandatory", quarters, open(ALL_IPV4)),
                violation(policy, "mandatory", ipv6Halves, open(ALL_IPV6)),
            ]);
        });

        it("rejects a list wider than the threshold, counted after merging: more than 65536 IPv4 addresses, an IPv6 /32", async () => {
            const edge = named(withSources({ rdp: ["10.0.0.0/16"] }), "edge");
            const justOver = named(withSources({ rdp: ["10.0.0.0/16", "10.1.0.0/32"] }), "just-over");
            const ipv6 = named(withSources({ rdp: ["2001:db8::/33", "2001:db8:8000::/33"] }), "ipv6");
            const ipv6Edge = named(withSources({ rdp: ["2001:db8::/33"] }), "ipv6-edge");
            assert.deepEqual(of(await check([edge, justOver, ipv6, ipv6Edge]), policy), [
                violation(policy, "mandatory", justOver, open("covers 65537 IPv4 addresses once merged (10.0.0.0/16, 10.1.0.0/32), more than the threshold of 65536 set by ipv4Addresses")),
                violation(policy, "mandatory", ipv6, open("covers at least an IPv6 /32's worth of addresses once merged (2001:db8::/32), the threshold set by ipv6PrefixLength")),
            ]);
        });

        it('rejects the NSG tags that mean everyone: "*", "Internet", "Any"', async () => {
            const star = named(withSources({ rdp: ["*"] }), "star");
            const internet = named(withSources({ rdp: ["198.51.100.0/24", "Internet"] }), "internet");
            const any = named(withSources({ rdp: ["any"] }), "any");
            assert.deepEqual(of(await check([star, internet, any]), policy), [
                violation(policy, "mandatory", star, open(`names "*", which means everyone`)),
                violation(policy, "mandatory", internet, open(`names "Internet", which means everyone`)),
                violation(policy, "mandatory", any, open(`names "any", which means everyone`)),
            ]);
        });

        it("rejects entries that are not address prefixes: cannot verify", async () => {
            const deployment = withSources({ rdp: ["198.51.100.0/24", "mgmt-vpn", "10.0.0.0/8x"] });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `VDX_RDP_SOURCES holds "mgmt-vpn", "10.0.0.0/8x", which is not an address prefix: cannot verify who may reach RDP (3389).`),
            ]);
        });

        it("rejects entries that only look like prefixes: a /33, an octet above 255", async () => {
            const deployment = withSources({ rdp: ["10.0.0.0/33", "198.51.100.300/24"] });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `VDX_RDP_SOURCES holds "10.0.0.0/33", "198.51.100.300/24", which is not an address prefix: cannot verify who may reach RDP (3389).`),
            ]);
        });

        it("rejects a deployment without a JSON list of sources: cannot verify", async () => {
            const missing = withSources({}, { VDX_RDP_SOURCES: undefined });
            const bare = named(withSources({}, { VDX_RDP_SOURCES: "198.51.100.0/24" }), "bare");
            const numbers = named(withSources({}, { VDX_RDP_SOURCES: "[3389]" }), "numbers");
            const text = "The Pexip deployment has no JSON list in VDX_RDP_SOURCES: cannot verify who may reach RDP (3389).";
            assert.deepEqual(of(await check([missing, bare, numbers]), policy), [
                violation(policy, "mandatory", missing, text),
                violation(policy, "mandatory", bare, text),
                violation(policy, "mandatory", numbers, text),
            ]);
        });

        it("advises on overlapping or repeated prefixes, and keeps that advisory even when all is mandatory", async () => {
            const deployment = withSources({ rdp: ["198.51.100.0/24", "198.51.100.128/25", "198.51.100.0/24"] });
            const expected = [
                violation(policy, "advisory", deployment, "VDX_RDP_SOURCES: 198.51.100.0/24 and 198.51.100.128/25 overlap (or repeat); they are merged, so list each network once."),
                violation(policy, "advisory", deployment, "VDX_RDP_SOURCES: 198.51.100.0/24 and 198.51.100.0/24 overlap (or repeat); they are merged, so list each network once."),
                violation(policy, "advisory", deployment, "VDX_RDP_SOURCES: 198.51.100.128/25 and 198.51.100.0/24 overlap (or repeat); they are merged, so list each network once."),
            ];
            assert.deepEqual(of(await check([deployment]), policy), expected);
            assert.deepEqual(of(await check([deployment], testConfig({ all: "mandatory" })), policy), expected);
        });

        it("reports an open list and its overlaps together", async () => {
            const deployment = withSources({ rdp: ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"] });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, open(ALL_IPV4)),
                violation(policy, "advisory", deployment, "VDX_RDP_SOURCES: 0.0.0.0/1 and 10.0.0.0/8 overlap (or repeat); they are merged, so list each network once."),
            ]);
        });

        it("takes the thresholds from configuration", async () => {
            const deployment = withSources({ rdp: ["198.51.100.0/23", "2001:db8:42::/48"] });
            assert.deepEqual(of(await check([deployment]), policy), []);
            const strict = await check([deployment], testConfig({ [policy]: { ipv4Addresses: 256, ipv6PrefixLength: 48 } }));
            // IPv4 is judged first; the IPv6 part would be open too.
            assert.deepEqual(of(strict, policy), [violation(policy, "mandatory", deployment, open("covers 512 IPv4 addresses once merged (198.51.100.0/23), more than the threshold of 256 set by ipv4Addresses"))]);
            const ipv6Only = named(withSources({ rdp: ["2001:db8:42::/48"] }), "ipv6-only");
            assert.deepEqual(of(await check([ipv6Only], testConfig({ [policy]: { ipv6PrefixLength: 48 } })), policy), [
                violation(policy, "mandatory", ipv6Only, open("covers at least an IPv6 /48's worth of addresses once merged (2001:db8:42::/48), the threshold set by ipv6PrefixLength")),
            ]);
            const lax = named(withSources({ rdp: ["10.0.0.0/15"] }), "lax");
            assert.equal(of(await check([lax]), policy).length, 1);
            assert.deepEqual(of(await check([lax], testConfig({ [policy]: { ipv4Addresses: 131072 } })), policy), []);
        });

        it("ignores the scaling command", async () => {
            const scaling = scalingCommand();
            assert.deepEqual(of(await check([scaling]), policy), []);
            assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "Not the Pexip deployment" });
        });
    });

    describe("https-sources-restricted", () => {
        const policy = "https-sources-restricted";
        const open = (why: string) => `HTTPS (443) is open to the Internet: VDX_PEXIP_SOURCES (vdx.nodeAddresses and managementAddresses together) ${why}. List only the prefixes that need it.`;
        const empty = "VDX_PEXIP_SOURCES is empty, and with no source prefixes Pexip's script opens HTTPS (443) to everyone; list VDX's node addresses.";

        it("accepts HTTPS from VDX's node addresses and the management network, in prod and dev", async () => {
            const dev = named(pexipDeployment({ VDX_ENVIRONMENT: "dev" }), "dev");
            assert.deepEqual(of(await check([pexipDeployment(), dev]), policy), []);
        });

        it("rejects an empty list in prod: Pexip's script opens 443 to everyone", async () => {
            const deployment = withSources({ pexip: [] });
            assert.deepEqual(of(await check([deployment]), policy), [violation(policy, "mandatory", deployment, empty)]);
        });

        it("only advises on an empty list in dev", async () => {
            const deployment = withSources({ pexip: [] }, { VDX_ENVIRONMENT: "dev" });
            assert.deepEqual(of(await check([deployment]), policy), [violation(policy, "advisory", deployment, empty)]);
        });

        it("rejects a list open by coverage in prod, and advises in dev", async () => {
            const prod = withSources({ pexip: ["192.0.2.10/32", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"] });
            const dev = named(withSources({ pexip: ["::/1", "8000::/1"] }, { VDX_ENVIRONMENT: "dev" }), "dev");
            assert.deepEqual(of(await check([prod, dev]), policy), [
                violation(policy, "mandatory", prod, open(ALL_IPV4)),
                violation(policy, "advisory", prod, "VDX_PEXIP_SOURCES: 192.0.2.10/32 and 192.0.0.0/2 overlap (or repeat); they are merged, so list each network once."),
                violation(policy, "advisory", dev, open(ALL_IPV6)),
            ]);
        });

        // Only a deployment known to be dev is let off with advisories.
        it("does not downgrade an empty list to an advisory when the environment is unknown", async () => {
            const deployment = withSources({ pexip: [] }, { VDX_ENVIRONMENT: undefined });
            assert.deepEqual(of(await check([deployment]), policy).map((entry) => entry.enforcement), ["mandatory"]);
        });

        it("rejects Internet and entries that are not prefixes in prod", async () => {
            const deployment = withSources({ pexip: ["Internet", "vdx-nodes"] });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `VDX_PEXIP_SOURCES holds "vdx-nodes", which is not an address prefix: cannot verify who may reach HTTPS (443).`),
                violation(policy, "mandatory", deployment, open(`names "Internet", which means everyone`)),
            ]);
        });

        it("rejects a deployment without a JSON list of sources in prod: cannot verify", async () => {
            const deployment = withSources({}, { VDX_PEXIP_SOURCES: undefined });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "The Pexip deployment has no JSON list in VDX_PEXIP_SOURCES: cannot verify who may reach HTTPS (443)."),
            ]);
        });

        it("only advises on overlapping prefixes, even in prod", async () => {
            const deployment = withSources({ pexip: ["192.0.2.10/32", "192.0.2.0/28", "198.51.100.0/24"] });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "advisory", deployment, "VDX_PEXIP_SOURCES: 192.0.2.10/32 and 192.0.2.0/28 overlap (or repeat); they are merged, so list each network once."),
            ]);
        });

        it("takes the thresholds from configuration: a stricter limit turns a clean list open", async () => {
            // VDX's nodes and a /24 management network: 258 addresses.
            const deployment = pexipDeployment();
            assert.deepEqual(of(await check([deployment]), policy), []);
            const violations = await check([deployment], testConfig({ [policy]: { ipv4Addresses: 128 } }));
            assert.deepEqual(of(violations, policy), [
                violation(policy, "mandatory", deployment, open("covers 258 IPv4 addresses once merged (192.0.2.10/31, 198.51.100.0/24), more than the threshold of 128 set by ipv4Addresses")),
            ]);
            // rdp-not-open keeps its own threshold.
            assert.deepEqual(of(violations, "rdp-not-open"), []);
        });

        it("applies the threshold to the merged list: a /16 of management addresses passes RDP but, with VDX's nodes, fails HTTPS in prod", async () => {
            // prod's VDX nodes (three /32s) with managementAddresses [10.20.0.0/16]: RDP gets the /16
            // alone, HTTPS the /16 and the nodes, 65539 addresses against the 65536 allowed.
            const nodes = ["198.51.100.10/32", "198.51.100.11/32", "198.51.100.12/32"];
            const deployment = withSources({ rdp: ["10.20.0.0/16"], pexip: [...nodes, "10.20.0.0/16"] });
            const violations = await check([deployment]);
            assert.deepEqual(of(violations, "rdp-not-open"), []);
            assert.deepEqual(of(violations, policy), [
                violation(
                    policy,
                    "mandatory",
                    deployment,
                    open("covers 65539 IPv4 addresses once merged (10.20.0.0/16, 198.51.100.10/31, 198.51.100.12/32), more than the threshold of 65536 set by ipv4Addresses"),
                ),
            ]);
        });

        it("ignores the scaling command", async () => {
            const scaling = scalingCommand();
            assert.deepEqual(of(await check([scaling]), policy), []);
            assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "Not the Pexip deployment" });
        });
    });

    describe("public-ip-static-standard", () => {
        const policy = "public-ip-static-standard";

        it("accepts a Static Standard address", async () => {
            assert.deepEqual(of(await check([publicIp()]), policy), []);
        });

        it("rejects a Dynamic or Basic address", async () => {
            const ip = publicIp({ publicIPAllocationMethod: "Dynamic", sku: { name: "Basic" } });
            const unset = named(publicIp({ publicIPAllocationMethod: undefined, sku: undefined }), "unset");
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
            const unset = named(eventHubNamespace({ minimumTlsVersion: undefined }), "unset");
            assert.deepEqual(of(await check([old, unset]), policy), [
                violation(policy, "mandatory", old, `minimumTlsVersion is "1.0"; set it to "1.2".`),
                violation(policy, "mandatory", unset, `minimumTlsVersion is not set; set it to "1.2".`),
            ]);
        });
    });
});

describe("policy: thresholds that switch a check off (inertThresholds)", () => {
    it("names ipv4Addresses at all of IPv4, where even 0.0.0.0/0 would pass; the defaults and one address less are live", () => {
        assert.deepEqual(inertThresholds({ ...DEFAULT_THRESHOLD, ipv4Addresses: 4294967296 }), [
            "ipv4Addresses 4294967296: even all 4294967296 IPv4 addresses would not count as open",
        ]);
        assert.deepEqual(inertThresholds(DEFAULT_THRESHOLD), []);
        assert.deepEqual(inertThresholds({ ...DEFAULT_THRESHOLD, ipv4Addresses: 4294967295 }), []);
        assert.ok(judgeExposure(["0.0.0.0/0"], { ...DEFAULT_THRESHOLD, ipv4Addresses: 4294967295 }).open, "the check it derives from agrees");
        assert.equal(judgeExposure(["0.0.0.0/0"], { ...DEFAULT_THRESHOLD, ipv4Addresses: 4294967296 }).open, undefined);
    });

    it("never names ipv6PrefixLength within its schema: at 0, ::/0 is still open", () => {
        assert.deepEqual(inertThresholds({ ...DEFAULT_THRESHOLD, ipv6PrefixLength: 0 }), []);
        assert.ok(judgeExposure(["::/0"], { ...DEFAULT_THRESHOLD, ipv6PrefixLength: 0 }).open);
    });
});
