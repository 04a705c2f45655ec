import { DEFAULT_TIME_ZONE } from "../calendar";
import { ConfigError } from "./configError";
import { DEFAULT_DEPLOYMENT_SCRIPT } from "../pexip/connectorPackage";
import { PlainValue, StackParameterKey } from "../pexip/stackParameters";
import { Schema, schemaValidator, SchemaProblem, unknownKeyRule } from "./schema";
import { Secret } from "./secret";
import { environmentCommand, REQUIRED_SETTINGS, SETTINGS, WEEKDAYS } from "./settingsSchema";
import { MAX_INSTANCES, sizeConnector, SizingInput } from "../pexip/sizing";
import { catalogueEntry, CATALOGUE_FILE, VersionCatalogue } from "../versions/versionCatalogue";

export { WEEKDAYS };

/**
 * Configuration, parsed and validated once into typed values. Everything a component or a
 * tool needs comes from here; nothing downstream reads configuration itself. The rules are
 * lib/config/settingsSchema.ts's (one declaration, also Pulumi.yaml's); what one setting's schema cannot
 * say (rules across settings, defaults that depend on others) is here.
 */

export type Environment = "dev" | "prod";
export type ConsentMode = "grant" | "url";

/** Pexip's versioned Teams Connector package (a zip), for the version VDX runs. */
export interface ConnectorPackage {
    /** On the deploying machine (checked before anything is created), or downloaded by the driver. */
    readonly source: { readonly kind: "path"; readonly path: string } | { readonly kind: "url"; readonly url: string };
    /** SHA-256 of the zip: checked by the program for a path, and by the driver before it runs anything from it. */
    readonly sha256: string;
    /** Where the checksum comes from, for messages: `pexip-versions.yaml:versions[0].sha256`. */
    readonly sha256Key: string;
    /** The deployment script inside the package: a path in the zip, or a file name found once in it. */
    readonly deploymentScript: string;
}

/** How Pexip's deployment script is run (lib/pexip/deploymentParameters.ts). */
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

/** When a redeploy may run: weekly, from `start` for `hours`, in `timeZone`'s local time. */
export interface MaintenanceWindow {
    readonly days: readonly Weekday[];
    /** `HH:MM`, local time. */
    readonly start: string;
    /** Length; a window may run past midnight. */
    readonly hours: number;
    /** IANA time zone, Europe/Copenhagen by default. */
    readonly timeZone: string;
}

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
    readonly vmSize: string | undefined;
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
    /** When redeploys may run; undefined: any time. */
    readonly maintenanceWindow: MaintenanceWindow | undefined;
    readonly cost: CostSettings;
    /** What the operator should hear about the configuration: the program logs them (`pulumi up`, the plan). */
    readonly warnings: readonly string[];
}

/** The configuration as the engine hands it to the program: namespaced keys, objects and lists as JSON text. */
export type RawConfig = Readonly<Record<string, string>>;

/** Where the configuration comes from, and which of its keys are secrets (their values are never shown). */
export interface ConfigContext {
    readonly project: string;
    readonly stack: string;
    /** VDX's versions and their packages (pexip-versions.yaml). */
    readonly catalogue: VersionCatalogue;
    /** Namespaced keys whose values are secrets. */
    readonly secretKeys?: readonly string[];
}

export const DEFAULT_COST: CostSettings = { licensePerYear: 15000, vmPerYear: 25000 };

/** Namespaces the stack's configuration may use besides the project's own: the providers' it uses. */
const PROVIDER_NAMESPACES = ["azure-native", "azuread", "random", "tls", "command", "pulumi"];

const OWNER_ONLY_KEYS = ["consent", "botName", "botEndpoint", "botCallingWebhook", "consentRedirectUri"] as const;

const validateSettings = schemaValidator({
    type: "object",
    properties: Object.fromEntries(Object.entries(SETTINGS).map(([key, declaration]) => [key, declaration.schema])),
    required: REQUIRED_SETTINGS,
    additionalProperties: false,
});

/**
 * Parses and checks the configuration. Throws ConfigError on the first broken rule, in the
 * order the settings are declared, naming the key, the rule and the value (a secret's never).
 */
