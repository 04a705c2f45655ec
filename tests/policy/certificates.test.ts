import * as assert from "node:assert/strict";
import { certificateSecret, check, compliantStack, of, resource, SECRET_SIG, testConfig, violation } from "./fixtures";

describe("policy: certificates", () => {
    describe("no-wildcard-certificate", () => {
        const policy = "no-wildcard-certificate";

        it("accepts a certificate for the connector's own hostname", async () => {
            assert.deepEqual(of(await check([certificateSecret()]), policy), []);
        });

        it("rejects a wildcard subject", async () => {
            const secret = certificateSecret({ "certificate-subject": "*.vdx.example" });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "mandatory", secret, `Certificate subject "*.vdx.example" is a wildcard; use a certificate issued to the connector's hostname.`),
            ]);
        });

        it("rejects a wildcard SAN, and a truncated SAN list it cannot check", async () => {
            const secret = certificateSecret({ "certificate-sans": "teamsconn.vdx.example, *.vdx.example,…" });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "mandatory", secret, `SAN "*.vdx.example" is a wildcard; use a certificate issued to the connector's hostname.`),
                violation(
                    policy,
                    "mandatory",
                    secret,
                    `The "certificate-sans" tag is truncated: the SANs it leaves out cannot be checked for wildcards. A Teams Connector certificate needs only the connector's hostname.`,
                ),
            ]);
        });

        it("rejects a PKCS#12 secret without certificate facts: cannot verify", async () => {
            const secret = resource("azure-native:keyvault:Secret", "pfx", {
                properties: { value: { ...SECRET_SIG, value: "pfx" }, contentType: "application/x-pkcs12" },
                tags: { environment: "prod" },
            });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "mandatory", secret, `The resource holds a certificate but has no "certificate-subject" tag: cannot verify that it is not a wildcard certificate.`),
                violation(policy, "mandatory", secret, `The resource holds a certificate but has no "certificate-sans" tag: cannot verify that no SAN is a wildcard.`),
            ]);
        });

        it("checks certificate facts on any resource, and ignores secrets that are not certificates", async () => {
            const other = resource("azure-native:compute:VirtualMachineScaleSet", "facts", {
                tags: { environment: "prod", "certificate-subject": "*.vdx.example", "certificate-sans": "teamsconn.vdx.example" },
            });
            const password = resource("azure-native:keyvault:Secret", "password", { properties: { value: { ...SECRET_SIG, value: "x" } }, tags: { environment: "prod" } });
            const violations = of(await check([other, password]), policy);
            assert.deepEqual(violations.map((entry) => entry.urn), [other.urn]);
        });
    });

    describe("no-self-signed-in-prod", () => {
        const policy = "no-self-signed-in-prod";

        it("accepts a self-signed certificate on a dev stack, and a CA certificate on prod", async () => {
            const dev = certificateSecret({ "certificate-source": "selfSigned", environment: "dev" });
            assert.deepEqual(of(await check([dev, certificateSecret()]), policy), []);
        });

        it("rejects a self-signed certificate on a prod stack", async () => {
            const secret = certificateSecret({ "certificate-source": "selfSigned" });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(
                    policy,
                    "mandatory",
                    secret,
                    `Certificate "teamsconn.vdx.example" is self-signed in a production stack; use a certificate from a CA that VDX's nodes trust (pfxFile or keyVaultSecret).`,
                ),
            ]);
        });

        it("rejects a self-signed certificate whose environment is unknown: cannot verify", async () => {
            const secret = certificateSecret({ "certificate-source": "selfSigned", environment: undefined });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "mandatory", secret, `The certificate is self-signed and the resource has no "environment" tag: cannot verify that this is not a production stack.`),
            ]);
        });
    });

    describe("certificate-not-expired", () => {
        const policy = "certificate-not-expired";

        it("accepts a certificate valid on the check date, including its last day", async () => {
            const lastDay = certificateSecret({ "certificate-not-after": "2026-03-02T12:00:00Z" });
            assert.deepEqual(of(await check([certificateSecret(), lastDay]), policy), []);
        });

        it("rejects an expired certificate", async () => {
            const secret = certificateSecret({ "certificate-not-after": "2026-03-01T10:00:00Z" });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "mandatory", secret, `Certificate "teamsconn.vdx.example" expired on 2026-03-01 (check date 2026-03-02); install a renewed certificate.`),
            ]);
        });

        it("rejects an unreadable or missing expiry on a PKCS#12 secret: cannot verify", async () => {
            const garbled = certificateSecret({ "certificate-not-after": "next year" });
            const missing = certificateSecret({ "certificate-not-after": undefined });
            assert.deepEqual(of(await check([garbled, missing]), policy), [
                violation(policy, "mandatory", garbled, `The "certificate-not-after" tag is not an ISO date ("next year"): cannot verify the certificate's validity.`),
                violation(policy, "mandatory", missing, `The secret holds a certificate but has no "certificate-not-after" tag: cannot verify that it has not expired.`),
            ]);
        });

        it("dates the expiry in Copenhagen: 23:30 UTC on 1 March is already 2 March there", async () => {
            const secret = certificateSecret({ "certificate-not-after": "2026-03-01T23:30:00Z" });
            assert.deepEqual(of(await check([secret]), policy), []);
        });
    });

    describe("certificate-not-expiring", () => {
        const policy = "certificate-not-expiring";

        it("stays quiet more than 30 days before expiry", async () => {
            const secret = certificateSecret({ "certificate-not-after": "2026-04-02T00:00:00Z" });
            assert.deepEqual(of(await check([secret]), policy), []);
        });

        it("advises renewal within 30 days of expiry", async () => {
            const secret = certificateSecret({ "certificate-not-after": "2026-04-01T00:00:00Z" });
            assert.deepEqual(of(await check([secret]), policy), [
                violation(policy, "advisory", secret, `Certificate "teamsconn.vdx.example" expires on 2026-04-01, in 30 day(s); renew it and deploy the new certificate before then.`),
            ]);
        });

        it("takes the renewal window from configuration", async () => {
            const secret = certificateSecret({ "certificate-not-after": "2026-04-01T00:00:00Z" });
            const violations = await check([secret], testConfig({ [policy]: { renewalDays: 14 } }));
            assert.deepEqual(of(violations, policy), []);
        });
    });

    it("passes the whole compliant stack", async () => {
        const violations = await check(compliantStack());
        assert.deepEqual(
            violations.filter((entry) => entry.policy.startsWith("certificate") || entry.policy.includes("wildcard") || entry.policy.includes("self-signed")),
            [],
        );
    });
});
