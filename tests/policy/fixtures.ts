import { PolicyPackConfig } from "@pulumi/policy";
import { loadPolicyConfig, PolicyEngineResource, PolicyViolation, runPolicies, withCheckDate } from "../../cli/policyEngine";
import { POLICIES } from "../../policy/policies";

/**
 * Resources in the shapes the program registers (inputs as the mock runtime records them), and
 * a way to run the whole pack over them with the shipped configuration on a fixed date.
 */

/** The fixed check date of the tests. */
export const AS_OF = "2026-03-02";

/** The marker the Pulumi SDK wraps secret inputs in. */
export const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

/** The engine's sentinel for a string that is unknown during preview. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:prod::vdx-teams-connector::${type}::${name}`;
}

export function resource(type: string, name: string, inputs: Record<string, unknown>): PolicyEngineResource {
    return { type, name, urn: urnOf(type, name), inputs };
}

const ENV = { environment: "prod" };
const LOCATION = "westeurope";

export const scaleSet = (overrides: { sku?: Record<string, unknown>; tags?: Record<string, unknown> } = {}): PolicyEngineResource =>
    resource("azure-native:compute:VirtualMachineScaleSet", "vdxweu", {
        location: LOCATION,
        resourceGroupName: "vdx-TeamsConn-weu-RG",
        sku: { name: "Standard_D4s_v5", tier: "Standard", capacity: 3, ...overrides.sku },
        tags: {
            "pexip-version": "37.1",
            "concurrent-ports": "48",
            "ports-per-instance": "16",
            "capacity-owner": "pulumi",
            ...ENV,
            ...overrides.tags,
        },
        virtualMachineProfile: {
            osProfile: {
                computerNamePrefix: "vdxweu",
                adminUsername: "pexadmin",
                adminPassword: { ...SECRET_SIG, value: "Correct-Horse-9" },
                secrets: [
                    {
                        sourceVault: { id: "/subscriptions/0000/resourceGroups/vdx-TeamsConn-weu-static-RG/providers/Microsoft.KeyVault/vaults/vdxweu-kv" },
                        vaultCertificates: [{ certificateUrl: "https://vdxweu-kv.vault.azure.net/secrets/teams-connector/0123456789abcdef0123456789abcdef", certificateStore: "My" }],
                    },
                ],
            },
        },
    });

/** An inbound Allow rule from VDX's nodes; override any field. */
export const rule = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    name: "https-from-vdx",
    priority: 100,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourceAddressPrefixes: ["192.0.2.10/32", "192.0.2.11/32"],
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "443",
    ...overrides,
});

export const networkSecurityGroup = (securityRules: Record<string, unknown>[] = [rule()]): PolicyEngineResource =>
    resource("azure-native:network:NetworkSecurityGroup", "vdx-TeamsConn-weu-NSG", { location: LOCATION, securityRules, tags: ENV });

export const securityRule = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:network:SecurityRule", "rdp-from-management", {
        networkSecurityGroupName: "vdx-TeamsConn-weu-NSG",
        ...rule({ name: "rdp-from-management", priority: 200, sourceAddressPrefixes: ["198.51.100.0/24"], destinationPortRange: "3389" }),
        ...overrides,
    });

export const keyVault = (properties: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:keyvault:Vault", "vdxweu-kv", {
        location: LOCATION,
        properties: {
            tenantId: "00000000-0000-0000-0000-000000000001",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            enablePurgeProtection: true,
            enabledForDeployment: true,
            softDeleteRetentionInDays: 90,
            ...properties,
        },
        tags: ENV,
    });

/** Certificate facts as the program writes them on the secret. */
export const CERTIFICATE_TAGS = {
    "certificate-subject": "teamsconn.vdx.example",
    "certificate-sans": "teamsconn.vdx.example",
    "certificate-not-after": "2027-01-31T23:59:59.000Z",
    "certificate-thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
    "certificate-key-type": "RSA",
    "certificate-key-size": "2048",
    "certificate-source": "pfxFile",
};

