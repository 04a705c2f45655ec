import { isCidr } from "./cidr";
import { MAX_CALLS_PER_INSTANCE, PLANNED_CALLS_PER_INSTANCE } from "../contract";
import { STACK_PARAMETER_KEYS } from "../pexip/stackParameters";
import { defineFormat, packageUrlSchema, Schema } from "./schema";
import { MAX_INSTANCES } from "../pexip/sizing";

/**
 * Every setting of the stack, once: what it is, its Pulumi type and default (Pulumi.yaml's
 * `config:` block is written from this by `npm run config:declare`, and a test keeps the two
 * equal), and its rule as JSON Schema (ajv, lib/config/schema.ts). The program and the offline plan
 * both validate against it; a key it does not declare is refused.
 */

/** A setting's declaration. */
export interface SettingDeclaration {
    /** What it is, for Pulumi.yaml and `pulumi config`. */
    readonly description: string;
    /** Pulumi's type (the CLI checks a stack's value against it; `object` only that it is a map). */
    readonly pulumiType: "string" | "integer" | "boolean" | "array" | "object";
    /** Pulumi's item type of an array. */
    readonly items?: "string" | "integer";
    /**
     * Pulumi's default. Absent: the setting is required (the CLI refuses a stack without it).
     * `""` and `{}` mean "not set": the program then applies the default the description names.
     */
    readonly default?: string | number | readonly unknown[] | Record<string, never>;
    /** The value's rule. */
    readonly schema: Schema;
}

// ---------------------------------------------------------------------------------------
// Formats: rules a pattern cannot say well, each a named test.

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name of two labels or more, lower case, never a wildcard. */
export function isHostname(value: string): boolean {
    const labels = value.replace(/\.$/, "").split(".");
    return value.length <= 253 && labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

function isHttpsUrl(value: string): boolean {
    try {
        return new URL(value).protocol === "https:";
    } catch {
        return false;
    }
}

function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

defineFormat("cidr", isCidr);
defineFormat("hostname", isHostname);
defineFormat("https-url", isHttpsUrl);
defineFormat("time-zone", isTimeZone);
defineFormat("instant", (value) => /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(new Date(value).getTime()));

// ---------------------------------------------------------------------------------------
// Shared pieces

const HOSTNAME_RULE = "must be a DNS name like teamsconn.example.dk in lower case, never a wildcard: VDX and Pexip refuse wildcard names";
const hostname: Schema = { type: "string", format: "hostname", rule: HOSTNAME_RULE };
const httpsUrl = (what: string): Schema => ({ type: "string", format: "https-url", rule: `must be an https:// URL: ${what}` });
const cidrList = (minItems: number): Schema => ({
    type: "array",
    minItems,
    maxItems: 100,
    rule: minItems > 0 ? `must list 1–100 address prefixes in CIDR form, like 192.0.2.10/32` : "must be a list of up to 100 address prefixes in CIDR form",
    items: { type: "string", format: "cidr", rule: "must be an address prefix in CIDR form, like 192.0.2.10/32" },
});
const wholeNumber = (minimum: number, maximum: number, why = ""): Schema => ({
    type: "integer",
    minimum,
    maximum,
    rule: `must be a whole number from ${minimum} to ${maximum}${why}`,
});
const TIME: Schema = { type: "string", pattern: "^([01]\\d|2[0-3]):[0-5]\\d$", rule: "must be a time HH:MM" };
const closed = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
    type: "object",
    properties,
    additionalProperties: false,
    ...extra,
});

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** Limits that keep a plan within what one scale set can hold. */
export const LIMITS = {
    /** 100 instances of 16 calls. */
    concurrentPorts: MAX_INSTANCES * MAX_CALLS_PER_INSTANCE,
    spareInstances: MAX_INSTANCES - 1,
    /** DKK a year, per item. */
    price: 100_000_000,
} as const;

/** How a stack sets its environment: the advice of every message about it. */
export function environmentCommand(value = "prod|dev"): string {
    return `pulumi config set environment ${value}`;
}

const INSTANCE_LIMIT = ` (a scale set holds at most ${MAX_INSTANCES} instances with a single placement group)`;

// ---------------------------------------------------------------------------------------
// The settings

