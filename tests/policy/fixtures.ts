import { PolicyPackConfig } from "@pulumi/policy";
import { analyzePolicies, loadPolicyConfig, PolicyEngineResource, PolicyViolation, runPolicies, withCheckDate } from "../../cli/plan/policyEngine";
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
const STATIC_GROUP = "vdx-TeamsConn-weu-static-RG";

/** A copy of a resource under another name (and URN), for several of one kind in one run. */
export function named(target: PolicyEngineResource, name: string): PolicyEngineResource {
    return { ...target, name, urn: urnOf(target.type, name) };
}

/** A value wrapped in the marker the SDK gives secret inputs. */
export const secret = (value: unknown): Record<string, unknown> => ({ ...SECRET_SIG, value });

/** The type token of @pulumi/command's local.Command, which runs Pexip's deployment and its scaling step. */
export const COMMAND = "command:local:Command";

/** The driver every command runs (components/pexipDeployment.ts DRIVER_COMMAND). */
export const INTERPRETER = ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", "scripts/pexip-deployment.ps1"];

/** Certificate facts as the program writes them: tags of the PFX secret. */
export const CERTIFICATE_TAGS = {
    "certificate-subject": "teamsconn.vdx.example",
    "certificate-sans": "teamsconn.vdx.example",
    "certificate-not-after": "2027-01-31T23:59:59.000Z",
    "certificate-thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
    "certificate-key-type": "RSA",
    "certificate-key-size": "2048",
    "certificate-source": "pfxFile",
};

/** The same facts as environment variables of the Pexip deployment (lib/contract.ts factVariable). */
export const CERTIFICATE_VARIABLES = {
    VDX_CERTIFICATE_SUBJECT: CERTIFICATE_TAGS["certificate-subject"],
    VDX_CERTIFICATE_SANS: CERTIFICATE_TAGS["certificate-sans"],
    VDX_CERTIFICATE_NOT_AFTER: CERTIFICATE_TAGS["certificate-not-after"],
    VDX_CERTIFICATE_THUMBPRINT: CERTIFICATE_TAGS["certificate-thumbprint"],
    VDX_CERTIFICATE_KEY_TYPE: CERTIFICATE_TAGS["certificate-key-type"],
    VDX_CERTIFICATE_KEY_SIZE: CERTIFICATE_TAGS["certificate-key-size"],
    VDX_CERTIFICATE_SOURCE: CERTIFICATE_TAGS["certificate-source"],
};

/** VDX's node addresses and the management network (the HTTPS sources), and RDP from management only. */
export const NODE_ADDRESSES = ["192.0.2.10/32", "192.0.2.11/32"];
export const MANAGEMENT_ADDRESSES = ["198.51.100.0/24"];

/** The deployment document the driver reads from VDX_DEPLOYMENT (lib/pexip/deploymentParameters.ts DeploymentDocument). */
export const DEPLOYMENT_DOCUMENT = {
    subscriptionId: "00000000-0000-4000-8000-000000000001",
    location: LOCATION,
    resourceGroup: "vdx-TeamsConn-weu-RG",
    scaleSetName: "vdxweu",
    tags: { ...ENV, application: "pexip-teams-connector" },
    package: {
        url: "https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v37.1.zip",
        sha256: "9f2c6b1e7d4a3c5b8e0f1a2d3c4b5a6978e6d5c4b3a29180f7e6d5c4b3a29180",
        deploymentScript: "create_vmss_deployment.ps1",
    },
    pfx: { source: "file", path: "certs/teamsconn.pfx" },
    parameters: {
        SubscriptionId: "00000000-0000-4000-8000-000000000001",
        ResourceGroupName: "vdx-TeamsConn-weu-RG",
        VmssName: "vdxweu",
        VMAdminCredential: { from: "adminCredential", userName: "pexadmin" },
        PfxPath: { from: "pfxPath" },
        PfxPassword: { from: "pfxPassword", as: "SecureString" },
        TeamsConnectorFqdn: "teamsconn.vdx.example",
        PexipFqdns: ["vdx-node1.vdx.example", "vdx-node2.vdx.example"],
        instanceCount: { from: "instanceCount" },
        AppCredential: { from: "appCredential", userName: "11111111-2222-4333-8444-555555555555" },
        StaticResourcesResourceGroupName: STATIC_GROUP,
        PublicIPAddressResourceName: "vdx-TeamsConn-weu-PIP",
        RdpSourceAddressPrefixes: MANAGEMENT_ADDRESSES,
        PexipSourceAddressPrefixes: [...NODE_ADDRESSES, ...MANAGEMENT_ADDRESSES],
    },
};

