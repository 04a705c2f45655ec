import { createHash, generateKeyPairSync } from "crypto";
import * as forge from "node-forge";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { GRAPH_APPLICATION_PERMISSIONS } from "../../lib/teams/graphPermissions";

/**
 * The mock cloud: what Azure, Entra ID and the tls/random providers would answer, as pure
 * functions of a resource's inputs. The SDK mock runtime (mockRuntime.ts) and the stand-in
 * provider plugins of the end-to-end tests (tests/e2e/plugins) share this one table.
 */

/** What the mock cloud needs of a run besides a resource's inputs. */
export interface MockCloudOptions {
    readonly project: string;
    /** Configuration with namespaced keys (`<project>:<key>`, `azure-native:location`); objects as JSON text. */
    readonly config: Record<string, string>;
    /** Outputs other stacks expose to StackReferences, by stack name. */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
    /**
     * The Entra tenant the mock deployer is signed in to (azuread's client configuration).
     * Default: the stack's `teamsTenantId`, as consent `grant` requires.
     */
    readonly entraTenantId?: string;
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
export const NAME_INPUTS: Record<string, string> = {
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

/** What the cloud adds to a resource's inputs when it creates it: Azure's name and ID, addresses, keys. */
export function computedState(type: string, name: string, inputs: any, options: MockCloudOptions): Record<string, unknown> {
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

/** The answer to a function call (invoke) the program makes. */
export function invoke(token: string, inputs: any, options: MockCloudOptions): Record<string, unknown> {
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

/** `value` with every secret marker replaced by `replace(its value)`, at any depth. */
export function replaceSecrets(value: unknown, replace: (secret: unknown) => unknown): any {
    if (isSecretValue(value)) return replace(value.value);
    if (Array.isArray(value)) return value.map((item) => replaceSecrets(item, replace));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceSecrets(inner, replace)]));
    }
    return value;
}
