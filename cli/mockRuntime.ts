import { createHash, generateKeyPairSync } from "crypto";
import * as forge from "node-forge";
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { GRAPH_APPLICATION_PERMISSIONS } from "../lib/graphPermissions";

/**
 * Runs the real Pulumi program in the SDK's in-process mock runtime, with no engine, no
 * backend and no cloud, and records every registration with its parent and protection.
 * The offline plan and the tests both use this; the program itself knows nothing of it.
 */

/** One resource as the program registered it. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Parent URN; undefined for resources at the stack's root. */
    readonly parent: string | undefined;
    readonly protect: boolean;
    /** False for component resources. */
    readonly custom: boolean;
    /** Properties the engine leaves alone on update. */
    readonly ignoreChanges: string[];
    /** Properties whose change replaces the resource (`*`: any). */
    readonly replaceOnChanges: string[];
    /** Whether a replacement deletes the old resource first. */
    readonly deleteBeforeReplace: boolean;
    /** URNs it depends on: `dependsOn`, and the resources its inputs come from. */
    readonly dependencies: string[];
    /** Inputs as the engine receives them; each secret keeps Pulumi's secret marker where it is. */
    readonly inputs: Record<string, unknown>;
}

export interface ProgramRun {
    readonly resources: RegisteredResource[];
    /** What the program logged (pulumi.log writes to the console when no engine is attached), prefixes removed. */
    readonly logs: string[];
    /** Stack outputs, resolved; secret values keep Pulumi's secret marker. */
    readonly outputs: Record<string, unknown>;
}

export interface RunOptions {
    readonly project: string;
    readonly stack: string;
    /** Configuration with namespaced keys (`<project>:<key>`, `azure-native:location`); objects as JSON text. */
    readonly config: Record<string, string>;
    /** Keys of `config` that are secrets. */
    readonly secretKeys?: readonly string[];
    /** Outputs other stacks expose to StackReferences, by stack name. */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
    /**
     * The Entra tenant the mock deployer is signed in to (azuread's client configuration).
     * Default: the stack's `teamsTenantId`, as consent `grant` requires.
     */
    readonly entraTenantId?: string;
    /** The program: index.ts's exported function. */
    readonly program: () => Promise<Record<string, unknown> | void>;
}

/** Values the mock cloud answers with; fixed so plans and tests are repeatable. */
export const MOCK_CLOUD = {
    subscriptionId: "00000000-0000-4000-8000-000000000001",
    tenantId: "00000000-0000-4000-8000-000000000002",
    clientId: "00000000-0000-4000-8000-000000000003",
    objectId: "00000000-0000-4000-8000-000000000004",
    publicIpAddress: "203.0.113.10",
    adminPassword: "Mock-Admin-Password-1!",
    appSecret: "mock-app-client-secret",
    eventHubKey: "bW9jay1ldmVudC1odWIta2V5",
} as const;

/** Azure name inputs by type, so the mock can answer `name` as Azure would. */
const NAME_INPUTS: Record<string, string> = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:network:PublicIPAddress": "publicIpAddressName",
    "azure-native:eventhub:Namespace": "namespaceName",
    "azure-native:eventhub:EventHub": "eventHubName",
    "azure-native:eventhub:EventHubAuthorizationRule": "authorizationRuleName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:keyvault:Secret": "secretName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    "azure-native:botservice:Bot": "resourceName",
    "azure-native:botservice:Channel": "channelName",
};

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program once. Runs are serialised: the SDK's runtime state is global, so two
 * programs in one process must not overlap.
 */
export function runProgram(options: RunOptions): Promise<ProgramRun> {
    const run = queue.then(() => runOnce(options));
    queue = run.catch(() => undefined);
    return run;
}

async function runOnce(options: RunOptions): Promise<ProgramRun> {
    pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);
    await pulumi.runtime.setMocks(mocks(options), options.project, options.stack, false);
    const resources = recordRegistrations();

    // The SDK records a stack trace for every promise it makes (for leak reports the mock
    // runtime never prints); under ts-node each is source-mapped, which was most of a run's time.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.VDX_MOCK_STACK_TRACES) Error.stackTraceLimit = 0;
    // A resource whose inputs fail (an apply that throws) rejects a promise nobody awaits; the
    // Pulumi language host fails the run on it, and so does this runtime.
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    const logs: string[] = [];
    const restoreConsole = captureConsole(logs);
    try {
        const outputs = (await options.program()) ?? {};
        const resolved: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(outputs)) {
            if (value !== undefined) resolved[key] = await resolve(value);
        }
        // Resources no output depends on may still be registering: wait for every RPC.
        await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        // Rejections are reported on the next turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures[0];
        return { resources, logs, outputs: resolved };
    } finally {
        restoreConsole();
        process.off("unhandledRejection", onRejection);
        Error.stackTraceLimit = traceLimit;
    }
}