export function parseSettings(config: RawConfig, context: ConfigContext): Settings {
    const secret = (key: string) => (context.secretKeys ?? []).includes(key.includes(":") ? key : `${context.project}:${key}`);
    const fail = (key: string, rule: string, value?: unknown): never => {
        const root = key.split(/[.[]/)[0];
        throw secret(root) ? new ConfigError(key, `${rule} (value not shown: it is a secret)`) : new ConfigError(key, rule, value);
    };

    const values: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(config)) {
        const colon = fullKey.indexOf(":");
        if (colon < 0) continue;
        const namespace = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (namespace === context.project) {
            if (key === "") fail(fullKey, `names no setting after the namespace (write ${context.project}:<setting>)`, text);
            if (!(key in SETTINGS)) fail(key, unknownKeyRule(key, Object.keys(SETTINGS), `a setting of ${context.project}`), text);
            // An empty text is how Pulumi.yaml's defaults say "not set".
            if (text !== "") values[key] = typed(key, text);
        } else if (!PROVIDER_NAMESPACES.includes(namespace)) {
            fail(fullKey, namespaceRule(namespace, key, context.project), text);
        }
    }

    const location = config["azure-native:location"];
    if (location === undefined || location === "") {
        fail("azure-native:location", "is required: the Azure region (pulumi config set azure-native:location westeurope)");
    }
    if (!/^[a-z0-9]+$/.test(location)) fail("azure-native:location", "must be an Azure region name in lower case, like westeurope", location);

    const problems = validateSettings(values);
    if (problems.length > 0) {
        const first = firstProblem(problems);
        fail(first.path, first.rule, first.value);
    }
    return settingsOf(values as unknown as Values, location, context, fail);
}

/** A value as its declaration types it: numbers, lists and objects from their text. */
function typed(key: string, text: string): unknown {
    const declaration = SETTINGS[key];
    if (declaration.pulumiType === "string") return text;
    // Only a safe integer becomes a number: 99999999999999999999 would lose its digits.
    if (declaration.pulumiType === "integer") return /^\s*-?\d+\s*$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
    if (declaration.pulumiType === "boolean") return text === "true" ? true : text === "false" ? false : text;
    try {
        return JSON.parse(text);
    } catch {
        // A plain string where a list or object was expected is still a value to report.
        return text;
    }
}

function namespaceRule(namespace: string, key: string, project: string): string {
    const guess = unknownKeyRule(namespace, [project], "a namespace this stack reads");
    return `${guess.includes("did you mean") ? `is in the namespace "${namespace}", which is not the project's; did you mean ${project}:${key}?` : `is in the namespace "${namespace}", which nothing in this stack reads (it reads ${[project, ...PROVIDER_NAMESPACES].join(", ")})`}`;
}

/**
 * The problem of the setting declared first, so that the same stack always reports the same one;
 * within a setting an unknown key first, since a typo (nodeAdresses) explains a missing one.
 */
