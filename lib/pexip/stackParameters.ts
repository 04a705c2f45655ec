/**
 * The vocabulary the settings and Pexip's deployment parameters share: which parameters the stack
 * passes to Pexip's script (by the key `pexipDeployment.parameterNames` uses) and what value an
 * extra parameter may take. A leaf, so that lib/config/settings.ts and lib/pexip/deploymentParameters.ts can
 * both import it without importing each other.
 */

/** A parameter the stack sets, under the name a version's script may call differently. */
interface StackParameter {
    /** The name in Pexip's older public commands, or our best reading where marked. */
    readonly name: string;
    /** Whether that name is in Pexip's public commands; unconfirmed ones are settings to check. */
    readonly confirmed: boolean;
    /** What the stack passes, for messages and docs. */
    readonly what: string;
}

/** The parameters the stack passes, by the key `pexipDeployment.parameterNames` uses. */
export const STACK_PARAMETERS = {
    subscriptionId: { name: "SubscriptionId", confirmed: true, what: "the subscription" },
    resourceGroupName: { name: "ResourceGroupName", confirmed: true, what: "the dynamic resource group" },
    vmssName: { name: "VmssName", confirmed: true, what: "the scale set's name (baseName + regionCode)" },
    vmAdminCredential: { name: "VMAdminCredential", confirmed: true, what: "the Windows administrator credential" },
    pfxPath: { name: "PfxPath", confirmed: true, what: "the certificate's PFX file" },
    pfxPassword: { name: "PfxPassword", confirmed: false, what: "the PFX file's password" },
    teamsConnectorFqdn: { name: "TeamsConnectorFqdn", confirmed: true, what: "the connector's hostname (fqdn)" },
    pexipFqdns: { name: "PexipFqdns", confirmed: true, what: "the VDX nodes' hostnames (vdx.nodeFqdns)" },
    instanceCount: { name: "instanceCount", confirmed: true, what: "the instance count from the sizing" },
    appCredential: { name: "AppCredential", confirmed: false, what: "the Teams application's credential (older versions: TrustedAppCredential)" },
    staticResourcesResourceGroupName: { name: "StaticResourcesResourceGroupName", confirmed: true, what: "the static resource group" },
    publicIPAddressResourceName: { name: "PublicIPAddressResourceName", confirmed: true, what: "the static public IP's name" },
    rdpSourceAddressPrefixes: { name: "RdpSourceAddressPrefixes", confirmed: true, what: "the RDP source prefixes (managementAddresses)" },
    pexipSourceAddressPrefixes: {
        name: "PexipSourceAddressPrefixes",
        confirmed: true,
        what: "the HTTPS source prefixes (vdx.nodeAddresses and managementAddresses)",
    },
    incidentReporting: { name: "IncidentReporting", confirmed: true, what: "pexipDeployment.incidentReporting" },
    encryption: { name: "Encryption", confirmed: true, what: "pexipDeployment.diskEncryption" },
    vmSize: { name: "VmSize", confirmed: false, what: "vmSize" },
} as const satisfies Record<string, StackParameter>;

export type StackParameterKey = keyof typeof STACK_PARAMETERS;
export const STACK_PARAMETER_KEYS = Object.keys(STACK_PARAMETERS) as StackParameterKey[];

/** A value the user may give an extra parameter. */
export type PlainValue = string | number | boolean | readonly string[];