/** Sends console output to `into`, without the SDK's log prefixes, until the returned function is called. */
export function captureConsole(into: string[]): () => void {
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    const saved = methods.map((method) => console[method]);
    for (const method of methods) {
        console[method] = (...args: unknown[]) => {
            const text = args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ");
            into.push(text.replace(/^(warning|info|debug): \[runtime\] /, ""));
        };
    }
    return () => methods.forEach((method, index) => (console[method] = saved[index]));
}

/** Wraps the mock monitor so that parent and protect, which the mocks never see, are kept. */
function recordRegistrations(): RegisteredResource[] {
    const recorded: RegisteredResource[] = [];
    const monitor = runtimeSettings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        register(req, (err: unknown, res: any) => {
            if (!err) {
                recorded.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent() || undefined,
                    protect: req.getProtect() === true,
                    custom: req.getCustom(),
                    ignoreChanges: req.getIgnorechangesList(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    dependencies: req.getDependenciesList(),
                    // The wire form as it is: the SDK's deserializer would lift a nested secret to its whole object.
                    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
            }
            callback(err, res);
        });
    return recorded;
}

/** An output's value, wrapped in Pulumi's secret marker when it is secret. */
async function resolve(value: unknown): Promise<unknown> {
    const output = pulumi.output(value) as any;
    const [known, secret] = await Promise.all([output.promise(), output.isSecret]);
    return secret ? { [rpc.specialSigKey]: rpc.specialSecretSig, value: known } : known;
}

function mocks(options: RunOptions): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs, options) };
            return { id: String(state.id ?? `${args.name}-id`), state };
        },
        call(args) {
            return invoke(args.token, args.inputs, options);
        },
    };
}

/** ARM resource types, for IDs shaped like Azure's; parents' names come from the inputs. */
const ARM_PATHS: Record<string, (inputs: any, name: string) => string> = {
    "azure-native:network:PublicIPAddress": (_, name) => `Microsoft.Network/publicIPAddresses/${name}`,
    "azure-native:eventhub:Namespace": (_, name) => `Microsoft.EventHub/namespaces/${name}`,
    "azure-native:eventhub:EventHub": (inputs, name) => `Microsoft.EventHub/namespaces/${inputs.namespaceName}/eventhubs/${name}`,
    "azure-native:keyvault:Vault": (_, name) => `Microsoft.KeyVault/vaults/${name}`,
    "azure-native:keyvault:Secret": (inputs, name) => `Microsoft.KeyVault/vaults/${inputs.vaultName}/secrets/${name}`,
    "azure-native:managedidentity:UserAssignedIdentity": (_, name) => `Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
    "azure-native:botservice:Bot": (_, name) => `Microsoft.BotService/botServices/${name}`,
};

function armId(type: string, inputs: any, azureName: string): string | undefined {
    if (type === "azure-native:resources:ResourceGroup") return `/subscriptions/${MOCK_CLOUD.subscriptionId}/resourceGroups/${azureName}`;
    if (!type.startsWith("azure-native:")) return undefined;
    const [, module, kind] = type.split(":");
    const armPath = ARM_PATHS[type]?.(inputs, azureName) ?? `${module}/${kind}/${azureName}`;
    return `/subscriptions/${MOCK_CLOUD.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/${armPath}`;
}

function computedState(type: string, name: string, inputs: any, options: RunOptions): Record<string, unknown> {
    const azureName = inputs[NAME_INPUTS[type]] ?? name;
    const id = armId(type, inputs, azureName);
    const base = { name: azureName, ...(id ? { id } : {}) };
    switch (type) {
        case "azure-native:network:PublicIPAddress": {
            const label = inputs.dnsSettings?.domainNameLabel;
            const dnsSettings = label === undefined ? undefined : { ...inputs.dnsSettings, fqdn: `${label}.${inputs.location}.cloudapp.azure.com` };
            return { ...base, ipAddress: MOCK_CLOUD.publicIpAddress, ...(dnsSettings === undefined ? {} : { dnsSettings }) };
        }
        case "azure-native:keyvault:Vault":
            return { ...base, properties: { ...reveal(inputs.properties), vaultUri: `https://${azureName}.vault.azure.net/` } };
        case "azure-native:keyvault:Secret": {
            const uri = `https://${inputs.vaultName}.vault.azure.net/secrets/${azureName}`;
            return { ...base, properties: { ...reveal(inputs.properties), secretUri: uri, secretUriWithVersion: `${uri}/${stableGuid(name).replace(/-/g, "")}` } };
        }
        case "azure-native:managedidentity:UserAssignedIdentity":
            return { ...base, principalId: stableGuid(`${name}/principal`), clientId: stableGuid(`${name}/client`) };
        case "azuread:index/application:Application": {
            const objectId = stableGuid(`${name}/object`);
            return { id: `/applications/${objectId}`, objectId, clientId: stableGuid(`${name}/client`) };
        }
        case "azuread:index/servicePrincipal:ServicePrincipal":
            return { id: stableGuid(`${name}/sp`), objectId: stableGuid(`${name}/sp`) };
        case "azuread:index/applicationPassword:ApplicationPassword":
            return { id: stableGuid(name), value: MOCK_CLOUD.appSecret };
        case "random:index/randomPassword:RandomPassword":
            return { id: name, result: MOCK_CLOUD.adminPassword };
        case "tls:index/privateKey:PrivateKey":
            return { id: name, privateKeyPem: mockKeyPair().privateKeyPem };
        case "tls:index/selfSignedCert:SelfSignedCert":
            return { id: name, certPem: selfSignedPem(inputs) };
        case "pulumi:pulumi:StackReference":
            return { id: inputs.name, outputs: options.stackOutputs?.[inputs.name] ?? {} };
        default:
            return base;
    }
}

