import * as assert from "node:assert/strict";
import { Secret } from "../../../lib/config/secret";
import { InfinityScaling, Settings } from "../../../lib/config/settings";
import {
    buildVdxRequest,
    DEFAULT_ROUTING_RULE_PRIORITY,
    EVENT_HUB_PLACEHOLDER,
    eventHubSecretCommand,
    PexipPayload,
    teamsMatchString,
} from "../../../lib/vdx/vdxRequest";
import { ADMIN_PASSWORD, PFX_PASSWORD, testSettings } from "../../support/settings";

const COMMAND = "pulumi stack output --stack prod --show-secrets eventHubConnectionString";

const SCALING: InfinityScaling = {
    minimumInstances: 1,
    timeZone: "Europe/Copenhagen",
    schedules: [
        { name: "office hours", days: ["mon", "tue", "wed", "thu", "fri"], from: "07:00", to: "17:00", instancesToAdd: 2, minutesInAdvance: 30 },
        { name: "saturday clinic", days: ["sat"], from: "09:30", to: "13:00", instancesToAdd: 1, minutesInAdvance: 20 },
    ],
};

/** Always passes the command, as the CLI does: without infinityScaling it must be left out. */
function build(settings: Settings = testSettings(), facts: { publicIp?: string; applicationId?: string } = {}) {
    return buildVdxRequest(settings, { ...facts, eventHubSecretCommand: eventHubSecretCommand(settings.stack) });
}

/** A dev stack with a self-signed certificate, as parseSettings allows it. */
function selfSignedSettings(overrides: Partial<Settings> = {}): Settings {
    return testSettings({ stack: "dev", environment: "dev", certificate: { kind: "selfSigned" }, ...overrides });
}

/** The text of a Markdown section, from its heading to the next heading of any level. */
function markdownSection(markdown: string, heading: string): string {
    const start = markdown.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `no ${heading}`);
    const body = markdown.slice(start + heading.length + 2);
    const end = body.search(/^#/m);
    return end < 0 ? body : body.slice(0, end);
}

/** No connection string, key or Event Hub endpoint in any form. */
function assertNoSecretLookingText(text: string): void {
    assert.doesNotMatch(text, /SharedAccessKey|Endpoint=sb:|servicebus\.windows\.net/i);
}

function payload(payloads: readonly PexipPayload[], type: string): PexipPayload {
    const found = payloads.find((entry) => entry.path === `/api/admin/configuration/v1/${type}/`);
    assert.ok(found, `no ${type} payload`);
    return found;
}

