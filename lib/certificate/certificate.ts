import { KeyObject, X509Certificate, createCipheriv, createHash, createHmac, createPrivateKey } from "crypto";
import * as forge from "node-forge";
import { ConfigError } from "../config/configError";
import { FACTS } from "../contract";
import type { DeclaredCertificateFacts } from "../config/settings";

/**
 * The connector's TLS certificate, checked against the rules of Pexip and VDX before
 * anything is deployed: RSA of at least 2048 bits, the connector's hostname, no wildcard,
 * valid now, a private key for a legacy CSP, and in a PFX the intermediate chain. Pure: no
 * Pulumi, no Azure.
 *
 * node-forge only unpacks and packs PKCS#12; the X.509 facts come from Node's crypto, which
 * reads EC certificates too, so that an EC certificate is refused for Pexip's reason.
 */

/** Where a certificate comes from, as in the settings and the `certificate-source` tag. */
export type CertificateOrigin = "pfxFile" | "keyVaultSecret" | "selfSigned";

/** What the stack knows about the connector's certificate; the tags and the policy pack use it. */
export interface CertificateFacts {
    /** The subject's common name (CN); empty when the subject has none. */
    subject: string;
    /** The DNS subject alternative names, lower case, in certificate order. */
    sans: string[];
    /** Start of validity. */
    notBefore: Date;
    /** End of validity. */
    notAfter: Date;
    /** SHA-1 thumbprint of the certificate, 40 upper-case hex digits (what Windows shows). */
    thumbprint: string;
    /** Public key type: `RSA`, `EC`, `RSA-PSS`, `ED25519`, ... */
    keyType: string;
    /** Key size in bits: the modulus for RSA, the curve size for EC. */
    keySize: number;
    /** Where the certificate came from. */
    source: CertificateOrigin;
    /** Whether the issuing chain travels with the certificate (an issuer was found in the PFX). */
    hasChain: boolean;
}

/** The outcome of checking a PFX: the facts, warnings to show, and the value for Key Vault. */
export interface PfxInspection {
    /** Facts of the leaf certificate. */
    facts: CertificateFacts;
    /** Problems that do not stop a deployment (expiry soon, certificates left out), one sentence each. */
    warnings: string[];
    /** Base64 PKCS#12 with the empty password, key + leaf + chain: a Key Vault secret's value. */
    keyVaultValue: string;
}

/** The facts certificateTags needs; declared facts of a Key Vault certificate have these too. */
export type TaggedFacts = Pick<CertificateFacts, "subject" | "notAfter" | "thumbprint" | "keyType" | "keySize" | "source"> & {
    /** DNS SANs. */
    readonly sans: readonly string[];
};

/** Smallest RSA key Pexip accepts. */
export const MIN_RSA_BITS = 2048;
/** A certificate that expires within this many days gets a warning. */
export const EXPIRY_WARNING_DAYS = 30;
/** The legacy CryptoAPI provider the Key Vault PFX names for its RSA key (Pexip cannot use CNG). */
export const LEGACY_CSP = "Microsoft Enhanced RSA and AES Cryptographic Provider";

const PFX_KEY = "certificate.pfxFile";
const DAY_MS = 24 * 60 * 60 * 1000;
const TAG_VALUE_LIMIT = 256;
const TRUNCATED = ",…";
const PBE_ITERATIONS = 2048;
const OID = {
    data: "1.2.840.113549.1.7.1",
    keyBag: "1.2.840.113549.1.12.10.1.1",
    shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
    certBag: "1.2.840.113549.1.12.10.1.3",
    x509Certificate: "1.2.840.113549.1.9.22.1",
    localKeyId: "1.2.840.113549.1.9.21",
    sha1: "1.3.14.3.2.26",
    /** Microsoft's bag attribute naming the CSP or key storage provider the key goes into. */
    msCspName: "1.3.6.1.4.1.311.17.1",
    pbeWithSha1And3DesCbc: "1.2.840.113549.1.12.1.3",
} as const;
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521, ed25519: 256, ed448: 448 };

// Forge drops bag attributes it has no name for; registering the CSP name keeps it readable.
if (forge.pki.oids[OID.msCspName] === undefined) {
    forge.pki.oids[OID.msCspName] = "msCspName";
    forge.pki.oids.msCspName = OID.msCspName;
}

