import { ScalingSchedule, Settings, WEEKDAYS, Weekday } from "../config/settings";
import { sizeConnector } from "../pexip/sizing";

/**
 * The hand-over to the VDX supplier. A party has no rights on VDX's Pexip Management Node,
 * so what it can do is send an exact, checkable request: the management API calls that
 * register its connector, and a readable version of the same in Danish and English.
 *
 * Placeholder convention in the payloads (the supplier fills these in, nothing else is
 * left open):
 * - `{<object type>.uri}`, e.g. `{azure_tenant.uri}`: the URI of the object that the earlier
 *   payload in this request creates at `configuration/v1/<object type>/`, as returned in the
 *   `Location` header of its POST (`/api/admin/configuration/v1/azure_tenant/7/`). Each
 *   object type is created at most once before it is referred to, so the name is unambiguous.
 * - `{secret:<stack output>}`, e.g. `{secret:eventHubConnectionString}`: a secret that is
 *   never written here. The party sends it by a secure channel; the request names the exact
 *   command that prints it. Only with `infinityScaling`: without it the stack has no Event Hub.
 *
 * No secret is read by this module: it uses only non-secret settings.
 */

/** Where the payloads go, relative to the Management Node; Pexip requires the trailing slash. */
export const PEXIP_CONFIGURATION_PATH = "/api/admin/configuration/v1";

/** The stack output that holds the Event Hub connection string (a Pulumi secret); only with `infinityScaling`. */
export const EVENT_HUB_CONNECTION_STRING_OUTPUT = "eventHubConnectionString";

/** What stands in `notifications_queue` instead of the connection string. */
export const EVENT_HUB_PLACEHOLDER = `{secret:${EVENT_HUB_CONNECTION_STRING_OUTPUT}}`;

/**
 * Proposed priority of the Teams routing rule (Pexip: 1–200, lowest first). The middle of the
 * range leaves room for VDX's more specific rules before it and its catch-all rules after
 * it; the rule is specific (prefix, 9–13 digits, VDX's domain), so it rarely competes. The
 * supplier decides the final value.
 */
export const DEFAULT_ROUTING_RULE_PRIORITY = 100;

/** The Pexip object types this request creates. */
export type PexipObjectType = "azure_tenant" | "teams_proxy" | "gateway_routing_rule" | "scheduled_scaling";

/** One management API call, applied in order. */
export interface PexipPayload {
    /** Always `POST`: every object is new. */
    readonly method: "POST";
    /** `/api/admin/configuration/v1/<object type>/`. */
    readonly path: string;
    /** The JSON body; references and secrets are placeholders (see the module comment). */
    readonly body: Readonly<Record<string, string | number | boolean>>;
}

/** Facts known only after deployment, or only to the caller. */
export interface VdxRequestFacts {
    /** The connector's static public IP, once allocated. */
    readonly publicIp?: string;
    /** The connector's Entra ID application (client) ID, once created. */
    readonly applicationId?: string;
    /**
     * The command that prints the Event Hub connection string (see `eventHubSecretCommand`).
     * Required with `infinityScaling`; ignored without it, since there is no Event Hub then.
     */
    readonly eventHubSecretCommand?: string;
}

/** The machine-readable request. */
export interface VdxRequestJson {
    /** The Pulumi stack the request comes from. */
    readonly stack: string;
    /** Azure region of the connector. */
    readonly location: string;
    /** Pexip version the connector is built for; it must equal VDX's. */
    readonly pexipVersion: string;
    /** The party's Teams (Entra ID) tenant. */
    readonly teamsTenantId: string;
    /** The connector's hostname. */
    readonly fqdn: string;
    /** The connector's public IP, when known. */
    readonly publicIp?: string;
    /** The connector's application ID, when known; for reference only. */
    readonly applicationId?: string;
    /**
     * Present (true) only when the connector has a self-signed certificate (dev stacks): VDX's
     * nodes do not trust it, so calls through the connector fail TLS until a CA-issued one is installed.
     */
    readonly certificateSelfSigned?: true;
    /** Every placeholder used in `payloads`, with what the supplier puts in its place. */
    readonly placeholders: Readonly<Record<string, string>>;
    /** How the one secret reaches the supplier; only with `infinityScaling` (the Event Hub). */
    readonly secret?: {
        /** The placeholder that stands for it. */
        readonly placeholder: string;
        /** Payload field it belongs in. */
        readonly field: string;
        /** Command the party runs to print it. */
        readonly command: string;
        /** How it is sent. */
        readonly delivery: string;
    };
    /** The management API calls, in the order they must be applied. */
    readonly payloads: readonly PexipPayload[];
    /** Questions the party cannot answer alone. */
    readonly toAgree: readonly string[];
    /** What the party needs back from VDX. */
    readonly needBack: readonly string[];
    /** Assumptions the supplier should know about. */
    readonly notes: readonly string[];
}