function firstProblem(problems: readonly SchemaProblem[]): SchemaProblem {
    const order = Object.keys(SETTINGS);
    const rank = (problem: SchemaProblem) => {
        const index = order.indexOf(problem.path.split(/[.[]/)[0]);
        return (index < 0 ? order.length : index) * 2 + (problem.unknownKey ? 0 : 1);
    };
    return [...problems].sort((a, b) => rank(a) - rank(b))[0];
}

/** The configuration after the schema: every value of the declared type and shape. */
interface Values {
    baseName: string;
    regionCode: string;
    environment: Environment;
    fqdn: string;
    concurrentPorts: number;
    portsPerInstance?: number;
    spareInstances?: number;
    vmSize?: string;
    zones?: Array<number | string>;
    domainNameLabel?: string;
    pexipVersion: string;
    connectorPackage?: { path?: string; url?: string; deploymentScript?: string };
    pexipDeployment?: Partial<PexipDeploymentSettings>;
    vdx: { nodeAddresses: string[]; nodeFqdns: string[] };
    managementAddresses?: string[];
    adminPassword?: string;
    infinityScaling?: { minimumInstances?: number; timeZone?: string; schedules?: Array<Omit<ScalingSchedule, "minutesInAdvance"> & { minutesInAdvance?: number }> };
    certificate: Record<string, any>;
    teamsTenantId: string;
    consent?: ConsentMode;
    identityStack?: string;
    botName?: string;
    botEndpoint?: string;
    botCallingWebhook?: string;
    consentRedirectUri?: string;
    teams?: { tenantKey?: string; domain?: string; prefix?: string; instructionUrl?: string; grantTo?: string | string[] };
    maintenanceWindow?: Partial<MaintenanceWindow>;
    cost?: Partial<CostSettings>;
}

type Fail = (key: string, rule: string, value?: unknown) => never;

/** The rules across settings, and the defaults that depend on other settings. */
function settingsOf(values: Values, location: string, context: ConfigContext, fail: Fail): Settings {
    const { baseName, regionCode, fqdn } = values;
    const stem = baseName + regionCode;
    if (stem.length < 3 || stem.length > 14) fail("regionCode", "must make baseName+regionCode 3–14 characters", stem);
    const { environment } = values;
    const warnings = [...plainTextSecrets(values, context, environment, fail)];
    if (environment === "dev" && looksLikeProduction(context.stack)) {
        warnings.push(
            `stack ${context.stack} is named like a production stack, but its file sets environment: dev, so it is judged as dev ` +
                `(self-signed certificates accepted, nothing protected): if it is production, ${environmentCommand("prod")}`,
        );
    }

    const sizing: SizingInput = {
        concurrentPorts: values.concurrentPorts,
        portsPerInstance: values.portsPerInstance ?? 15,
        spareInstances: values.spareInstances ?? 0,
    };
    const { instances } = sizeConnector(sizing);
    if (instances > MAX_INSTANCES) {
        fail(
            "concurrentPorts",
            `needs ${instances} instances with portsPerInstance ${sizing.portsPerInstance} and spareInstances ${sizing.spareInstances}; ` +
                `a scale set holds at most ${MAX_INSTANCES} with a single placement group`,
            values.concurrentPorts,
        );
    }

    const nodeFqdns = values.vdx.nodeFqdns.map((name) => name.replace(/\.$/, ""));
    return {
        project: context.project,
        stack: context.stack,
        environment,
        location,
        baseName,
        regionCode,
        fqdn,
        sizing,
        vmSize: values.vmSize,
        zones: (values.zones ?? [1, 2, 3]).map(String),
        domainNameLabel: values.domainNameLabel ?? `${baseName}-teamsconn-${regionCode}`,
        pexipVersion: values.pexipVersion,
        connectorPackage: packageOf(values.pexipVersion, values.connectorPackage ?? {}, context.catalogue, fail),
        pexipDeployment: {
            incidentReporting: values.pexipDeployment?.incidentReporting,
            diskEncryption: values.pexipDeployment?.diskEncryption,
            parameters: values.pexipDeployment?.parameters ?? {},
            parameterNames: values.pexipDeployment?.parameterNames ?? {},
        },
        vdx: { nodeAddresses: values.vdx.nodeAddresses, nodeFqdns },
        managementAddresses: values.managementAddresses ?? [],
        infinityScaling: infinityScalingOf(values.infinityScaling, fail),
        adminPassword: adminPasswordOf(values.adminPassword, fail),
        certificate: certificateOf(values.certificate, environment, fail),
        teamsTenantId: values.teamsTenantId.toLowerCase(),
        identity: identityOf(values, fqdn, fail),
        teams: teamsOf(values.teams, nodeFqdns, fail),
        maintenanceWindow:
            values.maintenanceWindow?.days === undefined
                ? undefined
                : { ...(values.maintenanceWindow as MaintenanceWindow), timeZone: values.maintenanceWindow.timeZone ?? DEFAULT_TIME_ZONE },
        cost: { ...DEFAULT_COST, ...values.cost },
        warnings,
    };
}

/** `prod` anywhere in the name, in any case: `Prod`, `prod2`, `prod_weu`, `weu-prod`, `PROD-x`. */
export function looksLikeProduction(stack: string): boolean {
    return /prod/i.test(stack);
}

/** Paths of the values a setting's schema marks secret: `adminPassword`, `certificate.password`. */
function secretPaths(schema: Schema, path: string): string[] {
    const properties = Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {});
    return [...(schema.secret ? [path] : []), ...properties.flatMap(([key, inner]) => secretPaths(inner, `${path}.${key}`))];
}

/**
 * Secret values written in the stack file in plain text (not `secure:`): refused in production,
 * a warning each in dev. A setting counts as encrypted when its key holds an encrypted value.
 */
