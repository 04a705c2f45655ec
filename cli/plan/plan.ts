/**
 * The offline plan: what a stack would create, what it costs, what the policy pack says and
 * what the party does next, without Pulumi's CLI, a backend, Azure or any secret.
 *
 *     npm run --silent plan -- --stack <name> [--json | --markdown] [--as-of YYYY-MM-DD] [--out DIR]
 *                                             [--policy-config FILE] [--help]
 *
 * It reads Pulumi.yaml and Pulumi.<name>.yaml from the current directory (encrypted values
 * stay `[secret]`), runs index.ts under the Pulumi SDK's mock runtime, runs every policy of the
 * pack with policy/config.json as `pulumi preview --policy-pack-config` would, and prints the
 * report. Exit codes: 0 fine (advisories allowed), 1 a mandatory policy violation, 2 invalid
 * configuration or an unreadable stack, 3 a bug in the plan itself. See docs/plan.md.
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import indexProgram = require("../../index");
import { ConfigError } from "../../lib/config/configError";
import { estimateCost } from "../../lib/vdx/cost";
import { DRIVER_ACTIONS, DRIVER_VARIABLES, FACTS, factVariable } from "../../lib/contract";
import { deploymentParameters, DeploymentDocument, renderParameters, UNKNOWN_IDS } from "../../lib/pexip/deploymentParameters";
import { connectorNames } from "../../lib/naming";
import { daysBetween } from "../../lib/calendar";
import { noticeDays } from "../../lib/versions/releaseCalendar";
import { loadCatalogue, pendingVersions, VersionCatalogue } from "../../lib/versions/versionCatalogue";
import { parseSettings, Settings } from "../../lib/config/settings";
import { sizeConnector } from "../../lib/pexip/sizing";
import { buildVdxRequest, eventHubSecretCommand } from "../../lib/vdx/vdxRequest";
import { checkDate } from "../../policy/common";
import { inertSettings, POLICIES } from "../../policy/policies";
import { teamsConnectorMatchesVdxVersion } from "../../policy/version";
import { ConfigurationRunError, resolvePackage, ResolvedPackage } from "../../program";
import { checkCalendarDate, commandHelp, Flag, flagText, oneLine, parseFlags, runCommand, UserError, userProblem } from "../commandLine";
import { captureConsole, isSecretValue, MOCK_CLOUD, ProgramRun, RegisteredResource, runProgram } from "./mockRuntime";
import {
    hasMandatoryViolation,
    NextStep,
    PlanDeployment,
    PlanReport,
    PlanResource,
    PlanViolation,
    renderJson,
    renderJsonError,
    renderMarkdown,
    renderText,
    SECRET_TEXT,
} from "./planReport";
import { loadPolicyConfig, PolicyConfigError, reconcilePolicyConfig, runPolicies, withCheckDate } from "./policyEngine";
import { loadStackConfig, SECRET_PLACEHOLDER, StackConfig } from "../../lib/config/stackFiles";
import { withConfigChanges } from "../stackConfig";

/** How the report is printed. */
export type PlanFormat = "text" | "markdown" | "json";

/** A Pulumi program as index.ts exports it. */
export type PlanProgram = () => Promise<Record<string, unknown> | void>;

/** What to plan, and how. */
export interface PlanOptions {
    /** The stack: `Pulumi.<stack>.yaml` must exist in `projectDir`. */
    readonly stack: string;
    /** Default `text`. */
    readonly format?: PlanFormat;
    /** The version policy's check date (its `asOf`), YYYY-MM-DD; default today in Copenhagen (a policy configuration file may not set it). */
    readonly asOf?: string;
    /** Write the hand-over files here (created if missing). */
    readonly outDir?: string;
    /** Where Pulumi.yaml and the stack files are; default the current directory, as for `pulumi`. */
    readonly projectDir?: string;
    /** The policy configuration (`--policy-pack-config`); default policy/config.json of this repository. */
    readonly policyConfigFile?: string;
    /** Changes to the stack's configuration, for tests and the benchmark: project keys without namespace; `undefined` removes a key. */
    readonly configChanges?: Readonly<Record<string, unknown>>;
    /** Evaluate this instead of index.ts (the benchmark's ten regions); it reads the same configuration. */
    readonly program?: PlanProgram;
}

/** The outcome: what the CLI prints, and the report for callers in process. */
export interface PlanResult {
    /** 0 fine, 1 mandatory policy violation, 2 invalid configuration or stack, 3 a bug. */
    readonly exitCode: 0 | 1 | 2 | 3;
    /** Exactly what goes to stdout. */
    readonly stdout: string;
    /** Exactly what goes to stderr. */
    readonly stderr: string;
    /** The report, unless the configuration could not be planned. */
    readonly report?: PlanReport;
    /** The problem behind exit 2 or 3. */
    readonly error?: { readonly key: string; readonly message: string };
    /** Hand-over files written by `outDir`, as paths. */
    readonly files: readonly string[];
}