/**
 * The Pexip deployment command as the program registers it (components/pexipDeployment.ts):
 * the driver's `deploy`, `update` and `remove`, the facts as environment variables, the deployment
 * document as JSON text, the secrets wrapped in the SDK's marker, and the redeploy triggers.
 * A prod stack with 3 × 16 = 48 ports. `overrides` replaces environment variables by name;
 * `undefined` removes one.
 */
export const pexipDeployment = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource(COMMAND, "vdxweu-deployment-deploy", {
        interpreter: INTERPRETER,
        create: "deploy",
        update: "update",
        delete: "remove",
        environment: {
            VDX_ENVIRONMENT: "prod",
            VDX_PEXIP_VERSION: "37.1",
            VDX_LOCATION: LOCATION,
            VDX_INSTANCE_COUNT: "3",
            VDX_CONCURRENT_PORTS: "48",
            VDX_PORTS_PER_INSTANCE: "16",
            VDX_CAPACITY_OWNER: "pulumi",
            VDX_VM_SIZE: "",
            VDX_RDP_SOURCES: JSON.stringify(MANAGEMENT_ADDRESSES),
            VDX_PEXIP_SOURCES: JSON.stringify([...NODE_ADDRESSES, ...MANAGEMENT_ADDRESSES]),
            ...CERTIFICATE_VARIABLES,
            VDX_DEPLOYMENT: JSON.stringify(DEPLOYMENT_DOCUMENT),
            VDX_ADMIN_PASSWORD: secret("Correct-Horse-9"),
            VDX_APP_SECRET: secret("teams-app-client-secret"),
            VDX_PFX_PASSWORD: secret("pfx-password"),
            ...overrides,
        },
        triggers: [
            {
                pexipVersion: "37.1",
                packageSha256: DEPLOYMENT_DOCUMENT.package.sha256,
                deploymentScript: DEPLOYMENT_DOCUMENT.package.deploymentScript,
                certificateThumbprint: CERTIFICATE_TAGS["certificate-thumbprint"],
                subscriptionId: DEPLOYMENT_DOCUMENT.subscriptionId,
                location: DEPLOYMENT_DOCUMENT.location,
                resourceGroup: DEPLOYMENT_DOCUMENT.resourceGroup,
                scaleSetName: DEPLOYMENT_DOCUMENT.scaleSetName,
                parameters: DEPLOYMENT_DOCUMENT.parameters,
            },
            secret("0f3a…the secrets' digest"),
        ],
    });

/** The same deployment with the source lists given as lists (JSON-encoded, as the program does). */
export const withSources = (sources: { rdp?: readonly string[]; pexip?: readonly string[] }, overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    pexipDeployment({
        ...(sources.rdp === undefined ? {} : { VDX_RDP_SOURCES: JSON.stringify(sources.rdp) }),
        ...(sources.pexip === undefined ? {} : { VDX_PEXIP_SOURCES: JSON.stringify(sources.pexip) }),
        ...overrides,
    });

/**
 * The scaling step (components/pexipDeployment.ts, when Pulumi owns capacity): the driver's
 * `scale` on create and update, and only the scaling document and the instance count.
 */
export const scalingCommand = (): PolicyEngineResource =>
    resource(COMMAND, "vdxweu-deployment-scale", {
        interpreter: INTERPRETER,
        create: "scale",
        update: "scale",
        environment: {
            VDX_DEPLOYMENT: JSON.stringify({
                subscriptionId: DEPLOYMENT_DOCUMENT.subscriptionId,
                resourceGroup: DEPLOYMENT_DOCUMENT.resourceGroup,
                scaleSetName: DEPLOYMENT_DOCUMENT.scaleSetName,
                deployment: "vdxweu-deployment-deploy-id",
            }),
            VDX_INSTANCE_COUNT: "3",
        },
    });

export const keyVault = (properties: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:keyvault:Vault", "vdxweu-certificate-kv", {
        vaultName: "vdxweu-kv",
        resourceGroupName: STATIC_GROUP,
        location: LOCATION,
        properties: {
            tenantId: "00000000-0000-0000-0000-000000000001",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            ...properties,
        },
        tags: ENV,
    });