export const certificateSecret = (tags: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:keyvault:Secret", "teams-connector-certificate", {
        resourceGroupName: "vdx-TeamsConn-weu-static-RG",
        vaultName: "vdxweu-kv",
        secretName: "teams-connector",
        properties: { value: { ...SECRET_SIG, value: "MIIKpfx-base64" }, contentType: "application/x-pkcs12" },
        tags: { ...CERTIFICATE_TAGS, ...ENV, ...tags },
    });

export const publicIp = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:network:PublicIPAddress", "vdx-TeamsConn-weu-PIP", {
        location: LOCATION,
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        zones: ["1", "2", "3"],
        tags: ENV,
        ...overrides,
    });

export const eventHubNamespace = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:eventhub:Namespace", "vdx-TeamsConn-weu-EHN", {
        location: LOCATION,
        sku: { name: "Standard", tier: "Standard" },
        minimumTlsVersion: "1.2",
        tags: ENV,
        ...overrides,
    });

export const bot = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:botservice:Bot", "vdx-teams-bot", {
        location: "global",
        kind: "azurebot",
        properties: { displayName: "vdx-teams-bot", endpoint: "https://teamsconn.vdx.example/api/messages", msaAppType: "SingleTenant" },
        sku: { name: "F0" },
        tags: ENV,
        ...overrides,
    });

/** A whole stack that every policy accepts. */
export function compliantStack(): PolicyEngineResource[] {
    return [
        resource("pulumi:providers:azure-native", "default", { location: LOCATION }),
        resource("azure-native:resources:ResourceGroup", "vdx-TeamsConn-weu-RG", { location: LOCATION, tags: ENV }),
        scaleSet(),
        networkSecurityGroup([
            rule(),
            rule({ name: "media-from-vdx", priority: 110, protocol: "Udp", destinationPortRange: "40000-49999" }),
        ]),
        securityRule(),
        keyVault(),
        certificateSecret(),
        publicIp(),
        eventHubNamespace(),
        bot(),
        resource("azure-native:botservice:Channel", "vdx-teams-channel", { location: "global", channelName: "MsTeamsChannel", tags: ENV }),
        resource("azure-native:eventhub:EventHub", "vdxweu-events", { namespaceName: "vdx-TeamsConn-weu-EHN", partitionCount: 1 }),
    ];
}

/**
 * The shipped policy/config.json with every date-dependent policy checking `asOf`, and `extra`
 * merged into each policy's entry (a string sets the entry's enforcement level).
 */
export function testConfig(extra: PolicyPackConfig = {}, asOf: string = AS_OF): PolicyPackConfig {
    const result: Record<string, unknown> = { ...withCheckDate(POLICIES, loadPolicyConfig(), asOf) };
    const isEntry = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
    for (const [name, value] of Object.entries(extra)) {
        const base = result[name];
        if (isEntry(base) && isEntry(value)) result[name] = { ...base, ...value };
        else if (isEntry(base) && typeof value === "string") result[name] = { ...base, enforcementLevel: value };
        else result[name] = value;
    }
    return result as PolicyPackConfig;
}

/** Runs the whole pack, as `pulumi preview --policy-pack policy` would. */
export function check(resources: PolicyEngineResource[], config: PolicyPackConfig = testConfig()): Promise<PolicyViolation[]> {
    return runPolicies(POLICIES, resources, config);
}

/** Violations of one policy. */
export function of(violations: PolicyViolation[], policy: string): PolicyViolation[] {
    return violations.filter((violation) => violation.policy === policy);
}

/** The message the engine shows: the policy's description, a newline, then the report. */
export function message(policy: string, text: string): string {
    const found = POLICIES.find((candidate) => candidate.name === policy);
    if (found === undefined) throw new Error(`no policy ${policy}`);
    return `${found.description}\n${text}`;
}

/** A violation as the engine reports it for a resource. */
export function violation(policy: string, enforcement: "advisory" | "mandatory", target: PolicyEngineResource, text: string): PolicyViolation {
    return { policy, enforcement, message: message(policy, text), urn: target.urn };
}