/** The hand-over files `--out` writes. */
export const HAND_OVER_FILES = {
    requestMarkdown: "vdx-request.md",
    requestJson: "vdx-request.json",
    lobbyBypass: "teams-lobby-bypass.ps1",
} as const;

/** The policy configuration the plan applies unless told otherwise. */
export const DEFAULT_POLICY_CONFIG = path.resolve(__dirname, "..", "..", "policy", "config.json");

/**
 * Stand-in for a Windows admin password that is encrypted in the stack file. It only lets the
 * program run; it is a secret in the run and never printed. Azure's complexity rule holds for it.
 */
export const ADMIN_PASSWORD_STAND_IN = "Offline-Plan-Stand-In-1!";

/** A problem the user can fix: exit 2 with one line, never a stack trace (cli/commandLine.ts's UserError, by the name the plan's callers know). */

/** The policy whose check date `--as-of` sets. */
const VERSION_POLICY = teamsConnectorMatchesVdxVersion.name;

// ---------------------------------------------------------------------------------------
// The plan

/** Plans a stack. Never throws for a user's mistake: those come back as exit 2. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
    const format = options.format ?? "text";
    let planned: Planned;
    try {
        planned = await buildPlan(options);
    } catch (error) {
        const problem = userProblem(error);
        if (problem !== undefined) return failure(format, 2, problem.key, problem.message);
        const message = error instanceof Error ? error.message : String(error);
        const trace = error instanceof Error && error.stack ? `${error.stack}\n` : "";
        return { ...failure(format, 3, "internal", `internal error in the plan: ${message}`), stderr: `internal error in the plan: ${message}\n${trace}` };
    }

    const { report } = planned;
    const stdout = format === "json" ? renderJson(report) : format === "markdown" ? renderMarkdown(report) : renderText(report);
    const stderr: string[] = [];
    if (format === "json") {
        // The document has no place for them; stdout must stay one JSON document.
        stderr.push(...report.warnings.map((warning) => `warning: ${warning}`));
    }
    const mandatory = report.policy.violations.filter((violation) => violation.enforcement === "mandatory");
    const files: string[] = [];
    if (mandatory.length > 0) {
        const names = [...new Set(mandatory.map((violation) => violation.policy))].join(", ");
        stderr.push(`error: ${mandatory.length} mandatory policy violation(s): ${names}`);
        if (options.outDir !== undefined) stderr.push(`hand-over files not written to ${options.outDir}: fix the mandatory violations first`);
    } else if (options.outDir !== undefined) {
        const contents = handOverFiles(planned);
        try {
            files.push(...writeHandOver(options.outDir, contents));
        } catch (error) {
            if (error instanceof UserError) return failure(format, 2, error.key, error.message);
            throw error;
        }
        stderr.push(...files.map((file) => `wrote ${file}`));
    }
    return {
        exitCode: hasMandatoryViolation(report) ? 1 : 0,
        stdout,
        stderr: stderr.map((line) => `${line}\n`).join(""),
        report,
        files,
    };
}

/** The report and what the hand-over files are built from. */
interface Planned {
    readonly report: PlanReport;
    readonly settings: Settings;
    /** Outputs, secrets redacted. */
    readonly outputs: Record<string, unknown>;
}