/** The PFX as a Key Vault secret with the certificate's facts as tags (components/certificateBinding.ts). */
export const certificateSecret = (tags: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:keyvault:Secret", "vdxweu-certificate-tls", {
        resourceGroupName: STATIC_GROUP,
        vaultName: "vdxweu-kv",
        secretName: "teams-connector-tls",
        properties: { value: secret("MIIKpfx-base64"), contentType: "application/x-pkcs12" },
        tags: { ...ENV, ...CERTIFICATE_TAGS, ...tags },
    });

/** A secret that is not a certificate (the admin password the program keeps in the vault). */
export const passwordSecret = (): PolicyEngineResource =>
    resource("azure-native:keyvault:Secret", "vdxweu-windows-admin-password", {
        resourceGroupName: STATIC_GROUP,
        vaultName: "vdxweu-kv",
        secretName: "windows-admin-password",
        properties: { value: secret("Correct-Horse-9") },
        tags: ENV,
    });

export const publicIp = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:network:PublicIPAddress", "vdxweu-pip", {
        publicIpAddressName: "vdx-TeamsConn-weu-PIP",
        resourceGroupName: STATIC_GROUP,
        location: LOCATION,
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
        zones: ["1", "2", "3"],
        dnsSettings: { domainNameLabel: "vdx-teamsconn-weu" },
        tags: ENV,
        ...overrides,
    });

export const eventHubNamespace = (overrides: Record<string, unknown> = {}): PolicyEngineResource =>
    resource("azure-native:eventhub:Namespace", "vdxweu-eventhub-ns", {
        namespaceName: "vdx-TeamsConn-weu-EHN",
        resourceGroupName: STATIC_GROUP,
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
        resource("vdx:teams:PexipDeployment", "vdxweu-deployment", {}),
        resource("azure-native:resources:ResourceGroup", "vdxweu-static-rg", { resourceGroupName: STATIC_GROUP, location: LOCATION, tags: ENV }),
        publicIp(),
        keyVault(),
        certificateSecret(),
        passwordSecret(),
        eventHubNamespace(),
        resource("azure-native:eventhub:EventHub", "vdxweu-eventhub-hub", { namespaceName: "vdx-TeamsConn-weu-EHN", resourceGroupName: STATIC_GROUP, partitionCount: 1 }),
        bot(),
        resource("azure-native:botservice:Channel", "vdx-teams-channel", { location: "global", channelName: "MsTeamsChannel", tags: ENV }),
        pexipDeployment(),
        scalingCommand(),
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

/** Why a policy declared itself not applicable, by resource name, for the resources given. */
export async function notApplicable(resources: PolicyEngineResource[], policy: string, config: PolicyPackConfig = testConfig()): Promise<Record<string, string | undefined>> {
    const analysis = await analyzePolicies(POLICIES, resources, config);
    const byUrn = new Map(resources.map((entry) => [entry.urn, entry.name]));
    const reasons: Record<string, string | undefined> = {};
    for (const entry of analysis.notApplicable) {
        if (entry.policy === policy && entry.urn !== undefined) reasons[byUrn.get(entry.urn) ?? entry.urn] = entry.reason;
    }
    return reasons;
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