/** A broken rule: the setting it belongs to, the rule, the value, and what the certificate shows. */
interface Violation {
    readonly field: string;
    readonly rule: string;
    readonly given: unknown;
    /** The same finding told about a named certificate, for messages about a PFX file. */
    readonly found: string;
}

/** Facts the rules can be checked from; a PFX adds notBefore, declared facts lack it. */
type CheckedFacts = Pick<CertificateFacts, "subject" | "notAfter" | "keyType" | "keySize"> & {
    readonly sans: readonly string[];
    readonly notBefore?: Date;
};

/**
 * Opens a PFX and checks it against the connector's rules, reporting the first broken one
 * (opens → has key → key matches → RSA ≥ 2048 → legacy CSP → no wildcard → hostname →
 * validity → chain) as a ConfigError on `certificate.pfxFile`. `label` names the file in
 * messages. A self-signed leaf needs no chain; any other leaf needs its issuer in the PFX.
 */
export function inspectPfx(pfx: Buffer, password: string, fqdn: string, now: Date, label: string): PfxInspection {
    // Typed so that control flow knows a refusal does not return.
    const refuse: (rule: string) => never = (rule) => {
        throw new ConfigError(PFX_KEY, `(${label}): ${rule}`);
    };
    const bags = openPfx(pfx, password, refuse).safeContents.flatMap((contents) => contents.safeBags);

    const certificates = unique(bags.filter((bag) => bag.type === OID.certBag).map((bag) => readCertificate(bag, refuse)));
    if (certificates.length === 0) refuse("must hold the connector's certificate, but holds no certificate");
    const keyBags = bags.filter((bag) => bag.type === OID.keyBag || bag.type === OID.shroudedKeyBag);
    if (keyBags.length === 0) {
        refuse(`must hold the private key of ${name(likelyLeaf(certificates))}, but holds no private key: export the certificate with its private key`);
    }
    const keys = keyBags.map((bag) => ({ bag, key: readPrivateKey(bag, refuse) }));
    const pair = findLeaf(keys, certificates);
    if (pair === undefined) {
        refuse(`must hold the private key of its certificate, but the key does not match ${name(likelyLeaf(certificates))} (nor any other certificate in it)`);
    }
    const { leaf, key, bag } = pair;
    const chain = chainOf(leaf, certificates);
    const facts = factsOf(leaf, "pfxFile", chain.length > 0);

    // The chain comes last: a certificate broken in any other way needs more than a new export.
    const violation =
        keyViolation(facts) ?? cspViolation(bag) ?? nameViolation(facts, fqdn) ?? dateViolation(facts, now) ?? chainViolation(leaf, chain);
    if (violation !== undefined) refuse(`${violation.rule}; ${name(leaf)} ${violation.found}`);

    const warnings = factWarnings(facts, fqdn, now).map((warning) => `${PFX_KEY} (${label}): ${name(leaf)} ${warning}`);
    const leftOut = certificates.length - 1 - chain.length;
    if (leftOut > 0) {
        warnings.push(`${PFX_KEY} (${label}): ${leftOut} certificate(s) in it are not in the chain of ${name(leaf)} and are left out of Key Vault`);
    }
    return { facts, warnings, keyVaultValue: encodePfx(key, [leaf, ...chain], "").toString("base64") };
}

/**
 * Checks the facts declared for a certificate the party keeps in Key Vault by the rules
 * that facts can show (RSA ≥ 2048, no wildcard, hostname, not expired). Throws a
 * ConfigError on `certificate.<field>`; returns warnings (expiry soon, hostname only in the CN).
 */
export function checkDeclaredFacts(facts: DeclaredCertificateFacts, fqdn: string, now: Date): string[] {
    const violation = keyViolation(facts) ?? nameViolation(facts, fqdn) ?? dateViolation(facts, now);
    if (violation !== undefined) throw new ConfigError(`certificate.${violation.field}`, violation.rule, violation.given);
    return factWarnings(facts, fqdn, now).map((warning) => `certificate: the certificate ${warning}`);
}

/**
 * Base64 PKCS#12 protected by the empty password from a PEM private key and PEM
 * certificates (leaf first, then its chain): the dev stack's self-signed certificate.
 */
export function pfxFromPem(privateKeyPem: string, certificatePem: string): string {
    const key = createPrivateKey(privateKeyPem);
    const certificates = pemCertificates(certificatePem);
    if (!certificates[0].checkPrivateKey(key)) throw new Error("pfxFromPem: the private key does not belong to the first certificate");
    return encodePfx(key, certificates, "").toString("base64");
}