async function buildPlan(options: PlanOptions): Promise<Planned> {
    if (!options.stack) throw new UserError("--stack", "--stack <name> is required (a Pulumi.<name>.yaml in the project)");
    checkCalendarDate("--as-of", options.asOf);
    if (options.outDir !== undefined) checkOutDir(options.outDir);
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const loaded = withConfigChanges(loadStackConfig(projectDir, options.stack), options.configChanges ?? {});
    const warnings: string[] = [];
    const config = standInSecrets(loaded, warnings);
    const catalogue = loadCatalogue(projectDir);
    const settings = readSettings(loaded, config, catalogue);
    refuseEncryptedPfx(settings, loaded);

    const policyConfigFile = path.resolve(options.policyConfigFile ?? DEFAULT_POLICY_CONFIG);
    let policyConfig = readPolicyConfig(policyConfigFile);
    if (options.asOf !== undefined) {
        // The version policy's check date only: a certificate the program makes today (dev's
        // self-signed one) would look expired on a date years ahead.
        const versionPolicy = POLICIES.filter((policy) => policy.name === VERSION_POLICY);
        policyConfig = withCheckDate(versionPolicy, policyConfig, options.asOf);
    }
    const { checkDate: policyDate, ...weakened } = reconciledPolicy(policyConfig);

    const run = await evaluate(options.program ?? indexProgram, loaded, config, settings, projectDir, warnings);
    const violations = await checkPolicies(run.resources, policyConfig, warnings);

    const secrets = collectSecrets([...run.resources.map((resource) => resource.inputs), run.outputs]);
    const clean = (value: unknown) => redact(value, secrets);
    const resources: PlanResource[] = run.resources.map((resource) => ({
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        parent: resource.parent ?? null,
        protect: resource.protect,
        custom: resource.custom,
        inputs: clean(resource.inputs) as Record<string, unknown>,
    }));
    const outputs = clean(run.outputs) as Record<string, unknown>;
    const sizing = sizeConnector(settings.sizing);
    const standIns = standInOutputs(settings, outputs);

    const report: PlanReport = {
        stack: loaded.stack,
        project: loaded.project,
        environment: settings.environment,
        location: settings.location,
        fqdn: settings.fqdn,
        pexipVersion: settings.pexipVersion,
        resources,
        sizing: {
            concurrentPorts: sizing.concurrentPorts,
            portsPerInstance: sizing.portsPerInstance,
            spareInstances: sizing.spareInstances,
            instances: sizing.instances,
            requiredInstances: sizing.requiredInstances,
            plannedCapacity: sizing.plannedCapacity,
        },
        cost: estimateCost(sizing, settings.cost, settings.infinityScaling),
        policy: {
            violations: violations.map((violation) => ({ ...violation, message: redactText(violation.message, secrets) })),
            checkDate: policyDate,
            configFile: displayPath(policyConfigFile),
            ...weakened,
            packSize: POLICIES.length,
        },
        // The package's script read as the program reads it: its declared types render the table as the command.
        deployment: deploymentSummary(settings, await resolvePackage(settings, projectDir), run.resources, outputs),
        upgrades: pendingVersions(catalogue, policyDate).map((entry) => ({
            version: entry.version,
            from: entry.from,
            announced: entry.announced,
            daysLeft: daysBetween(policyDate, entry.from),
            noticeDays: noticeDays(entry),
        })),
        outputs,
        standIns,
        nextSteps: nextSteps(settings, outputs, options.outDir),
        warnings: warnings.map((warning) => redactText(warning, secrets)),
    };
    return { report, settings, outputs };
}

/**
 * The configuration the program gets. Encrypted values stay `[secret]`, except a Windows
 * admin password, whose only rule is its complexity: a stand-in lets the plan go on, and a
 * warning says that `pulumi preview` checks the real one.
 */
function standInSecrets(loaded: StackConfig, warnings: string[]): Record<string, string> {
    const config = { ...loaded.config };
    const key = `${loaded.project}:adminPassword`;
    if (loaded.secretKeys.includes(key) && config[key] === SECRET_PLACEHOLDER) {
        config[key] = ADMIN_PASSWORD_STAND_IN;
        warnings.push(`adminPassword is encrypted in Pulumi.${loaded.stack}.yaml and the plan never decrypts: its complexity is checked by \`pulumi preview --stack ${loaded.stack}\``);
    }
    return config;
}

