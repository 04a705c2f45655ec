import * as assert from "node:assert/strict";
import { timed } from "../../../lib/verify/check";
import { checkDns } from "../../../lib/verify/dns";
import { DnsRecords, startDnsServer } from "../../support/verifyFakes";

describe("verify: the dns check against a loopback DNS server (dns2)", () => {
    const stack = { fqdn: "teamsconn.example.dk", publicIpFqdn: "vdxdevweu-teams.westeurope.cloudapp.azure.com", publicIpAddress: "198.51.100.10" };
    const zone = new Map<string, DnsRecords>();
    let dns: Awaited<ReturnType<typeof startDnsServer>>;
    before(async () => (dns = await startDnsServer(zone)));
    after(() => dns.close());
    const check = (records: DnsRecords | undefined) => {
        zone.clear();
        if (records !== undefined) zone.set(stack.fqdn, records);
        return checkDns(stack, { servers: [dns.server] });
    };

    it("passes a CNAME to the stack's publicIpFqdn", async () => {
        assert.deepEqual(await check({ cname: stack.publicIpFqdn }), { verdict: "pass", measured: `CNAME ${stack.publicIpFqdn}` });
    });

    it("passes an A record with the stack's publicIpAddress", async () => {
        assert.deepEqual(await check({ a: [stack.publicIpAddress] }), { verdict: "pass", measured: "A 198.51.100.10" });
    });

    it("fails a stale A record, saying what it found and what it expected", async () => {
        const finding = await check({ a: ["203.0.113.7"] });
        assert.equal(finding.verdict, "fail");
        assert.equal(finding.measured, "A 203.0.113.7");
        assert.equal(finding.expected, `CNAME ${stack.publicIpFqdn} or A ${stack.publicIpAddress}`);
    });

    it("fails a CNAME to another name", async () => {
        const finding = await check({ cname: "old-connector.example.dk" });
        assert.equal(finding.verdict, "fail");
        assert.equal(finding.measured, "CNAME old-connector.example.dk");
    });

    it("fails NXDOMAIN: no CNAME and no A record", async () => {
        const finding = await check(undefined);
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /has no CNAME and no A record/);
    });

    it("could not run when the DNS server does not answer", async () => {
        const result = await timed("dns", () => checkDns(stack, { servers: ["127.0.0.1:9"], timeoutMs: 200 }));
        assert.equal(result.couldNotRun, true);
        assert.match(result.measured, /could not run: resolving teamsconn\.example\.dk failed \(\w+\) at 127\.0\.0\.1:9/);
    });
});
