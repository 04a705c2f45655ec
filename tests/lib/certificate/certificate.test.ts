import assert from "node:assert/strict";
import { X509Certificate, randomBytes } from "crypto";
import * as forge from "node-forge";
import {
    CertificateFacts,
    LEGACY_CSP,
    certificateFactValues,
    certificateTags,
    checkDeclaredFacts,
    factsFromPem,
    inspectPfx,
    pfxFromPem,
} from "../../../lib/certificate/certificate";
import { ConfigError } from "../../../lib/config/configError";
import { CERTIFICATE_FACTS, FACTS } from "../../../lib/contract";
import { DeclaredCertificateFacts } from "../../../lib/config/settings";
import {
    FQDN,
    NOW,
    daysFrom,
    goodChain,
    goodPfx,
    issueLeaf,
    makeCertificate,
    makePfx,
    opensslEcPfx,
    opensslInfo,
    opensslPfx,
    opensslRsaLeafUnderEcCa,
    reencryptedPfx,
    rsaKey,
} from "../../support/certificates";

const PASSWORD = "correct horse battery staple";
const LABEL = "certs/tc.pfx";

function thumbprintOf(pem: string): string {
    return new X509Certificate(pem).fingerprint.replace(/:/g, "");
}

/** A PFX of a leaf from the test CA (with `overrides`), its key and the issuing CA. */
function leafPfx(overrides: Parameters<typeof issueLeaf>[0], key = rsaKey("leaf")): Buffer {
    const leafPem = issueLeaf({ ...overrides, key });
    return makePfx({ key, certificates: [leafPem, goodChain().intermediate.certificatePem], password: PASSWORD });
}

function inspect(pfx: Buffer, password = PASSWORD) {
    return inspectPfx(pfx, password, FQDN, NOW, LABEL);
}

/** The PFX is refused on certificate.pfxFile, naming the file and matching `fragment`. */
function assertRefused(pfx: Buffer, fragment: RegExp, password = PASSWORD): void {
    assert.throws(
        () => inspect(pfx, password),
        (error: unknown) => {
            assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
            assert.equal(error.key, "certificate.pfxFile");
            assert.ok(error.message.startsWith(`certificate.pfxFile (${LABEL}): `), error.message);
            assert.match(error.message, fragment);
            return true;
        },
    );
}

