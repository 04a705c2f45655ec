/**
 * The offline plan's report, built from a stack: its configuration read as `pulumi` reads it
 * (encrypted values stay `[secret]`), index.ts evaluated under the mock runtime, the policy pack
 * run as `pulumi preview --policy-pack-config` would, and every secret redacted.
 */
import * as path from "path";
import type { PolicyPackConfig } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import indexProgram = require("../../index");
import { ConfigError } from "../../lib/config/configError";
import { estimateCost } from "../../lib/vdx/cost";
import { daysBetween } from "../../lib/calendar";
import { noticeDays } from "../../lib/versions/releaseCalendar";
import { loadCatalogue, pendingVersions, VersionCatalogue } from "../../lib/versions/versionCatalogue";
import { parseSettings, Settings } from "../../lib/config/settings";
import { sizeConnector } from "../../lib/pexip/sizing";
import { checkDate } from "../../policy/common";
import { inertSettings, POLICIES } from "../../policy/policies";
import { teamsConnectorMatchesVdxVersion } from "../../policy/version";
import { ConfigurationRunError, resolvePackage } from "../../program";
import { checkCalendarDate, oneLine, UserError } from "../commandLine";
import { loadStackConfig, SECRET_PLACEHOLDER, StackConfig } from "../../lib/config/stackFiles";
import { withConfigChanges } from "../stackConfig";
import { deploymentSummary } from "./deploymentSummary";
import { checkOutDir } from "./handover";
import { captureConsole, MOCK_CLOUD, ProgramRun, RegisteredResource, runProgram } from "./mockRuntime";
import { nextSteps } from "./nextSteps";
import { PlanReport, PlanResource, PlanViolation, SECRET_TEXT } from "./planReport";
import { loadPolicyConfig, PolicyConfigError, reconcilePolicyConfig, runPolicies, withCheckDate } from "./policyEngine";
import { collectSecrets, redact, redactText } from "./redact";

/** A Pulumi program as index.ts exports it. */
export type PlanProgram = () => Promise<Record<string, unknown> | void>;

/** What to plan: the stack and what its report is built from (plan.ts's PlanOptions adds the output format). */
export interface PlanInput {
    /** The stack: `Pulumi.<stack>.yaml` must exist in `projectDir`. */
    readonly stack: string;
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

/** The policy configuration the plan applies unless told otherwise. */
export const DEFAULT_POLICY_CONFIG = path.resolve(__dirname, "..", "..", "policy", "config.json");

/**
 * Stand-in for a Windows admin password that is encrypted in the stack file. It only lets the
 * program run; it is a secret in the run and never printed. Azure's complexity rule holds for it.
 */
export const ADMIN_PASSWORD_STAND_IN = "Offline-Plan-Stand-In-1!";

/** The policy whose check date `--as-of` sets. */
const VERSION_POLICY = teamsConnectorMatchesVdxVersion.name;

/** The report and what the hand-over files are built from. */
export interface Planned {
    readonly report: PlanReport;
    readonly settings: Settings;
    /** Outputs, secrets redacted. */
    readonly outputs: Record<string, unknown>;
}

/** Plans a stack into its report. Throws a user's mistake as such (cli/commandLine.ts's userProblem), which plan() turns into exit 2. */
export async function buildPlan(options: PlanInput): Promise<Planned> {
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

function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative === "" || relative.startsWith("..") ? file : relative;
}