/** The request in both forms. */
export interface VdxRequest {
    /** Payloads and facts, for the supplier's tooling. */
    readonly json: VdxRequestJson;
    /** The same for a person: Danish, then English, then the payloads. */
    readonly markdown: string;
}

/** `pulumi stack output --stack <stack> --show-secrets eventHubConnectionString`. */
export function eventHubSecretCommand(stack: string): string {
    return `pulumi stack output --stack ${stack} --show-secrets ${EVENT_HUB_CONNECTION_STRING_OUTPUT}`;
}

/** The placeholder for the URI of the object a payload of this type creates. */
export function uriPlaceholder(type: PexipObjectType): string {
    return `{${type}.uri}`;
}

/** Regular-expression escape for Pexip's (Python `re`) match strings. */
export function escapeRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\#]/g, "\\$&");
}

/** The routing rule's match string: the prefix, a 9–13 digit conference ID, optionally `@domain`. */
export function teamsMatchString(prefix: string, domain: string): string {
    return `^${escapeRegex(prefix)}(\\d{9,13})(@${escapeRegex(domain)})?$`;
}

/** Builds the request from validated settings; throws if a secret is passed in by mistake, or the command is missing with `infinityScaling`. */
export function buildVdxRequest(settings: Settings, facts: VdxRequestFacts): VdxRequest {
    const command = facts.eventHubSecretCommand;
    // The command must name the secret, never be it.
    if (command !== undefined && /SharedAccessKey|Endpoint=sb:\/\//i.test(command)) {
        throw new Error("eventHubSecretCommand must be the command that prints the connection string, not the connection string");
    }
    if (settings.infinityScaling !== undefined && command === undefined) {
        throw new Error("eventHubSecretCommand is required with infinityScaling: the supplier needs the Event Hub connection string for notifications_queue");
    }
    const json = requestJson(settings, facts);
    return { json, markdown: requestMarkdown(settings, json) };
}

function path(type: PexipObjectType): string {
    return `${PEXIP_CONFIGURATION_PATH}/${type}/`;
}