describe("buildVdxRequest", () => {
    describe("json", () => {
        it("names the stack, version, tenant and hostname at the top", () => {
            const { json } = build();
            assert.equal(json.stack, "prod");
            assert.equal(json.pexipVersion, "37.1");
            assert.equal(json.teamsTenantId, "11111111-2222-3333-4444-555555555555");
            assert.equal(json.fqdn, "teamsconn.example.dk");
            assert.equal(json.location, "westeurope");
        });

        it("includes the public IP and application ID only when known", () => {
            assert.equal("publicIp" in build().json, false);
            assert.equal("applicationId" in build().json, false);
            const { json } = build(testSettings(), { publicIp: "203.0.113.5", applicationId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" });
            assert.equal(json.publicIp, "203.0.113.5");
            assert.equal(json.applicationId, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        });

        it("POSTs tenant, connector and routing rule in that order, under the configuration API with a trailing slash", () => {
            const { payloads } = build().json;
            assert.deepEqual(
                payloads.map((entry) => `${entry.method} ${entry.path}`),
                [
                    "POST /api/admin/configuration/v1/azure_tenant/",
                    "POST /api/admin/configuration/v1/teams_proxy/",
                    "POST /api/admin/configuration/v1/gateway_routing_rule/",
                ],
            );
        });

        it("creates the Azure tenant with the Teams tenant ID", () => {
            const { body } = payload(build().json.payloads, "azure_tenant");
            assert.equal(body.tenant_id, "11111111-2222-3333-4444-555555555555");
            assert.equal(typeof body.name, "string");
            assert.equal(typeof body.description, "string");
        });

        it("without infinityScaling, creates the connector with notifications off, no queue and no minimum", () => {
            const { body } = payload(build().json.payloads, "teams_proxy");
            assert.deepEqual(
                { ...body, description: undefined },
                {
                    name: "teamsconn.example.dk",
                    description: undefined,
                    address: "teamsconn.example.dk",
                    port: 443,
                    azure_tenant: "{azure_tenant.uri}",
                    notifications_enabled: false,
                },
            );
        });

        it("with infinityScaling, turns notifications on with the Event Hub as a placeholder and the configured minimum", () => {
            const scaled = build(testSettings({ infinityScaling: { ...SCALING, minimumInstances: 2 } }));
            const { body } = payload(scaled.json.payloads, "teams_proxy");
            assert.equal(body.azure_tenant, "{azure_tenant.uri}");
            assert.equal(body.notifications_enabled, true);
            assert.equal(body.notifications_queue, EVENT_HUB_PLACEHOLDER);
            assert.equal(EVENT_HUB_PLACEHOLDER, "{secret:eventHubConnectionString}");
            assert.equal(body.min_number_of_instances, 2);
            assert.equal(scaled.json.placeholders[EVENT_HUB_PLACEHOLDER], "the Event Hub connection string, sent separately by a secure channel");
            assert.match(scaled.json.notes.join("\n"), /min_number_of_instances/);
        });

        it("without infinityScaling, has no Event Hub placeholder, no secret block and no minimum note", () => {
            const { json } = build();
            assert.equal("secret" in json, false);
            assert.equal(EVENT_HUB_PLACEHOLDER in json.placeholders, false);
            assert.ok(!JSON.stringify(json).includes(EVENT_HUB_PLACEHOLDER));
            assert.ok(!JSON.stringify(json).includes(COMMAND), "the command is left out with no Event Hub");
            assert.doesNotMatch(json.notes.join("\n"), /min_number_of_instances:/);
            assert.match(json.notes.join("\n"), /No Event Hub/);
        });

        it("marks a self-signed certificate, and only that", () => {
            assert.equal(build(selfSignedSettings()).json.certificateSelfSigned, true);
            assert.match(build(selfSignedSettings()).json.notes.join("\n"), /self-signed certificate.*fail TLS/);
            assert.equal("certificateSelfSigned" in build().json, false);
        });

        it("routes the prefix and a 9–13 digit conference ID to a Teams meeting through the connector", () => {
            const { body } = payload(build().json.payloads, "gateway_routing_rule");
            assert.deepEqual(
                { ...body, name: undefined, description: undefined },
                {
                    name: undefined,
                    description: undefined,
                    priority: DEFAULT_ROUTING_RULE_PRIORITY,
                    enable: true,
                    match_string: "^88(\\d{9,13})(@vdx\\.example)?$",
                    replace_string: "\\1",
                    called_device_type: "teams_conference",
                    outgoing_protocol: "teams",
                    teams_proxy: "{teams_proxy.uri}",
                    match_incoming_sip: true,
                    match_incoming_h323: true,
                    match_incoming_webrtc: true,
                    match_incoming_teams: false,
                    crypto_mode: "besteffort",
                    live_captions_enabled: "no",
                },
            );
            assert.ok(DEFAULT_ROUTING_RULE_PRIORITY >= 1 && DEFAULT_ROUTING_RULE_PRIORITY <= 200);
        });

        it("builds a match string that takes exactly the conference IDs it should", () => {
            const match = new RegExp(teamsMatchString("88", "vdx.example"));
            assert.ok(match.test("88123456789@vdx.example"));
            assert.ok(match.test("881234567890123"));
            assert.equal("881234567890@vdx.example".replace(match, "$1"), "1234567890");
            assert.ok(!match.test("8812345678@vdxXexample")); // the dot is literal
            assert.ok(!match.test("8812345678@vdx.example.evil"));
            assert.ok(!match.test("8812345678")); // 8 digits
            assert.ok(!match.test("8812345678901234")); // 14 digits
            assert.ok(!match.test("123456789@vdx.example")); // no prefix
        });

        it("escapes * and # in the prefix", () => {
            assert.equal(teamsMatchString("*9#", "vdx.example"), "^\\*9\\#(\\d{9,13})(@vdx\\.example)?$");
            assert.ok(new RegExp(teamsMatchString("*9", "vdx.example")).test("*9123456789"));
        });

        it("has no scheduled_scaling without a scaling profile", () => {
            assert.ok(build().json.payloads.every((entry) => !entry.path.includes("scheduled_scaling")));
            const empty = build(testSettings({ infinityScaling: { ...SCALING, schedules: [] } }));
            assert.ok(empty.json.payloads.every((entry) => !entry.path.includes("scheduled_scaling")));
        });

        it("adds one scheduled_scaling per schedule, after the connector", () => {
            const { payloads } = build(testSettings({ infinityScaling: SCALING })).json;
            const scaling = payloads.filter((entry) => entry.path === "/api/admin/configuration/v1/scheduled_scaling/");
            assert.equal(scaling.length, 2);
            assert.ok(payloads.indexOf(scaling[0]) > payloads.indexOf(payload(payloads, "teams_proxy")));
            assert.deepEqual(scaling[1].body, {
                policy_name: "teamsconn.example.dk saturday clinic",
                policy_type: "TeamsConnectorScaling",
                resource_identifier: "teamsconn.example.dk",
                enabled: true,
                mon: false,
                tue: false,
                wed: false,
                thu: false,
                fri: false,
                sat: true,
                sun: false,
                time_from: "09:30:00",
                time_to: "13:00:00",
                local_timezone: "Europe/Copenhagen",
                instances_to_add: 1,
                minutes_in_advance: 20,
            });
            assert.equal(scaling[0].body.mon, true);
            assert.equal(scaling[0].body.sun, false);
        });

        it("says what the party needs back", () => {
            const { needBack } = build().json;
            const text = needBack.join("\n");
            assert.match(text, /node IP addresses/);
            assert.match(text, /192\.0\.2\.10\/32/);
            assert.match(text, /hostnames/);
            assert.match(text, /dial address/);
            assert.match(text, /prefix/);
            assert.match(text, /Pexip Infinity version/);
        });

        it("puts a clear item to agree instead of a guessed rule when Teams settings are missing", () => {
            const { json, markdown } = build(testSettings({ teams: undefined }));
            assert.ok(json.payloads.every((entry) => !entry.path.includes("gateway_routing_rule")));
            assert.match(json.toAgree[0], /to be agreed with VDX/);
            assert.ok(!JSON.stringify(json.payloads).includes("{teams_proxy.uri}"));
            assert.match(markdown, /aftales med VDX/);
            assert.match(markdown, /to be agreed with VDX/);
            assert.match(json.needBack.join("\n"), /dial address .* and the dial prefix/);
        });
    });

    describe("secrets", () => {
        const variants: [string, Settings][] = [
            ["without infinityScaling", testSettings()],
            ["with infinityScaling", testSettings({ infinityScaling: SCALING })],
            ["self-signed, with infinityScaling", selfSignedSettings({ infinityScaling: SCALING })],
        ];
        for (const [name, settings] of variants) {
            it(`never carries the admin password, the PFX password or an Event Hub key (${name})`, () => {
                assert.ok(settings.adminPassword instanceof Secret);
                const { json, markdown } = build(settings, { publicIp: "203.0.113.5", applicationId: "app" });
                for (const text of [JSON.stringify(json), markdown]) {
                    assert.ok(!text.includes(ADMIN_PASSWORD), "admin password leaked");
                    assert.ok(!text.includes(PFX_PASSWORD), "PFX password leaked");
                    assert.ok(!text.includes("[secret]"), "a Secret object was serialised");
                    assertNoSecretLookingText(text);
                }
            });
        }

        it("with infinityScaling, names the command that prints the connection string", () => {
            const { json, markdown } = build(testSettings({ infinityScaling: SCALING }));
            assert.equal(eventHubSecretCommand("prod"), COMMAND);
            assert.deepEqual(json.secret, {
                placeholder: EVENT_HUB_PLACEHOLDER,
                field: "teams_proxy.notifications_queue",
                command: COMMAND,
                delivery: "secure channel agreed with the supplier; never in this request",
            });
            assert.ok(markdown.includes(COMMAND));
        });

        it("requires the command with infinityScaling, and not without", () => {
            assert.throws(() => buildVdxRequest(testSettings({ infinityScaling: SCALING }), {}), /eventHubSecretCommand is required with infinityScaling/);
            const { json, markdown } = buildVdxRequest(testSettings(), {});
            assert.equal("secret" in json, false);
            assert.ok(!markdown.includes("eventHubConnectionString"));
        });

        it("refuses a connection string passed where the command belongs, with or without infinityScaling", () => {
            const connectionString = "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=standard_access_policy;SharedAccessKey=abc";
            for (const settings of [testSettings(), testSettings({ infinityScaling: SCALING })]) {
                assert.throws(() => buildVdxRequest(settings, { eventHubSecretCommand: connectionString }), /not the connection string/);
            }
        });
    });

    describe("markdown", () => {
        const { markdown } = build(testSettings({ infinityScaling: SCALING }), { publicIp: "203.0.113.5" });

        it("has a Danish and an English section, Danish first", () => {
            for (const heading of ["## Dansk", "## English", "### Hvem og hvad", "### Who and what", "### Det skal oprettes", "### What to create"]) {
                assert.ok(markdown.includes(`\n${heading}\n`), heading);
            }
            assert.ok(markdown.indexOf("## Dansk") < markdown.indexOf("## English"));
        });

        it("states who and what", () => {
            for (const fact of ["`prod`", "`westeurope`", "`teamsconn.example.dk`", "`203.0.113.5`", "`37.1`", "`11111111-2222-3333-4444-555555555555`"]) {
                assert.ok(markdown.includes(fact), fact);
            }
            const unknown = build().markdown;
            assert.ok(unknown.includes("kendes efter udrulning"));
            assert.ok(unknown.includes("known after deployment"));
        });

        it("summarises every payload", () => {
            assert.ok(markdown.includes("**Azure tenant**"));
            assert.ok(markdown.includes("**Teams Connector**"));
            assert.ok(markdown.includes("**Call routing rule**"));
            assert.ok(markdown.includes("**Kaldsregel**"));
            assert.ok(markdown.includes("Mon, Tue, Wed, Thu, Fri 07:00:00–17:00:00 (Europe/Copenhagen)"));
            assert.ok(markdown.includes("lør 09:30:00–13:00:00"));
        });

        it("explains the secure channel and asks for what the party needs back", () => {
            assert.match(markdown, /sikker kanal/);
            assert.match(markdown, /secure channel/);
            assert.match(markdown, /### Det skal vi have tilbage/);
            assert.match(markdown, /### What we need back/);
        });

        it("reminds that the connector must run VDX's version, with 14 days' notice", () => {
            assert.match(markdown, /samme Pexip-version som VDX/);
            assert.match(markdown, /mindst 14 dage/);
            assert.match(markdown, /same Pexip version as VDX/);
            assert.match(markdown, /at least 14 days' notice/);
        });

        it("with infinityScaling, has the Event Hub section in both languages and says notifications are on", () => {
            assert.ok(markdown.includes("\n### Event Hub-forbindelsesstrengen\n"));
            assert.ok(markdown.includes("\n### The Event Hub connection string\n"));
            assert.ok(markdown.includes(EVENT_HUB_PLACEHOLDER));
            assert.match(markdownSection(markdown, "### Det skal oprettes"), /Event Hub-notifikationer slået til, mindst 1 instans/);
            assert.match(markdownSection(markdown, "### What to create"), /Event Hub notifications on, at least 1 instance/);
        });

        it("without infinityScaling, has no Event Hub section and says notifications are off", () => {
            const plain = build().markdown;
            assert.ok(!plain.includes("Event Hub-forbindelsesstrengen"));
            assert.ok(!plain.includes("Event Hub connection string"));
            assert.ok(!plain.includes(EVENT_HUB_PLACEHOLDER));
            assert.ok(!plain.includes(COMMAND));
            assert.ok(!plain.includes("min_number_of_instances"));
            const danish = markdownSection(plain, "### Det skal oprettes");
            const english = markdownSection(plain, "### What to create");
            assert.match(danish, /\*\*Teams Connector\*\*.*notifikationer slået fra: connectoren har ingen Event Hub/);
            assert.match(english, /\*\*Teams Connector\*\*.*notifications off: the connector has no Event Hub/);
            assert.doesNotMatch(danish, /slået til|mindst \d+ instans/);
            assert.doesNotMatch(english, /notifications on|at least \d+ instance/);
        });

        it("warns in both languages under who and what when the certificate is self-signed", () => {
            const selfSigned = build(selfSignedSettings()).markdown;
            assert.match(
                markdownSection(selfSigned, "### Hvem og hvad"),
                /VDX's noder stoler ikke på et selvsigneret certifikat, så opkald via denne connector fejler i TLS-forbindelsen, indtil der er installeret et certifikat fra en certifikatudsteder \(CA\)/,
            );
            assert.match(
                markdownSection(selfSigned, "### Who and what"),
                /VDX's nodes do not trust a self-signed certificate, so calls through this connector fail TLS until a CA-issued certificate is installed/,
            );
            assert.doesNotMatch(markdown, /selvsigneret|self-signed/i);
        });

        it("is the same for the same input", () => {
            assert.equal(build(testSettings({ infinityScaling: SCALING }), { publicIp: "203.0.113.5" }).markdown, markdown);
        });
    });
});