function plainTextSecrets(values: Values, context: ConfigContext, environment: Environment, fail: Fail): string[] {
    const encrypted = new Set(context.secretKeys ?? []);
    const warnings: string[] = [];
    for (const [key, declaration] of Object.entries(SETTINGS)) {
        if (encrypted.has(`${context.project}:${key}`)) continue;
        for (const path of secretPaths(declaration.schema, key)) {
            const value = path.split(".").reduce<unknown>((inner, part) => (inner as Record<string, unknown> | undefined)?.[part], values);
            if (value === undefined || value === "") continue;
            const command = `pulumi config set --secret ${path.includes(".") ? "--path " : ""}${path} <value>`;
            if (environment === "prod") fail(path, `is written in plain text in Pulumi.${context.stack}.yaml; a production stack takes it only encrypted: ${command}`);
            warnings.push(`${path} is written in plain text in Pulumi.${context.stack}.yaml: encrypt it (${command}); a production stack refuses it`);
        }
    }
    return warnings;
}

/** The package for the stack's version: its checksum from the catalogue, its location from the stack or the catalogue. */
function packageOf(version: string, override: NonNullable<Values["connectorPackage"]>, catalogue: VersionCatalogue, fail: Fail): ConnectorPackage {
    const entry = catalogueEntry(catalogue, version);
    const index = catalogue.versions.findIndex((candidate) => candidate.version === version);
    if (entry === undefined) {
        fail("pexipVersion", `must be a version ${CATALOGUE_FILE} lists (${catalogue.versions.map((candidate) => candidate.version).join(", ")})`, version);
    }
    if (entry!.sha256 === undefined) {
        fail(
            "pexipVersion",
            `has no package checksum in ${CATALOGUE_FILE}: download Pexip's Teams Connector package for ${version} and add its SHA-256 as versions[${index}].sha256 ` +
                "(sha256sum <zip>); nothing is deployed from a package nobody has vouched for",
            version,
        );
    }
    if (override.path !== undefined && override.url !== undefined) {
        fail("connectorPackage", "must give at most one of path (the zip on this machine) and url (where the driver downloads it)", Object.keys(override));
    }
    const url = override.url ?? entry!.url;
    if (override.path === undefined && url === undefined) {
        fail("connectorPackage", `must say where the package is: ${CATALOGUE_FILE} has no url for ${version}; add versions[${index}].url, or set connectorPackage.path or .url`);
    }
    return {
        source: override.path !== undefined ? { kind: "path", path: override.path } : { kind: "url", url: url! },
        sha256: entry!.sha256!,
        sha256Key: `${CATALOGUE_FILE}:versions[${index}].sha256`,
        deploymentScript: override.deploymentScript ?? DEFAULT_DEPLOYMENT_SCRIPT,
    };
}

function infinityScalingOf(raw: Values["infinityScaling"], fail: Fail): InfinityScaling | undefined {
    // Empty is Pulumi.yaml's default: Infinity's scaling is off.
    if (raw === undefined || raw.minimumInstances === undefined) return undefined;
    const schedules = (raw.schedules ?? []).map((schedule, index) => {
        if (schedule.to <= schedule.from) fail(`infinityScaling.schedules[${index}].to`, `must be later than from (${schedule.from})`, schedule.to);
        return { ...schedule, minutesInAdvance: schedule.minutesInAdvance ?? 30 };
    });
    const most = raw.minimumInstances + schedules.reduce((sum, schedule) => sum + schedule.instancesToAdd, 0);
    if (most > MAX_INSTANCES) {
        fail(
            "infinityScaling.schedules",
            `may add at most ${MAX_INSTANCES - raw.minimumInstances} instances in all on top of minimumInstances ${raw.minimumInstances}: ` +
                `a scale set holds at most ${MAX_INSTANCES} with a single placement group`,
            most,
        );
    }
    return { minimumInstances: raw.minimumInstances, timeZone: raw.timeZone ?? "Europe/Copenhagen", schedules };
}

function adminPasswordOf(password: string | undefined, fail: Fail): Secret | undefined {
    if (password === undefined) return undefined;
    // Azure's rule for Windows: 12–123 characters from at least three character classes.
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((pattern) => pattern.test(password)).length;
    if (password.length < 12 || password.length > 123 || classes < 3) {
        fail("adminPassword", "must be 12–123 characters with three of: lower case, upper case, digit, symbol (value not shown)");
    }
    return new Secret(password);
}