/** parseSettings over the loaded configuration: what program.ts's readSettings does with the engine's. */
function readSettings(loaded: StackConfig, config: Record<string, string>, catalogue: VersionCatalogue): Settings {
    try {
        return parseSettings(config, { project: loaded.project, stack: loaded.stack, secretKeys: loaded.secretKeys, catalogue });
    } catch (error) {
        // A rule broken by "[secret]" is the placeholder's fault, not the value's: say so.
        if (error instanceof ConfigError) {
            const root = error.key.split(/[.[]/)[0];
            const full = root.includes(":") ? root : `${loaded.project}:${root}`;
            if (loaded.secretKeys.includes(full)) {
                throw new UserError(
                    error.key,
                    `${error.message} (${root} is encrypted in Pulumi.${loaded.stack}.yaml and the plan never decrypts: \`pulumi preview --stack ${loaded.stack}\` checks it)`,
                );
            }
        }
        throw error;
    }
}

/**
 * A PFX behind an encrypted password cannot be opened offline, and its facts (names, expiry,
 * key) are what the certificate policies check. Planning without them would pass a
 * certificate nobody looked at, so the plan stops and says where it is checked.
 */
function refuseEncryptedPfx(settings: Settings, loaded: StackConfig): void {
    const certificate = settings.certificate;
    if (certificate.kind !== "pfxFile" || certificate.password.reveal() !== SECRET_PLACEHOLDER) return;
    if (!loaded.secretKeys.includes(`${loaded.project}:certificate`)) return;
    throw new UserError(
        "certificate.password",
        `certificate.password is encrypted in Pulumi.${loaded.stack}.yaml and the offline plan never decrypts secrets, so the PFX ` +
            `${certificate.pfxFile} cannot be opened and checked here: \`pulumi preview --stack ${loaded.stack}\` decrypts it and checks the PFX ` +
            "(or keep the certificate in Key Vault with its facts declared: certificate.keyVaultSecretId, which the plan can check)",
    );
}

function readPolicyConfig(file: string): PolicyPackConfig {
    try {
        return loadPolicyConfig(file);
    } catch (error) {
        if (error instanceof PolicyConfigError) throw new UserError(displayPath(file), oneLine(error.message));
        throw error;
    }
}

/**
 * The version policy's check date, and what the configuration weakens after the engine's
 * reconciliation (defaults, `all`, entries): the policies it disables, the mandatory ones it
 * downgrades to advisory, and the settings that switch a check off.
 */
function reconciledPolicy(config: PolicyPackConfig): { checkDate: string } & Pick<PlanReport["policy"], "disabled" | "downgraded" | "inert"> {
    try {
        const reconciled = reconcilePolicyConfig(POLICIES, config);
        const properties = reconciled.get(VERSION_POLICY)?.properties ?? {};
        const entries = [...reconciled];
        const disabled = entries.filter(([, entry]) => entry.enforcementLevel === "disabled").map(([name]) => name);
        const downgraded = POLICIES.filter((policy) => policy.enforcementLevel === "mandatory" && reconciled.get(policy.name)?.enforcementLevel === "advisory").map((policy) => policy.name);
        const inert = entries
            .filter(([, entry]) => entry.enforcementLevel !== "disabled")
            .flatMap(([name, entry]) => inertSettings(name, entry.properties).map((setting) => `${name}.${setting}`));
        return { checkDate: checkDate(VERSION_POLICY, properties), disabled, downgraded, inert };
    } catch (error) {
        throw new UserError("policy", oneLine((error as Error).message));
    }
}

/** Runs the program under the mock runtime. What it logs is collected as warnings, so stdout carries only the report. */
async function evaluate(
    program: PlanProgram,
    loaded: StackConfig,
    config: Record<string, string>,
    settings: Settings,
    projectDir: string,
    warnings: string[],
): Promise<ProgramRun> {
    const identity = settings.identity;
    const stackOutputs = identity.owner
        ? {}
        : { [identity.identityStack]: { teamsApplicationId: identityStandIn(identity.identityStack), teamsAppSecret: SECRET_TEXT } };
    const cwd = process.cwd();
    try {
        // index.ts resolves certificate.pfxFile against the current directory, as `pulumi` runs it.
        if (cwd !== projectDir) process.chdir(projectDir);
        const run = await runProgram({
            project: loaded.project,
            stack: loaded.stack,
            config,
            secretKeys: loaded.secretKeys,
            stackOutputs,
            program,
        });
        warnings.push(...run.logs);
        return run;
    } catch (error) {
        if (error instanceof ConfigurationRunError) throw new UserError(error.key, oneLine(error.message));
        if (pulumi.RunError.isInstance(error)) throw new UserError("config", oneLine((error as Error).message));
        throw error;
    } finally {
        if (process.cwd() !== cwd) process.chdir(cwd);
    }
}

async function checkPolicies(resources: readonly RegisteredResource[], config: PolicyPackConfig, warnings: string[]): Promise<PlanViolation[]> {
    const restoreConsole = captureConsole(warnings);
    try {
        const violations = await runPolicies(POLICIES, resources, config);
        return violations.map((violation) => ({ ...violation, urn: violation.urn ?? null }));
    } catch (error) {
        // The engine stops `pulumi preview` the same way. The pack's policies throw only for a
        // broken configuration (an unordered release calendar, a bad time zone), so it is one.
        throw new UserError("policy", oneLine((error as Error).message));
    } finally {
        restoreConsole();
    }
}

/** What a secondary region's StackReference yields offline: a marked stand-in, not an ID. */
function identityStandIn(identityStack: string): string {
    return `<teamsApplicationId of ${identityStack}>`;
}

// ---------------------------------------------------------------------------------------
// Secrets: every value with Pulumi's secret marker becomes "[secret]". As a second line of
// defence, a secret string that also turns up inside an unmarked string is cut out there too.

/** Keys whose string values inside a secret object are themselves secret (not names or sizes). */
const SECRET_KEYS = /password|secret|key|token|connectionstring|value|pfx|customdata/i;

/**
 * The secret strings to cut out of unmarked text: values wrapped by the marker themselves, and
 * values under a secret-looking key inside a wrapped object. Short strings, and strings that are
 * also plain values elsewhere (a name inside a secret object), would blank out unrelated text.
 */
function collectSecrets(values: readonly unknown[]): Set<string> {
    const secret = new Set<string>();
    const plain = new Set<string>();
    const visit = (value: unknown, inSecret: boolean, key: string | undefined, wrapped: boolean): void => {
        if (isSecretValue(value)) return visit(value.value, true, key, true);
        if (typeof value === "string") {
            if (!inSecret) plain.add(value);
            else if (value.length >= 8 && value !== SECRET_TEXT && (wrapped || (key !== undefined && SECRET_KEYS.test(key)))) secret.add(value);
        } else if (Array.isArray(value)) {
            value.forEach((item) => visit(item, inSecret, key, false));
        } else if (typeof value === "object" && value !== null) {
            Object.entries(value).forEach(([name, item]) => visit(item, inSecret, name, false));
        }
    };
    values.forEach((value) => visit(value, false, undefined, false));
    plain.forEach((value) => secret.delete(value));
    return secret;
}

function redact(value: unknown, secrets: ReadonlySet<string>): unknown {
    if (isSecretValue(value)) return SECRET_TEXT;
    if (typeof value === "string") return redactText(value, secrets);
    if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item, secrets)]));
    }
    return value;
}

