import { isIP } from "net";
import { ConfigError } from "./configError";
import { DEFAULT_DEPLOYMENT_SCRIPT } from "./connectorPackage";
import { MAX_CALLS_PER_INSTANCE, PLANNED_CALLS_PER_INSTANCE, VM_SIZES } from "./contract";
import { PlainValue, STACK_PARAMETER_KEYS, StackParameterKey } from "./deploymentParameters";
import { Secret } from "./secret";
import { SizingInput } from "./sizing";

/**
 * Configuration, parsed and validated once into typed values. Everything a component or a
 * tool needs comes from here; nothing downstream reads configuration itself.
 */

export type VmSize = (typeof VM_SIZES)[number];

export type Environment = "dev" | "prod";
export type ConsentMode = "grant" | "url";
export const CONSENT_MODES: readonly ConsentMode[] = ["grant", "url"];

/** Pexip's versioned Teams Connector package (a zip), for the version VDX runs. */
export interface ConnectorPackage {
    /** On the deploying machine (checked before anything is created), or downloaded by the driver. */
    readonly source: { readonly kind: "path"; readonly path: string } | { readonly kind: "url"; readonly url: string };
    /** SHA-256 of the zip: checked by the program for a path, and by the driver before it runs anything from it. */
    readonly sha256: string;
    /** The deployment script inside the package: a path in the zip, or a file name found once in it. */
    readonly deploymentScript: string;
}