/**
 * Facts of a PEM certificate (leaf first, then any chain), for certificates made at deploy
 * time such as the dev stack's self-signed one.
 */
export function factsFromPem(certificatePem: string, source: CertificateOrigin): CertificateFacts {
    const [leaf, ...rest] = pemCertificates(certificatePem);
    return factsOf(leaf, source, chainOf(leaf, [leaf, ...rest]).length > 0);
}

/**
 * The certificate's facts under the keys in FACTS, in full: the deployment command's variables.
 * SANs are comma-separated, wildcard names first.
 */
export function certificateFactValues(facts: TaggedFacts): Record<string, string> {
    return {
        [FACTS.certificateSubject]: facts.subject,
        [FACTS.certificateSans]: wildcardsFirst(facts.sans).join(","),
        [FACTS.certificateNotAfter]: facts.notAfter.toISOString(),
        [FACTS.certificateThumbprint]: facts.thumbprint,
        [FACTS.certificateKeyType]: facts.keyType,
        [FACTS.certificateKeySize]: String(facts.keySize),
        [FACTS.certificateSource]: facts.source,
    };
}

/**
 * The same facts as tags for the Key Vault secret that holds the certificate. Tag values hold
 * at most 256 characters: a long SAN list keeps the whole names that fit and ends with `,…`,
 * wildcard names first so that the policy pack still sees a wildcard.
 */
export function certificateTags(facts: TaggedFacts): Record<string, string> {
    const values = certificateFactValues(facts);
    return { ...values, [FACTS.certificateSubject]: clip(facts.subject), [FACTS.certificateSans]: sanTag(facts.sans) };
}

function wildcardsFirst(sans: readonly string[]): string[] {
    return [...sans.filter(isWildcard), ...sans.filter((san) => !isWildcard(san))];
}

function sanTag(sans: readonly string[]): string {
    const ordered = wildcardsFirst(sans);
    const all = ordered.join(",");
    if (all.length <= TAG_VALUE_LIMIT) return all;
    let kept = "";
    for (const san of ordered) {
        const next = kept === "" ? san : `${kept},${san}`;
        if (next.length + TRUNCATED.length > TAG_VALUE_LIMIT) break;
        kept = next;
    }
    return kept + TRUNCATED;
}

function clip(value: string): string {
    return value.length <= TAG_VALUE_LIMIT ? value : `${value.slice(0, TAG_VALUE_LIMIT - 1)}…`;
}

// ---- the rules -------------------------------------------------------------------------

function keyViolation(facts: CheckedFacts): Violation | undefined {
    const keyType = facts.keyType.toUpperCase();
    if (keyType === "EC" || keyType === "ECDSA") {
        return {
            field: "keyType",
            rule: `must be RSA: Pexip rejects ECDSA certificates, so the Teams Connector needs an RSA certificate of at least ${MIN_RSA_BITS} bits`,
            given: facts.keyType,
            found: `has an EC key (${facts.keySize} bits)`,
        };
    }
    if (keyType !== "RSA") {
        return {
            field: "keyType",
            rule: `must be RSA: Pexip accepts RSA certificates only, so the Teams Connector needs an RSA certificate of at least ${MIN_RSA_BITS} bits`,
            given: facts.keyType,
            found: `has a ${facts.keyType} key`,
        };
    }
    if (facts.keySize < MIN_RSA_BITS) {
        return {
            field: "keySize",
            rule: `must be an RSA key of at least ${MIN_RSA_BITS} bits: Pexip refuses smaller keys`,
            given: facts.keySize,
            found: `has a ${facts.keySize}-bit RSA key`,
        };
    }
    return undefined;
}

/** Windows imports a key into the provider the PFX names; Pexip cannot use a CNG one. */
function cspViolation(bag: forge.pkcs12.Bag): Violation | undefined {
    const names: unknown[] = bag.attributes?.msCspName ?? [];
    const provider = names.find((value): value is string => typeof value === "string" && /key storage provider/i.test(value));
    if (provider === undefined) return undefined;
    return {
        field: "pfxFile",
        rule:
            "must hold a private key for a legacy CryptoAPI CSP: Pexip cannot use a key in a CNG key storage provider, " +
            `so export it again for a CSP (e.g. openssl pkcs12 -export -CSP "${LEGACY_CSP}")`,
        given: provider,
        found: `has its key marked for "${provider}"`,
    };
}

