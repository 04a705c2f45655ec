/**
 * Loopback stand-ins for what `npm run verify` checks: a TLS server serving test-made
 * certificates, a DNS server (dns2), Azure Resource Manager's compute API for one scale set,
 * and Infinity's status API with basic auth. Each listens on 127.0.0.1 on a free port, and its
 * state can change while it runs (for --wait). Nothing leaves the machine.
 */
import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import * as forge from "node-forge";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { daysFrom, FQDN, goodChain, issueLeaf, rsaKey } from "./certificates";

// dns2 3.x's own declarations want answers as Resource instances (with toBuffer) and lack the
// listen option `type`, which the plain objects here need; so the few parts the fake uses, as it uses them.
const dns2 = require("dns2") as {
    Packet: { TYPE: Record<string, number>; CLASS: Record<string, number>; createResponseFromRequest(request: unknown): DnsResponse };
    createServer(options: { udp: boolean; handle: (request: DnsRequest, send: (response: DnsResponse) => void) => void }): {
        listen(options: object): Promise<{ udp: AddressInfo }>;
        close(): Promise<void>;
    };
};
interface DnsRequest {
    readonly questions: { name: string; type: number }[];
}
interface DnsResponse {
    header: { rcode: number };
    answers: object[];
}

/** A running fake: where it listens, and how to stop it. */
export interface Running {
    readonly port: number;
    close(): Promise<void>;
}

function closing(server: { close(callback: () => void): void; closeAllConnections?: () => void }): () => Promise<void> {
    return () =>
        new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections?.();
        });
}

// ---------------------------------------------------------------------------------------
// TLS

/** What the TLS fake serves: the leaf (PEM), any chain certificates after it, and the leaf's key. */
export interface Served {
    readonly certificates: readonly string[];
    readonly keyPem: string;
}

/** The SHA-1 thumbprint of a PEM certificate, as the stack's `certificate` output carries it. */
export function thumbprintOf(pem: string): string {
    return new X509Certificate(pem).fingerprint.replace(/:/g, "");
}

/** The test root that issues every served chain, as a PEM file's text (for --ca-file). */
export function testRootPem(): string {
    return goodChain().root.certificatePem;
}

/** The right leaf for FQDN, valid from a day ago for `days` days from now, with its issuing CA. */
export function servedLeaf(overrides: { days?: number; sans?: string[]; subject?: string; chain?: boolean; keyName?: string } = {}): Served {
    const now = new Date();
    const key = rsaKey(overrides.keyName ?? "leaf");
    const leaf = issueLeaf({
        notBefore: daysFrom(now, -1),
        notAfter: daysFrom(now, overrides.days ?? 200),
        key,
        ...(overrides.sans === undefined ? {} : { sans: overrides.sans }),
        ...(overrides.subject === undefined ? {} : { subject: overrides.subject }),
    });
    return { certificates: overrides.chain === false ? [leaf] : [leaf, goodChain().intermediate.certificatePem], keyPem: key.privateKeyPem };
}