/** How Pexip's deployment script is run (lib/deploymentParameters.ts). */
export interface PexipDeploymentSettings {
    /** `-IncidentReporting`; undefined leaves the package's default. */
    readonly incidentReporting: boolean | undefined;
    /** `-Encryption` (disk encryption); undefined leaves the package's default. */
    readonly diskEncryption: boolean | undefined;
    /** Version-specific extra parameters, by the script's parameter name. */
    readonly parameters: Readonly<Record<string, PlainValue>>;
    /** The script's name for a parameter the stack sets, where a version calls it differently; null: not passed. */
    readonly parameterNames: Readonly<Partial<Record<StackParameterKey, string | null>>>;
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One Pexip Infinity scheduled-scaling policy (`configuration/v1/scheduled_scaling/`). */
export interface ScalingSchedule {
    readonly name: string;
    readonly days: readonly Weekday[];
    /** `HH:MM`, local time in `timeZone`. */
    readonly from: string;
    readonly to: string;
    readonly instancesToAdd: number;
    /** Instances take up to 20 minutes to start, so they are added this much earlier. */
    readonly minutesInAdvance: number;
}

/** Infinity owns the capacity after creation when this is set (Event Hub notifications). */
export interface InfinityScaling {
    readonly minimumInstances: number;
    /** IANA time zone Infinity evaluates the schedules in. */
    readonly timeZone: string;
    readonly schedules: readonly ScalingSchedule[];
}

export type CertificateSource =
    | { readonly kind: "pfxFile"; readonly pfxFile: string; readonly password: Secret }
    | {
          readonly kind: "keyVaultSecret";
          /** Versioned secret URL: `https://<vault>.vault.azure.net/secrets/<name>/<version>`. */
          readonly keyVaultSecretId: string;
          /** ARM ID of the vault that holds it. */
          readonly keyVaultId: string;
          /** Facts about the certificate, since the stack cannot read the private material. */
          readonly facts: DeclaredCertificateFacts;
      }
    | { readonly kind: "selfSigned" };

export interface DeclaredCertificateFacts {
    readonly subject: string;
    readonly sans: readonly string[];
    readonly notAfter: Date;
    readonly thumbprint: string;
    readonly keyType: string;
    readonly keySize: number;
}

export interface TeamsSettings {
    /** The virtual reception's address, e.g. `teams@vdx.example`: Teams' `TenantKey`. */
    readonly tenantKey: string;
    /** VDX's SIP domain (defaults to the tenant key's domain). */
    readonly domain: string;
    /** The dial prefix of VDX's call routing rule for Teams. */
    readonly prefix: string;
    /** The "Alternate VTC instructions" page; `{ConfId}` is filled in by Teams. */
    readonly instructionUrl: string;
    /** `global`, or the users who get the video interop policy. */
    readonly grantTo: "global" | readonly string[];
}

/** Where the tenant-wide pieces (application, consent, bot) come from. */
export type IdentitySettings =
    | {
          readonly owner: true;
          readonly consent: ConsentMode;
          /** Globally unique Azure Bot name. */
          readonly botName: string;
          /** The bot's messaging endpoint, on the first region's connector. */
          readonly botEndpoint: string;
          /** The Teams channel's calling webhook, which Microsoft keeps apart from the messaging endpoint. */
          readonly botCallingWebhook: string;
          /** Where Entra sends the administrator after admin consent; registered as the application's reply URL. */
          readonly consentRedirectUri: string;
      }
    | {
          readonly owner: false;
          /** The stack that owns them, `organization/<project>/<stack>` on a self-managed backend. */
          readonly identityStack: string;
      };

export interface CostSettings {
    /** DKK a year for the Pexip Teams Connector licence. */
    readonly licensePerYear: number;
    /** DKK a year for one always-on VM. */
    readonly vmPerYear: number;
}

export interface Settings {
    readonly project: string;
    readonly stack: string;
    readonly environment: Environment;
    readonly location: string;
    readonly baseName: string;
    readonly regionCode: string;
    readonly fqdn: string;
    readonly sizing: SizingInput;
    /** Passed to Pexip's script when set; undefined leaves the package's default. */
    readonly vmSize: VmSize | undefined;
    /** Availability zones of the static public IP (Pexip's load balancer is zone-redundant where the region has zones). */
    readonly zones: readonly string[];
    /** DNS label on the public IP: `<label>.<region>.cloudapp.azure.com`, the CNAME target for `fqdn`. */
    readonly domainNameLabel: string;
    readonly pexipVersion: string;
    readonly connectorPackage: ConnectorPackage;
    readonly pexipDeployment: PexipDeploymentSettings;
    readonly vdx: { readonly nodeAddresses: readonly string[]; readonly nodeFqdns: readonly string[] };
    /** RDP source prefixes, also allowed to HTTPS (the consent workstation); none closes RDP. */
    readonly managementAddresses: readonly string[];
    readonly infinityScaling: InfinityScaling | undefined;
    readonly adminPassword: Secret | undefined;
    readonly certificate: CertificateSource;
    readonly teamsTenantId: string;
    readonly identity: IdentitySettings;
    readonly teams: TeamsSettings | undefined;
    readonly cost: CostSettings;
}

/** Reads one raw configuration value: a string, or a JSON string for objects. */
export interface ConfigSource {
    /** Project keys, without the `<project>:` namespace. */
    get(key: string): string | undefined;
    /** The Azure region, `azure-native:location`. */
    location(): string | undefined;
}

export const DEFAULT_COST: CostSettings = { licensePerYear: 15000, vmPerYear: 25000 };

/** Starts with a letter: the Key Vault and Event Hub namespace names begin with it. */
const BASE_NAME = /^[a-z][a-z0-9]*$/;
const LETTERS = /^[a-z]+$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERSION = /^\d+(\.\d+){0,2}$/;
const SHA256 = /^[0-9a-f]{64}$/i;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** Azure's rule for a public IP's DNS label. */
const DOMAIN_NAME_LABEL = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;
/** A PowerShell parameter name. */
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseSettings(source: ConfigSource, context: { project: string; stack: string }): Settings {
    const read = new Reader(source);

    const location = source.location();
    if (location === undefined || location === "") {
        throw new ConfigError("azure-native:location", "is required: the Azure region (pulumi config set azure-native:location westeurope)");
    }
    if (!/^[a-z0-9]+$/.test(location)) {
        throw new ConfigError("azure-native:location", "must be an Azure region name in lower case, like westeurope", location);
    }

    const baseNameRule = "must be 1–9 characters a–z and 0–9, starting with a letter";
    const baseName = read.string("baseName", { pattern: BASE_NAME, rule: baseNameRule });
    if (baseName.length > 9) throw new ConfigError("baseName", baseNameRule, baseName);
    const regionCode = read.string("regionCode", { pattern: LETTERS, rule: "must be letters a–z" });
    const stem = baseName + regionCode;
    if (stem.length < 3 || stem.length > 14) {
        throw new ConfigError("regionCode", "must make baseName+regionCode 3–14 characters", stem);
    }

    const environment = read.choice<Environment>("environment", ["dev", "prod"], defaultEnvironment(context.stack));
    const fqdn = read.hostname("fqdn");

    const portsPerInstance = read.integer("portsPerInstance", { min: 1, max: MAX_CALLS_PER_INSTANCE, default: PLANNED_CALLS_PER_INSTANCE });
    const sizing: SizingInput = {
        concurrentPorts: read.integer("concurrentPorts", { min: 1 }),
        portsPerInstance,
        spareInstances: read.integer("spareInstances", { min: 0, default: 0 }),
    };

    const vdx = read.object("vdx");
    const nodeAddresses = read.cidrList("vdx.nodeAddresses", vdx?.nodeAddresses, { min: 1 });
    const nodeFqdns = read.list("vdx.nodeFqdns", vdx?.nodeFqdns ?? [], (key, value) => read.hostnameValue(key, value));

    const teamsTenantId = read.string("teamsTenantId", { pattern: GUID, rule: "must be a GUID (the Teams tenant's ID)" });

    return {
        project: context.project,
        stack: context.stack,
        environment,
        location,
        baseName,
        regionCode,
        fqdn,
        sizing,
        vmSize: read.raw("vmSize") === undefined ? undefined : read.choice("vmSize", VM_SIZES, VM_SIZES[0]),
        zones: read.list("zones", read.json("zones") ?? ["1", "2", "3"], (key, value) => {
            if (value !== "1" && value !== "2" && value !== "3") throw new ConfigError(key, `must be "1", "2" or "3"`, value);
            return value;
        }),
        domainNameLabel: read.string("domainNameLabel", {
            pattern: DOMAIN_NAME_LABEL,
            rule: "must be 3–63 characters a–z, 0–9 and -, starting with a letter (Azure's DNS label rule)",
            default: `${baseName}-teamsconn-${regionCode}`,
        }),
        pexipVersion: read.string("pexipVersion", { pattern: VERSION, rule: "must be a Pexip version like 37.1" }),
        connectorPackage: parsePackage(read),
        pexipDeployment: parsePexipDeployment(read),
        vdx: { nodeAddresses, nodeFqdns },
        managementAddresses: read.cidrList("managementAddresses", read.json("managementAddresses") ?? [], { min: 0 }),
        infinityScaling: parseInfinityScaling(read),
        adminPassword: parseAdminPassword(read),
        certificate: parseCertificate(read, environment),
        teamsTenantId: teamsTenantId.toLowerCase(),
        identity: parseIdentity(read, fqdn, baseName),
        teams: parseTeams(read, nodeFqdns),
        cost: parseCost(read),
    };
}

/** `prod` and `prod-<region>` stacks are production unless `environment` says otherwise. */
function defaultEnvironment(stack: string): Environment {
    return stack === "prod" || stack.startsWith("prod-") ? "prod" : "dev";
}

function parsePackage(read: Reader): ConnectorPackage {
    const pkg = read.object("connectorPackage");
    if (pkg === undefined) {
        throw new ConfigError("connectorPackage", "is required: { path or url, sha256 } of Pexip's Teams Connector package for VDX's version");
    }
    if ((pkg.path === undefined) === (pkg.url === undefined)) {
        throw new ConfigError("connectorPackage", "must give exactly one of path (the zip on this machine) and url (where the driver downloads it)", Object.keys(pkg));
    }
    let source: ConnectorPackage["source"];
    if (pkg.path !== undefined) {
        if (typeof pkg.path !== "string" || !pkg.path.toLowerCase().endsWith(".zip")) {
            throw new ConfigError("connectorPackage.path", "must be the path of the package's .zip file", pkg.path);
        }
        source = { kind: "path", path: pkg.path };
    } else {
        source = { kind: "url", url: read.httpsUrl("connectorPackage.url", pkg.url) };
    }
    const sha256 = pkg.sha256;
    if (typeof sha256 !== "string" || !SHA256.test(sha256)) {
        throw new ConfigError("connectorPackage.sha256", "must be the package's SHA-256 as 64 hex digits", sha256);
    }
    const deploymentScript = pkg.deploymentScript ?? DEFAULT_DEPLOYMENT_SCRIPT;
    if (typeof deploymentScript !== "string" || !/^[\w. -]+(\/[\w. -]+)*\.ps1$/i.test(deploymentScript)) {
        throw new ConfigError("connectorPackage.deploymentScript", "must be the .ps1 script's path inside the package, with / between folders", deploymentScript);
    }
    return { source, sha256: sha256.toLowerCase(), deploymentScript };
}

function parsePexipDeployment(read: Reader): PexipDeploymentSettings {
    const raw = read.object("pexipDeployment") ?? {};
    const flag = (key: string): boolean | undefined => {
        const value = raw[key];
        if (value !== undefined && typeof value !== "boolean") throw new ConfigError(`pexipDeployment.${key}`, "must be true or false", value);
        return value;
    };
    const parameters = read.objectValue("pexipDeployment.parameters", raw.parameters ?? {});
    for (const [name, value] of Object.entries(parameters)) {
        const key = `pexipDeployment.parameters.${name}`;
        if (!PARAMETER_NAME.test(name)) throw new ConfigError(key, "must be a PowerShell parameter name (letters, digits, _), without the -", name);
        const plain = ["string", "number", "boolean"].includes(typeof value) || (Array.isArray(value) && value.every((item) => typeof item === "string"));
        if (!plain || (typeof value === "number" && !Number.isFinite(value))) {
            throw new ConfigError(key, "must be a string, a number, true/false or a list of strings (secrets are passed by the stack itself)", value);
        }
    }
    const parameterNames = read.objectValue("pexipDeployment.parameterNames", raw.parameterNames ?? {});
    for (const [logical, name] of Object.entries(parameterNames)) {
        const key = `pexipDeployment.parameterNames.${logical}`;
        if (!STACK_PARAMETER_KEYS.includes(logical as StackParameterKey)) {
            throw new ConfigError(key, `must be one of the parameters the stack sets: ${STACK_PARAMETER_KEYS.join(", ")}`, logical);
        }
        if (name !== null && (typeof name !== "string" || !PARAMETER_NAME.test(name))) {
            throw new ConfigError(key, "must be the script's parameter name (letters, digits, _), or null when this version takes no such parameter", name);
        }
    }
    return {
        incidentReporting: flag("incidentReporting"),
        diskEncryption: flag("diskEncryption"),
        parameters: parameters as Record<string, PlainValue>,
        parameterNames: parameterNames as PexipDeploymentSettings["parameterNames"],
    };
}

function parseInfinityScaling(read: Reader): InfinityScaling | undefined {
    const raw = read.object("infinityScaling");
    if (raw === undefined) return undefined;
    const timeZone = raw.timeZone ?? "Europe/Copenhagen";
    if (typeof timeZone !== "string" || !isTimeZone(timeZone)) {
        throw new ConfigError("infinityScaling.timeZone", "must be an IANA time zone like Europe/Copenhagen", timeZone);
    }
    return {
        minimumInstances: read.integerValue("infinityScaling.minimumInstances", raw.minimumInstances ?? 1, { min: 1 }),
        timeZone,
        schedules: read.list("infinityScaling.schedules", raw.schedules ?? [], (key, value) => {
            const schedule = (value ?? {}) as Record<string, unknown>;
            const name = schedule.name;
            if (typeof name !== "string" || name.trim() === "") throw new ConfigError(`${key}.name`, "must be a non-empty name", name);
            const days = read.list(`${key}.days`, schedule.days, (dayKey, day) => {
                if (!WEEKDAYS.includes(day as Weekday)) throw new ConfigError(dayKey, `must be one of ${WEEKDAYS.join(", ")}`, day);
                return day as Weekday;
            });
            if (days.length === 0) throw new ConfigError(`${key}.days`, "must name at least one day", schedule.days);
            const from = read.timeValue(`${key}.from`, schedule.from);
            const to = read.timeValue(`${key}.to`, schedule.to);
            if (to <= from) throw new ConfigError(`${key}.to`, `must be later than from (${from})`, to);
            return {
                name,
                days,
                from,
                to,
                instancesToAdd: read.integerValue(`${key}.instancesToAdd`, schedule.instancesToAdd, { min: 1 }),
                minutesInAdvance: read.integerValue(`${key}.minutesInAdvance`, schedule.minutesInAdvance ?? 30, { min: 0, max: 180 }),
            };
        }),
    };
}

function parseAdminPassword(read: Reader): Secret | undefined {
    const password = read.raw("adminPassword");
    if (password === undefined) return undefined;
    // Azure's rule for Windows: 12–123 characters from at least three character classes.
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((pattern) => pattern.test(password)).length;
    if (password.length < 12 || password.length > 123 || classes < 3) {
        throw new ConfigError(
            "adminPassword",
            "must be 12–123 characters with three of: lower case, upper case, digit, symbol (value not shown)",
        );
    }
    return new Secret(password);
}

function parseCertificate(read: Reader, environment: Environment): CertificateSource {
    const raw = read.object("certificate");
    if (raw === undefined) {
        throw new ConfigError("certificate", "is required: { pfxFile, password }, { keyVaultSecretId, ... } or, on dev stacks, { selfSigned: true }");
    }
    const sources = ["pfxFile", "keyVaultSecretId", "selfSigned"].filter((key) => raw[key] !== undefined);
    if (sources.length !== 1) {
        throw new ConfigError("certificate", "must name exactly one source: pfxFile, keyVaultSecretId or selfSigned", Object.keys(raw));
    }
    if (raw.selfSigned !== undefined) {
        if (raw.selfSigned !== true) throw new ConfigError("certificate.selfSigned", "must be true when given", raw.selfSigned);
        if (environment === "prod") {
            throw new ConfigError("certificate.selfSigned", "is for dev stacks only: VDX's nodes do not trust a self-signed certificate", true);
        }
        return { kind: "selfSigned" };
    }
    if (raw.pfxFile !== undefined) {
        if (typeof raw.pfxFile !== "string" || raw.pfxFile === "") {
            throw new ConfigError("certificate.pfxFile", "must be the path of a PFX file", raw.pfxFile);
        }
        if (typeof raw.password !== "string") {
            throw new ConfigError("certificate.password", "is required with pfxFile (pulumi config set --secret --path certificate.password ...)");
        }
        return { kind: "pfxFile", pfxFile: raw.pfxFile, password: new Secret(raw.password) };
    }
    const secretId = raw.keyVaultSecretId;
    if (typeof secretId !== "string" || !/^https:\/\/[a-z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]+\/[0-9a-f]{32}$/.test(secretId)) {
        throw new ConfigError(
            "certificate.keyVaultSecretId",
            "must be a versioned secret URL https://<vault>.vault.azure.net/secrets/<name>/<version>",
            secretId,
        );
    }
    const vaultId = raw.keyVaultId;
    const vaultIdMatch = typeof vaultId === "string" ? /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i.exec(vaultId) : null;
    if (vaultIdMatch === null) {
        throw new ConfigError("certificate.keyVaultId", "must be the vault's resource ID /subscriptions/.../providers/Microsoft.KeyVault/vaults/<name>", vaultId);
    }
    // The scale set installs the secret from the vault named here: they must be the same vault.
    const secretVault = new URL(secretId).hostname.split(".")[0];
    if (vaultIdMatch[1].toLowerCase() !== secretVault) {
        throw new ConfigError("certificate.keyVaultId", `must name the vault that holds keyVaultSecretId (${secretVault})`, vaultId);
    }
    const notAfter = new Date(String(raw.notAfter));
    if (typeof raw.notAfter !== "string" || Number.isNaN(notAfter.getTime())) {
        throw new ConfigError("certificate.notAfter", "must be the certificate's expiry as an ISO date", raw.notAfter);
    }
    const subject = raw.subject;
    if (typeof subject !== "string" || subject === "") {
        throw new ConfigError("certificate.subject", "must be the certificate's subject common name", subject);
    }
    const thumbprint = raw.thumbprint;
    if (typeof thumbprint !== "string" || !/^[0-9a-f]{40}$/i.test(thumbprint)) {
        throw new ConfigError("certificate.thumbprint", "must be the SHA-1 thumbprint as 40 hex digits", thumbprint);
    }
    const keyType = raw.keyType ?? "RSA";
    if (typeof keyType !== "string") throw new ConfigError("certificate.keyType", "must be a key type like RSA", keyType);
    return {
        kind: "keyVaultSecret",
        keyVaultSecretId: secretId,
        keyVaultId: vaultId,
        facts: {
            subject,
            sans: read.list("certificate.sans", raw.sans ?? [], (key, value) => {
                if (typeof value !== "string" || value === "") throw new ConfigError(key, "must be a DNS name", value);
                return value.toLowerCase();
            }),
            notAfter,
            thumbprint: thumbprint.toUpperCase(),
            keyType,
            keySize: read.integerValue("certificate.keySize", raw.keySize, { min: 1 }),
        },
    };
}

const OWNER_ONLY_KEYS = ["consent", "botName", "botEndpoint", "botCallingWebhook", "consentRedirectUri"] as const;

function parseIdentity(read: Reader, fqdn: string, baseName: string): IdentitySettings {
    const identityStack = read.raw("identityStack");
    if (identityStack !== undefined) {
        if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(identityStack)) {
            throw new ConfigError("identityStack", "must be a stack reference like organization/vdx-teams-connector/prod", identityStack);
        }
        const conflicting = OWNER_ONLY_KEYS.filter((key) => read.raw(key) !== undefined);
        if (conflicting.length > 0) {
            throw new ConfigError(
                conflicting[0],
                `belongs to the stack that owns the Teams application; remove it here, since identityStack (${identityStack}) is set`,
                read.raw(conflicting[0]),
            );
        }
        return { owner: false, identityStack };
    }
    return {
        owner: true,
        consent: read.choice("consent", CONSENT_MODES, "url"),
        botName: read.string("botName", {
            pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{1,62}$/,
            rule: "must be 2–64 characters: letters, digits, -, _ and .",
            default: `${baseName}-teams-bot`,
        }),
        botEndpoint: read.httpsUrl("botEndpoint", read.raw("botEndpoint") ?? `https://${fqdn}/api/messages`),
        botCallingWebhook: read.httpsUrl("botCallingWebhook", read.raw("botCallingWebhook") ?? `https://${fqdn}/api/calling`),
        consentRedirectUri: read.httpsUrl("consentRedirectUri", read.raw("consentRedirectUri") ?? `https://${fqdn}/adminconsent`),
    };
}

