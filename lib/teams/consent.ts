/**
 * Tenant-wide admin consent by link, for when the deployer may not grant Graph application
 * permissions itself (`consent: url`): the Teams tenant's administrator opens the link,
 * signs in and accepts the permissions in `lib/teams/graphPermissions.ts` for the whole tenant.
 *
 * Microsoft's admin consent endpoint sends the administrator back to `redirect_uri`, which
 * must exactly match a redirect URI registered on the application; without one, Entra ID
 * refuses the request ("no reply address is registered for the application").
 * Sources: https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent and
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * (the `/{tenant}/adminconsent?client_id=…&redirect_uri=…` form, `state` optional).
 */

/**
 * The Microsoft identity platform's admin-consent URL for an application in a tenant:
 * `https://login.microsoftonline.com/<tenant>/adminconsent?client_id=<id>&redirect_uri=<uri>`,
 * every value URL-encoded. `redirectUri` must be one of the application's registered web
 * redirect URIs (TeamsAppConsent registers it), an absolute `https` URL.
 */
export function adminConsentUrl(teamsTenantId: string, clientId: string, redirectUri: string): string {
    if (teamsTenantId.trim() === "") throw new Error("adminConsentUrl needs the Teams tenant ID");
    if (clientId.trim() === "") throw new Error("adminConsentUrl needs the application (client) ID");
    if (!isHttpsUrl(redirectUri)) {
        // Entra ID registers only https reply URLs outside localhost, so nothing else can match
        // (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url).
        throw new Error(`adminConsentUrl needs the registered redirect URI as an absolute https URL, not ${JSON.stringify(redirectUri)}`);
    }
    return (
        `https://login.microsoftonline.com/${encodeURIComponent(teamsTenantId)}/adminconsent` +
        `?client_id=${encodeURIComponent(clientId)}&redirect_uri=${encodeURIComponent(redirectUri)}`
    );
}

function isHttpsUrl(value: string): boolean {
    try {
        return new URL(value).protocol === "https:";
    } catch {
        return false;
    }
}
