import * as assert from "node:assert/strict";
import {
    certificateSecret,
    check,
    compliantStack,
    named,
    notApplicable,
    of,
    passwordSecret,
    pexipDeployment,
    publicIp,
    resource,
    scalingCommand,
    secret,
    testConfig,
    violation,
} from "./fixtures";

/**
 * The certificate's facts reach the pack twice: as environment variables of the Pexip
 * deployment, which installs the certificate, and as tags of the Key Vault secret that holds the
 * PFX when the stack stores one. Each policy is checked through both.
 */
describe("policy: certificates", () => {
    describe("no-wildcard-certificate", () => {
        const policy = "no-wildcard-certificate";

        it("accepts a certificate for the connector's own hostname, on the deployment and on the secret", async () => {
            assert.deepEqual(of(await check([pexipDeployment(), certificateSecret()]), policy), []);
        });

        it("rejects a wildcard subject on the deployment", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SUBJECT: "*.vdx.example" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, `Certificate subject "*.vdx.example" is a wildcard; use a certificate issued to the connector's hostname.`),
            ]);
        });

        it("rejects a wildcard subject on the secret", async () => {
            const secretResource = certificateSecret({ "certificate-subject": "*.vdx.example" });
            assert.deepEqual(of(await check([secretResource]), policy), [
                violation(policy, "mandatory", secretResource, `Certificate subject "*.vdx.example" is a wildcard; use a certificate issued to the connector's hostname.`),
            ]);
        });

        it("rejects a wildcard SAN, and a truncated SAN list it cannot check, naming where the list came from", async () => {
            const sans = "teamsconn.vdx.example, *.vdx.example,…";
            const secretResource = certificateSecret({ "certificate-sans": sans });
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SANS: sans });
            const wildcard = `SAN "*.vdx.example" is a wildcard; use a certificate issued to the connector's hostname.`;
            const truncated = (where: string) =>
                `The ${where} is truncated: the SANs it leaves out cannot be checked for wildcards. A Teams Connector certificate needs only the connector's hostname.`;
            assert.deepEqual(of(await check([secretResource, deployment]), policy), [
                violation(policy, "mandatory", secretResource, wildcard),
                violation(policy, "mandatory", secretResource, truncated(`"certificate-sans" tag`)),
                violation(policy, "mandatory", deployment, wildcard),
                violation(policy, "mandatory", deployment, truncated("VDX_CERTIFICATE_SANS")),
            ]);
        });

        it("rejects a deployment without certificate facts: cannot verify", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SUBJECT: undefined, VDX_CERTIFICATE_SANS: undefined });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "The resource holds a certificate but has no VDX_CERTIFICATE_SUBJECT: cannot verify that it is not a wildcard certificate."),
                violation(policy, "mandatory", deployment, "The resource holds a certificate but has no VDX_CERTIFICATE_SANS: cannot verify that no SAN is a wildcard."),
            ]);
        });

        it("rejects a PKCS#12 secret without certificate facts: cannot verify", async () => {
            const pfx = resource("azure-native:keyvault:Secret", "pfx", {
                properties: { value: secret("pfx"), contentType: "application/x-pkcs12" },
                tags: { environment: "prod" },
            });
            assert.deepEqual(of(await check([pfx]), policy), [
                violation(policy, "mandatory", pfx, `The resource holds a certificate but has no "certificate-subject" tag: cannot verify that it is not a wildcard certificate.`),
                violation(policy, "mandatory", pfx, `The resource holds a certificate but has no "certificate-sans" tag: cannot verify that no SAN is a wildcard.`),
            ]);
        });

        it("checks certificate facts on any resource, and ignores secrets that are not certificates and the scaling command", async () => {
            const other = publicIp({ tags: { environment: "prod", "certificate-subject": "*.vdx.example", "certificate-sans": "teamsconn.vdx.example" } });
            const password = passwordSecret();
            const scaling = scalingCommand();
            const violations = of(await check([other, password, scaling]), policy);
            assert.deepEqual(violations.map((entry) => entry.urn), [other.urn]);
            assert.deepEqual(await notApplicable([password, scaling], policy), {
                [password.name]: "No certificate facts on this resource",
                [scaling.name]: "No certificate facts on this resource",
            });
        });
    });

    describe("no-self-signed-in-prod", () => {
        const policy = "no-self-signed-in-prod";
        const selfSignedInProd = `Certificate "teamsconn.vdx.example" is self-signed in a production stack; use a certificate from a CA that VDX's nodes trust (pfxFile or keyVaultSecret).`;

        it("accepts a self-signed certificate on a dev stack, and a CA certificate on prod", async () => {
            const devSecret = certificateSecret({ "certificate-source": "selfSigned", environment: "dev" });
            const devDeployment = pexipDeployment({ VDX_CERTIFICATE_SOURCE: "selfSigned", VDX_ENVIRONMENT: "dev" });
            const prod = named(pexipDeployment(), "prod");
            assert.deepEqual(of(await check([devSecret, devDeployment, prod, named(certificateSecret(), "prod-secret")]), policy), []);
        });

        it("rejects a self-signed certificate on a prod stack, through the deployment and through the secret", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SOURCE: "selfSigned" });
            const secretResource = certificateSecret({ "certificate-source": "selfSigned" });
            assert.deepEqual(of(await check([deployment, secretResource]), policy), [
                violation(policy, "mandatory", deployment, selfSignedInProd),
                violation(policy, "mandatory", secretResource, selfSignedInProd),
            ]);
        });

        it("rejects a self-signed certificate whose environment is unknown: cannot verify", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SOURCE: "selfSigned", VDX_ENVIRONMENT: undefined });
            const secretResource = certificateSecret({ "certificate-source": "selfSigned", environment: undefined });
            assert.deepEqual(of(await check([deployment, secretResource]), policy), [
                violation(policy, "mandatory", deployment, "The certificate is self-signed and the resource has no VDX_ENVIRONMENT: cannot verify that this is not a production stack."),
                violation(policy, "mandatory", secretResource, `The certificate is self-signed and the resource has no "environment" tag: cannot verify that this is not a production stack.`),
            ]);
        });

        it("reads the deployment's environment from VDX_ENVIRONMENT, not from tags", async () => {
            // The deployment has no tags; a dev variable is what makes the self-signed certificate acceptable.
            const deployment = pexipDeployment({ VDX_CERTIFICATE_SOURCE: "selfSigned", VDX_ENVIRONMENT: "dev" });
            assert.equal((deployment.inputs as Record<string, unknown>).tags, undefined);
            assert.deepEqual(of(await check([deployment]), policy), []);
        });
    });

    describe("certificate-not-expired", () => {
        const policy = "certificate-not-expired";

        it("accepts a certificate valid on the check date, including its last day", async () => {
            const lastDay = certificateSecret({ "certificate-not-after": "2026-03-02T12:00:00Z" });
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-03-02T12:00:00Z" });
            assert.deepEqual(of(await check([named(certificateSecret(), "valid"), lastDay, deployment]), policy), []);
        });

        it("rejects an expired certificate, on the deployment and on the secret", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-03-01T10:00:00Z" });
            const secretResource = certificateSecret({ "certificate-not-after": "2026-03-01T10:00:00Z" });
            const text = `Certificate "teamsconn.vdx.example" expired on 2026-03-01 (check date 2026-03-02); install a renewed certificate.`;
            assert.deepEqual(of(await check([deployment, secretResource]), policy), [
                violation(policy, "mandatory", deployment, text),
                violation(policy, "mandatory", secretResource, text),
            ]);
        });

        it("rejects an unreadable or missing expiry on a PKCS#12 secret: cannot verify", async () => {
            const garbled = certificateSecret({ "certificate-not-after": "next year" });
            const missing = named(certificateSecret({ "certificate-not-after": undefined }), "missing");
            assert.deepEqual(of(await check([garbled, missing]), policy), [
                violation(policy, "mandatory", garbled, `The "certificate-not-after" tag is not an ISO date ("next year"): cannot verify the certificate's validity.`),
                violation(policy, "mandatory", missing, `The resource holds a certificate but has no "certificate-not-after" tag: cannot verify that it has not expired.`),
            ]);
        });

        it("rejects an unreadable or missing expiry on the deployment: cannot verify", async () => {
            const garbled = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "31/01/2027" });
            const missing = named(pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: undefined }), "missing");
            assert.deepEqual(of(await check([garbled, missing]), policy), [
                violation(policy, "mandatory", garbled, `The VDX_CERTIFICATE_NOT_AFTER is not an ISO date ("31/01/2027"): cannot verify the certificate's validity.`),
                violation(policy, "mandatory", missing, "The resource holds a certificate but has no VDX_CERTIFICATE_NOT_AFTER: cannot verify that it has not expired."),
            ]);
        });

        it("dates the expiry in Copenhagen: 23:30 UTC on 1 March is already 2 March there", async () => {
            const secretResource = certificateSecret({ "certificate-not-after": "2026-03-01T23:30:00Z" });
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-03-01T23:30:00Z" });
            assert.deepEqual(of(await check([secretResource, deployment]), policy), []);
        });

        it("ignores the scaling command and secrets that are not certificates", async () => {
            const scaling = scalingCommand();
            const password = passwordSecret();
            assert.deepEqual(of(await check([scaling, password]), policy), []);
            assert.deepEqual(await notApplicable([scaling, password], policy), {
                [scaling.name]: "No certificate expiry on this resource",
                [password.name]: "No certificate expiry on this resource",
            });
        });
    });

    describe("certificate-not-expiring", () => {
        const policy = "certificate-not-expiring";

        it("stays quiet more than 30 days before expiry", async () => {
            const secretResource = certificateSecret({ "certificate-not-after": "2026-04-02T00:00:00Z" });
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-04-02T00:00:00Z" });
            assert.deepEqual(of(await check([secretResource, deployment]), policy), []);
        });

        it("advises renewal within 30 days of expiry, on the deployment and on the secret", async () => {
            const secretResource = certificateSecret({ "certificate-not-after": "2026-04-01T00:00:00Z" });
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-04-01T00:00:00Z" });
            const text = `Certificate "teamsconn.vdx.example" expires on 2026-04-01, in 30 day(s); renew it and deploy the new certificate before then.`;
            assert.deepEqual(of(await check([secretResource, deployment]), policy), [
                violation(policy, "advisory", secretResource, text),
                violation(policy, "advisory", deployment, text),
            ]);
        });

        it("leaves an expired or unreadable date to certificate-not-expired", async () => {
            const expired = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-03-01T10:00:00Z" });
            const garbled = named(pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "soon" }), "garbled");
            assert.deepEqual(of(await check([expired, garbled]), policy), []);
            assert.deepEqual(await notApplicable([garbled], policy), { [garbled.name]: "No readable certificate expiry on this resource" });
        });

        it("takes the renewal window from configuration", async () => {
            const deployment = pexipDeployment({ VDX_CERTIFICATE_NOT_AFTER: "2026-04-01T00:00:00Z" });
            const violations = await check([deployment], testConfig({ [policy]: { renewalDays: 14 } }));
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