function redactText(text: string, secrets: ReadonlySet<string>): string {
    let result = text;
    for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(SECRET_TEXT);
    return result;
}

/**
 * Outputs whose values the mock cloud made up: anything holding the mock's public IP, its
 * subscription or tenant IDs, the application ID the stack creates (or the identity stack's
 * stand-in), and a self-signed certificate's facts, made by the provider at deploy time.
 */
function standInOutputs(settings: Settings, outputs: Record<string, unknown>): string[] {
    const markers: string[] = [MOCK_CLOUD.publicIpAddress, MOCK_CLOUD.subscriptionId, MOCK_CLOUD.tenantId, MOCK_CLOUD.clientId, MOCK_CLOUD.objectId];
    if (typeof outputs.teamsApplicationId === "string") markers.push(outputs.teamsApplicationId);
    return Object.entries(outputs)
        .filter(([key, value]) => {
            if (key === "certificate") return settings.certificate.kind === "selfSigned";
            const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
            return markers.some((marker) => text.includes(marker));
        })
        .map(([key]) => key);
}

// ---------------------------------------------------------------------------------------
// The Pexip deployment

/** What Pexip's deployment script is run with, and how the stack carries out Pexip's procedures. */
function deploymentSummary(settings: Settings, pkg: ResolvedPackage, resources: readonly RegisteredResource[], outputs: Record<string, unknown>): PlanDeployment {
    const command = resources.find((resource) => resource.type === "command:local:Command" && resource.inputs.create === DRIVER_ACTIONS.deploy);
    const text = (command?.inputs.environment as Record<string, unknown> | undefined)?.[DRIVER_VARIABLES.deployment];
    if (typeof text !== "string") throw new Error("the program registered no Pexip deployment command with its deployment document");
    const document = JSON.parse(text) as DeploymentDocument;
    const names = connectorNames(settings.baseName, settings.regionCode);
    const script = document.package.deploymentScript;
    const declared = pkg.script?.parameters;
    const checked = declared !== undefined;
    // The script's own param block confirms every name; without it, only Pexip's public commands and the user's settings do.
    const unconfirmed = new Set(checked ? [] : deploymentParameters(settings, UNKNOWN_IDS).filter((entry) => !entry.nameConfirmed).map((entry) => entry.name));
    return {
        resourceGroup: document.resourceGroup,
        scaleSetName: document.scaleSetName,
        script,
        parametersChecked: checked,
        command: typeof outputs.deploymentCommand === "string" ? outputs.deploymentCommand : "",
        parameters: renderParameters(document, Number(outputs.instances), declared).map(({ name, argument }) => ({
            name,
            value: argument.slice(name.length + 2) || "(switch)",
            nameConfirmed: !unconfirmed.has(name),
        })),
        lifecycle: [
            {
                step: "check",
                what: `first, the driver fetches the Pexip ${settings.pexipVersion} package, verifies its checksum and checks the parameters below against ${script}'s param block; a failure stops the update before anything is removed`,
            },
            {
                step: "create",
                what: `the driver creates ${document.resourceGroup} and runs ${script} with the parameters below`,
            },
            {
                step: "update",
                what:
                    `any change that does not redeploy (tags, a resize's capacity facts such as ${factVariable(FACTS.instanceCount)}, where the package or the PFX comes from) ` +
                    `updates the deployment in place: the driver only sets ${document.resourceGroup}'s tags; the connector keeps running`,
            },
            {
                step: "delete",
                what: `the driver removes ${document.resourceGroup} (Remove-AzResourceGroup -Force); ${names.staticResourceGroup} with the public IP and the Key Vault stays`,
            },
            {
                step: "redeploy",
                what:
                    "delete, then create, when anything the script is given changes (the Pexip version, the package checksum, a parameter or its name), " +
                    "the certificate thumbprint, the administrator password or the application's client secret: the region's connector is down meanwhile (Pexip's upgrade procedure)",
            },
            {
                step: "scale",
                what: settings.infinityScaling
                    ? `Pexip Infinity owns capacity after creation (Event Hub, scheduled scaling); the scale set is created with ${outputs.instances} instance(s)`
                    : `a change of concurrentPorts, portsPerInstance or spareInstances sets ${document.scaleSetName}'s capacity in place (Update-AzVmss -SkuCapacity), no redeploy`,
            },
        ],
    };
}