/** A self-signed EC (P-256) leaf for FQDN with its key, made by openssl (forge cannot make EC). */
export function servedEcLeaf(): Served {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-ec-"));
    try {
        const result = spawnSync(
            "openssl",
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", `/CN=${FQDN}`, "-addext", `subjectAltName=DNS:${FQDN}`, "-days", "200"],
            { cwd: dir, encoding: "utf8" },
        );
        if (result.status !== 0) throw new Error(`openssl: ${result.stderr}`);
        return { certificates: [fs.readFileSync(path.join(dir, "cert.pem"), "utf8")], keyPem: fs.readFileSync(path.join(dir, "key.pem"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A TLS server on 127.0.0.1 serving `served`; `serve` swaps what it serves for the next handshakes. */
export async function startTlsServer(served: Served): Promise<Running & { serve(next: Served): void }> {
    let current = served;
    const context = () => tls.createSecureContext({ cert: current.certificates.join(""), key: current.keyPem });
    const server = tls.createServer({ SNICallback: (_name, callback) => callback(null, context()) }, (socket) => socket.end());
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as AddressInfo).port,
        serve: (next) => (current = next),
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

// ---------------------------------------------------------------------------------------
// DNS

/** A name's records in the DNS fake; a name absent from the zone is NXDOMAIN. */
export interface DnsRecords {
    readonly cname?: string;
    readonly a?: readonly string[];
}

/** A DNS server (UDP) on 127.0.0.1 answering from `zone`, which the test may change. */
export async function startDnsServer(zone: Map<string, DnsRecords>): Promise<Running & { readonly server: string }> {
    const { Packet } = dns2;
    const server = dns2.createServer({
        udp: true,
        handle: (request, send) => {
            const response = Packet.createResponseFromRequest(request);
            const [question] = request.questions;
            const records = zone.get(question.name.toLowerCase());
            if (records === undefined) {
                response.header.rcode = 3; // NXDOMAIN
            } else if (question.type === Packet.TYPE.CNAME && records.cname !== undefined) {
                response.answers.push({ name: question.name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 60, domain: records.cname });
            } else if (question.type === Packet.TYPE.A) {
                for (const address of records.a ?? []) response.answers.push({ name: question.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address });
            }
            send(response);
        },
    });
    const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1", type: "udp4" } });
    const port = addresses.udp.port;
    return { port, server: `127.0.0.1:${port}`, close: () => server.close() };
}

// ---------------------------------------------------------------------------------------
// Azure Resource Manager

/** One scale-set instance in the ARM fake. */
export interface FakeInstance {
    name: string;
    provisioningState: string;
    powerState: string;
}

/** The ARM fake's world: the scale set (absent: 404) and its instances. */
export interface ArmState {
    scaleSet?: { provisioningState: string; capacity: number };
    instances: FakeInstance[];
}

/** A self-signed certificate for 127.0.0.1 (an IP SAN), for the HTTPS fakes. */
function loopbackCertificate(): Served {
    const key = rsaKey("loopback");
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = forge.pki.publicKeyFromPem(key.publicKeyPem);
    certificate.serialNumber = "01";
    certificate.validity.notBefore = daysFrom(new Date(), -1);
    certificate.validity.notAfter = daysFrom(new Date(), 30);
    const subject = [{ name: "commonName", value: "127.0.0.1" }];
    certificate.setSubject(subject);
    certificate.setIssuer(subject);
    certificate.setExtensions([{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]);
    certificate.sign(forge.pki.privateKeyFromPem(key.privateKeyPem), forge.md.sha256.create());
    return { certificates: [forge.pki.certificateToPem(certificate)], keyPem: key.privateKeyPem };
}

/**
 * ARM's compute API for one resource group, over HTTPS on 127.0.0.1 (the SDK sends a bearer
 * token over https only): GET the scale set, and list its VMs with their instance view. Every
 * request must carry the test credential's token. `caPem` is the certificate to trust.
 */
export async function startFakeArm(subscriptionId: string, group: string, scaleSetName: string, state: ArmState): Promise<Running & { endpoint: string; caPem: string; requests: string[] }> {
    const certificate = loopbackCertificate();
    const requests: string[] = [];
    const base = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachineScaleSets/${scaleSetName}`.toLowerCase();
    const server = https.createServer({ cert: certificate.certificates[0], key: certificate.keyPem }, (request, response) => {
        const url = new URL(request.url ?? "/", "https://127.0.0.1");
        requests.push(`${request.method} ${url.pathname}${url.search}`);
        const reply = (status: number, body: unknown) => {
            response.writeHead(status, { "content-type": "application/json" });
            response.end(JSON.stringify(body));
        };
        if (request.headers.authorization !== `Bearer ${TEST_TOKEN}`) return reply(401, { error: { code: "InvalidAuthenticationToken", message: "no token" } });
        const pathname = url.pathname.toLowerCase();
        if (request.method !== "GET") return reply(405, { error: { code: "MethodNotAllowed", message: "read-only" } });
        if (state.scaleSet === undefined || !pathname.startsWith(base)) {
            return reply(404, { error: { code: "ResourceNotFound", message: `The Resource '${scaleSetName}' was not found.` } });
        }
        if (pathname === base) {
            return reply(200, { name: scaleSetName, location: "westeurope", sku: { name: "Standard_D4s_v5", capacity: state.scaleSet.capacity }, properties: { provisioningState: state.scaleSet.provisioningState } });
        }
        if (pathname === `${base}/virtualmachines`) {
            return reply(200, {
                value: state.instances.map((vm, index) => ({
                    name: vm.name,
                    instanceId: String(index),
                    location: "westeurope",
                    properties: { provisioningState: vm.provisioningState, instanceView: { statuses: [{ code: `ProvisioningState/${vm.provisioningState.toLowerCase()}` }, { code: vm.powerState }] } },
                })),
            });
        }
        return reply(404, { error: { code: "NotFound", message: pathname } });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return { port, endpoint: `https://127.0.0.1:${port}`, caPem: certificate.certificates[0], requests, close: closing(server) };
}

const TEST_TOKEN = "test-arm-token";

/** A credential that hands out a fixed token: the fake ARM accepts only it. */
export const testCredential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => ({ token: TEST_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Healthy instances, `count` of them, named as Azure names scale-set VMs. */
export function runningInstances(scaleSetName: string, count: number): FakeInstance[] {
    return Array.from({ length: count }, (_, index) => ({ name: `${scaleSetName}_${index}`, provisioningState: "Succeeded", powerState: "PowerState/running" }));
}

// ---------------------------------------------------------------------------------------
// Infinity

/** A Teams node as Infinity's status API lists it (status/v1/teamsnode/). */
export interface FakeTeamsNode {
    name: string;
    scaleset_id: string;
    state: string;
    heartbeat_time: string;
}

export interface InfinityState {
    nodes: FakeTeamsNode[];
    /** status/v1/teamsnodedsc/'s objects; absent: that endpoint is 404. */
    dsc?: { name: string; failing_resources: string[] }[];
}

/** Infinity's time format: microseconds, no zone (UTC). */
export function infinityTime(date: Date): string {
    return date.toISOString().replace("Z", "000").replace(/\.(\d{3})000$/, ".$1000");
}

/** Active nodes with a fresh heartbeat, one per instance name. */
export function activeNodes(scaleSetId: string, names: readonly string[]): FakeTeamsNode[] {
    return names.map((name) => ({ name, scaleset_id: scaleSetId, state: "active", heartbeat_time: infinityTime(new Date()) }));
}

/**
 * Infinity's status API over HTTP on 127.0.0.1 with basic auth; lists come in pages of one, so
 * that following `meta.next` is exercised.
 */
export async function startFakeInfinity(user: string, password: string, state: InfinityState): Promise<Running & { url: string }> {
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const reply = (status: number, body: unknown) => {
            response.writeHead(status, { "content-type": "application/json" });
            response.end(JSON.stringify(body));
        };
        if (request.headers.authorization !== expected) return reply(401, { error: "Unauthorized" });
        const list =
            url.pathname === "/api/admin/status/v1/teamsnode/" ? state.nodes : url.pathname === "/api/admin/status/v1/teamsnodedsc/" ? state.dsc : undefined;
        if (list === undefined) return reply(404, { error: "Not found" });
        const offset = Number(url.searchParams.get("offset") ?? "0");
        const next = offset + 1 < list.length ? `${url.pathname}?limit=1&offset=${offset + 1}` : null;
        return reply(200, { meta: { limit: 1, offset, total_count: list.length, next, previous: null }, objects: list.slice(offset, offset + 1) });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return { port, url: `http://127.0.0.1:${port}`, close: closing(server) };
}

// ---------------------------------------------------------------------------------------
// A whole healthy deployment

/** The stack outputs verify reads, for a healthy two-instance deployment serving `served`. */
export function stackOutputs(served: Served, pexipVersion: string): Record<string, unknown> {
    return {
        fqdn: FQDN,
        location: "westeurope",
        subscriptionId: "00000000-0000-0000-0000-000000000001",
        publicIpAddress: "198.51.100.10",
        publicIpFqdn: "vdxdevweu-teams.westeurope.cloudapp.azure.com",
        dynamicResourceGroup: "vdxdevweu-dynamic",
        scaleSetName: "vdxdevweu-vmss",
        instances: 2,
        capacityOwner: "pulumi",
        pexipVersion,
        certificate: { thumbprint: thumbprintOf(served.certificates[0]), notAfter: new X509Certificate(served.certificates[0]).validTo, subject: FQDN },
        teamsAppSecret: "app-secret-not-to-print",
    };
}

/** Every fake, healthy, for the outputs given; `argv` points verify at them. */
export interface World {
    readonly tls: Awaited<ReturnType<typeof startTlsServer>>;
    readonly dns: Awaited<ReturnType<typeof startDnsServer>>;
    readonly zone: Map<string, DnsRecords>;
    readonly arm: Awaited<ReturnType<typeof startFakeArm>>;
    readonly armState: ArmState;
    readonly infinity: Awaited<ReturnType<typeof startFakeInfinity>>;
    readonly infinityState: InfinityState;
    /** The flags that point verify at the fakes (a --ca-file is written to `dir`). */
    readonly argv: string[];
    readonly dir: string;
    close(): Promise<void>;
}

/** `trusted`: the roots that verify the served chain (default the test root). */
export async function startWorld(outputs: Record<string, unknown>, served: Served, infinityAccount: { user: string; password: string }, trusted = testRootPem()): Promise<World> {
    const text = (name: string) => String(outputs[name]);
    const zone = new Map<string, DnsRecords>([[text("fqdn"), { cname: text("publicIpFqdn") }]]);
    const armState: ArmState = { scaleSet: { provisioningState: "Succeeded", capacity: Number(outputs.instances) }, instances: runningInstances(text("scaleSetName"), Number(outputs.instances)) };
    const infinityState: InfinityState = { nodes: activeNodes(text("scaleSetName"), armState.instances.map((vm) => vm.name)), dsc: [] };
    const [tlsServer, dns, arm, infinity] = await Promise.all([
        startTlsServer(served),
        startDnsServer(zone),
        startFakeArm(text("subscriptionId"), text("dynamicResourceGroup"), text("scaleSetName"), armState),
        startFakeInfinity(infinityAccount.user, infinityAccount.password, infinityState),
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-world-"));
    const caFile = path.join(dir, "ca.pem");
    // The root of the served chain, and the ARM fake's own certificate.
    fs.writeFileSync(caFile, trusted + arm.caPem);
    const argv = [
        "--dns-server", dns.server,
        "--connect-to", `127.0.0.1:${tlsServer.port}`,
        "--ca-file", caFile,
        "--arm-endpoint", arm.endpoint,
        "--infinity-url", infinity.url,
    ];
    return {
        tls: tlsServer, dns, zone, arm, armState, infinity, infinityState, argv, dir,
        close: async () => {
            await Promise.all([tlsServer.close(), dns.close(), arm.close(), infinity.close()]);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
