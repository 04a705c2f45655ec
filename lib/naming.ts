/**
 * Azure names, following the convention of Pexip's own installer so that an operator who
 * knows Pexip's documentation finds every resource where it expects it. Names depend only on
 * `baseName` and `regionCode`: nothing about size or version may rename a resource.
 */
export interface ConnectorNames {
    /** `<baseName><regionCode>`. */
    readonly stem: string;
    readonly staticResourceGroup: string;
    readonly dynamicResourceGroup: string;
    readonly publicIp: string;
    readonly keyVault: string;
    /** Pexip's script names the scale set `VmssName`, which the stack passes as the stem. */
    readonly scaleSet: string;
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
        scaleSet: stem,
        eventHubNamespace: `${prefix}-EHN`,
        eventHub: `${stem}-events`,
        eventHubAccessPolicy: "standard_access_policy",
    };
}

/** The Azure Bot's resource group: one per tenant, shared by every region. */
export function botResourceGroupName(baseName: string): string {
    return `${baseName}-TeamsBotChan-RG`;
}
