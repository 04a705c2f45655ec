import { Secret } from "../../lib/config/secret";
import { DEFAULT_COST, Settings } from "../../lib/config/settings";

/** Secret values the tests plant, to prove they never reach generated text. */
export const ADMIN_PASSWORD = "Adm1n-Pa55word-Never-Shown";
export const PFX_PASSWORD = "Pfx-Pa55word-Never-Shown";

/**
 * A complete, valid `Settings` for unit tests, as `parseSettings` would return it; override
 * any field. It carries an admin password and a PFX password so leaks can be checked.
 */
export function testSettings(overrides: Partial<Settings> = {}): Settings {
    return {
        project: "vdx-teams-connector",
        stack: "prod",
        environment: "prod",
        location: "westeurope",
        baseName: "medcom",
        regionCode: "weu",
        fqdn: "teamsconn.example.dk",
        sizing: { concurrentPorts: 48, portsPerInstance: 16, spareInstances: 0 },
        vmSize: undefined,
        zones: ["1", "2", "3"],
        domainNameLabel: "medcom-teamsconn-weu",
        pexipVersion: "37.1",
        connectorPackage: {
            source: { kind: "url", url: "https://dl.example.com/pexip_teams_connector_37_1.zip" },
            sha256: "0".repeat(64),
            sha256Key: "pexip-versions.yaml:versions[0].sha256",
            deploymentScript: "create_vmss_deployment.ps1",
        },
        pexipDeployment: { incidentReporting: undefined, diskEncryption: undefined, parameters: {}, parameterNames: {} },
        vdx: { nodeAddresses: ["192.0.2.10/32", "192.0.2.11/32"], nodeFqdns: ["node1.vdx.example", "node2.vdx.example"] },
        managementAddresses: ["198.51.100.0/24"],
        infinityScaling: undefined,
        adminPassword: new Secret(ADMIN_PASSWORD),
        certificate: { kind: "pfxFile", pfxFile: "certs/teamsconn.pfx", password: new Secret(PFX_PASSWORD) },
        teamsTenantId: "11111111-2222-3333-4444-555555555555",
        identity: {
            owner: true,
            consent: "url",
            botName: "medcom-teams-bot",
            botEndpoint: "https://teamsconn.example.dk/api/messages",
            botCallingWebhook: "https://teamsconn.example.dk/api/calling",
            consentRedirectUri: "https://teamsconn.example.dk/adminconsent",
        },
        teams: {
            tenantKey: "teams@vdx.example",
            domain: "vdx.example",
            prefix: "88",
            instructionUrl: "https://node1.vdx.example/teams/?conf={ConfId}&ivr=teams&d=vdx.example&prefix=88&w",
            grantTo: "global",
        },
        maintenanceWindow: undefined,
        cost: DEFAULT_COST,
        warnings: [],
        ...overrides,
    };
}