// ---------------------------------------------------------------------------------------
// Next steps and the hand-over files

function nextSteps(settings: Settings, outputs: Record<string, unknown>, outDir: string | undefined): NextStep[] {
    const stack = settings.stack;
    const output = (name: string) => `pulumi stack output --stack ${stack} ${name}`;
    const written = (file: string) => (outDir === undefined ? `--out DIR writes it as ${file}` : `written to ${path.join(outDir, file)}`);
    const steps: NextStep[] = [];

    const identity = settings.identity;
    if (!identity.owner) {
        steps.push({
            title: "Consent",
            text: `the Teams application, its admin consent and the bot are tenant-wide and belong to ${identity.identityStack}; nothing to consent here.`,
        });
    } else if (identity.consent === "grant") {
        const count = typeof outputs.consentGrantedPermissions === "number" ? outputs.consentGrantedPermissions : 0;
        steps.push({
            title: "Consent",
            text: `granted in code: the stack assigns the ${count} Microsoft Graph application permission(s) to the connector's application, so the identity running \`pulumi up\` must be allowed to grant application permissions (e.g. Privileged Role Administrator). No admin-consent link is needed.`,
        });
    } else {
        steps.push({
            title: "Consent",
            text: `after \`pulumi up\`, the Teams tenant's administrator opens the admin-consent URL (tenant ${settings.teamsTenantId}) and accepts the connector's Microsoft Graph application permissions; the URL carries the application ID, known only after deployment:`,
            command: output("adminConsentUrl"),
        });
    }

    if (typeof outputs.lobbyBypassScript === "string") {
        steps.push({
            title: "Lobby bypass",
            text: `a Teams administrator runs the Teams PowerShell once per tenant (video interop provider ${settings.teams?.tenantKey} and policy; the connector's calls then skip the lobby). It is the stack output lobbyBypassScript; ${written(HAND_OVER_FILES.lobbyBypass)}:`,
            command: output("lobbyBypassScript"),
        });
    } else {
        steps.push({
            title: "Lobby bypass",
            text: "not configured: set `teams` (tenantKey, prefix) in the stack to get the Teams PowerShell for the invitation block and lobby bypass.",
        });
    }

    const request = `send the VDX supplier the request to register the connector (${written(HAND_OVER_FILES.requestMarkdown)} in Danish and English, and the Pexip management API payloads in ${HAND_OVER_FILES.requestJson})`;
    steps.push(
        settings.infinityScaling
            ? {
                  title: "VDX request",
                  text: `${request}. The Event Hub connection string is never in them: send it by a secure channel, printed with:`,
                  command: eventHubSecretCommand(stack),
              }
            : { title: "VDX request", text: `${request}.` },
    );
    steps.push({
        title: "DNS",
        text: `point ${settings.fqdn} at the connector's static public IP: a CNAME to its Azure DNS name ${outputs.publicIpFqdn}, as Pexip suggests (or an A record to the address \`pulumi up\` allocates):`,
        command: output("dnsRecord"),
    });
    return steps;
}

/** The hand-over files' names and contents. Never the Event Hub connection string. */
function handOverFiles(planned: Planned): Record<string, string> {
    const { settings, outputs, report } = planned;
    // Facts come from the program's outputs, unless the mock cloud made them up.
    const fact = (name: string) => (typeof outputs[name] === "string" && !report.standIns.includes(name) ? (outputs[name] as string) : undefined);
    const publicIp = fact("publicIpAddress");
    const applicationId = fact("teamsApplicationId");
    const request = buildVdxRequest(settings, {
        ...(publicIp === undefined ? {} : { publicIp }),
        ...(applicationId === undefined ? {} : { applicationId }),
        ...(settings.infinityScaling ? { eventHubSecretCommand: eventHubSecretCommand(settings.stack) } : {}),
    });
    const files: Record<string, string> = {
        [HAND_OVER_FILES.requestMarkdown]: request.markdown,
        [HAND_OVER_FILES.requestJson]: `${JSON.stringify(request.json, null, 2)}\n`,
    };
    const script = outputs.lobbyBypassScript;
    if (typeof script === "string") {
        const standIn = typeof outputs.teamsApplicationId === "string" && applicationId === undefined ? outputs.teamsApplicationId : undefined;
        files[HAND_OVER_FILES.lobbyBypass] = standIn === undefined ? script : parameterisedScript(script, standIn, settings.stack);
    }
    return files;
}