/**
 * Pexip needs the intermediate chain in the connector's PFX (Pexip's Teams Connector certificate
 * troubleshooting pages, docs.pexip.com), so a leaf that is not self-signed must have its issuer
 * in the file. Self-signed means issued by its own name and key, not just its own name: a CA
 * that shares the leaf's name still has to travel with it. The dev stack's self-signed
 * certificate has no issuer to carry.
 */
function chainViolation(leaf: X509Certificate, chain: readonly X509Certificate[]): Violation | undefined {
    if (chain.length > 0 || isSelfSigned(leaf)) return undefined;
    const issuer = commonName(leaf.issuer);
    return {
        field: "pfxFile",
        rule:
            "must contain the intermediate chain: Pexip needs the issuing CA certificates in the PFX, " +
            "so export it again with all certificates in the certification path " +
            "(Windows: Export-PfxCertificate -ChainOption BuildChain; OpenSSL: pkcs12 -export with the CA certificates in -certfile)",
        given: issuer,
        found: `is issued by ${issuer !== "" ? `CN=${issuer}` : "a CA"}, but no certificate in the PFX is its issuer`,
    };
}

function nameViolation(facts: CheckedFacts, fqdn: string): Violation | undefined {
    const wildcardRule = "must not be a wildcard certificate: VDX (MedCom) and Pexip do not accept wildcard certificates for the Teams Connector";
    if (isWildcard(facts.subject)) {
        return { field: "subject", rule: wildcardRule, given: facts.subject, found: "has a wildcard CN" };
    }
    const wildcardSan = facts.sans.find(isWildcard);
    if (wildcardSan !== undefined) {
        return { field: "sans", rule: wildcardRule, given: facts.sans, found: `names the wildcard ${wildcardSan} in its SANs` };
    }
    const host = fqdn.toLowerCase();
    if (facts.subject.toLowerCase() !== host && !facts.sans.some((san) => san.toLowerCase() === host)) {
        return {
            field: "sans",
            rule: `must name the connector's hostname ${fqdn} as its CN or a DNS SAN`,
            given: facts.sans,
            found: `names only ${[...new Set([facts.subject, ...facts.sans].filter((entry) => entry !== ""))].join(", ") || "nothing"}`,
        };
    }
    return undefined;
}

function dateViolation(facts: CheckedFacts, now: Date): Violation | undefined {
    if (facts.notAfter.getTime() <= now.getTime()) {
        return {
            field: "notAfter",
            rule: `must not have expired (checked at ${now.toISOString()}): renew it`,
            given: facts.notAfter.toISOString(),
            found: `expired at ${facts.notAfter.toISOString()}`,
        };
    }
    if (facts.notBefore !== undefined && facts.notBefore.getTime() > now.getTime()) {
        return {
            field: "notBefore",
            rule: `must already be valid (checked at ${now.toISOString()})`,
            given: facts.notBefore.toISOString(),
            found: `is valid only from ${facts.notBefore.toISOString()}`,
        };
    }
    return undefined;
}

/** Sentences that follow the certificate's name. */
function factWarnings(facts: CheckedFacts, fqdn: string, now: Date): string[] {
    const warnings: string[] = [];
    const left = facts.notAfter.getTime() - now.getTime();
    if (left < EXPIRY_WARNING_DAYS * DAY_MS) {
        const days = Math.ceil(left / DAY_MS);
        warnings.push(`expires at ${facts.notAfter.toISOString()}, in ${days} day(s): renew it and deploy the new one`);
    }
    // RFC 6125 clients ignore the CN once a certificate has DNS SANs.
    if (facts.sans.length > 0 && !facts.sans.some((san) => san.toLowerCase() === fqdn.toLowerCase())) {
        warnings.push(`names ${fqdn} only in its CN, not in its DNS SANs: TLS clients that check SANs will refuse it`);
    }
    return warnings;
}

function isWildcard(name: string): boolean {
    return name.includes("*");
}

// ---- reading a PFX ---------------------------------------------------------------------

const MAC_FAILED = /MAC could not be verified/;
const WRONG_PASSWORD = /MAC could not be verified|wrong password|Failed to decrypt/i;

