import * as assert from "node:assert/strict";
import { isSecretValue, stableGuid } from "../../cli/plan/mockRuntime";
import { GRAPH_APPLICATION_PERMISSIONS } from "../../lib/teams/graphPermissions";
import { IDENTITY_STACK_OUTPUTS, ofType, runStack, single, unwrapSecrets } from "../support/stacks";

const TEAMS_TENANT = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b";
const IDENTITY_STACK = "organization/vdx-teams-connector/prod";
/** The dev stack's connector hostname, where the settings' defaults for the Teams endpoints point. */
const DEV_FQDN = "teamsconn-dev.sundhed.example";

describe("Teams application, consent and bot", () => {
    it("grants admin consent in code with one app role assignment per Graph permission", async () => {
        const run = await runStack("dev", { consent: "grant" });
        const principal = single(run, "azuread:index/servicePrincipal:ServicePrincipal");
        const assignments = ofType(run, "azuread:index/appRoleAssignment:AppRoleAssignment");
        assert.equal(assignments.length, GRAPH_APPLICATION_PERMISSIONS.length);
        assert.deepEqual(
            assignments.map((assignment) => assignment.inputs.appRoleId).sort(),
            GRAPH_APPLICATION_PERMISSIONS.map((permission) => stableGuid(`graph/${permission}`)).sort(),
        );
        for (const assignment of assignments) {
            assert.equal(assignment.inputs.resourceObjectId, stableGuid("graph/sp"), "assigned on Microsoft Graph's service principal");
            assert.equal(assignment.inputs.principalObjectId, stableGuid(`${principal.name}/sp`));
        }
        assert.equal(run.outputs.adminConsentUrl, undefined);
        assert.equal(run.outputs.consentGrantedPermissions, GRAPH_APPLICATION_PERMISSIONS.length);
    });

    it("refuses to grant consent from another tenant than the Teams tenant", async () => {
        await assert.rejects(runStack("dev", { consent: "grant" }, { entraTenantId: "99999999-9999-4999-8999-999999999999" }), (error: Error) => {
            assert.match(error.message, /consent "grant" needs a deployer signed in to the Teams tenant 3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b, not 99999999/);
            return true;
        });
    });

    it("grants nothing in url mode and outputs the admin-consent link for the Teams tenant, with its redirect URI", async () => {
        const run = await runStack("dev");
        assert.equal(ofType(run, "azuread:index/appRoleAssignment:AppRoleAssignment").length, 0);
        const app = single(run, "azuread:index/application:Application");
        const clientId = stableGuid(`${app.name}/client`);
        assert.equal(
            run.outputs.adminConsentUrl,
            `https://login.microsoftonline.com/${TEAMS_TENANT}/adminconsent?client_id=${clientId}` +
                `&redirect_uri=${encodeURIComponent(`https://${DEV_FQDN}/adminconsent`)}`,
        );
        assert.equal(run.outputs.teamsApplicationId, clientId);
    });

    it("registers the consent redirect URI as the application's reply URL, the one the link sends", async () => {
        // Without a registered reply URL, Microsoft's admin consent endpoint fails with "no reply address".
        const run = await runStack("dev");
        const app = single(run, "azuread:index/application:Application").inputs as any;
        assert.deepEqual(app.web, { redirectUris: [`https://${DEV_FQDN}/adminconsent`] });
        const sent = new URL(run.outputs.adminConsentUrl as string).searchParams.get("redirect_uri");
        assert.ok(app.web.redirectUris.includes(sent), `redirect_uri ${sent} is not registered`);
    });

    it("uses consentRedirectUri from the stack for both the reply URL and the link", async () => {
        const redirect = "https://consent.sundhed.example/teams/adminconsent";
        const run = await runStack("dev", { consentRedirectUri: redirect });
        assert.deepEqual((single(run, "azuread:index/application:Application").inputs as any).web.redirectUris, [redirect]);
        assert.equal(new URL(run.outputs.adminConsentUrl as string).searchParams.get("redirect_uri"), redirect);
    });

    it("registers the reply URL in grant mode too, so that the administrator can still consent by link", async () => {
        const run = await runStack("dev", { consent: "grant" });
        assert.deepEqual((single(run, "azuread:index/application:Application").inputs as any).web.redirectUris, [`https://${DEV_FQDN}/adminconsent`]);
    });

    it("asks Graph for application permissions (roles), the one list in lib/teams/graphPermissions", async () => {
        const run = await runStack("dev");
        const app = single(run, "azuread:index/application:Application").inputs as any;
        assert.equal(app.displayName, "vdxdev Pexip Teams Connector");
        assert.deepEqual(app.requiredResourceAccesses, [
            {
                resourceAppId: "00000003-0000-0000-c000-000000000000",
                resourceAccesses: GRAPH_APPLICATION_PERMISSIONS.map((permission) => ({ id: stableGuid(`graph/${permission}`), type: "Role" })),
            },
        ]);
    });

    it("registers one single-tenant Azure Bot with the Teams channel in its own resource group", async () => {
        const run = await runStack("dev");
        const bot = single(run, "azure-native:botservice:Bot").inputs as any;
        assert.equal(bot.location, "global");
        assert.equal(bot.kind, "azurebot");
        assert.equal(bot.resourceGroupName, "vdxdev-TeamsBotChan-RG");
        assert.equal(bot.properties.msaAppType, "SingleTenant");
        assert.equal(bot.properties.msaAppId, stableGuid(`${single(run, "azuread:index/application:Application").name}/client`));
        assert.equal(bot.properties.msaAppTenantId, "00000000-0000-4000-8000-000000000002");
        const channel = single(run, "azure-native:botservice:Channel").inputs as any;
        assert.equal(channel.channelName, "MsTeamsChannel");
        assert.equal(channel.properties.properties.isEnabled, true);
    });

    it("gives the bot its messaging endpoint and the Teams channel its own calling webhook", async () => {
        const run = await runStack("dev");
        const bot = single(run, "azure-native:botservice:Bot").inputs as any;
        const channel = (single(run, "azure-native:botservice:Channel").inputs as any).properties.properties;
        assert.equal(bot.properties.endpoint, `https://${DEV_FQDN}/api/messages`);
        assert.equal(channel.enableCalling, true);
        assert.equal(channel.callingWebhook, `https://${DEV_FQDN}/api/calling`);
    });

    it("takes botEndpoint and botCallingWebhook from the stack, each to its own place", async () => {
        const run = await runStack("dev", {
            botEndpoint: "https://bot.sundhed.example/messages",
            botCallingWebhook: "https://bot.sundhed.example/calls",
        });
        assert.equal((single(run, "azure-native:botservice:Bot").inputs as any).properties.endpoint, "https://bot.sundhed.example/messages");
        assert.equal((single(run, "azure-native:botservice:Channel").inputs as any).properties.properties.callingWebhook, "https://bot.sundhed.example/calls");
    });

    it("keeps the app credential a secret, in the region's Key Vault", async () => {
        const run = await runStack("dev");
        assert.ok(isSecretValue(run.outputs.teamsAppSecret));
        const stored = ofType(run, "azure-native:keyvault:Secret").find((secret) => secret.name === "vdxdevweu-teams-app-secret")!;
        assert.ok(isSecretValue(stored.inputs.properties) || isSecretValue((stored.inputs.properties as any).value));
        assert.equal(unwrapSecrets(stored.inputs).properties.value, "mock-app-client-secret");
    });

    it("creates no application, consent or bot in a secondary region and reuses the owner's", async () => {
        const run = await runStack("prod", { identityStack: IDENTITY_STACK, regionCode: "sdc", "azure-native:location": "swedencentral" });
        for (const type of [
            "azuread:index/application:Application",
            "azuread:index/servicePrincipal:ServicePrincipal",
            "azuread:index/applicationPassword:ApplicationPassword",
            "azuread:index/appRoleAssignment:AppRoleAssignment",
            "azure-native:botservice:Bot",
            "azure-native:botservice:Channel",
        ]) {
            assert.equal(ofType(run, type).length, 0, `a secondary region registered ${type}`);
        }
        assert.equal(run.outputs.identityStack, IDENTITY_STACK);
        assert.equal(run.outputs.adminConsentUrl, undefined, "consent belongs to the owning stack");
        assert.equal(run.outputs.teamsApplicationId, IDENTITY_STACK_OUTPUTS.teamsApplicationId);
        const stored = ofType(run, "azure-native:keyvault:Secret").find((secret) => secret.name === "vdxtcsdc-teams-app-secret")!;
        assert.equal(unwrapSecrets(stored.inputs).properties.value, IDENTITY_STACK_OUTPUTS.teamsAppSecret);
        assert.ok(!JSON.stringify(run.outputs).includes(IDENTITY_STACK_OUTPUTS.teamsAppSecret), "the owner's secret is not re-exported");
    });

    it("writes the lobby-bypass PowerShell from configuration and outputs", async () => {
        const run = await runStack("dev", { teams: { tenantKey: "teams@vdx.example", prefix: "77", grantTo: ["anna@region.example"] } });
        const script = run.outputs.lobbyBypassScript as string;
        const app = single(run, "azuread:index/application:Application");
        assert.match(script, /New-CsVideoInteropServiceProvider -Name 'Pexip' -TenantKey 'teams@vdx\.example'/);
        assert.ok(script.includes("-InstructionUri 'https://vdx-node1.vdx.example/teams/?conf={ConfId}&ivr=teams&d=vdx.example&prefix=77&w'"));
        assert.ok(script.includes(`-AadApplicationIds '${stableGuid(`${app.name}/client`)}'`));
        assert.match(script, /-AllowAppGuestJoinsAsAuthenticated \$true/);
        assert.match(script, /Grant-CsTeamsVideoInteropServicePolicy -PolicyName 'PexipServiceProviderEnabled' -Identity 'anna@region\.example'/);
    });
});