function certificateOf(raw: Record<string, any>, environment: Environment, fail: Fail): CertificateSource {
    const sources = ["pfxFile", "keyVaultSecretId", "selfSigned"].filter((key) => raw[key] !== undefined);
    if (sources.length !== 1) fail("certificate", "must name exactly one source: pfxFile, keyVaultSecretId or selfSigned", Object.keys(raw));
    if (raw.selfSigned !== undefined) {
        if (environment === "prod") fail("certificate.selfSigned", "is for dev stacks only: VDX's nodes do not trust a self-signed certificate", true);
        return { kind: "selfSigned" };
    }
    if (raw.pfxFile !== undefined) {
        if (raw.password === undefined) fail("certificate.password", "is required with pfxFile (pulumi config set --secret --path certificate.password ...)");
        // Windows passes no empty environment variable, so the driver could not tell an empty password from a missing one.
        if (raw.password === "") fail("certificate.password", "must not be empty: export the PFX with a password (an empty one cannot reach the deploying machine's PowerShell on Windows)");
        return { kind: "pfxFile", pfxFile: raw.pfxFile, password: new Secret(raw.password) };
    }
    for (const field of ["keyVaultId", "subject", "notAfter", "thumbprint", "keySize"]) {
        if (raw[field] === undefined) fail(`certificate.${field}`, "is required with keyVaultSecretId: the stack cannot read the certificate, so its facts are declared");
    }
    // The driver exports the certificate from the vault named here: they must be the same vault.
    const secretVault = new URL(raw.keyVaultSecretId).hostname.split(".")[0];
    const vault = String(raw.keyVaultId).split("/").pop() as string;
    if (vault.toLowerCase() !== secretVault) fail("certificate.keyVaultId", `must name the vault that holds keyVaultSecretId (${secretVault})`, raw.keyVaultId);
    return {
        kind: "keyVaultSecret",
        keyVaultSecretId: raw.keyVaultSecretId,
        keyVaultId: raw.keyVaultId,
        facts: {
            subject: raw.subject,
            sans: (raw.sans ?? []).map((san: string) => san.toLowerCase()),
            notAfter: new Date(raw.notAfter),
            thumbprint: raw.thumbprint.toUpperCase(),
            keyType: raw.keyType ?? "RSA",
            keySize: raw.keySize,
        },
    };
}

function identityOf(values: Values, fqdn: string, fail: Fail): IdentitySettings {
    if (values.identityStack !== undefined) {
        const conflicting = OWNER_ONLY_KEYS.find((key) => values[key] !== undefined);
        if (conflicting !== undefined) {
            fail(
                conflicting,
                `belongs to the stack that owns the Teams application; remove it here, since identityStack (${values.identityStack}) is set`,
                values[conflicting],
            );
        }
        return { owner: false, identityStack: values.identityStack };
    }
    return {
        owner: true,
        consent: values.consent ?? "url",
        botName: values.botName ?? `${values.baseName}-teams-bot`,
        botEndpoint: values.botEndpoint ?? `https://${fqdn}/api/messages`,
        botCallingWebhook: values.botCallingWebhook ?? `https://${fqdn}/api/calling`,
        consentRedirectUri: values.consentRedirectUri ?? `https://${fqdn}/adminconsent`,
    };
}

function teamsOf(raw: Values["teams"], nodeFqdns: readonly string[], fail: Fail): TeamsSettings | undefined {
    // Empty is Pulumi.yaml's default: not configured.
    if (raw?.tenantKey === undefined) return undefined;
    const [alias, addressDomain] = raw.tenantKey.split("@");
    const domain = raw.domain ?? addressDomain.toLowerCase();
    const prefix = raw.prefix ?? "";
    let instructionUrl = raw.instructionUrl;
    if (instructionUrl === undefined) {
        // The instruction page VDX's Conferencing Nodes serve for Teams invitations.
        if (nodeFqdns.length === 0) fail("teams.instructionUrl", "is required when vdx.nodeFqdns is empty (it is built from the first VDX node)");
        const query = `conf={ConfId}&ivr=${encodeURIComponent(alias)}&d=${encodeURIComponent(domain)}&prefix=${encodeURIComponent(prefix)}&w`;
        instructionUrl = `https://${nodeFqdns[0]}/teams/?${query}`;
    }
    const grantTo = raw.grantTo === undefined || raw.grantTo === "global" ? "global" : (raw.grantTo as string[]);
    return { tenantKey: raw.tenantKey, domain, prefix, instructionUrl, grantTo };
}
