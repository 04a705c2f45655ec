import * as assert from "node:assert/strict";
import { adminConsentUrl } from "../../../lib/teams/consent";
import { CONNECTOR_GRAPH_PERMISSIONS, GRAPH_APPLICATION_PERMISSIONS, MICROSOFT_GRAPH_APP_ID } from "../../../lib/teams/graphPermissions";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("adminConsentUrl", () => {
    const REDIRECT = "https://teamsconn.example.dk/adminconsent";
    const ENCODED_REDIRECT = "https%3A%2F%2Fteamsconn.example.dk%2Fadminconsent";

    it("points the tenant administrator at the tenant's admin-consent page, with the registered redirect URI", () => {
        assert.equal(
            adminConsentUrl("11111111-2222-3333-4444-555555555555", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", REDIRECT),
            "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/adminconsent" +
                `?client_id=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee&redirect_uri=${ENCODED_REDIRECT}`,
        );
    });

    it("carries redirect_uri so that Entra ID has a reply address to send the administrator back to", () => {
        const url = new URL(adminConsentUrl("tenant", "app", REDIRECT));
        assert.equal(url.origin, "https://login.microsoftonline.com");
        assert.equal(url.pathname, "/tenant/adminconsent");
        assert.deepEqual([...url.searchParams.keys()], ["client_id", "redirect_uri"]);
        assert.equal(url.searchParams.get("redirect_uri"), REDIRECT, "exactly the registered URI, once decoded");
    });

    it("URL-encodes every value", () => {
        const url = adminConsentUrl("a b/c", "x&y=z", "https://tc.example/consent?x=1&y=2");
        assert.equal(
            url,
            "https://login.microsoftonline.com/a%20b%2Fc/adminconsent?client_id=x%26y%3Dz&redirect_uri=https%3A%2F%2Ftc.example%2Fconsent%3Fx%3D1%26y%3D2",
        );
        assert.equal(new URL(url).searchParams.get("client_id"), "x&y=z");
        assert.equal(new URL(url).searchParams.get("redirect_uri"), "https://tc.example/consent?x=1&y=2");
    });

    it("accepts a tenant's domain name as well as its ID", () => {
        assert.equal(
            adminConsentUrl("contoso.onmicrosoft.com", "app", REDIRECT),
            `https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=app&redirect_uri=${ENCODED_REDIRECT}`,
        );
    });

    it("refuses empty values rather than build a link that fails at sign-in", () => {
        assert.throws(() => adminConsentUrl("", "app", REDIRECT), /tenant/);
        assert.throws(() => adminConsentUrl("tenant", " ", REDIRECT), /client/);
        assert.throws(() => adminConsentUrl("tenant", "app", ""), /redirect URI/);
    });

    it("refuses a redirect URI Entra ID would not register: not an absolute https URL", () => {
        for (const uri of ["http://teamsconn.example.dk/adminconsent", "/adminconsent", "teamsconn.example.dk/adminconsent"]) {
            assert.throws(() => adminConsentUrl("tenant", "app", uri), /redirect URI as an absolute https URL/, uri);
        }
    });
});

describe("Graph application permissions", () => {
    it("names Microsoft Graph by its well-known application ID", () => {
        assert.equal(MICROSOFT_GRAPH_APP_ID, "00000003-0000-0000-c000-000000000000");
    });

    it("is the media-bot set, once each", () => {
        assert.deepEqual([...GRAPH_APPLICATION_PERMISSIONS].sort(), ["Calls.AccessMedia.All", "Calls.JoinGroupCall.All", "Calls.JoinGroupCallAsGuest.All"]);
        assert.equal(new Set(GRAPH_APPLICATION_PERMISSIONS).size, GRAPH_APPLICATION_PERMISSIONS.length);
    });

    it("derives the names from the one detailed list", () => {
        assert.deepEqual(
            GRAPH_APPLICATION_PERMISSIONS,
            CONNECTOR_GRAPH_PERMISSIONS.map((permission) => permission.name),
        );
        for (const permission of CONNECTOR_GRAPH_PERMISSIONS) {
            assert.match(permission.id, GUID);
            assert.ok(permission.why.length > 0);
        }
        assert.equal(new Set(CONNECTOR_GRAPH_PERMISSIONS.map((permission) => permission.id)).size, CONNECTOR_GRAPH_PERMISSIONS.length);
    });

    it("cannot be changed at run time", () => {
        assert.ok(Object.isFrozen(CONNECTOR_GRAPH_PERMISSIONS));
        assert.ok(Object.isFrozen(CONNECTOR_GRAPH_PERMISSIONS[0]));
        assert.ok(Object.isFrozen(GRAPH_APPLICATION_PERMISSIONS));
    });
});
