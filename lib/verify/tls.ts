import { X509Certificate } from "node:crypto";
import * as tls from "node:tls";
import { CannotRun, Finding } from "./check";
import { DeployedStack } from "./stackOutputs";

/**
 * The tls check: a TLS handshake to the connector's FQDN on 443 with SNI, judging what Teams
 * will see: the deployed certificate (by SHA-1 thumbprint), names that cover the FQDN and no
 * wildcard (Pexip's rule), an RSA key, a chain the server itself sends up to a trusted root
 * (Node never fetches intermediates, as some clients do not), and the days until expiry.
 */

/** Fewer days left than this fail whatever --warn-days says: renewal must happen now. */
export const FAIL_DAYS = 14;

export interface TlsOptions {
    /** Connect here instead of the FQDN (curl's --connect-to): SNI and the name checks stay the FQDN's. */
    readonly connectTo?: { readonly host: string; readonly port: number };
    /** PEM of the roots to trust besides Node's (a private CA, a test's). */
    readonly extraCa?: string;
    /** Fewer days until expiry is a warning. */
    readonly warnDays: number;
    readonly now: Date;
    readonly timeoutMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The peer's leaf and whether its chain verified, from one handshake. */
function handshake(fqdn: string, options: TlsOptions): Promise<{ leaf: X509Certificate; chainError?: string }> {
    const host = options.connectTo?.host ?? fqdn;
    const port = options.connectTo?.port ?? 443;
    return new Promise((resolve, reject) => {
        const socket = tls.connect({
            host,
            port,
            servername: fqdn,
            // Judged below, so that every problem is reported, not only the first.
            rejectUnauthorized: false,
            ...(options.extraCa === undefined ? {} : { ca: [...tls.rootCertificates, options.extraCa] }),
            timeout: options.timeoutMs ?? 10_000,
        });
        const fail = (why: string) => {
            socket.destroy();
            reject(new CannotRun(`TLS to ${host}:${port} failed: ${why}`));
        };
        socket.once("timeout", () => fail("timed out"));
        socket.once("error", (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
        socket.once("secureConnect", () => {
            const peer = socket.getPeerX509Certificate();
            const chainError = socket.authorized ? undefined : String(socket.authorizationError);
            socket.end();
            if (peer === undefined) fail("the server sent no certificate");
            else resolve({ leaf: peer, ...(chainError === undefined ? {} : { chainError }) });
        });
    });
}

/** The DNS names a certificate is for: its subject alternative names, else its common name. */
function namesOf(leaf: X509Certificate): string[] {
    const sans = (leaf.subjectAltName ?? "")
        .split(", ")
        .filter((entry) => entry.startsWith("DNS:"))
        .map((entry) => entry.slice(4).toLowerCase());
    if (sans.length > 0) return sans;
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(leaf.subject)?.[1];
    return cn === undefined ? [] : [cn.toLowerCase()];
}

export async function checkTls(stack: Pick<DeployedStack, "fqdn" | "certificate">, options: TlsOptions): Promise<Finding> {
    const { leaf, chainError } = await handshake(stack.fqdn, options);
    const thumbprint = leaf.fingerprint.replace(/:/g, "").toUpperCase();
    const names = namesOf(leaf);
    const daysLeft = Math.floor((Date.parse(leaf.validTo) - options.now.getTime()) / DAY_MS);
    const failures: string[] = [];
    if (thumbprint !== stack.certificate.thumbprint) failures.push(`serves thumbprint ${thumbprint}, not the deployed ${stack.certificate.thumbprint}`);
    if (names.some((name) => name.startsWith("*"))) failures.push(`is a wildcard certificate (${names.join(", ")}), which Pexip does not support`);
    // checkServerIdentity is Node's own RFC 6125 name check, the one an HTTPS client applies.
    const nameError = tls.checkServerIdentity(stack.fqdn, { subject: { CN: names[0] ?? "" }, subjectaltname: leaf.subjectAltName ?? "" } as tls.PeerCertificate);
    if (nameError !== undefined) failures.push(`its names (${names.join(", ") || "none"}) do not cover ${stack.fqdn}`);
    if (leaf.publicKey.asymmetricKeyType !== "rsa") failures.push(`has a ${String(leaf.publicKey.asymmetricKeyType).toUpperCase()} key; the connector needs RSA`);
    // An expired leaf fails verification too; that is said below, in days.
    if (chainError !== undefined && chainError !== "CERT_HAS_EXPIRED") failures.push(`its chain does not verify from what the server sends (${chainError}): serve the intermediates up to a trusted root`);
    if (daysLeft < 0) failures.push(`expired on ${leaf.validTo}`);
    else if (daysLeft < FAIL_DAYS) failures.push(`expires in ${daysLeft} days (${leaf.validTo}), fewer than ${FAIL_DAYS}: renew it now`);

    const measured = `serves ${thumbprint} for ${names.join(", ") || "no name"}, expires ${new Date(leaf.validTo).toISOString().slice(0, 10)} (${daysLeft} days)`;
    const figures = { certificateDays: daysLeft, thumbprint };
    if (failures.length > 0) return { verdict: "fail", measured: `${measured}; the certificate ${failures.join("; ")}`, expected: stack.certificate.thumbprint, figures };
    if (daysLeft < options.warnDays) return { verdict: "warn", measured: `${measured}; renew it within ${daysLeft - FAIL_DAYS} days (docs/operations.md)`, figures };
    return { verdict: "pass", measured, figures };
}