function parseTeams(read: Reader, nodeFqdns: readonly string[]): TeamsSettings | undefined {
    const raw = read.object("teams");
    if (raw === undefined) return undefined;
    const tenantKey = raw.tenantKey;
    const address = typeof tenantKey === "string" ? /^([a-z0-9._+-]+)@([a-z0-9.-]+\.[a-z]{2,})$/i.exec(tenantKey) : null;
    if (address === null) {
        throw new ConfigError("teams.tenantKey", "must be the virtual reception's address, like teams@vdx.example", tenantKey);
    }
    const [, alias, addressDomain] = address;
    const domain = raw.domain === undefined ? addressDomain.toLowerCase() : read.hostnameValue("teams.domain", raw.domain);
    const prefix = raw.prefix ?? "";
    if (typeof prefix !== "string" || !/^[0-9*#]*$/.test(prefix)) {
        throw new ConfigError("teams.prefix", "must be VDX's dial prefix: digits, * or #", prefix);
    }
    const instructionUrl =
        raw.instructionUrl !== undefined
            ? read.httpsUrl("teams.instructionUrl", raw.instructionUrl)
            : defaultInstructionUrl(nodeFqdns, alias, domain, prefix);
    const grantTo = raw.grantTo ?? "global";
    return {
        tenantKey: tenantKey as string,
        domain,
        prefix,
        instructionUrl,
        grantTo:
            grantTo === "global"
                ? "global"
                : read.list("teams.grantTo", grantTo, (key, user) => {
                      if (typeof user !== "string" || !/^[^@\s]+@[^@\s]+$/.test(user)) {
                          throw new ConfigError(key, `must be "global" or a list of user principal names`, user);
                      }
                      return user;
                  }),
    };
}

/** The instruction page that VDX's Conferencing Nodes serve for Teams invitations. */
function defaultInstructionUrl(nodeFqdns: readonly string[], alias: string, domain: string, prefix: string): string {
    if (nodeFqdns.length === 0) {
        throw new ConfigError("teams.instructionUrl", "is required when vdx.nodeFqdns is empty (it is built from the first VDX node)");
    }
    const query = `conf={ConfId}&ivr=${encodeURIComponent(alias)}&d=${encodeURIComponent(domain)}&prefix=${encodeURIComponent(prefix)}&w`;
    return `https://${nodeFqdns[0]}/teams/?${query}`;
}

function parseCost(read: Reader): CostSettings {
    const raw = read.object("cost") ?? {};
    return {
        licensePerYear: read.numberValue("cost.licensePerYear", raw.licensePerYear ?? DEFAULT_COST.licensePerYear),
        vmPerYear: read.numberValue("cost.vmPerYear", raw.vmPerYear ?? DEFAULT_COST.vmPerYear),
    };
}

function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
    } catch {
        return false;
    }
}