function openPfx(pfx: Buffer, password: string, refuse: (rule: string) => never): forge.pkcs12.Pkcs12Pfx {
    const head = pfx.subarray(0, 64).toString("latin1");
    if (head.includes("-----BEGIN")) {
        refuse("must be a PKCS#12 (PFX) file, but is PEM text: bundle key and certificates with openssl pkcs12 -export");
    }
    if (pfx.length > 0 && /^[A-Za-z0-9+/=\s]+$/.test(pfx.toString("latin1"))) {
        refuse("must be a binary PKCS#12 (PFX) file, but is base64 text: decode it first (base64 -d)");
    }
    const parse = (secret: string | undefined, withoutMac = false): forge.pkcs12.Pkcs12Pfx => {
        const asn1 = forge.asn1.fromDer(pfx.toString("binary"));
        if (withoutMac && Array.isArray(asn1.value)) asn1.value = asn1.value.slice(0, 2);
        return forge.pkcs12.pkcs12FromAsn1(asn1, true, secret);
    };
    let failure: unknown;
    try {
        return parse(password);
    } catch (error) {
        failure = error;
    }
    const message = failure instanceof Error ? failure.message : String(failure);
    // Forge derives PBES2 keys (OpenSSL 3's AES default) from the password's UTF-16 code
    // units, not its UTF-8 bytes. Once the MAC has passed, any later failure may be that
    // encoding: usually "Failed to decrypt", but about 1 in 200 times the wrong key still
    // yields valid padding and the garbage fails as ASN.1 instead. So decrypt again with the
    // UTF-8 bytes and without the MAC (which wants the UTF-16 form, and has passed).
    if (!MAC_FAILED.test(message) && /[^\x00-\x7f]/.test(password)) {
        try {
            return parse(Buffer.from(password, "utf8").toString("binary"), true);
        } catch (retry) {
            const retryMessage = retry instanceof Error ? retry.message : String(retry);
            // The same failure with either key is the file's, not the password's: reported below.
            if (retryMessage !== message) {
                return refuse(
                    "cannot be opened with certificate.password, most likely because the password is wrong " +
                        `(its UTF-16 form failed with "${message}", its UTF-8 form with "${retryMessage}"; ` +
                        "pulumi config set --secret --path certificate.password ...)",
                );
            }
        }
    }
    // Some tools protect a "no password" PFX with no password at all instead of the empty one.
    if (password === "" && MAC_FAILED.test(message)) {
        try {
            return parse(undefined);
        } catch {
            // Fall through to the wrong-password message.
        }
    }
    if (WRONG_PASSWORD.test(message)) {
        return refuse("cannot be opened with certificate.password: the password is wrong (pulumi config set --secret --path certificate.password ...)");
    }
    return refuse(`must be a PKCS#12 (PFX) file that can be read, but reading it failed: ${message}`);
}

