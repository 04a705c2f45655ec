/**
 * Tenant-wide admin consent by link, for when the deployer may not grant Graph application
 * permissions itself (`consent: url`): the Teams tenant's administrator opens the link,
 * signs in and accepts the permissions in `lib/graphPermissions.ts` for the whole tenant.
 */

/**
 * The Microsoft identity platform's admin-consent URL for an application in a tenant:
 * `https://login.microsoftonline.com/<tenant>/adminconsent?client_id=<id>`. No redirect URI
 * is passed, so Entra ID shows its own result page after consent.
 */
export function adminConsentUrl(teamsTenantId: string, clientId: string): string {
    if (teamsTenantId.trim() === "") throw new Error("adminConsentUrl needs the Teams tenant ID");
    if (clientId.trim() === "") throw new Error("adminConsentUrl needs the application (client) ID");
    return `https://login.microsoftonline.com/${encodeURIComponent(teamsTenantId)}/adminconsent?client_id=${encodeURIComponent(clientId)}`;
}
