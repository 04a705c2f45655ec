import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { adminConsentUrl } from "../lib/teams/consent";
import { GRAPH_APPLICATION_PERMISSIONS, MICROSOFT_GRAPH_APP_ID } from "../lib/teams/graphPermissions";
import { ConsentMode } from "../lib/config/settings";

export interface TeamsAppConsentArgs {
    /** Display name of the connector's Entra application. */
    readonly displayName: string;
    /** `grant`: consent in code (needs a privileged deployer); `url`: output the admin-consent link. */
    readonly consent: ConsentMode;
    /** The Teams tenant whose administrator consents. */
    readonly teamsTenantId: string;
    /**
     * Where Entra ID sends the administrator after admin consent: registered as the
     * application's web redirect URI and passed as `redirect_uri` in the admin-consent link,
     * which Entra ID refuses unless the two match exactly. An absolute https URL.
     */
    readonly consentRedirectUri: string;
}

/**
 * The Entra application the connector joins Teams meetings with: its service principal,
 * the Microsoft Graph application permissions it needs, a client secret, and admin consent
 * either granted here or handed to the tenant administrator as a link.
 */
export class TeamsAppConsent extends pulumi.ComponentResource {
    /** The application's client ID (the CVI app ID Teams and the bot refer to). */
    readonly applicationId: pulumi.Output<string>;
    /** The client secret (a secret). */
    readonly appSecret: pulumi.Output<string>;
    /** The admin-consent link, when consent is left to the tenant administrator. */
    readonly adminConsentUrl: pulumi.Output<string> | undefined;
    /** Number of Graph permissions granted in code (0 in `url` mode). */
    readonly grantedPermissions: number;

    constructor(name: string, args: TeamsAppConsentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:TeamsAppConsent", name, {}, opts);

        // Looked up, not managed: Graph's service principal belongs to Microsoft.
        const graph = azuread.getServicePrincipalOutput({ clientId: MICROSOFT_GRAPH_APP_ID }, { parent: this });
        const roleId = (permission: string) =>
            graph.appRoleIds.apply((ids) => {
                const id = ids[permission];
                if (id === undefined) throw new Error(`Microsoft Graph has no application permission ${permission}`);
                return id;
            });

        const app = new azuread.Application(
            `${name}-app`,
            {
                displayName: args.displayName,
                // The Teams tenant may differ from the subscription's tenant.
                signInAudience: "AzureADMultipleOrgs",
                // Registered in both consent modes: the admin-consent endpoint fails with "no reply
                // address" without it, and an administrator may still consent by link after a grant.
                // Redirect URIs belong on the application, not the service principal
                // (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url).
                web: { redirectUris: [args.consentRedirectUri] },
                requiredResourceAccesses: [
                    {
                        resourceAppId: MICROSOFT_GRAPH_APP_ID,
                        resourceAccesses: GRAPH_APPLICATION_PERMISSIONS.map((permission) => ({ id: roleId(permission), type: "Role" })),
                    },
                ],
            },
            { parent: this },
        );
        const principal = new azuread.ServicePrincipal(`${name}-sp`, { clientId: app.clientId }, { parent: this });
        // Valid for Microsoft Graph's default of two years; renewed by replacing this resource.
        const password = new azuread.ApplicationPassword(
            `${name}-secret`,
            { applicationId: app.id, displayName: "pexip-teams-connector" },
            { parent: this },
        );

        if (args.consent === "grant") {
            // Consent is granted in the tenant the deployer signed in to; in any other tenant
            // than the Teams tenant it would silently grant nothing Teams can use.
            const principalInTeamsTenant = pulumi
                .all([azuread.getClientConfigOutput({ parent: this }).tenantId, principal.objectId])
                .apply(([tenantId, objectId]) => {
                    if (tenantId.toLowerCase() !== args.teamsTenantId.toLowerCase()) {
                        throw new Error(
                            `consent "grant" needs a deployer signed in to the Teams tenant ${args.teamsTenantId}, not ${tenantId}; ` +
                                `sign in to the Teams tenant or use consent "url"`,
                        );
                    }
                    return objectId;
                });
            for (const permission of GRAPH_APPLICATION_PERMISSIONS) {
                new azuread.AppRoleAssignment(
                    `${name}-grant-${permission.toLowerCase().replace(/\./g, "-")}`,
                    { appRoleId: roleId(permission), principalObjectId: principalInTeamsTenant, resourceObjectId: graph.objectId },
                    { parent: this },
                );
            }
        }

        this.applicationId = app.clientId;
        this.appSecret = pulumi.secret(password.value);
        this.adminConsentUrl =
            args.consent === "url" ? app.clientId.apply((clientId) => adminConsentUrl(args.teamsTenantId, clientId, args.consentRedirectUri)) : undefined;
        this.grantedPermissions = args.consent === "grant" ? GRAPH_APPLICATION_PERMISSIONS.length : 0;
        this.registerOutputs({
            applicationId: this.applicationId,
            appSecret: this.appSecret,
            adminConsentUrl: this.adminConsentUrl,
            grantedPermissions: this.grantedPermissions,
        });
    }
}