function readCertificate(bag: forge.pkcs12.Bag, refuse: (rule: string) => never): X509Certificate {
    // Forge decodes RSA certificates only and leaves others (EC) as ASN.1 in the bag.
    const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
    try {
        return new X509Certificate(toBuffer(asn1));
    } catch (error) {
        return refuse(`holds a certificate that cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
}

function readPrivateKey(bag: forge.pkcs12.Bag, refuse: (rule: string) => never): KeyObject {
    // Forge decodes RSA keys only and leaves others (EC) as PKCS#8 ASN.1 in the bag.
    const asn1 = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
    try {
        return createPrivateKey({ key: toBuffer(asn1), format: "der", type: "pkcs8" });
    } catch (error) {
        return refuse(`holds a private key that cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
}

function toBuffer(asn1: forge.asn1.Asn1): Buffer {
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/** The certificate the private key belongs to; the latest one if a renewal kept the key. */
function findLeaf(
    keys: readonly { bag: forge.pkcs12.Bag; key: KeyObject }[],
    certificates: readonly X509Certificate[],
): { leaf: X509Certificate; key: KeyObject; bag: forge.pkcs12.Bag } | undefined {
    for (const { bag, key } of keys) {
        const matching = certificates.filter((certificate) => matches(certificate, key));
        if (matching.length > 0) {
            const leaf = matching.reduce((latest, next) => (validTo(next) > validTo(latest) ? next : latest));
            return { leaf, key, bag };
        }
    }
    return undefined;
}

function matches(certificate: X509Certificate, key: KeyObject): boolean {
    try {
        return certificate.checkPrivateKey(key);
    } catch {
        return false;
    }
}

/** Without a matching key: the certificate that issued none of the others. */
function likelyLeaf(certificates: readonly X509Certificate[]): X509Certificate {
    return certificates.find((candidate) => !certificates.some((other) => other !== candidate && issuedBy(other, candidate))) ?? certificates[0];
}

/** The leaf's issuers found among the certificates, nearest first. */
function chainOf(leaf: X509Certificate, certificates: readonly X509Certificate[]): X509Certificate[] {
    const chain: X509Certificate[] = [];
    let current = leaf;
    while (!isSelfSigned(current)) {
        const issuer = certificates.find((candidate) => candidate !== leaf && !chain.includes(candidate) && issuedBy(current, candidate));
        if (issuer === undefined) break;
        chain.push(issuer);
        current = issuer;
    }
    return chain;
}

/**
 * Names and signature, not checkIssued: OpenSSL's check also wants keyCertSign, which a
 * self-signed server certificate (as @pulumi/tls makes it) does not have.
 */
function issuedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
    try {
        return subject.issuer === issuer.subject && subject.verify(issuer.publicKey);
    } catch {
        return false;
    }
}

function isSelfSigned(certificate: X509Certificate): boolean {
    return issuedBy(certificate, certificate);
}

function unique(certificates: readonly X509Certificate[]): X509Certificate[] {
    return certificates.filter((certificate, index) => certificates.findIndex((other) => other.fingerprint256 === certificate.fingerprint256) === index);
}

function pemCertificates(pem: string): X509Certificate[] {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new Error("no PEM certificate found");
    return blocks.map((block) => new X509Certificate(block));
}

function factsOf(certificate: X509Certificate, source: CertificateOrigin, hasChain: boolean): CertificateFacts {
    const key = certificate.publicKey;
    return {
        subject: commonName(certificate.subject),
        sans: dnsNames(certificate.subjectAltName),
        notBefore: new Date(certificate.validFrom),
        notAfter: validTo(certificate),
        thumbprint: certificate.fingerprint.replace(/:/g, "").toUpperCase(),
        keyType: (key.asymmetricKeyType ?? "unknown").toUpperCase(),
        keySize: keySizeOf(key),
        source,
        hasChain,
    };
}

/** Modulus bits for RSA and DSA, curve bits for EC and EdDSA. */
function keySizeOf(key: KeyObject): number {
    const details = key.asymmetricKeyDetails ?? {};
    if (details.modulusLength !== undefined) return details.modulusLength;
    const curve = details.namedCurve;
    if (curve !== undefined) return CURVE_BITS[curve] ?? Number(/\d{3}/.exec(curve)?.[0] ?? 0);
    return CURVE_BITS[key.asymmetricKeyType ?? ""] ?? 0;
}

function validTo(certificate: X509Certificate): Date {
    return new Date(certificate.validTo);
}

/** The most specific (last) CN of Node's one-attribute-per-line subject. */
function commonName(subject: string): string {
    const names = subject
        .split("\n")
        .filter((line) => line.startsWith("CN="))
        .map((line) => unquote(line.slice(3)));
    return names[names.length - 1] ?? "";
}

/** DNS names from Node's `DNS:a, DNS:b` form, where unusual values come JSON-quoted. */
function dnsNames(subjectAltName: string | undefined): string[] {
    const names: string[] = [];
    for (const match of (subjectAltName ?? "").matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
        if (match[1] === "DNS") names.push(unquote(match[2]).toLowerCase());
    }
    return names;
}

function unquote(value: string): string {
    if (!value.startsWith('"')) return value;
    try {
        return JSON.parse(value) as string;
    } catch {
        return value;
    }
}

/** How messages name a certificate. */
function name(certificate: X509Certificate): string {
    const cn = commonName(certificate.subject);
    return cn !== "" ? `the certificate CN=${cn}` : `the certificate with thumbprint ${certificate.fingerprint.replace(/:/g, "")}`;
}

// ---- writing a PFX ---------------------------------------------------------------------

/**
 * PKCS#12 as Windows Server imports it: the key shrouded with PBE-SHA1-3DES, the
 * certificates in the clear (the password is empty anyway), a SHA-1 MAC, a localKeyId that
 * pairs key and leaf, and for RSA the legacy CSP to import the key into. Built by hand
 * because forge's toPkcs12Asn1 cannot add the CSP attribute and re-encodes certificates.
 *
 * The salts come from a hash of the contents instead of a random source, so the same key and
 * certificates always give the same bytes: a PFX that changed on every run would change the
 * Key Vault secret and redeploy the connector on every `pulumi up`. With the empty password
 * Key Vault uses, the encryption protects nothing a random salt would add to.
 */
function encodePfx(key: KeyObject, certificates: readonly X509Certificate[], password: string): Buffer {
    const localKeyId = attribute(OID.localKeyId, octets(createHash("sha1").update(certificates[0].raw).digest()));
    const keyAttributes = key.asymmetricKeyType === "rsa" ? [localKeyId, attribute(OID.msCspName, bmpString(LEGACY_CSP))] : [localKeyId];
    const pkcs8 = key.export({ type: "pkcs8", format: "der" });
    const contents = createHash("sha256").update(pkcs8);
    certificates.forEach((certificate) => contents.update(certificate.raw));
    const digest = contents.digest();
    const keySalt = digest.subarray(0, 8);
    const macSalt = digest.subarray(8, 16);

    const keyBag = sequence(oid(OID.shroudedKeyBag), explicit(shroudKey(pkcs8, password, keySalt)), set(...keyAttributes));
    const certificateBags = certificates.map((certificate, index) =>
        sequence(
            oid(OID.certBag),
            explicit(sequence(oid(OID.x509Certificate), explicit(octets(certificate.raw)))),
            ...(index === 0 ? [set(localKeyId)] : []),
        ),
    );
    const authenticatedSafe = sequence(data(sequence(...certificateBags)), data(sequence(keyBag)));

    const mac = createHmac("sha1", pkcs12Key(password, macSalt, 3, 20)).update(authenticatedSafe).digest();
    const macData = sequence(sequence(sequence(oid(OID.sha1), der(0x05)), octets(mac)), octets(macSalt), integer(PBE_ITERATIONS));
    return sequence(integer(3), data(authenticatedSafe), macData);
}

/** EncryptedPrivateKeyInfo with pbeWithSHAAnd3-KeyTripleDES-CBC (PKCS#12 appendix C). */
function shroudKey(pkcs8: Buffer, password: string, salt: Buffer): Buffer {
    const cipher = createCipheriv("des-ede3-cbc", pkcs12Key(password, salt, 1, 24), pkcs12Key(password, salt, 2, 8));
    const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
    const algorithm = sequence(oid(OID.pbeWithSha1And3DesCbc), sequence(octets(salt), integer(PBE_ITERATIONS)));
    return sequence(algorithm, octets(encrypted));
}

/** PKCS#12's key derivation (ID 1 key, 2 IV, 3 MAC key), by forge. */
function pkcs12Key(password: string, salt: Buffer, id: 1 | 2 | 3, length: number): Buffer {
    return Buffer.from(forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString("binary")), id, PBE_ITERATIONS, length).getBytes(), "binary");
}