/**
 * The Teams PowerShell with the application ID as a parameter: offline, the ID in the program's
 * output is the mock cloud's, and a script that registered it would silently break the lobby
 * bypass. PowerShell allows comments before `param`.
 */
function parameterisedScript(script: string, standInId: string, stack: string): string {
    const literal = `'${standInId.replace(/'/g, "''")}'`;
    if (!script.includes(literal)) throw new Error("the lobby bypass script does not contain the application ID where expected");
    return [
        `# Written by the offline plan for stack ${stack}. The connector's application ID exists only`,
        "# after `pulumi up`, so it is a parameter here:",
        `#   ./teams-lobby-bypass.ps1 -ApplicationId (pulumi stack output --stack ${stack} teamsApplicationId)`,
        `# After deployment, \`pulumi stack output --stack ${stack} lobbyBypassScript\` prints the same script with the ID in it.`,
        "param(",
        "    [Parameter(Mandatory = $true)]",
        "    [ValidatePattern('^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')]",
        "    [string] $ApplicationId",
        ")",
        "",
        script.split(literal).join("$ApplicationId"),
    ].join("\n");
}

/**
 * The nearest existing directory on the way to `outDir`, and the directories to create below it,
 * outermost first. Not `mkdir -p` (`fs.mkdirSync` with `recursive`): where the kernel answers
 * ENOENT for a directory whose parent exists, as /proc and /sys do, Node creates the parent
 * again and retries the child, forever, at 100% CPU.
 */
function outDirectories(outDir: string): { existing: string; missing: string[] } {
    const missing: string[] = [];
    let existing = path.resolve(outDir);
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
        missing.unshift(existing);
        existing = path.dirname(existing);
    }
    return { existing, missing };
}

/** A problem with `--out`: a user error naming the flag and the path. */
function outProblem(outDir: string, problem: string): UserError {
    return new UserError("--out", `--out ${outDir}: ${problem}`);
}

/** A file-system error's code and meaning, without the path Node appends: "EACCES: permission denied". */
function fsReason(error: unknown): string {
    return (error as Error).message.split(",")[0];
}

/**
 * Refuses an `--out` that cannot take the hand-over files before the plan runs, and leaves
 * nothing behind: a file where a directory must be, or a directory in which nothing can be
 * created. The last is found by trying (a directory made and removed at once): access(2) says
 * yes to root everywhere and to /proc, which then refuses.
 */
function checkOutDir(outDir: string): void {
    const { existing, missing } = outDirectories(outDir);
    if (!fs.statSync(existing).isDirectory()) {
        throw outProblem(outDir, missing.length === 0 ? "it is a file, not a directory" : `${existing} is a file, not a directory`);
    }
    try {
        fs.rmdirSync(fs.mkdtempSync(path.join(existing, ".plan-out-")));
    } catch (error) {
        throw outProblem(outDir, `nothing can be created in ${existing} (${fsReason(error)})`);
    }
}

/** Writes the hand-over files, creating `outDir` and missing parents one level at a time. */
function writeHandOver(outDir: string, files: Record<string, string>): string[] {
    const attempt = (target: string, write: () => void): string => {
        try {
            write();
            return target;
        } catch (error) {
            throw outProblem(outDir, `cannot write ${target} (${fsReason(error)})`);
        }
    };
    for (const dir of outDirectories(outDir).missing) attempt(dir, () => fs.mkdirSync(dir));
    return Object.entries(files).map(([name, content]) => {
        const file = path.join(outDir, name);
        return attempt(file, () => fs.writeFileSync(file, content));
    });
}

// ---------------------------------------------------------------------------------------
// Errors and helpers

function failure(format: PlanFormat, exitCode: 2 | 3, key: string, message: string): PlanResult {
    const line = oneLine(message);
    return format === "json"
        ? { exitCode, stdout: renderJsonError(key, line), stderr: "", error: { key, message: line }, files: [] }
        : { exitCode, stdout: "", stderr: `error: ${line}\n`, error: { key, message: line }, files: [] };
}

function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" || relative.startsWith("..") ? file : relative;
}

// ---------------------------------------------------------------------------------------
// The command line

/** One of the plan's flags (cli/commandLine.ts's Flag): the single description that the parser, the usage line and `--help` use. */
export interface PlanFlag extends Flag {
    /** The output format the flag selects; such flags exclude each other. */
    readonly format?: PlanFormat;
}