export const SETTINGS: Readonly<Record<string, SettingDeclaration>> = {
    baseName: {
        description: "Name prefix of every Azure resource: 1–9 characters a–z and 0–9, starting with a letter.",
        pulumiType: "string",
        schema: { type: "string", pattern: "^[a-z][a-z0-9]{0,8}$", rule: "must be 1–9 characters a–z and 0–9, starting with a letter" },
    },
    regionCode: {
        description: "Short region code in names, letters a–z; baseName + regionCode is 3–14 characters (also the scale set's name).",
        pulumiType: "string",
        schema: { type: "string", pattern: "^[a-z]+$", rule: "must be letters a–z" },
    },
    environment: {
        description: "dev or prod, in every stack file: never guessed from the stack's name. prod protects the static resources and refuses self-signed certificates and plain-text secrets.",
        pulumiType: "string",
        schema: {
            type: "string",
            enum: ["dev", "prod"],
            rule: "must be dev or prod",
            missing: `is required in every stack file, never guessed from the stack's name: ${environmentCommand()}`,
        },
    },
    fqdn: {
        description: "The connector's hostname, one per region, without a trailing dot; never a wildcard.",
        pulumiType: "string",
        schema: {
            type: "string",
            // The trailing dot first: it is the one thing wrong with an otherwise valid name.
            allOf: [{ pattern: "[^.]$", rule: "must not end with a dot: write the name as the certificate and VDX know it, like teamsconn.example.dk" }, hostname],
        },
    },
    concurrentPorts: {
        description: `Concurrent calls the region must carry, 1–${LIMITS.concurrentPorts}.`,
        pulumiType: "integer",
        schema: wholeNumber(1, LIMITS.concurrentPorts, INSTANCE_LIMIT),
    },
    portsPerInstance: {
        description: `Calls planned per instance, 1–${MAX_CALLS_PER_INSTANCE} (Pexip plans with ${PLANNED_CALLS_PER_INSTANCE}).`,
        pulumiType: "integer",
        default: PLANNED_CALLS_PER_INSTANCE,
        schema: wholeNumber(1, MAX_CALLS_PER_INSTANCE, " (one instance carries at most 16 calls)"),
    },
    spareInstances: {
        description: `Instances on top of what the ports need, 0–${LIMITS.spareInstances}.`,
        pulumiType: "integer",
        default: 0,
        schema: wholeNumber(0, LIMITS.spareInstances, INSTANCE_LIMIT),
    },
    vmSize: {
        description: "Azure VM size passed to Pexip's script, like Standard_D4s_v5; the policy vm-size-allowed lists the sizes allowed. Empty: the package's own default.",
        pulumiType: "string",
        default: "",
        // Only the form: which sizes are allowed is the policy's configuration (allowedSizes), not the schema's.
        schema: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$", rule: "must be an Azure VM size name like Standard_D4s_v5" },
    },
    zones: {
        description: "Availability zones of the static public IP; [] where the region has none.",
        pulumiType: "array",
        items: "integer",
        default: [1, 2, 3],
        schema: {
            type: "array",
            uniqueItems: true,
            rule: 'must be a list of the zones 1, 2 and 3 (as numbers or as text, "1")',
            items: { enum: [1, 2, 3, "1", "2", "3"], rule: 'must be 1, 2 or 3 (as a number or as text, "1")' },
        },
    },
    domainNameLabel: {
        description: "DNS label on the public IP (<label>.<region>.cloudapp.azure.com, the CNAME target). Empty: <baseName>-teamsconn-<regionCode>.",
        pulumiType: "string",
        default: "",
        schema: { type: "string", pattern: "^[a-z][a-z0-9-]{1,61}[a-z0-9]$", rule: "must be 3–63 characters a–z, 0–9 and -, starting with a letter (Azure's DNS label rule)" },
    },
    pexipVersion: {
        description: "The Pexip version the connector runs, one pexip-versions.yaml lists; must be VDX's; written in quotes (\"37.1\").",
        pulumiType: "string",
        schema: { type: "string", pattern: "^\\d+(\\.\\d+){0,2}$", rule: 'must be a Pexip version like "37.1", in quotes' },
    },
    connectorPackage: {
        description: "Where this stack gets Pexip's package, when not from pexip-versions.yaml's url: { path | url, deploymentScript? }. The checksum always comes from pexip-versions.yaml.",
        pulumiType: "object",
        default: {},
        schema: closed({
            path: { type: "string", pattern: "\\.[zZ][iI][pP]$", rule: "must be the path of the package's .zip file" },
            url: packageUrlSchema("the stack's config"),
            sha256: { not: {}, rule: "comes from pexip-versions.yaml, never from a stack: a stack may point at another copy of the package, not vouch for it" },
            deploymentScript: {
                type: "string",
                // No segment of dots only: `..` would point the driver outside the verified package.
                pattern: "^(?!(.*/)?\\.+(/|$))[\\w. -]+(/[\\w. -]+)*\\.[pP][sS]1$",
                rule: "must be the .ps1 script's path inside the package, relative, with / between folders and no . or .. segment",
            },
        }),
    },
    pexipDeployment: {
        description: "How Pexip's script is run: { incidentReporting?, diskEncryption?, parameters?, parameterNames? }.",
        pulumiType: "object",
        default: {},
        schema: closed({
            incidentReporting: { type: "boolean" },
            diskEncryption: { type: "boolean" },
            parameters: {
                type: "object",
                maxProperties: 50,
                propertyNames: { pattern: "^[A-Za-z_][A-Za-z0-9_]*$", rule: "must be a PowerShell parameter name (letters, digits, _), without the -" },
                additionalProperties: {
                    type: ["string", "number", "boolean", "array"],
                    items: { type: "string" },
                    rule: "must be a string, a number, true/false or a list of strings (secrets are passed by the stack itself)",
                },
            },
            parameterNames: closed(
                Object.fromEntries(
                    STACK_PARAMETER_KEYS.map((key) => [
                        key,
                        {
                            type: ["string", "null"],
                            pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
                            rule: "must be the script's parameter name (letters, digits, _), or null when this version takes no such parameter",
                        },
                    ]),
                ),
            ),
        }),
    },
    vdx: {
        description: "What VDX gives the party: { nodeAddresses: [CIDR], nodeFqdns: [hostname] }.",
        pulumiType: "object",
        schema: closed(
            {
                nodeAddresses: cidrList(1),
                nodeFqdns: {
                    type: "array",
                    minItems: 1,
                    maxItems: 100,
                    rule: "must list 1–100 hostnames of VDX's Conferencing Nodes: Pexip's script needs at least one (-PexipFqdns)",
                    items: hostname,
                },
            },
            { required: ["nodeAddresses", "nodeFqdns"] },
        ),
    },
    managementAddresses: {
        description: "Prefixes (CIDR) allowed RDP and HTTPS (the consent workstation). Empty: RDP closed.",
        pulumiType: "array",
        items: "string",
        default: [],
        schema: cidrList(0),
    },
    adminPassword: {
        description: "Windows administrator password, set with --secret. Empty: generated and kept in the region's Key Vault.",
        pulumiType: "string",
        default: "",
        schema: { type: "string", secret: true },
    },
    infinityScaling: {
        description: "Pexip Infinity owns capacity after creation: { minimumInstances, timeZone?, schedules? }. Empty: Pulumi owns capacity.",
        pulumiType: "object",
        default: {},
        schema: closed(
            {
                minimumInstances: wholeNumber(1, MAX_INSTANCES, INSTANCE_LIMIT),
                timeZone: { type: "string", format: "time-zone", rule: "must be an IANA time zone like Europe/Copenhagen" },
                schedules: {
                    type: "array",
                    maxItems: 20,
                    items: closed(
                        {
                            name: { type: "string", minLength: 1, maxLength: 100, rule: "must be a name of 1–100 characters" },
                            days: {
                                type: "array",
                                minItems: 1,
                                uniqueItems: true,
                                rule: `must name at least one day of ${WEEKDAYS.join(", ")}`,
                                items: { enum: [...WEEKDAYS] },
                            },
                            from: TIME,
                            to: TIME,
                            instancesToAdd: wholeNumber(1, MAX_INSTANCES - 1, INSTANCE_LIMIT),
                            minutesInAdvance: wholeNumber(0, 180),
                        },
                        { required: ["name", "days", "from", "to", "instancesToAdd"] },
                    ),
                },
            },
            // Empty means off; when given, the minimum is the one thing Infinity needs.
            { if: { minProperties: 1 }, then: { required: ["minimumInstances"] } },
        ),
    },
    certificate: {
        description: "The connector's TLS certificate: { pfxFile, password } | { keyVaultSecretId, keyVaultId, subject, sans, notAfter, thumbprint, keyType, keySize } | { selfSigned: true }.",
        pulumiType: "object",
        schema: closed({
            pfxFile: { type: "string", minLength: 1, rule: "must be the path of a PFX file" },
            password: { type: "string", secret: true },
            keyVaultSecretId: {
                type: "string",
                pattern: "^https://[a-z0-9-]{3,24}\\.vault\\.azure\\.net/secrets/[A-Za-z0-9-]+/[0-9a-f]{32}$",
                rule: "must be a versioned secret URL https://<vault>.vault.azure.net/secrets/<name>/<version>",
            },
            keyVaultId: {
                type: "string",
                pattern: "^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+$",
                rule: "must be the vault's resource ID /subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>",
            },
            subject: { type: "string", minLength: 1, rule: "must be the certificate's subject common name" },
            sans: { type: "array", maxItems: 100, items: { type: "string", minLength: 1, rule: "must be a DNS name" } },
            notAfter: { type: "string", format: "instant", rule: "must be the certificate's expiry as an ISO date" },
            thumbprint: { type: "string", pattern: "^[0-9a-fA-F]{40}$", rule: "must be the SHA-1 thumbprint as 40 hex digits" },
            keyType: { type: "string", minLength: 1, rule: "must be a key type like RSA" },
            keySize: wholeNumber(1, 65536),
            selfSigned: { const: true, rule: "must be true when given" },
        }),
    },
    teamsTenantId: {
        description: "The Teams tenant's ID (a GUID).",
        pulumiType: "string",
        schema: {
            type: "string",
            pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
            rule: "must be a GUID (the Teams tenant's ID)",
        },
    },
    consent: {
        description: "Owning stack only: grant (in code, needs a privileged deployer) or url (a link for the Teams administrator). Empty: url.",
        pulumiType: "string",
        default: "",
        schema: { type: "string", enum: ["grant", "url"] },
    },
    identityStack: {
        description: "Further regions only: the stack that owns the Teams application and bot, like organization/vdx-teams-connector/prod.",
        pulumiType: "string",
        default: "",
        schema: {
            type: "string",
            pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
            rule: "must be a stack reference like organization/vdx-teams-connector/prod",
        },
    },
    botName: {
        description: "Owning stack only: the Azure Bot's globally unique name. Empty: <baseName>-teams-bot.",
        pulumiType: "string",
        default: "",
        schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{1,62}$", rule: "must be 2–64 characters: letters, digits, -, _ and ." },
    },
    botEndpoint: {
        description: "Owning stack only: the bot's messaging endpoint. Empty: https://<fqdn>/api/messages.",
        pulumiType: "string",
        default: "",
        schema: httpsUrl("the bot's messaging endpoint"),
    },
    botCallingWebhook: {
        description: "Owning stack only: the Teams channel's calling webhook (Pexip's path unconfirmed). Empty: https://<fqdn>/api/calling.",
        pulumiType: "string",
        default: "",
        schema: httpsUrl("the Teams channel's calling webhook"),
    },
    consentRedirectUri: {
        description: "Owning stack only: where Entra sends the administrator after admin consent, registered as the application's reply URL. Empty: https://<fqdn>/adminconsent.",
        pulumiType: "string",
        default: "",
        schema: httpsUrl("where Entra sends the administrator after admin consent"),
    },
    teams: {
        description: "From VDX, for the Teams invitation and lobby bypass: { tenantKey, domain?, prefix?, instructionUrl?, grantTo? }. Empty: not configured.",
        pulumiType: "object",
        default: {},
        schema: closed(
            {
                tenantKey: {
                    type: "string",
                    pattern: "^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
                    rule: "must be the virtual reception's address, like teams@vdx.example",
                },
                domain: hostname,
                prefix: { type: "string", pattern: "^[0-9*#]*$", rule: "must be VDX's dial prefix: digits, * or #" },
                instructionUrl: httpsUrl("the Alternate VTC instructions page"),
                grantTo: {
                    type: ["string", "array"],
                    pattern: "^global$",
                    items: { type: "string", pattern: "^[^@\\s]+@[^@\\s]+$", rule: "must be a user principal name" },
                    rule: 'must be "global" or a list of user principal names',
                },
            },
            { if: { minProperties: 1 }, then: { required: ["tenantKey"] } },
        ),
    },
    maintenanceWindow: {
        description: "When a redeploy (a Pexip upgrade) may run: { days, start, hours, timeZone? }, Europe/Copenhagen by default. Empty: any time.",
        pulumiType: "object",
        default: {},
        schema: closed(
            {
                days: {
                    type: "array",
                    minItems: 1,
                    uniqueItems: true,
                    rule: `must name at least one day of ${WEEKDAYS.join(", ")}`,
                    items: { enum: [...WEEKDAYS] },
                },
                start: TIME,
                hours: wholeNumber(1, 24),
                timeZone: { type: "string", format: "time-zone", rule: "must be an IANA time zone like Europe/Copenhagen" },
            },
            { if: { minProperties: 1 }, then: { required: ["days", "start", "hours"] } },
        ),
    },
    cost: {
        description: "Indicative prices in DKK a year: { licensePerYear, vmPerYear }. Empty: MedCom's 15,000 and 25,000.",
        pulumiType: "object",
        default: {},
        schema: closed({
            licensePerYear: wholeNumber(0, LIMITS.price),
            vmPerYear: wholeNumber(0, LIMITS.price),
        }),
    },
};

/** The settings that have no default: the CLI and the plan refuse a stack without them. */
export const REQUIRED_SETTINGS = Object.entries(SETTINGS)
    .filter(([, declaration]) => declaration.default === undefined)
    .map(([key]) => key);