function der(tag: number, ...contents: Buffer[]): Buffer {
    const body = Buffer.concat(contents);
    let length: Buffer;
    if (body.length < 0x80) {
        length = Buffer.from([body.length]);
    } else {
        const bytes: number[] = [];
        for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
        length = Buffer.from([0x80 | bytes.length, ...bytes]);
    }
    return Buffer.concat([Buffer.from([tag]), length, body]);
}

function sequence(...items: Buffer[]): Buffer {
    return der(0x30, ...items);
}

/** DER sorts the members of a SET OF. */
function set(...items: Buffer[]): Buffer {
    return der(0x31, ...[...items].sort(Buffer.compare));
}

function explicit(content: Buffer): Buffer {
    return der(0xa0, content);
}

function octets(value: Buffer): Buffer {
    return der(0x04, value);
}

function oid(dotted: string): Buffer {
    return der(0x06, Buffer.from(forge.asn1.oidToDer(dotted).getBytes(), "binary"));
}

function integer(value: number): Buffer {
    const bytes: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    if (bytes.length === 0 || bytes[0] >= 0x80) bytes.unshift(0);
    return der(0x02, Buffer.from(bytes));
}

function bmpString(value: string): Buffer {
    return der(0x1e, Buffer.from(value, "utf16le").swap16());
}

function attribute(type: string, value: Buffer): Buffer {
    return sequence(oid(type), set(value));
}

/** PKCS#7 `data` content info around DER content. */
function data(content: Buffer): Buffer {
    return sequence(oid(OID.data), explicit(octets(content)));
}
