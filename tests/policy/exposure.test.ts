import * as assert from "node:assert/strict";
import { isCidr } from "../../lib/config/cidr";
import { DEFAULT_THRESHOLD, judgeExposure, THRESHOLD_SCHEMA } from "../../policy/exposure";

/**
 * policy/exposure.ts on its own: how much of the Internet a source list admits. The network
 * policies' tests (network.test.ts) check what the policies make of it.
 */
describe("policy/exposure.ts judgeExposure", () => {
    const allIpv4 = "covers 4294967296 IPv4 addresses once merged (0.0.0.0/0), more than the threshold of 65536 set by ipv4Addresses";

    it("has a /16 of IPv4 and an IPv6 /32 as the default threshold, and the schema says so", () => {
        assert.deepEqual(DEFAULT_THRESHOLD, { ipv4Addresses: 65536, ipv6PrefixLength: 32 });
        assert.equal(THRESHOLD_SCHEMA.ipv4Addresses.default, DEFAULT_THRESHOLD.ipv4Addresses);
        assert.equal(THRESHOLD_SCHEMA.ipv6PrefixLength.default, DEFAULT_THRESHOLD.ipv6PrefixLength);
    });

    it("judges narrow lists, single addresses and mixed IPv4/IPv6 lists closed", () => {
        assert.deepEqual(judgeExposure(["192.0.2.10/32", "198.51.100.7", "2001:db8:42::/48"]), { invalid: [], overlaps: [] });
        assert.deepEqual(judgeExposure(["10.0.0.0/16"]), { invalid: [], overlaps: [] });
        assert.deepEqual(judgeExposure(["2001:db8::/33"]), { invalid: [], overlaps: [] });
    });

    it("judges coverage, not spelling, after merging", () => {
        for (const list of [["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2"]]) {
            assert.deepEqual(judgeExposure(list), { open: allIpv4, invalid: [], overlaps: [] }, list.join(" "));
        }
        assert.deepEqual(judgeExposure(["::/1", "8000::/1"]), {
            open: "covers at least an IPv6 /32's worth of addresses once merged (::/0), the threshold set by ipv6PrefixLength",
            invalid: [],
            overlaps: [],
        });
        // A narrow IPv4 list does not make a wide IPv6 list acceptable.
        assert.equal(
            judgeExposure(["192.0.2.0/24", "2001:db8::/32"]).open,
            "covers at least an IPv6 /32's worth of addresses once merged (2001:db8::/32), the threshold set by ipv6PrefixLength",
        );
    });

    it("takes the threshold as given", () => {
        assert.equal(
            judgeExposure(["198.51.100.0/25", "198.51.100.128/25", "203.0.113.0/24"], { ipv4Addresses: 256, ipv6PrefixLength: 32 }).open,
            "covers 512 IPv4 addresses once merged (198.51.100.0/24, 203.0.113.0/24), more than the threshold of 256 set by ipv4Addresses",
        );
        assert.equal(judgeExposure(["198.51.100.0/24"], { ipv4Addresses: 256, ipv6PrefixLength: 32 }).open, undefined);
        assert.equal(
            judgeExposure(["2001:db8:42::/48"], { ipv4Addresses: 65536, ipv6PrefixLength: 48 }).open,
            "covers at least an IPv6 /48's worth of addresses once merged (2001:db8:42::/48), the threshold set by ipv6PrefixLength",
        );
        assert.equal(judgeExposure(["2001:db8:42::/49"], { ipv4Addresses: 65536, ipv6PrefixLength: 48 }).open, undefined);
    });

    it("treats the NSG tags for everyone as open, whatever their case", () => {
        assert.deepEqual(judgeExposure(["192.0.2.10/32", "*", "INTERNET", "Any"]), {
            open: `names "*", "INTERNET", "Any", which means everyone`,
            invalid: [],
            overlaps: [],
        });
    });

    it("lists entries that are not address prefixes, and still judges the rest", () => {
        assert.deepEqual(judgeExposure(["vdx-nodes", "", "10.0.0.0/8 ", "0.0.0.0/0"]), {
            open: allIpv4,
            invalid: ["vdx-nodes", "", "10.0.0.0/8 "],
            overlaps: [],
        });
    });

    it("lists each pair of overlapping or repeated prefixes, within each IP version", () => {
        assert.deepEqual(judgeExposure(["198.51.100.0/24", "198.51.100.128/25", "198.51.100.0/24", "2001:db8::/48", "2001:db8::/64", "192.0.2.0/24"]), {
            invalid: [],
            overlaps: [
                ["198.51.100.0/24", "198.51.100.128/25"],
                ["198.51.100.0/24", "198.51.100.0/24"],
                ["198.51.100.128/25", "198.51.100.0/24"],
                ["2001:db8::/48", "2001:db8::/64"],
            ],
        });
    });

    // cidr-tools alone would read these as other prefixes (10.0.0.0/33 as 10.0.0.0/32,
    // 198.51.100.300/24 as 198.51.101.0/24); exposure.ts checks the form first.
    it("lists entries that only look like prefixes as invalid", () => {
        const lookalikes = ["10.0.0.0/33", "::/129", "198.51.100.300/24", "256.0.0.0/8", "1.2.3/24", " 198.51.100.0/24"];
        assert.deepEqual(judgeExposure(lookalikes).invalid, lookalikes);
    });

    it("reads prefixes as the stack's settings do (lib/config/cidr.ts), and also takes a bare address", () => {
        const written = [
            "192.0.2.10/32", "192.0.2.10/24", "0.0.0.0/0", "2001:db8::/48", "2001:db8::1/128", "::/0", "10.0.0.0/033",
            "10.0.0.0/33", "::/129", "198.51.100.300/24", "1.2.3/24", "10.0.0.0/", "10.0.0.0/1234", "office", "",
        ];
        for (const prefix of written) {
            assert.equal(judgeExposure([prefix]).invalid.length === 0, isCidr(prefix), prefix);
        }
        for (const address of ["198.51.100.7", "2001:db8::7"]) {
            assert.equal(isCidr(address), false, address);
            assert.deepEqual(judgeExposure([address]).invalid, [], address);
        }
    });
});