function requestJson(settings: Settings, facts: VdxRequestFacts): VdxRequestJson {
    const { fqdn, teams, infinityScaling } = settings;
    // Infinity learns about the connector's instances only through the Event Hub, which the
    // stack creates only with infinityScaling; min_number_of_instances needs it too (Pexip).
    const notifications: PexipPayload["body"] =
        infinityScaling === undefined
            ? { notifications_enabled: false }
            : { min_number_of_instances: infinityScaling.minimumInstances, notifications_enabled: true, notifications_queue: EVENT_HUB_PLACEHOLDER };
    const payloads: PexipPayload[] = [
        {
            method: "POST",
            path: path("azure_tenant"),
            body: {
                name: azureTenantName(settings),
                description: `Teams tenant of ${settings.baseName} (connector ${fqdn}, stack ${settings.stack})`,
                tenant_id: settings.teamsTenantId,
            },
        },
        {
            method: "POST",
            path: path("teams_proxy"),
            body: {
                name: fqdn,
                description: `Pexip Teams Connector ${settings.pexipVersion} in Azure ${settings.location} (stack ${settings.stack})`,
                address: fqdn,
                port: 443,
                azure_tenant: uriPlaceholder("azure_tenant"),
                ...notifications,
            },
        },
    ];
    if (teams !== undefined) {
        payloads.push({
            method: "POST",
            path: path("gateway_routing_rule"),
            body: {
                name: `Teams via ${fqdn}`,
                description: `Conference IDs dialled as ${teams.prefix}<9-13 digits>@${teams.domain} into Teams meetings through ${fqdn}`,
                priority: DEFAULT_ROUTING_RULE_PRIORITY,
                enable: true,
                match_string: teamsMatchString(teams.prefix, teams.domain),
                replace_string: "\\1",
                called_device_type: "teams_conference",
                outgoing_protocol: "teams",
                teams_proxy: uriPlaceholder("teams_proxy"),
                match_incoming_sip: true,
                match_incoming_h323: true,
                match_incoming_webrtc: true,
                match_incoming_teams: false,
                crypto_mode: "besteffort",
                // Pexip refuses live captions on rules with protocol teams.
                live_captions_enabled: "no",
            },
        });
    }
    if (infinityScaling !== undefined) {
        for (const schedule of infinityScaling.schedules) {
            payloads.push({ method: "POST", path: path("scheduled_scaling"), body: scalingBody(fqdn, infinityScaling.timeZone, schedule) });
        }
    }

    const placeholders: Record<string, string> = {
        [uriPlaceholder("azure_tenant")]: "URI in the Location header of the azure_tenant POST above (or of the existing azure_tenant with this tenant_id)",
        [uriPlaceholder("teams_proxy")]: "URI in the Location header of the teams_proxy POST above",
    };
    if (teams === undefined) delete placeholders[uriPlaceholder("teams_proxy")];
    if (infinityScaling !== undefined) placeholders[EVENT_HUB_PLACEHOLDER] = "the Event Hub connection string, sent separately by a secure channel";

    const toAgree: string[] = [];
    if (teams === undefined) {
        toAgree.push(
            "Call routing rule for Teams: to be agreed with VDX. VDX's SIP domain, the dial prefix and the rule priority are not configured (setting `teams`), so no gateway_routing_rule is proposed.",
        );
    } else {
        toAgree.push(`Routing rule priority: ${DEFAULT_ROUTING_RULE_PRIORITY} is proposed; the supplier places it among VDX's rules.`);
    }
    toAgree.push(
        "Virtual reception (two-stage dialling, Teams) behind the dial address: whether VDX creates one that uses this connector or an existing one reaches it through the routing rule.",
    );

    const needBack = [
        `VDX Conferencing and Edge node IP addresses that connect to the connector on HTTPS 443 (configured now: ${listOrNone(settings.vdx.nodeAddresses)})`,
        `VDX node hostnames (configured now: ${listOrNone(settings.vdx.nodeFqdns)})`,
        teams === undefined
            ? "The dial address (virtual reception alias, Teams TenantKey) and the dial prefix"
            : `Confirmation of the dial address ${teams.tenantKey} and ${teams.prefix === "" ? "that no dial prefix is used" : `the dial prefix "${teams.prefix}"`}`,
        `VDX's Pexip Infinity version, dot release included (this connector is built for ${settings.pexipVersion})`,
        "The URIs of the created azure_tenant and teams_proxy objects",
    ];

    const notes = [
        "Apply the payloads in order; each {<object type>.uri} is the Location header of the POST that created that object.",
        "If an azure_tenant with this tenant_id already exists in VDX, reuse it instead of creating another.",
    ];
    const selfSigned = settings.certificate.kind === "selfSigned";
    if (selfSigned) {
        notes.push(
            "The connector has a self-signed certificate (dev stack): VDX's nodes do not trust it, so calls through this connector fail TLS until a CA-issued certificate is installed.",
        );
    }
    if (infinityScaling === undefined) {
        notes.push(
            "No Event Hub: the stack sets the connector's instance count itself, so teams_proxy has notifications off, no notifications_queue and no min_number_of_instances.",
        );
    } else {
        notes.push("min_number_of_instances: Infinity keeps at least this many instances once notifications are on (the configured minimum).");
        if (infinityScaling.schedules.length > 0) {
            notes.push(
                "scheduled_scaling.resource_identifier holds the connector's name (the teams_proxy name); whether Infinity expects the name or the URI is unconfirmed: use {teams_proxy.uri} if the name is refused.",
                "scheduled_scaling.start_date is left out, so the policies apply from creation.",
            );
        }
    }

    // buildVdxRequest has made sure it is set with infinityScaling; without, there is no secret.
    const secretCommand = infinityScaling === undefined ? undefined : facts.eventHubSecretCommand;
    return {
        stack: settings.stack,
        location: settings.location,
        pexipVersion: settings.pexipVersion,
        teamsTenantId: settings.teamsTenantId,
        fqdn,
        ...(facts.publicIp === undefined ? {} : { publicIp: facts.publicIp }),
        ...(facts.applicationId === undefined ? {} : { applicationId: facts.applicationId }),
        ...(selfSigned ? { certificateSelfSigned: true as const } : {}),
        placeholders,
        ...(secretCommand === undefined
            ? {}
            : {
                  secret: {
                      placeholder: EVENT_HUB_PLACEHOLDER,
                      field: "teams_proxy.notifications_queue",
                      command: secretCommand,
                      delivery: "secure channel agreed with the supplier; never in this request",
                  },
              }),
        payloads,
        toAgree,
        needBack,
        notes,
    };
}

