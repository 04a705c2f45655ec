import { spawnSync } from "child_process";
import { X509Certificate, createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, pbkdf2Sync } from "crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as forge from "node-forge";

/**
 * Certificates and PFX files made at test time, so that no private key is ever committed.
 * RSA keys come from Node's native generator (fast); forge builds certificates and PFX;
 * the openssl CLI makes what forge cannot (EC keys, OpenSSL 3's AES-256 PFX, CSP names).
 */

/** The fixed "now" every test checks against. */
export const NOW = new Date("2026-03-01T12:00:00Z");
/** The connector's hostname in tests. */
export const FQDN = "teamsconn.example.dk";

/** `days` days after `date` (before it when negative). */
export function daysFrom(date: Date, days: number): Date {
    return new Date(date.getTime() + days * 24 * 60 * 60 * 1000);
}

export interface KeyPair {
    /** PKCS#1 PEM, as @pulumi/tls writes RSA keys. */
    readonly privateKeyPem: string;
    readonly publicKeyPem: string;
}

const keys = new Map<string, KeyPair>();

/** An RSA key pair, made once per name and size and reused across tests. */
export function rsaKey(name: string, bits = 2048): KeyPair {
    const id = `${name}/${bits}`;
    let pair = keys.get(id);
    if (pair === undefined) {
        const generated = generateKeyPairSync("rsa", {
            modulusLength: bits,
            publicKeyEncoding: { type: "spki", format: "pem" },
            privateKeyEncoding: { type: "pkcs1", format: "pem" },
        });
        pair = { privateKeyPem: generated.privateKey, publicKeyPem: generated.publicKey };
        keys.set(id, pair);
    }
    return pair;
}

/** A certificate that signs others, with its key. */
export interface Issuer {
    readonly certificatePem: string;
    readonly key: KeyPair;
}

export interface CertificateOptions {
    /** The subject's CN. */
    readonly subject: string;
    /** DNS SANs; none when empty. */
    readonly sans?: readonly string[];
    readonly key: KeyPair;
    /** Self-signed when absent. */
    readonly issuer?: Issuer;
    readonly notBefore?: Date;
    readonly notAfter?: Date;
    /** A CA certificate (basic constraints, keyCertSign). */
    readonly ca?: boolean;
}

let serial = 0x1000;