describe("certificate", () => {
    describe("inspectPfx: a good PFX", () => {
        it("opens a CA → intermediate → leaf chain and reads its facts, with no warnings", () => {
            const { leafPem } = goodChain();
            const leaf = new X509Certificate(leafPem);
            const inspected = inspect(goodPfx(PASSWORD));
            assert.deepEqual(inspected.facts, {
                subject: FQDN,
                sans: [FQDN],
                notBefore: new Date(leaf.validFrom),
                notAfter: daysFrom(NOW, 365),
                thumbprint: thumbprintOf(leafPem),
                keyType: "RSA",
                keySize: 2048,
                source: "pfxFile",
                hasChain: true,
            } satisfies CertificateFacts);
            assert.match(inspected.facts.thumbprint, /^[0-9A-F]{40}$/);
            assert.deepEqual(inspected.warnings, []);
        });

        it("matches the hostname case-insensitively", () => {
            const pfx = leafPfx({ subject: "TeamsConn.Example.DK", sans: ["TEAMSCONN.EXAMPLE.DK"] });
            assert.deepEqual(inspect(pfx).facts.sans, [FQDN]);
            assert.equal(inspectPfx(pfx, PASSWORD, "TEAMSCONN.example.dk", NOW, LABEL).facts.subject, "TeamsConn.Example.DK");
        });

        it("re-encodes it for Key Vault: empty password, key + leaf + chain, 3DES, legacy CSP", () => {
            const { leafPem, intermediate } = goodChain();
            const inspected = inspect(goodPfx(PASSWORD));
            const value = Buffer.from(inspected.keyVaultValue, "base64");

            // Our own reader: same facts, chain kept.
            assert.deepEqual(inspectPfx(value, "", FQDN, NOW, "key vault").facts, inspected.facts);

            // Forge: one key bag whose key is the leaf's, the leaf and the intermediate.
            const pfx = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(value.toString("binary")), "");
            const bags = pfx.safeContents.flatMap((contents) => contents.safeBags);
            const keyBags = bags.filter((bag) => bag.type === forge.pki.oids.pkcs8ShroudedKeyBag);
            const certificates = bags.filter((bag) => bag.type === forge.pki.oids.certBag).map((bag) => forge.pki.certificateToPem(bag.cert!));
            assert.equal(keyBags.length, 1);
            assert.deepEqual(certificates.map(thumbprintOf), [thumbprintOf(leafPem), thumbprintOf(intermediate.certificatePem)]);
            const key = keyBags[0].key as forge.pki.rsa.PrivateKey;
            const leafKey = forge.pki.certificateFromPem(leafPem).publicKey as forge.pki.rsa.PublicKey;
            assert.equal(key.n.toString(16), leafKey.n.toString(16));
            assert.deepEqual(keyBags[0].attributes.localKeyId, bags.find((bag) => bag.type === forge.pki.oids.certBag)!.attributes.localKeyId);

            // OpenSSL, independently: the algorithms Windows Server imports, and the CSP.
            const info = opensslInfo(value, "");
            assert.match(info, /MAC: sha1/);
            assert.match(info, /Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC/);
            assert.match(info, new RegExp(`Microsoft CSP Name: ${LEGACY_CSP}`));
            assert.equal(info.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
            assert.match(info, /-----BEGIN PRIVATE KEY-----/);
        });

        it("opens OpenSSL 3's default PFX (PBES2 AES-256-CBC, SHA-256 MAC)", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const pfx = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem, intermediate.certificatePem], password: PASSWORD });
            const info = opensslInfo(pfx, PASSWORD);
            assert.match(info, /MAC: sha256/);
            assert.match(info, /PBES2, PBKDF2, AES-256-CBC/);
            const inspected = inspect(pfx);
            assert.equal(inspected.facts.thumbprint, thumbprintOf(leafPem));
            assert.equal(inspected.facts.hasChain, true);
            assert.deepEqual(inspected.warnings, []);
        });

        it("opens an AES PFX whose password has Danish letters (forge's PBES2 password encoding)", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const password = "blåbærgrød-Æ1";
            const pfx = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem, intermediate.certificatePem], password });
            assert.equal(inspect(pfx, password).facts.thumbprint, thumbprintOf(leafPem));
            assertRefused(pfx, /password is wrong/, "blabaergrod-AE1");
        });

        it("opens every AES PFX whose password has Danish letters, also when the other encoding's padding happens to be valid", () => {
            // OpenSSL derives the key from the password's UTF-8 bytes, forge from its UTF-16 code
            // units. About 1 in 256 times forge's key still decrypts to valid padding, and forge
            // fails on the ASN.1 instead of the decryption: the first files are made to do that.
            const password = "blåbærgrød-Æ1";
            const { leafKey, leafPem, intermediate } = goodChain();
            const base = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem, intermediate.certificatePem], password, iterations: 1 });
            const files = [
                ...Array.from({ length: 8 }, (_, index) => ({ seed: `padding-${index}`, padding: true })),
                ...Array.from({ length: 8 }, () => ({ seed: randomBytes(8).toString("hex"), padding: false })),
            ];
            const refused = files.filter(({ seed, padding }) => {
                try {
                    return inspect(reencryptedPfx(base, password, seed, padding), password).facts.thumbprint !== thumbprintOf(leafPem);
                } catch {
                    return true;
                }
            });
            assert.deepEqual(refused, [], "PFX files refused (reencryptedPfx(base, password, seed, padding) repeats one)");
        });

        it("blames a broken file, not a non-ASCII password, when both password forms fail alike", () => {
            const password = "blåbærgrød-Æ1";
            assertRefused(goodPfx(password).subarray(0, 300), /must be a PKCS#12 \(PFX\) file that can be read, but reading it failed/, password);
        });

        it("opens a legacy PFX (PBE-SHA1-3DES, SHA-1 MAC) as older Windows exports it", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const pfx = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem, intermediate.certificatePem], password: PASSWORD, tripleDes: true });
            assert.match(opensslInfo(pfx, PASSWORD), /pbeWithSHA1And3-KeyTripleDES-CBC/);
            assert.equal(inspect(pfx).facts.thumbprint, thumbprintOf(leafPem));
        });

        it("opens a PFX whose key names a legacy CSP", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const pfx = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem, intermediate.certificatePem], password: PASSWORD, csp: LEGACY_CSP });
            assert.deepEqual(inspect(pfx).warnings, []);
        });

        it("keeps certificates forge cannot decode: an RSA leaf under an ECDSA CA", () => {
            const { pfx, leafPem } = opensslRsaLeafUnderEcCa(PASSWORD);
            const leaf = new X509Certificate(leafPem);
            // The leaf is dated by openssl at test time: check it one day into its validity.
            const now = daysFrom(new Date(leaf.validFrom), 1);
            const inspected = inspectPfx(pfx, PASSWORD, FQDN, now, LABEL);
            assert.equal(inspected.facts.thumbprint, thumbprintOf(leafPem));
            assert.equal(inspected.facts.hasChain, true);
            assert.deepEqual(inspected.warnings, []);
            const again = inspectPfx(Buffer.from(inspected.keyVaultValue, "base64"), "", FQDN, now, "key vault");
            assert.deepEqual(again.facts, inspected.facts);
        });

        it("picks the leaf by its key whatever the bag order", () => {
            const { leafKey, leafPem, intermediate, root } = goodChain();
            const pfx = makePfx({ key: leafKey, certificates: [root.certificatePem, intermediate.certificatePem, leafPem], password: PASSWORD });
            const inspected = inspect(pfx);
            assert.equal(inspected.facts.thumbprint, thumbprintOf(leafPem));
            assert.deepEqual(inspected.warnings, []);
            // The chain goes leaf → intermediate → root in the Key Vault PFX.
            const again = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(Buffer.from(inspected.keyVaultValue, "base64").toString("binary")), "");
            const order = again.safeContents
                .flatMap((contents) => contents.safeBags)
                .filter((bag) => bag.cert)
                .map((bag) => thumbprintOf(forge.pki.certificateToPem(bag.cert!)));
            assert.deepEqual(order, [leafPem, intermediate.certificatePem, root.certificatePem].map(thumbprintOf));
        });
    });

    describe("inspectPfx: refusals", () => {
        it("refuses a wildcard CN", () => {
            assertRefused(leafPfx({ subject: "*.example.dk", sans: ["*.example.dk"] }), /must not be a wildcard certificate.*CN=\*\.example\.dk has a wildcard CN/);
        });

        it("refuses a wildcard in any SAN, even next to the hostname", () => {
            assertRefused(leafPfx({ sans: [FQDN, "*.example.dk"] }), /must not be a wildcard certificate: VDX \(MedCom\).*names the wildcard \*\.example\.dk in its SANs/);
        });

        it("refuses a certificate for another hostname", () => {
            assertRefused(
                leafPfx({ subject: "video.example.dk", sans: ["video.example.dk", "www.example.dk"] }),
                /must name the connector's hostname teamsconn\.example\.dk as its CN or a DNS SAN; the certificate CN=video\.example\.dk names only video\.example\.dk, www\.example\.dk$/,
            );
        });

        it("refuses an expired certificate", () => {
            assertRefused(leafPfx({ notBefore: daysFrom(NOW, -400), notAfter: daysFrom(NOW, -1) }), /must not have expired.*expired at 2026-02-28T12:00:00\.000Z/);
        });

        it("refuses a certificate that is not valid yet", () => {
            assertRefused(leafPfx({ notBefore: daysFrom(NOW, 1) }), /must already be valid.*is valid only from 2026-03-02T12:00:00\.000Z/);
        });

        it("refuses an EC certificate for Pexip's reason, not with a parse error", () => {
            assertRefused(opensslEcPfx(PASSWORD), /must be RSA: Pexip rejects ECDSA certificates, so the Teams Connector needs an RSA certificate.*has an EC key \(256 bits\)/);
        });

        it("refuses an RSA key under 2048 bits", () => {
            assertRefused(leafPfx({}, rsaKey("small", 1024)), /must be an RSA key of at least 2048 bits.*has a 1024-bit RSA key/);
        });

        it("refuses a wrong password", () => {
            assertRefused(goodPfx(PASSWORD), /cannot be opened with certificate\.password: the password is wrong/, "not the password");
        });

        it("refuses a PFX without the private key", () => {
            const { leafPem, intermediate } = goodChain();
            const pfx = makePfx({ key: null, certificates: [leafPem, intermediate.certificatePem], password: PASSWORD });
            assertRefused(pfx, /must hold the private key of the certificate CN=teamsconn\.example\.dk, but holds no private key/);
        });

        it("refuses a key that does not belong to the leaf", () => {
            const { leafPem, intermediate } = goodChain();
            const pfx = makePfx({ key: rsaKey("root"), certificates: [leafPem, intermediate.certificatePem], password: PASSWORD });
            assertRefused(pfx, /the key does not match the certificate CN=teamsconn\.example\.dk/);
        });

        it("refuses a key marked for a CNG key storage provider", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const pfx = opensslPfx({
                keyPem: leafKey.privateKeyPem,
                certificates: [leafPem, intermediate.certificatePem],
                password: PASSWORD,
                csp: "Microsoft Software Key Storage Provider",
            });
            assertRefused(pfx, /must hold a private key for a legacy CryptoAPI CSP.*marked for "Microsoft Software Key Storage Provider"/);
        });

        it("refuses PEM text given as a PFX", () => {
            assertRefused(Buffer.from(goodChain().leafPem), /must be a PKCS#12 \(PFX\) file, but is PEM text/);
        });

        it("refuses a PFX that holds the leaf without its intermediate chain (Pexip needs the chain)", () => {
            const { leafKey, leafPem } = goodChain();
            assertRefused(
                makePfx({ key: leafKey, certificates: [leafPem], password: PASSWORD }),
                /^certificate\.pfxFile \(certs\/tc\.pfx\): must contain the intermediate chain: Pexip needs the issuing CA certificates in the PFX, so export it again with all certificates in the certification path .*; the certificate CN=teamsconn\.example\.dk is issued by CN=VDX Test Issuing CA, but no certificate in the PFX is its issuer$/,
            );
        });

        it("refuses a PFX whose other certificates do not include the leaf's issuer (root without intermediate)", () => {
            const { leafKey, leafPem, root } = goodChain();
            assertRefused(makePfx({ key: leafKey, certificates: [leafPem, root.certificatePem], password: PASSWORD }), /must contain the intermediate chain/);
        });

        it("refuses a chainless OpenSSL 3 PFX too, and never names the password", () => {
            const { leafKey, leafPem } = goodChain();
            const pfx = opensslPfx({ keyPem: leafKey.privateKeyPem, certificates: [leafPem], password: PASSWORD });
            assert.throws(
                () => inspect(pfx),
                (error: unknown) => error instanceof ConfigError && /intermediate chain/.test(error.message) && !error.message.includes(PASSWORD),
            );
        });

        it("reports a chainless certificate's other faults first: an expired one is refused for its expiry", () => {
            const key = rsaKey("leaf");
            const leafPem = issueLeaf({ key, notBefore: daysFrom(NOW, -400), notAfter: daysFrom(NOW, -1) });
            assertRefused(makePfx({ key, certificates: [leafPem], password: PASSWORD }), /must not have expired/);
        });

        it("reports the first broken rule: a small, wildcard, expired certificate is refused for its key", () => {
            const pfx = leafPfx({ subject: "*.example.dk", sans: ["*.example.dk"], notBefore: daysFrom(NOW, -400), notAfter: daysFrom(NOW, -1) }, rsaKey("small", 1024));
            assertRefused(pfx, /must be an RSA key of at least 2048 bits/);
        });
    });

    describe("inspectPfx: warnings", () => {
        it("does not ask a self-signed certificate for a chain", () => {
            const key = rsaKey("leaf");
            const pem = makeCertificate({ subject: FQDN, sans: [FQDN], key });
            const inspected = inspect(makePfx({ key, certificates: [pem], password: PASSWORD }));
            assert.equal(inspected.facts.hasChain, false);
            assert.deepEqual(inspected.warnings, []);
        });

        it("warns when the certificate expires within 30 days", () => {
            const inspected = inspect(leafPfx({ notAfter: daysFrom(NOW, 10) }));
            assert.deepEqual(inspected.warnings.length, 1);
            assert.match(inspected.warnings[0], /CN=teamsconn\.example\.dk expires at 2026-03-11T12:00:00\.000Z, in 10 day\(s\)/);
        });

        it("warns when the hostname is only in the CN while the certificate has SANs", () => {
            const inspected = inspect(leafPfx({ sans: ["video.example.dk"] }));
            assert.equal(inspected.warnings.length, 1);
            assert.match(inspected.warnings[0], /names teamsconn\.example\.dk only in its CN/);
        });
    });

    describe("checkDeclaredFacts", () => {
        const good: DeclaredCertificateFacts = {
            subject: FQDN,
            sans: [FQDN],
            notAfter: daysFrom(NOW, 200),
            thumbprint: "A".repeat(40),
            keyType: "RSA",
            keySize: 2048,
        };

        function assertDeclaredRefused(facts: Partial<DeclaredCertificateFacts>, key: string, fragment: RegExp): void {
            assert.throws(
                () => checkDeclaredFacts({ ...good, ...facts }, FQDN, NOW),
                (error: unknown) => error instanceof ConfigError && error.key === key && fragment.test(error.message),
            );
        }

        it("accepts good facts without warnings", () => {
            assert.deepEqual(checkDeclaredFacts(good, FQDN, NOW), []);
        });

        it("refuses a wildcard subject or SAN", () => {
            assertDeclaredRefused({ subject: "*.example.dk" }, "certificate.subject", /must not be a wildcard certificate.*got "\*\.example\.dk"/);
            assertDeclaredRefused({ sans: [FQDN, "*.example.dk"] }, "certificate.sans", /must not be a wildcard certificate/);
        });

        it("refuses an EC or small key", () => {
            assertDeclaredRefused({ keyType: "EC", keySize: 256 }, "certificate.keyType", /must be RSA: Pexip rejects ECDSA certificates.*got "EC"/);
            assertDeclaredRefused({ keySize: 1024 }, "certificate.keySize", /must be an RSA key of at least 2048 bits.*got 1024/);
        });

        it("refuses another hostname", () => {
            assertDeclaredRefused({ subject: "video.example.dk", sans: ["video.example.dk"] }, "certificate.sans", /must name the connector's hostname teamsconn\.example\.dk/);
        });

        it("refuses an expired certificate and warns about one that expires soon", () => {
            assertDeclaredRefused({ notAfter: daysFrom(NOW, -1) }, "certificate.notAfter", /must not have expired/);
            const warnings = checkDeclaredFacts({ ...good, notAfter: daysFrom(NOW, 29) }, FQDN, NOW);
            assert.equal(warnings.length, 1);
            assert.match(warnings[0], /expires at 2026-03-30T12:00:00\.000Z, in 29 day\(s\)/);
        });
    });

    describe("certificateTags", () => {
        const facts: CertificateFacts = {
            subject: FQDN,
            sans: [FQDN, "tc2.example.dk"],
            notBefore: daysFrom(NOW, -30),
            notAfter: new Date("2027-03-01T12:00:00Z"),
            thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567",
            keyType: "RSA",
            keySize: 2048,
            source: "pfxFile",
            hasChain: true,
        };

        it("writes every certificate fact under the contract's keys", () => {
            assert.deepEqual(certificateTags(facts), {
                [FACTS.certificateSubject]: FQDN,
                [FACTS.certificateSans]: `${FQDN},tc2.example.dk`,
                [FACTS.certificateNotAfter]: "2027-03-01T12:00:00.000Z",
                [FACTS.certificateThumbprint]: facts.thumbprint,
                [FACTS.certificateKeyType]: "RSA",
                [FACTS.certificateKeySize]: "2048",
                [FACTS.certificateSource]: "pfxFile",
            });
            assert.deepEqual(Object.keys(certificateTags(facts)).sort(), [...CERTIFICATE_FACTS].sort());
        });

        it("keeps whole names within 256 characters and keeps a wildcard visible", () => {
            const sans = [...Array.from({ length: 30 }, (_, index) => `host-${index}.teams.example.dk`), "*.example.dk"];
            const value = certificateTags({ ...facts, sans })[FACTS.certificateSans];
            assert.ok(value.length <= 256, `${value.length} characters`);
            assert.ok(value.endsWith(",…"));
            const kept = value.slice(0, -2).split(",");
            assert.equal(kept[0], "*.example.dk");
            assert.ok(kept.every((name) => sans.includes(name)));
            assert.ok(kept.length > 5);
        });

        it("clips only the tags: the deployment's facts keep every name and the whole subject", () => {
            const sans = [...Array.from({ length: 30 }, (_, index) => `host-${index}.teams.example.dk`), "*.example.dk"];
            const subject = `${"o".repeat(300)}.example.dk`;
            const values = certificateFactValues({ ...facts, subject, sans });
            assert.deepEqual(values[FACTS.certificateSans].split(","), ["*.example.dk", ...sans.slice(0, -1)]);
            assert.equal(values[FACTS.certificateSubject], subject);
            assert.ok(certificateTags({ ...facts, subject, sans })[FACTS.certificateSubject].length <= 256);
            assert.deepEqual(certificateFactValues(facts), certificateTags(facts));
        });
    });

    describe("pfxFromPem and factsFromPem", () => {
        it("packs a PEM key and self-signed certificate into a PFX that opens with the empty password", () => {
            const key = rsaKey("leaf");
            const pem = makeCertificate({ subject: FQDN, sans: [FQDN], key });
            const pfx = Buffer.from(pfxFromPem(key.privateKeyPem, pem), "base64");
            const inspected = inspectPfx(pfx, "", FQDN, NOW, "self-signed");
            assert.equal(inspected.facts.thumbprint, thumbprintOf(pem));
            assert.deepEqual(inspected.warnings, []);
            assert.match(opensslInfo(pfx, ""), /Microsoft CSP Name: Microsoft Enhanced RSA and AES Cryptographic Provider/);
            assert.deepEqual(factsFromPem(pem, "selfSigned"), { ...inspected.facts, source: "selfSigned" });
        });

        it("keeps a PEM chain and refuses a key that is not the certificate's", () => {
            const { leafKey, leafPem, intermediate } = goodChain();
            const pfx = Buffer.from(pfxFromPem(leafKey.privateKeyPem, `${leafPem}\n${intermediate.certificatePem}`), "base64");
            assert.equal(inspectPfx(pfx, "", FQDN, NOW, "pem").facts.hasChain, true);
            assert.throws(() => pfxFromPem(rsaKey("root").privateKeyPem, leafPem), /does not belong to the first certificate/);
        });
    });
});
