/**
 * The Microsoft Graph application permissions (app roles) the connector's Entra ID
 * application (the "CVI app") asks for. This is the one list: the application's
 * `requiredResourceAccess`, the app role assignments that grant admin consent in code, and
 * the plan all read it from here.
 *
 * Source: the typical set for a Teams media bot that joins meetings (Microsoft's calling-bot
 * registration guidance), as recorded in docs/teams-connector.md. Pexip's own exact list for
 * the current single-app connector is UNCONFIRMED: it was searched for in Pexip's
 * documentation and not found. Check it against the Pexip package for the VDX version and
 * change it here only.
 *
 * The role IDs are Microsoft Graph's published app role IDs (Microsoft Graph permissions
 * reference); they are the same in every tenant.
 */

/** Microsoft Graph's application (client) ID, the same in every tenant. */
export const MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";

/** One Microsoft Graph application permission. */
export interface GraphAppPermission {
    /** The permission's value, as the Entra portal and `appRoleIds` maps name it. */
    readonly name: string;
    /** Microsoft Graph's app role ID for it (a GUID). */
    readonly id: string;
    /** Why the connector needs it. */
    readonly why: string;
}

/** The connector's Microsoft Graph application permissions. Unconfirmed against Pexip's list. */
export const CONNECTOR_GRAPH_PERMISSIONS: readonly GraphAppPermission[] = Object.freeze([
    Object.freeze({
        name: "Calls.AccessMedia.All",
        id: "a7a681dc-756e-4909-b988-f160edc6655f",
        why: "carry the call's audio and video between the video system and the meeting",
    }),
    Object.freeze({
        name: "Calls.JoinGroupCall.All",
        id: "f6b49018-60ab-4f81-83bd-22caeabfed2d",
        why: "join meetings of the consenting tenant as the application",
    }),
    Object.freeze({
        name: "Calls.JoinGroupCallAsGuest.All",
        id: "fd7ccf6b-3d28-418b-9701-cd10f5cd2fd4",
        why: "join meetings as a guest, the way a video system that is not a tenant user appears",
    }),
]);

/**
 * The permission names alone, in list order: what the application requests and what is
 * granted. Role IDs are best looked up from Graph's service principal (`appRoleIds`) by name.
 */
export const GRAPH_APPLICATION_PERMISSIONS: readonly string[] = Object.freeze(CONNECTOR_GRAPH_PERMISSIONS.map((permission) => permission.name));