function invoke(token: string, inputs: any, options: RunOptions): Record<string, unknown> {
    switch (token) {
        case "azure-native:authorization:getClientConfig":
            return {
                clientId: MOCK_CLOUD.clientId,
                objectId: MOCK_CLOUD.objectId,
                subscriptionId: MOCK_CLOUD.subscriptionId,
                tenantId: MOCK_CLOUD.tenantId,
            };
        case "azure-native:eventhub:listEventHubKeys": {
            const connectionString =
                `Endpoint=sb://${inputs.namespaceName}.servicebus.windows.net/;SharedAccessKeyName=${inputs.authorizationRuleName};` +
                `SharedAccessKey=${MOCK_CLOUD.eventHubKey};EntityPath=${inputs.eventHubName}`;
            return { keyName: inputs.authorizationRuleName, primaryConnectionString: connectionString, primaryKey: MOCK_CLOUD.eventHubKey };
        }
        case "azuread:index/getClientConfig:getClientConfig":
            return {
                clientId: MOCK_CLOUD.clientId,
                objectId: MOCK_CLOUD.objectId,
                tenantId: options.entraTenantId ?? options.config[`${options.project}:teamsTenantId`] ?? MOCK_CLOUD.tenantId,
            };
        case "azuread:index/getServicePrincipal:getServicePrincipal":
            return {
                objectId: stableGuid("graph/sp"),
                clientId: inputs.clientId,
                appRoleIds: Object.fromEntries(GRAPH_APPLICATION_PERMISSIONS.map((permission) => [permission, stableGuid(`graph/${permission}`)])),
            };
        default:
            throw new Error(`the mock runtime has no answer for invoke ${token}`);
    }
}

/** A GUID that depends only on its seed. */
export function stableGuid(seed: string): string {
    const hex = createHash("sha256").update(seed).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

let keyPair: { privateKeyPem: string; publicKeyPem: string } | undefined;

/** One RSA key per process: the tls provider's work, done once so runs stay fast. */
function mockKeyPair() {
    keyPair ??= (() => {
        const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
        return {
            privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
            publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        };
    })();
    return keyPair;
}

/** What the tls provider's SelfSignedCert would make from these inputs. */
function selfSignedPem(inputs: any): string {
    const { privateKeyPem, publicKeyPem } = mockKeyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
    cert.serialNumber = "01";
    // Like the provider, valid from now; the start of the day keeps a day's plans identical.
    cert.validity.notBefore = new Date(new Date().setUTCHours(0, 0, 0, 0));
    cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + Number(inputs.validityPeriodHours ?? 8760) * 3600_000);
    const subject = [{ name: "commonName", value: inputs.subject?.commonName ?? "localhost" }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([{ name: "subjectAltName", altNames: (inputs.dnsNames ?? []).map((value: string) => ({ type: 2, value })) }]);
    cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
    return forge.pki.certificateToPem(cert);
}

/** The value inside a secret marker (the mock cloud sees what Azure would). */
function reveal(value: unknown): any {
    return isSecretValue(value) ? value.value : value;
}

/** Whether a recorded value carries Pulumi's secret marker. */
export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as any)[rpc.specialSigKey] === rpc.specialSecretSig;
}