/** The plan's flags, in the order of the usage line. Each may be given once. */
export const PLAN_FLAGS: readonly PlanFlag[] = [
    { name: "--stack", value: "<name>", required: true, meaning: "the stack to plan, Pulumi.<name>.yaml in the current directory" },
    { name: "--json", format: "json", meaning: "print exactly one JSON document, for tools (docs/plan.md); excludes --markdown" },
    { name: "--markdown", format: "markdown", meaning: "print the report as a pull-request comment, with a Mermaid diagram" },
    {
        name: "--as-of",
        value: "YYYY-MM-DD",
        meaning: "the version policy's check date; default today in Copenhagen (never set in a policy configuration file)",
    },
    {
        name: "--out",
        value: "DIR",
        meaning: "also write the hand-over files (VDX request, Teams PowerShell) into DIR, created if missing; not on a mandatory violation",
    },
    { name: "--policy-config", value: "FILE", meaning: "this policy configuration instead of policy/config.json (as pulumi preview --policy-pack-config)" },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

/** What each exit code means, for `--help`. */
const EXIT_CODES: Readonly<Record<PlanResult["exitCode"], string>> = {
    0: "no mandatory policy violation (advisories and warnings allowed)",
    1: "a mandatory policy violation: the report is still printed, --out writes nothing",
    2: 'invalid configuration, an unreadable stack or a usage mistake: one line "error: ..." on stderr (with --json a JSON error object on stdout)',
    3: "a bug in the plan itself: the message and a stack trace on stderr",
};

const USAGE = `usage: npm run --silent plan -- ${PLAN_FLAGS.flatMap((flag) => {
    if (flag.format === undefined) return [flag.required ? flagText(flag) : `[${flagText(flag)}]`];
    // The format flags as one choice, where the first of them stands.
    const formats = PLAN_FLAGS.filter((other) => other.format !== undefined);
    return flag === formats[0] ? [`[${formats.map((other) => other.name).join(" | ")}]`] : [];
}).join(" ")}`;

/** The text `--help` prints: the usage line, every flag with its meaning, the exit codes and two examples. */
export function planHelp(): string {
    return commandHelp({
        about: [
            "The offline plan: what a stack would create, what it costs and what the policy pack says, without Azure,",
            "a Pulumi backend or any secret (docs/plan.md).",
        ],
        usage: USAGE,
        flagsNote: "Flags (each at most once; --flag=value works too):",
        flags: PLAN_FLAGS,
        exitCodes: EXIT_CODES,
        examples: ["npm run --silent plan -- --stack dev", "npm run --silent plan -- --stack prod --json --out plan-out > plan.json"],
    });
}

/** Parsed command line; `help` prints the help. */
export interface PlanArguments {
    readonly options?: PlanOptions;
    readonly help?: boolean;
    /** Where the problem's output goes (JSON when --json was among the arguments). */
    readonly format: PlanFormat;
}

/** Parses the arguments; throws UserError for a usage mistake, naming the flag. */
export function parseArguments(argv: readonly string[]): PlanArguments {
    const { help, values } = parseFlags(argv, PLAN_FLAGS, USAGE);
    if (help) return { help: true, format: "text" };
    const formats = PLAN_FLAGS.filter((flag) => flag.format !== undefined && values.has(flag.name));
    const format = formats[0]?.format ?? "text";
    if (formats.length > 1) throw new UserError(formats[0].name, `${formats.map((flag) => flag.name).join(" and ")} exclude each other`);
    const value = (name: string) => values.get(name)?.[0];
    const asOf = value("--as-of");
    const outDir = value("--out");
    const policyConfigFile = value("--policy-config");
    return {
        format,
        options: {
            stack: value("--stack")!,
            format,
            ...(asOf === undefined ? {} : { asOf }),
            ...(outDir === undefined ? {} : { outDir }),
            ...(policyConfigFile === undefined ? {} : { policyConfigFile }),
        },
    };
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    let parsed: PlanArguments;
    try {
        parsed = parseArguments(argv);
    } catch (error) {
        const problem = userProblem(error);
        if (problem === undefined) throw error;
        const format: PlanFormat = argv.includes("--json") ? "json" : "text";
        const result = failure(format, 2, problem.key, problem.message);
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        return 2;
    }
    if (parsed.help || parsed.options === undefined) {
        process.stdout.write(planHelp());
        return 0;
    }
    const result = await plan(parsed.options);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
}

if (require.main === module) {
    runCommand("the plan", async () => {
        const code = await main(process.argv.slice(2));
        // For the benchmark: the child's peak memory where /usr/bin/time is missing.
        const rssFile = process.env.PLAN_MAX_RSS_FILE;
        if (rssFile) fs.writeFileSync(rssFile, `${process.resourceUsage().maxRSS}\n`);
        return code;
    });
}