/** An X.509 certificate signed with SHA-256, as PEM. */
export function makeCertificate(options: CertificateOptions): string {
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = forge.pki.publicKeyFromPem(options.key.publicKeyPem);
    certificate.serialNumber = (serial++).toString(16);
    certificate.validity.notBefore = options.notBefore ?? daysFrom(NOW, -30);
    certificate.validity.notAfter = options.notAfter ?? daysFrom(NOW, 365);
    const subject = [{ name: "commonName", value: options.subject }, { name: "organizationName", value: "VDX test" }];
    certificate.setSubject(subject);
    certificate.setIssuer(options.issuer ? forge.pki.certificateFromPem(options.issuer.certificatePem).subject.attributes : subject);
    const extensions: object[] = options.ca
        ? [
              { name: "basicConstraints", cA: true, critical: true },
              { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
          ]
        : [
              { name: "basicConstraints", cA: false },
              { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
              { name: "extKeyUsage", serverAuth: true, clientAuth: true },
          ];
    if (options.sans !== undefined && options.sans.length > 0) {
        extensions.push({ name: "subjectAltName", altNames: options.sans.map((value) => ({ type: 2, value })) });
    }
    certificate.setExtensions(extensions);
    const signer = options.issuer?.key ?? options.key;
    certificate.sign(forge.pki.privateKeyFromPem(signer.privateKeyPem), forge.md.sha256.create());
    return forge.pki.certificateToPem(certificate);
}

/** A test CA hierarchy: root → issuing CA, whose leaf keys are the `leaf` key. */
export interface Chain {
    readonly root: Issuer;
    readonly intermediate: Issuer;
    /** The good leaf: CN and SAN = FQDN, RSA 2048, valid from NOW-30d to NOW+365d. */
    readonly leafPem: string;
    readonly leafKey: KeyPair;
}

let chain: Chain | undefined;

/** The shared good chain (made once). */
export function goodChain(): Chain {
    if (chain === undefined) {
        const rootKey = rsaKey("root");
        const root = {
            certificatePem: makeCertificate({ subject: "VDX Test Root CA", key: rootKey, ca: true, notBefore: daysFrom(NOW, -3650), notAfter: daysFrom(NOW, 3650) }),
            key: rootKey,
        };
        const intermediateKey = rsaKey("intermediate");
        const intermediate = {
            certificatePem: makeCertificate({
                subject: "VDX Test Issuing CA",
                key: intermediateKey,
                issuer: root,
                ca: true,
                notBefore: daysFrom(NOW, -1000),
                notAfter: daysFrom(NOW, 2000),
            }),
            key: intermediateKey,
        };
        const leafKey = rsaKey("leaf");
        chain = { root, intermediate, leafKey, leafPem: issueLeaf({}, { root, intermediate }) };
    }
    return chain;
}

/** A leaf from the test issuing CA: the good leaf with `overrides` applied. */
export function issueLeaf(overrides: Partial<CertificateOptions>, issuers: Pick<Chain, "root" | "intermediate"> = goodChain()): string {
    return makeCertificate({ subject: FQDN, sans: [FQDN], key: rsaKey("leaf"), issuer: issuers.intermediate, ...overrides });
}

/** A PFX made by forge: the key shrouded with PBE-SHA1-3DES and a SHA-1 MAC (Windows' legacy kind). */
export function makePfx(options: { readonly key: KeyPair | null; readonly certificates: readonly string[]; readonly password: string }): Buffer {
    const key = options.key === null ? null : forge.pki.privateKeyFromPem(options.key.privateKeyPem);
    const certificates = options.certificates.map((pem) => forge.pki.certificateFromPem(pem));
    const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, options.password, { algorithm: "3des" });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/** The good chain's PFX: key, leaf and issuing CA. */
export function goodPfx(password: string): Buffer {
    const { leafKey, leafPem, intermediate } = goodChain();
    return makePfx({ key: leafKey, certificates: [leafPem, intermediate.certificatePem], password });
}

/** Runs the openssl CLI in `dir`; the password travels in the environment, not the arguments. */
function openssl(dir: string, args: readonly string[], password = ""): string {
    const result = spawnSync("openssl", args, { cwd: dir, env: { ...process.env, PFX_PASSWORD: password }, encoding: "utf8" });
    if (result.error !== undefined) throw result.error;
    if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout + result.stderr;
}

function inTempDir<T>(work: (dir: string) => T): T {
    const dir = mkdtempSync(join(tmpdir(), "tc-cert-test-"));
    try {
        return work(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

export interface OpensslPfxOptions {
    readonly keyPem: string;
    /** Leaf first, then its chain. */
    readonly certificates: readonly string[];
    readonly password: string;
    /** PBE-SHA1-3DES and a SHA-1 MAC instead of OpenSSL 3's AES-256-CBC and SHA-256 MAC. */
    readonly tripleDes?: boolean;
    /** The Microsoft CSP name bag attribute to set on the key. */
    readonly csp?: string;
    /** The key derivations' and the MAC's iteration count (OpenSSL's default 2048 when absent). */
    readonly iterations?: number;
}

/** A PFX made by `openssl pkcs12 -export` (OpenSSL 3 defaults unless told otherwise). */
export function opensslPfx(options: OpensslPfxOptions): Buffer {
    return inTempDir((dir) => {
        writeFileSync(join(dir, "key.pem"), options.keyPem);
        writeFileSync(join(dir, "certs.pem"), options.certificates.join("\n"));
        openssl(
            dir,
            [
                "pkcs12", "-export", "-inkey", "key.pem", "-in", "certs.pem", "-out", "out.pfx", "-passout", "env:PFX_PASSWORD",
                ...(options.tripleDes ? ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"] : []),
                ...(options.csp !== undefined ? ["-CSP", options.csp] : []),
                ...(options.iterations !== undefined ? ["-iter", String(options.iterations)] : []),
            ],
            options.password,
        );
        return readFileSync(join(dir, "out.pfx"));
    });
}

/** A self-signed ECDSA P-256 certificate for FQDN and its key, as a PFX made by openssl. */
export function opensslEcPfx(password: string): Buffer {
    return inTempDir((dir) => {
        openssl(dir, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
            "-subj", `/CN=${FQDN}`, "-addext", `subjectAltName=DNS:${FQDN}`, "-days", "3650",
        ]);
        openssl(dir, ["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem", "-out", "out.pfx", "-passout", "env:PFX_PASSWORD"], password);
        return readFileSync(join(dir, "out.pfx"));
    });
}

/**
 * An RSA leaf for FQDN issued by an ECDSA CA, key + leaf + CA as a PFX: forge can read
 * neither certificate. OpenSSL 3.0 cannot backdate, so the leaf is valid from the real now.
 */
export function opensslRsaLeafUnderEcCa(password: string): { readonly pfx: Buffer; readonly leafPem: string } {
    return inTempDir((dir) => {
        openssl(dir, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-subj", "/CN=VDX Test ECDSA CA", "-days", "3650",
        ]);
        writeFileSync(join(dir, "leaf.key"), rsaKey("leaf").privateKeyPem);
        writeFileSync(join(dir, "leaf.ext"), `subjectAltName=DNS:${FQDN}\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
        openssl(dir, ["req", "-new", "-key", "leaf.key", "-out", "leaf.csr", "-subj", `/CN=${FQDN}`]);
        openssl(dir, [
            "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2", "-days", "365",
            "-extfile", "leaf.ext", "-out", "leaf.pem",
        ]);
        writeFileSync(join(dir, "certs.pem"), readFileSync(join(dir, "leaf.pem"), "utf8") + readFileSync(join(dir, "ca.pem"), "utf8"));
        openssl(dir, ["pkcs12", "-export", "-inkey", "leaf.key", "-in", "certs.pem", "-out", "out.pfx", "-passout", "env:PFX_PASSWORD"], password);
        return { pfx: readFileSync(join(dir, "out.pfx")), leafPem: readFileSync(join(dir, "leaf.pem"), "utf8") };
    });
}

/** What a PFX holds, as OpenSSL reads it: its certificates' DER bytes in order and its private key's public half (SPKI PEM). */
export function opensslPfxContent(pfx: Buffer, password: string): { readonly certificates: readonly Buffer[]; readonly publicKeyPem: string } {
    const info = opensslInfo(pfx, password);
    const certificates = (info.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).raw);
    const keys = info.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/g) ?? [];
    if (keys.length !== 1) throw new Error(`expected one private key in the PFX, found ${keys.length}`);
    const publicKeyPem = createPublicKey(createPrivateKey(keys[0])).export({ type: "spki", format: "pem" }).toString();
    return { certificates, publicKeyPem };
}

/** What `openssl pkcs12 -info` reports about a PFX (algorithms, attributes, PEM of its content). */
export function opensslInfo(pfx: Buffer, password: string): string {
    return inTempDir((dir) => {
        writeFileSync(join(dir, "in.pfx"), pfx);
        return openssl(dir, ["pkcs12", "-info", "-nodes", "-in", "in.pfx", "-passin", "env:PFX_PASSWORD"], password);
    });
}

const OID_SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const OID_ENCRYPTED_DATA = "1.2.840.113549.1.7.6";

/**
 * `pfx` (OpenSSL 3's PBES2 AES-256-CBC with PBKDF2-SHA256 and a SHA-256 MAC, as opensslPfx
 * makes it) encrypted again as OpenSSL would, from the password's UTF-8 bytes, but with salts
 * and IVs derived from `seed` instead of random ones, and its MAC recomputed. So a test can
 * make hundreds of such files in-process, and repeat exactly the one that failed.
 * `forgeKeyPadsValidly` picks the certificates' salt and IV (the first thing forge decrypts)
 * so that the key forge derives from the password's UTF-16 code units, the wrong one for
 * OpenSSL's files, still decrypts them to valid padding: the case that fails as ASN.1.
 */
export function reencryptedPfx(pfx: Buffer, password: string, seed: string, forgeKeyPadsValidly = false): Buffer {
    const asn1 = forge.asn1.fromDer(pfx.toString("binary"));
    const [, authSafeInfo, macData] = children(asn1);
    const authSafeOctets = children(children(authSafeInfo)[1])[0];
    const contentInfos = forge.asn1.fromDer(authSafeOctets.value as string);
    for (const [index, contentInfo] of children(contentInfos).entries()) {
        const [type, wrapped] = children(contentInfo);
        const content = children(wrapped)[0];
        if (forge.asn1.derToOid(type.value as string) === OID_ENCRYPTED_DATA) {
            // EncryptedData { version, EncryptedContentInfo { type, algorithm, [0] content } }
            const [, algorithm, encrypted] = children(children(content)[1]);
            encrypted.value = reencrypt(algorithm, encrypted.value as string, password, `${seed}/${index}`, forgeKeyPadsValidly);
            continue;
        }
        // Data: SafeContents, whose shrouded key bags are { type, [0] { algorithm, content }, attributes }.
        const safeContents = forge.asn1.fromDer(content.value as string);
        for (const [bagIndex, bag] of children(safeContents).entries()) {
            const [bagType, bagValue] = children(bag);
            if (forge.asn1.derToOid(bagType.value as string) !== OID_SHROUDED_KEY_BAG) continue;
            const [algorithm, encrypted] = children(children(bagValue)[0]);
            encrypted.value = reencrypt(algorithm, encrypted.value as string, password, `${seed}/${index}/${bagIndex}`, false);
        }
        content.value = forge.asn1.toDer(safeContents).getBytes();
    }
    authSafeOctets.value = forge.asn1.toDer(contentInfos).getBytes();

    // MacData { DigestInfo { algorithm, digest }, salt, iterations DEFAULT 1 }: PKCS#12's key from the password's BMP form.
    const [digestInfo, macSalt, macIterations] = children(macData);
    const iterations = macIterations === undefined ? 1 : forge.asn1.derToInteger(macIterations.value as string);
    const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(macSalt.value as string), 3, iterations, 32, forge.md.sha256.create());
    const mac = createHmac("sha256", Buffer.from(macKey.getBytes(), "binary")).update(Buffer.from(authSafeOctets.value, "binary"));
    children(digestInfo)[1].value = mac.digest().toString("binary");
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

/**
 * PBES2 { PBKDF2 { salt, iterations, ... }, AES-256-CBC { iv } }: decrypts, then encrypts with
 * a salt and IV from `seed` (the first of `seed`/0, `seed`/1, ... that forge's key decrypts to
 * valid padding, when `forgeKeyPadsValidly`).
 */
function reencrypt(algorithm: forge.asn1.Asn1, ciphertext: string, password: string, seed: string, forgeKeyPadsValidly: boolean): string {
    const [kdf, scheme] = children(children(algorithm)[1]);
    const [salt, iterationCount] = children(children(kdf)[1]);
    const iv = children(scheme)[1];
    const iterations = forge.asn1.derToInteger(iterationCount.value as string);
    const opensslKey = (saltBytes: Buffer) => pbkdf2Sync(Buffer.from(password, "utf8"), saltBytes, iterations, 32, "sha256");
    const forgeKey = (saltBytes: Buffer) =>
        Buffer.from(forge.pkcs5.pbkdf2(password, saltBytes.toString("binary"), iterations, 32, forge.md.sha256.create()), "binary");
    const decipher = createDecipheriv("aes-256-cbc", opensslKey(Buffer.from(salt.value as string, "binary")), Buffer.from(iv.value as string, "binary"));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "binary")), decipher.final()]);
    for (let attempt = 0; ; attempt++) {
        const derived = createHash("sha256").update(`${seed}/${attempt}`).digest();
        const [newSalt, newIv] = [derived.subarray(0, 8), derived.subarray(16, 32)];
        const cipher = createCipheriv("aes-256-cbc", opensslKey(newSalt), newIv);
        const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        if (forgeKeyPadsValidly && !decryptsWithValidPadding(encrypted, forgeKey(newSalt), newIv)) continue;
        salt.value = newSalt.toString("binary");
        iv.value = newIv.toString("binary");
        return encrypted.toString("binary");
    }
}

function decryptsWithValidPadding(ciphertext: Buffer, key: Buffer, iv: Buffer): boolean {
    const decipher = createDecipheriv("aes-256-cbc", key, iv);
    try {
        decipher.update(ciphertext);
        decipher.final();
        return true;
    } catch {
        return false;
    }
}

function children(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
    if (!Array.isArray(node.value)) throw new Error("expected a constructed ASN.1 value");
    return node.value;
}