/** Typed reads with one error per broken rule. */
class Reader {
    constructor(private readonly source: ConfigSource) {}

    raw(key: string): string | undefined {
        const value = this.source.get(key);
        return value === "" ? undefined : value;
    }

    json(key: string): unknown {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        try {
            return JSON.parse(value);
        } catch {
            // A plain string where a list was expected is still a value to report, not a crash.
            return value;
        }
    }

    object(key: string): Record<string, any> | undefined {
        const value = this.json(key);
        return value === undefined ? undefined : this.objectValue(key, value);
    }

    objectValue(key: string, value: unknown): Record<string, any> {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            throw new ConfigError(key, "must be an object (set it in the stack file or with --path)", value);
        }
        return value as Record<string, any>;
    }

    string(key: string, options: { pattern: RegExp; rule: string; default?: string }): string {
        const value = this.raw(key) ?? options.default;
        if (value === undefined) throw new ConfigError(key, `is required and ${options.rule}`);
        if (!options.pattern.test(value)) throw new ConfigError(key, options.rule, value);
        return value;
    }

    choice<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
        const value = this.raw(key) ?? fallback;
        if (!allowed.includes(value as T)) throw new ConfigError(key, `must be one of ${allowed.join(", ")}`, value);
        return value as T;
    }

    integer(key: string, options: { min: number; max?: number; default?: number }): number {
        const raw = this.raw(key);
        if (raw === undefined && options.default === undefined) {
            throw new ConfigError(key, `is required and ${integerRule(options)}`);
        }
        return this.integerValue(key, raw ?? options.default, options);
    }

    integerValue(key: string, value: unknown, options: { min: number; max?: number }): number {
        const number = typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
        if (typeof number !== "number" || !Number.isInteger(number) || number < options.min || (options.max !== undefined && number > options.max)) {
            throw new ConfigError(key, integerRule(options), value);
        }
        return number;
    }

    numberValue(key: string, value: unknown): number {
        const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
        if (typeof number !== "number" || !Number.isFinite(number) || number < 0) {
            throw new ConfigError(key, "must be a number ≥ 0", value);
        }
        return number;
    }

    timeValue(key: string, value: unknown): string {
        if (typeof value !== "string" || !TIME.test(value)) throw new ConfigError(key, "must be a time HH:MM", value);
        return value;
    }

    hostname(key: string): string {
        const value = this.raw(key);
        if (value === undefined) throw new ConfigError(key, "is required: the connector's hostname, like teamsconn.example.dk");
        return this.hostnameValue(key, value);
    }

    hostnameValue(key: string, value: unknown): string {
        if (typeof value === "string" && value.includes("*")) {
            throw new ConfigError(key, "must not be a wildcard: VDX and Pexip refuse wildcard names for the Teams Connector", value);
        }
        const name = typeof value === "string" ? value.toLowerCase().replace(/\.$/, "") : "";
        const labels = name.split(".");
        if (name.length > 253 || labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label)) || /^\d+$/.test(labels[labels.length - 1])) {
            throw new ConfigError(key, "must be a valid DNS name like teamsconn.example.dk", value);
        }
        return name;
    }

    httpsUrl(key: string, value: unknown): string {
        let url: URL | undefined;
        try {
            url = typeof value === "string" ? new URL(value) : undefined;
        } catch {
            url = undefined;
        }
        if (url === undefined || url.protocol !== "https:") throw new ConfigError(key, "must be an https:// URL", value);
        return value as string;
    }

    list<T>(key: string, value: unknown, item: (key: string, value: unknown) => T): T[] {
        if (!Array.isArray(value)) throw new ConfigError(key, "must be a list", value);
        return value.map((entry, index) => item(`${key}[${index}]`, entry));
    }

    cidrList(key: string, value: unknown, options: { min: number }): string[] {
        if (value === undefined && options.min > 0) {
            throw new ConfigError(key, `is required: at least ${options.min} address prefix in CIDR form, like 192.0.2.10/32`);
        }
        const list = this.list(key, value, (entryKey, entry) => {
            if (!isCidr(entry)) throw new ConfigError(entryKey, "must be an address prefix in CIDR form, like 192.0.2.10/32", entry);
            return entry;
        });
        if (list.length < options.min) throw new ConfigError(key, `must list at least ${options.min} address prefix`, value);
        return list;
    }
}

function integerRule(options: { min: number; max?: number }): string {
    return options.max === undefined
        ? `must be a whole number ≥ ${options.min}`
        : `must be a whole number from ${options.min} to ${options.max}`;
}

function isCidr(value: unknown): value is string {
    if (typeof value !== "string") return false;
    const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
    if (match === null) return false;
    const version = isIP(match[1]);
    const length = Number(match[2]);
    return version !== 0 && length <= (version === 4 ? 32 : 128);
}