function azureTenantName(settings: Settings): string {
    // The tenant ID keeps the name unique among VDX's parties; baseName makes it readable.
    return `${settings.baseName}-${settings.teamsTenantId}`;
}

function scalingBody(fqdn: string, timeZone: string, schedule: ScalingSchedule): Record<string, string | number | boolean> {
    const days = Object.fromEntries(WEEKDAYS.map((day) => [day, schedule.days.includes(day)]));
    return {
        policy_name: `${fqdn} ${schedule.name}`,
        policy_type: "TeamsConnectorScaling",
        resource_identifier: fqdn,
        enabled: true,
        ...days,
        time_from: withSeconds(schedule.from),
        time_to: withSeconds(schedule.to),
        local_timezone: timeZone,
        instances_to_add: schedule.instancesToAdd,
        minutes_in_advance: schedule.minutesInAdvance,
    };
}

function withSeconds(time: string): string {
    return /^\d\d:\d\d$/.test(time) ? `${time}:00` : time;
}

function listOrNone(values: readonly string[], none = "none"): string {
    return values.length === 0 ? none : values.join(", ");
}

// ---------------------------------------------------------------------------------------
// The readable request.

type Language = "da" | "en";

const DAY_NAMES: Record<Language, Record<Weekday, string>> = {
    da: { mon: "man", tue: "tir", wed: "ons", thu: "tor", fri: "fre", sat: "lør", sun: "søn" },
    en: { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" },
};

function requestMarkdown(settings: Settings, json: VdxRequestJson): string {
    const lines = [
        `# Anmodning til VDX-leverandøren / Request to the VDX supplier: ${json.fqdn}`,
        "",
        "Denne fil indeholder ingen hemmeligheder. / This file contains no secrets.",
        "",
        ...section("da", settings, json),
        ...section("en", settings, json),
        "## Payloads (Pexip management API)",
        "",
        "```json",
        JSON.stringify(json.payloads, null, 2),
        "```",
        "",
    ];
    return lines.join("\n");
}

function section(language: Language, settings: Settings, json: VdxRequestJson): string[] {
    const da = language === "da";
    const t = (danish: string, english: string) => (da ? danish : english);
    const unknown = t("kendes efter udrulning", "known after deployment");
    const sizing = sizeConnector(settings.sizing);

    const who = [
        `| ${t("Felt", "Item")} | ${t("Værdi", "Value")} |`,
        "|---|---|",
        `| Stack | \`${json.stack}\` |`,
        `| ${t("Azure-region", "Azure region")} | \`${json.location}\` |`,
        `| ${t("Connectorens værtsnavn", "Connector hostname")} | \`${json.fqdn}\` |`,
        `| ${t("Offentlig IP-adresse", "Public IP address")} | ${json.publicIp === undefined ? unknown : `\`${json.publicIp}\``} |`,
        `| ${t("Pexip-version", "Pexip version")} | \`${json.pexipVersion}\` |`,
        `| ${t("Teams-tenant-ID", "Teams tenant ID")} | \`${json.teamsTenantId}\` |`,
        `| ${t("Connectorens app-ID (CVI-app)", "Connector application ID (CVI app)")} | ${
            json.applicationId === undefined ? unknown : `\`${json.applicationId}\``
        } |`,
        `| ${t("Kapacitet", "Capacity")} | ${t(
            `${settings.sizing.concurrentPorts} samtidige opkald, ${sizing.instances} instans(er)`,
            `${settings.sizing.concurrentPorts} concurrent calls, ${sizing.instances} instance(s)`,
        )} |`,
    ];

    const create: string[] = [];
    for (const payload of json.payloads) {
        const body = payload.body;
        const where = `\`POST ${payload.path}\``;
        if (payload.path.endsWith("/azure_tenant/")) {
            create.push(
                t(
                    `**Azure-tenant** ${where}: \`${body.name}\` med tenant-ID \`${body.tenant_id}\`. Findes tenanten allerede i VDX, så genbrug den.`,
                    `**Azure tenant** ${where}: \`${body.name}\` with tenant ID \`${body.tenant_id}\`. If VDX already has this tenant, reuse it.`,
                ),
            );
        } else if (payload.path.endsWith("/teams_proxy/")) {
            create.push(
                body.notifications_enabled === true
                    ? t(
                          `**Teams Connector** ${where}: \`${body.address}\` port ${body.port}, knyttet til tenanten ovenfor, Event Hub-notifikationer slået til, mindst ${body.min_number_of_instances} instans(er).`,
                          `**Teams Connector** ${where}: \`${body.address}\` port ${body.port}, linked to the tenant above, Event Hub notifications on, at least ${body.min_number_of_instances} instance(s).`,
                      )
                    : t(
                          `**Teams Connector** ${where}: \`${body.address}\` port ${body.port}, knyttet til tenanten ovenfor, notifikationer slået fra: connectoren har ingen Event Hub, og vi styrer selv antallet af instanser.`,
                          `**Teams Connector** ${where}: \`${body.address}\` port ${body.port}, linked to the tenant above, notifications off: the connector has no Event Hub, and we set its instance count ourselves.`,
                      ),
            );
        } else if (payload.path.endsWith("/gateway_routing_rule/")) {
            create.push(
                t(
                    `**Kaldsregel** ${where}: \`${body.match_string}\` → \`${body.replace_string}\`, Teams-møde via connectoren, prioritet ${body.priority} (forslag; I placerer den blandt VDX's regler).`,
                    `**Call routing rule** ${where}: \`${body.match_string}\` → \`${body.replace_string}\`, Teams meeting through the connector, priority ${body.priority} (proposed; you place it among VDX's rules).`,
                ),
            );
        } else if (payload.path.endsWith("/scheduled_scaling/")) {
            const days = WEEKDAYS.filter((day) => body[day] === true)
                .map((day) => DAY_NAMES[language][day])
                .join(", ");
            create.push(
                t(
                    `**Planlagt skalering** ${where}: \`${body.policy_name}\`, ${days} ${body.time_from}–${body.time_to} (${body.local_timezone}), +${body.instances_to_add} instans(er), startet ${body.minutes_in_advance} minutter før.`,
                    `**Scheduled scaling** ${where}: \`${body.policy_name}\`, ${days} ${body.time_from}–${body.time_to} (${body.local_timezone}), +${body.instances_to_add} instance(s), started ${body.minutes_in_advance} minutes early.`,
                ),
            );
        }
    }
    if (settings.teams === undefined) {
        create.push(
            t(
                "**Kaldsregel**: aftales med VDX. VDX's SIP-domæne og opkaldspræfiks er ikke angivet, så vi foreslår ingen regel.",
                "**Call routing rule**: to be agreed with VDX. VDX's SIP domain and dial prefix are not configured, so no rule is proposed.",
            ),
        );
    }

    const placeholders = Object.keys(json.placeholders).filter((key) => key !== EVENT_HUB_PLACEHOLDER);
    const needBack = da
        ? [
              `IP-adresserne på VDX's Conferencing- og Edge-noder, der forbinder til connectoren på HTTPS 443 (til netværkssikkerhedsgruppen; nu angivet: ${listOrNone(settings.vdx.nodeAddresses, "ingen")})`,
              `Værtsnavnene på VDX's noder (nu angivet: ${listOrNone(settings.vdx.nodeFqdns, "ingen")})`,
              settings.teams === undefined
                  ? "Opkaldsadressen (den virtuelle receptions alias, Teams' TenantKey) og opkaldspræfikset"
                  : `Bekræftelse af opkaldsadressen \`${settings.teams.tenantKey}\` og ${settings.teams.prefix === "" ? "at der ikke bruges et præfiks" : `præfikset \`${settings.teams.prefix}\``}`,
              `VDX's Pexip Infinity-version, inklusive punktversion (connectoren er bygget til ${json.pexipVersion})`,
              "URI'erne på de oprettede azure_tenant- og teams_proxy-objekter",
          ]
        : json.needBack;

    const eventHub =
        json.secret === undefined
            ? []
            : [
                  t("### Event Hub-forbindelsesstrengen", "### The Event Hub connection string"),
                  "",
                  t(
                      `Feltet \`notifications_queue\` skal have connectorens Event Hub-forbindelsesstreng. Den er hemmelig og står aldrig i denne anmodning; i kaldet står pladsholderen \`${json.secret.placeholder}\`. Vi sender den ad en sikker kanal, som vi aftaler med jer. Vi henter den med:`,
                      `The field \`notifications_queue\` takes the connector's Event Hub connection string. It is secret and never appears in this request; the call holds the placeholder \`${json.secret.placeholder}\`. We send it by a secure channel agreed with you. We print it with:`,
                  ),
                  "",
                  "```sh",
                  json.secret.command,
                  "```",
                  "",
              ];

    return [
        t("## Dansk", "## English"),
        "",
        t(
            "Vi beder VDX-leverandøren registrere vores Pexip Teams Connector i VDX's Pexip Management Node og oprette kaldsreglen, så videosystemer kan ringe ind i Teams-møder.",
            "We ask the VDX supplier to register our Pexip Teams Connector in VDX's Pexip Management Node and to create the call routing rule, so that video systems can dial into Teams meetings.",
        ),
        "",
        t("### Hvem og hvad", "### Who and what"),
        "",
        ...who,
        "",
        ...(json.certificateSelfSigned === true
            ? [
                  t(
                      "**Selvsigneret certifikat (kun udviklingsmiljø):** VDX's noder stoler ikke på et selvsigneret certifikat, så opkald via denne connector fejler i TLS-forbindelsen, indtil der er installeret et certifikat fra en certifikatudsteder (CA).",
                      "**Self-signed certificate (development only):** VDX's nodes do not trust a self-signed certificate, so calls through this connector fail TLS until a CA-issued certificate is installed.",
                  ),
                  "",
              ]
            : []),
        t("### Det skal oprettes", "### What to create"),
        "",
        ...create.map((item, index) => `${index + 1}. ${item}`),
        "",
        t(
            `Kaldene står i rækkefølge i JSON-filen og nederst her. En pladsholder som ${placeholders.map((key) => `\`${key}\``).join(" eller ")} er URI'en fra \`Location\`-headeren, da objektet blev oprettet.`,
            `The calls are listed in order in the JSON file and at the end of this page. A placeholder such as ${placeholders.map((key) => `\`${key}\``).join(" or ")} is the URI from the \`Location\` header when that object was created.`,
        ),
        "",
        ...eventHub,
        t("### Det skal vi have tilbage", "### What we need back"),
        "",
        ...needBack.map((item) => `- ${item}`),
        "",
        t("### Afklares med VDX", "### To be agreed with VDX"),
        "",
        ...(da ? toAgreeDanish(settings) : json.toAgree).map((item) => `- ${item}`),
        "",
        t("### Version og opdatering", "### Version and patching"),
        "",
        t(
            `Connectoren skal køre samme Pexip-version som VDX, også punktversionen; en anden version afbryder opkald. Den er bygget til ${json.pexipVersion}. MedCom varsler nye versioner mindst 14 dage før i en driftsmeddelelse, og vi opdaterer connectoren inden for den frist.`,
            `The connector must run the same Pexip version as VDX, dot release included; another version breaks calls. It is built for ${json.pexipVersion}. MedCom gives at least 14 days' notice of a new version in a service message, and we upgrade the connector within that time.`,
        ),
        "",
    ];
}

function toAgreeDanish(settings: Settings): string[] {
    return [
        settings.teams === undefined
            ? "Kaldsregel for Teams: aftales med VDX. VDX's SIP-domæne, opkaldspræfikset og reglens prioritet er ikke angivet (indstillingen `teams`), så vi foreslår ingen gateway_routing_rule."
            : `Kaldsreglens prioritet: vi foreslår ${DEFAULT_ROUTING_RULE_PRIORITY}; I placerer den blandt VDX's regler.`,
        "Virtuel reception (totrinsopkald, Teams) bag opkaldsadressen: om VDX opretter en, der bruger denne connector, eller om en eksisterende når den via kaldsreglen.",
    ];
}
