import * as assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { timed } from "../../../lib/verify/check";
import { checkTls, TlsOptions } from "../../../lib/verify/tls";
import { FQDN } from "../../support/certificates";
import { servedEcLeaf, servedLeaf, Served, startTlsServer, testRootPem, thumbprintOf } from "../../support/verifyFakes";

describe("verify: the tls check against a loopback TLS server", () => {
    const right = servedLeaf();
    const deployed = { fqdn: FQDN, certificate: { thumbprint: thumbprintOf(right.certificates[0]), notAfter: "" } };
    let server: Awaited<ReturnType<typeof startTlsServer>>;
    before(async () => (server = await startTlsServer(right)));
    after(() => server.close());

    const options = (): TlsOptions => ({ connectTo: { host: "127.0.0.1", port: server.port }, extraCa: testRootPem(), warnDays: 30, now: new Date() });
    const check = (served: Served, stack = deployed) => {
        server.serve(served);
        return checkTls(stack, options());
    };

    it("passes the deployed leaf with its chain, saying what it served and when it expires", async () => {
        const finding = await check(right);
        assert.equal(finding.verdict, "pass", finding.measured);
        assert.match(finding.measured, new RegExp(`serves ${deployed.certificate.thumbprint} for ${FQDN}`));
        assert.equal(finding.figures?.certificateDays, Math.floor((Date.parse(new X509Certificate(right.certificates[0]).validTo) - Date.now()) / 86_400_000));
    });

    it("fails another leaf, naming the thumbprint served and the one deployed", async () => {
        const other = servedLeaf({ keyName: "other-leaf" });
        const finding = await check(other);
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, new RegExp(`serves thumbprint ${thumbprintOf(other.certificates[0])}, not the deployed ${deployed.certificate.thumbprint}`));
    });

    it("fails a wildcard certificate even though it covers the FQDN", async () => {
        const wildcard = servedLeaf({ sans: ["*.example.dk"], subject: "*.example.dk" });
        const finding = await check(wildcard, { ...deployed, certificate: { thumbprint: thumbprintOf(wildcard.certificates[0]), notAfter: "" } });
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /is a wildcard certificate \(\*\.example\.dk\)/);
    });

    it("fails a name that does not cover the FQDN", async () => {
        const elsewhere = servedLeaf({ sans: ["other.example.dk"], subject: "other.example.dk" });
        const finding = await check(elsewhere, { ...deployed, certificate: { thumbprint: thumbprintOf(elsewhere.certificates[0]), notAfter: "" } });
        assert.match(finding.measured, new RegExp(`do not cover ${FQDN.replace(/\./g, "\\.")}`));
    });

    it("fails a leaf served without its chain: the client fetches no intermediates", async () => {
        const finding = await check(servedLeaf({ chain: false }));
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /chain does not verify from what the server sends \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
    });

    it("fails an EC key", async () => {
        const ec = servedEcLeaf();
        const finding = await check(ec, { ...deployed, certificate: { thumbprint: thumbprintOf(ec.certificates[0]), notAfter: "" } });
        assert.equal(finding.verdict, "fail");
        assert.match(finding.measured, /has a EC key; the connector needs RSA/);
    });

    for (const [days, verdict, pattern] of [
        [-2, "fail", /expired on/],
        [10, "fail", /expires in (9|10) days .*fewer than 14: renew it now/],
        [20, "warn", /renew it within/],
    ] as const) {
        it(`${verdict}s a leaf expiring in ${days} days (--warn-days 30)`, async () => {
            const leaf = servedLeaf({ days });
            const finding = await check(leaf, { ...deployed, certificate: { thumbprint: thumbprintOf(leaf.certificates[0]), notAfter: "" } });
            assert.equal(finding.verdict, verdict, finding.measured);
            assert.match(finding.measured, pattern);
            assert.doesNotMatch(finding.measured, /chain does not verify/);
        });
    }

    it("could not run when nothing listens: a fail marked as not run", async () => {
        const result = await timed("tls", () => checkTls(deployed, { ...options(), connectTo: { host: "127.0.0.1", port: 1 } }));
        assert.equal(result.verdict, "fail");
        assert.equal(result.couldNotRun, true);
        assert.match(result.measured, /could not run: TLS to 127\.0\.0\.1:1 failed: ECONNREFUSED/);
    });
});
