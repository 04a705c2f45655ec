/**
 * Azure names, following the convention of Pexip's own installer so that an operator who
 * knows Pexip's documentation finds every resource where it expects it. Names depend only on
 * `baseName` and `regionCode`: nothing about size or version may rename a resource.
 */
export interface ConnectorNames {
    /** `<baseName><regionCode>`: also the scale set's name. */
    readonly stem: string;
    readonly staticResourceGroup: string;
    readonly dynamicResourceGroup: string;
    readonly publicIp: string;
    readonly keyVault: string;
    readonly certificateIdentity: string;
    readonly virtualNetwork: string;
    readonly subnet: string;
    readonly networkSecurityGroup: string;
    readonly loadBalancer: string;
    readonly scaleSet: string;
    /** Windows computer names allow 15 characters; scale sets append 6, so 9 remain. */
    readonly computerNamePrefix: string;
    readonly eventHubNamespace: string;
    readonly eventHub: string;
    /** Fixed by Pexip Infinity, which looks the rule up by this name. */
    readonly eventHubAccessPolicy: string;
}

export function connectorNames(baseName: string, regionCode: string): ConnectorNames {
    const stem = `${baseName}${regionCode}`;
    const prefix = `${baseName}-TeamsConn-${regionCode}`;
    return {
        stem,
        staticResourceGroup: `${prefix}-static-RG`,
        dynamicResourceGroup: `${prefix}-RG`,
        publicIp: `${prefix}-PIP`,
        keyVault: `${stem}-kv`,
        certificateIdentity: `${prefix}-CertReader`,
        virtualNetwork: `${prefix}-VNET`,
        subnet: "teams-connector",
        networkSecurityGroup: `${prefix}-NSG`,
        loadBalancer: `${prefix}-LB`,
        scaleSet: stem,
        computerNamePrefix: stem.slice(0, 9),
        eventHubNamespace: `${prefix}-EHN`,
        eventHub: `${stem}-events`,
        eventHubAccessPolicy: "standard_access_policy",
    };
}

/** The Azure Bot's resource group: one per tenant, shared by every region. */
export function botResourceGroupName(baseName: string): string {
    return `${baseName}-TeamsBotChan-RG`;
}
