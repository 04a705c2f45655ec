/**
 * Moves stacks to one of VDX's Pexip versions:
 *
 *     npm run --silent upgrade -- --to <version> [--stack <name>]... [--help]
 *
 * Sets `vdx-teams-connector:pexipVersion` in each named stack file (default: every
 * `Pulumi.<stack>.yaml`), changing nothing else in it: only the value's characters are replaced,
 * found with the yaml package's Document API. Then it says, per stack, what the change redeploys,
 * from the offline plan (cli/plan/plan.ts) run before and after in process: Pexip's deployment
 * redeployed and why, no static resource touched (or loudly which one is), and the maintenance
 * window that applies. cli/upgrade/upgradePr.ts builds the scheduled upgrade pull request from the
 * same `prepareUpgrade`. Exit codes: see UPGRADE_EXIT_CODES.
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, parseDocument, Scalar } from "yaml";
import { dateIn, DEFAULT_TIME_ZONE } from "../../lib/calendar";
import { DRIVER_ACTIONS } from "../../lib/contract";
import { startOfDate, windowStatus } from "../../lib/versions/maintenanceWindow";
import {
    checksumInstruction,
    checksumLines,
    deadlineLines,
    isDowngrade,
    noticeLines,
    PLAIN_STYLE,
    ResourceChange,
    StackPlanComparison,
    stackLines,
    stackProblems,
    StackUpgrade,
    TriggerChange,
    UpgradeSummary,
} from "../../lib/versions/upgradePullRequest";
import { CATALOGUE_FILE, catalogueEntry, loadCatalogue } from "../../lib/versions/versionCatalogue";
import { commandHelp, Flag, parseFlags, runCommand, userErrorLine, UserError } from "../commandLine";
import { plan, PlanResult } from "../plan/plan";
import { PlanReport, PlanResource, urnType } from "../plan/planReport";
import { listStacks, loadStackConfig } from "../../lib/config/stackFiles";
import { readWindow } from "../stackConfig";

/** What to upgrade. */
export interface UpgradeOptions {
    /** The version to set; the catalogue must list it. */
    readonly to: string;
    /** The stacks; default every `Pulumi.<stack>.yaml` in the project. */
    readonly stacks?: readonly string[];
    /** Where Pulumi.yaml, the stack files and the catalogue are; default the current directory. */
    readonly projectDir?: string;
    /** The policy configuration the plans apply; default the plan's (policy/config.json). */
    readonly policyConfigFile?: string;
    /** The clock: today (Copenhagen) and the moment windows are looked up from; default now. */
    readonly now?: Date;
    /** Moves a stack on a later version back to `to`; without it such a stack refuses the upgrade. */
    readonly allowDowngrade?: boolean;
    /**
     * The moment the change can first be merged, from which each stack's first maintenance window
     * is found; default: the later of `now` and the start of VDX's switch date (Copenhagen).
     */
    readonly mergeableFrom?: Date;
}

/** The summary the sentences and the pull request are built from, and the stack files' new text. */
export interface PreparedUpgrade extends UpgradeSummary {
    /** By file name (`Pulumi.<stack>.yaml`): the whole new text. */
    readonly files: Readonly<Record<string, string>>;
}

/** The outcome of the command in process. */
export interface UpgradeResult {
    readonly exitCode: 0 | 1 | 2 | 3 | 4;
    readonly stdout: string;
    readonly stderr: string;
    /** Absent when the upgrade was refused (exit 2) or failed (exit 3). */
    readonly prepared?: PreparedUpgrade;
    /** The stack files written, as paths. */
    readonly written: readonly string[];
}

/** What each exit code means, for `--help` and the README. */
export const UPGRADE_EXIT_CODES: Readonly<Record<UpgradeResult["exitCode"], string>> = {
    0: "the stack files are set (or already were); each plan after the change passes and only Pexip's deployment changes",
    1: "the stack files are set, but a stack needs a look before merging: a plan that fails or has a mandatory violation, or a change beyond Pexip's deployment (WARNING lines)",
    2: 'refused, nothing written: an unknown version or stack, a downgrade without --allow-downgrade, a repeated or missing flag, an unreadable stack file; one line "error: ..." on stderr',
    3: "a bug in the command itself: the message and a stack trace on stderr",
    4: `the stack files are set, but ${CATALOGUE_FILE} has no package checksum for the version: the keys to add are printed (sha256, and url when that is missing too); nothing can deploy it until then`,
};

// ---------------------------------------------------------------------------------------
// The stack file

/**
 * A stack file's text with `pexipVersion` set to `version`, written in double quotes (an
 * unquoted 38.10 would be the number 38.1). Only the value's characters change: comments,
 * blank lines, quoting and order elsewhere stay byte for byte. The key is the namespaced one
 * (`<project>:pexipVersion`), or the bare one the engine also accepts; a file without it, or with
 * anything but a one-line value there, is refused (a UserError naming the file).
 */
export function setPexipVersion(text: string, file: string, project: string, version: string): string {
    const document = parseDocument(text);
    if (document.errors.length > 0) throw new UserError(file, `${file} is not valid YAML: ${document.errors[0].message.split("\n")[0]}`);
    const config = document.get("config", true);
    const keys = [`${project}:pexipVersion`, "pexipVersion"];
    const pair = isMap(config) ? config.items.find((item) => isScalar(item.key) && keys.includes(String(item.key.value))) : undefined;
    if (pair === undefined) throw new UserError(file, `${file} sets no ${keys[0]}: add it (the version the stack runs now) before upgrading`);
    const node = pair.value;
    const oneLine: readonly string[] = [Scalar.PLAIN, Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE];
    if (!isScalar(node) || node.range == null || !oneLine.includes(node.type ?? "")) {
        throw new UserError(file, `${file}: ${keys[0]} is not a one-line value; write it as "<version>" and upgrade again`);
    }
    const [start, end] = node.range;
    return `${text.slice(0, start)}"${version}"${text.slice(end)}`;
}

// ---------------------------------------------------------------------------------------
// The plans, compared

/** The static resource groups: the groups each region's connector component creates itself (Pexip's script owns the dynamic one). */
function staticGroups(report: PlanReport): string[] {
    return report.resources
        .filter((resource) => resource.type === "azure-native:resources:ResourceGroup" && resource.parent !== null && urnType(resource.parent) === "vdx:teams:TeamsConnector")
        .map((resource) => String(resource.inputs.resourceGroupName));
}

/** Pexip's deployment command: what Pexip's script runs from (cli/plan/deploymentSummary.ts finds it the same way). */
function isDeployCommand(resource: PlanResource): boolean {
    return resource.type === "command:local:Command" && resource.inputs.create === DRIVER_ACTIONS.deploy;
}

function area(resource: PlanResource, groups: readonly string[]): ResourceChange["area"] {
    if (resource.parent !== null && urnType(resource.parent) === "vdx:teams:PexipDeployment") return "deployment";
    return groups.includes(String(resource.inputs.resourceGroupName)) ? "static" : "other";
}

/** The resources in the static groups, the groups themselves left out, counted by type. */
function staticInventory(report: PlanReport, groups: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const resource of report.resources) {
        if (!resource.custom || resource.type === "azure-native:resources:ResourceGroup" || !groups.includes(String(resource.inputs.resourceGroupName))) continue;
        const type = resource.type.slice(resource.type.lastIndexOf(":") + 1);
        counts[type] = (counts[type] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

function shown(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value) ?? "";
}

/** What differs between two plans of a stack, by URN and inputs (secrets are "[secret]" in both). */
export function comparePlans(before: PlanReport, after: PlanReport, markdown: string): StackPlanComparison {
    const groups = staticGroups(after);
    const old = new Map(before.resources.map((resource) => [resource.urn, resource]));
    const current = new Set(after.resources.map((resource) => resource.urn));
    const changes: ResourceChange[] = [];
    for (const resource of after.resources) {
        const previous = old.get(resource.urn);
        if (previous !== undefined && JSON.stringify(previous.inputs) === JSON.stringify(resource.inputs)) continue;
        // Only a changed trigger replaces the deployment; any other change of it updates tags in place.
        const redeploys = previous !== undefined && isDeployCommand(resource) && JSON.stringify(previous.inputs.triggers) !== JSON.stringify(resource.inputs.triggers);
        const change = previous === undefined ? "create" : redeploys ? "redeploy" : "change";
        if (resource.custom) changes.push({ name: resource.name, type: resource.type, change, area: area(resource, groups) });
    }
    for (const resource of before.resources) {
        if (!current.has(resource.urn) && resource.custom) changes.push({ name: resource.name, type: resource.type, change: "delete", area: area(resource, groups) });
    }
    const triggersOf = (report: PlanReport) => ((report.resources.find(isDeployCommand)?.inputs.triggers as unknown[] | undefined)?.[0] ?? {}) as Record<string, unknown>;
    const [was, now] = [triggersOf(before), triggersOf(after)];
    const triggers: TriggerChange[] = [...new Set([...Object.keys(was), ...Object.keys(now)])]
        .filter((key) => shown(was[key]) !== shown(now[key]))
        .map((key) => ({ key, before: shown(was[key]), after: shown(now[key]) }));
    return {
        asOf: after.policy.checkDate,
        changes,
        triggers,
        staticGroups: groups,
        staticResources: staticInventory(after, groups),
        // The finding only: the policy's description, on the line before it, is the same for every violation.
        mandatory: after.policy.violations
            .filter((violation) => violation.enforcement === "mandatory")
            .map((violation) => `${violation.policy}: ${violation.message.trim().split("\n").pop()}`),
        markdown,
    };
}

/** The plan's outcome as a reason it cannot be compared, or undefined when it has a report. */
function planFailure(result: PlanResult, when: string): string | undefined {
    return result.report === undefined ? `the plan ${when} fails: ${result.error?.message ?? "no report"}` : undefined;
}

/** Plans a stack as it is and with the new version, and compares; a plan that cannot run is the reason it is unplanned. */
async function planStack(
    stack: string,
    to: string,
    dates: { today: string; deployFrom: string },
    options: { projectDir: string; policyConfigFile?: string },
): Promise<Pick<StackUpgrade, "plan" | "unplanned">> {
    const common = { stack, format: "markdown" as const, projectDir: options.projectDir, ...(options.policyConfigFile === undefined ? {} : { policyConfigFile: options.policyConfigFile }) };
    const before = await plan({ ...common, asOf: dates.today });
    const beforeProblem = planFailure(before, "before the change");
    if (beforeProblem !== undefined) return { unplanned: beforeProblem };
    // As of the day the version may first deploy: earlier, the version policy refuses it by design.
    const after = await plan({ ...common, asOf: dates.deployFrom, configChanges: { pexipVersion: to } });
    const afterProblem = planFailure(after, `on ${to}`);
    if (afterProblem !== undefined) return { unplanned: afterProblem };
    return { plan: comparePlans(before.report!, after.report!, after.stdout) };
}

// ---------------------------------------------------------------------------------------
// The upgrade

/**
 * Works out the upgrade without writing anything: the stacks it changes and their new file
 * text, the plans compared, the windows. Throws UserError, StackFileError or ConfigError
 * for what it refuses (exit 2).
 */
export async function prepareUpgrade(options: UpgradeOptions): Promise<PreparedUpgrade> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const catalogue = loadCatalogue(projectDir);
    const entry = catalogueEntry(catalogue, options.to);
    if (entry === undefined) {
        const known = catalogue.versions.map((version) => version.version).join(", ");
        throw new UserError("--to", `--to ${options.to}: ${CATALOGUE_FILE} does not list Pexip ${options.to} (it lists ${known}); record VDX's announcement there first`);
    }
    const known = listStacks(projectDir);
    const stacks = options.stacks ?? known;
    if (stacks.length === 0) throw new UserError("--stack", `no Pulumi.<stack>.yaml in ${projectDir}`);
    for (const [index, stack] of stacks.entries()) {
        if (!known.includes(stack)) throw new UserError("--stack", `--stack ${stack}: no Pulumi.${stack}.yaml (stacks here: ${known.join(", ") || "none"})`);
        if (stacks.indexOf(stack) !== index) throw new UserError("--stack", `--stack ${stack} is given more than once`);
    }

    const now = options.now ?? new Date();
    const today = dateIn(now, DEFAULT_TIME_ZONE);
    const deployFrom = entry.from !== undefined && entry.from > today ? entry.from : today;
    const windowsFrom = options.mergeableFrom ?? (deployFrom === today ? now : startOfDate(deployFrom));

    const files: Record<string, string> = {};
    const changed: Array<{ stack: string; file: string; from: string }> = [];
    const unchanged: string[] = [];
    const downgrades: string[] = [];
    // Everything is read and checked before any plan runs: a refusal leaves nothing half done.
    for (const stack of known.filter((name) => stacks.includes(name))) {
        const loaded = loadStackConfig(projectDir, stack);
        const current = loaded.config[`${loaded.project}:pexipVersion`];
        const file = `Pulumi.${stack}.yaml`;
        if (current === options.to) {
            unchanged.push(stack);
            continue;
        }
        if (current !== undefined && !options.allowDowngrade && isDowngrade({ to: options.to }, { from: current })) downgrades.push(`${stack} runs ${current}`);
        files[file] = setPexipVersion(fs.readFileSync(path.join(projectDir, file), "utf8"), file, loaded.project, options.to);
        changed.push({ stack, file, from: current ?? "(none)" });
    }
    if (downgrades.length > 0) {
        throw new UserError(
            "--to",
            `--to ${options.to} is a downgrade: ${downgrades.join(", ")}, a later Pexip version; leave those stacks out with --stack, or give --allow-downgrade to move them back on purpose`,
        );
    }
    const windows = changed.map(({ stack }) => readWindow(projectDir, stack));

    const upgrades: StackUpgrade[] = [];
    for (const [index, { stack, file, from }] of changed.entries()) {
        const window = windows[index];
        const planned =
            entry.sha256 === undefined
                ? { unplanned: `${CATALOGUE_FILE} has no package checksum for Pexip ${options.to}, and the plan refuses a version without one` }
                : await planStack(stack, options.to, { today, deployFrom }, { projectDir, ...(options.policyConfigFile === undefined ? {} : { policyConfigFile: options.policyConfigFile }) });
        upgrades.push({ stack, file, from, window, windowStatus: windowStatus(window, windowsFrom), ...planned });
    }
    return { catalogue, to: options.to, today, deployFrom, stacks: upgrades, unchanged, files };
}

/** The exit code the summary calls for: 4 before 1 before 0. */
export function upgradeExitCode(summary: UpgradeSummary): 0 | 1 | 4 {
    if (summary.stacks.length === 0) return 0;
    if (checksumInstruction(summary) !== undefined) return 4;
    return summary.stacks.some((stack) => stackProblems(stack).length > 0) ? 1 : 0;
}

/** What the command prints: the deadline, the files it set, then per stack what is redeployed, and what to add when the checksum is missing. */
export function renderUpgradeText(prepared: PreparedUpgrade): string {
    const { to, stacks, unchanged } = prepared;
    const out: string[] = [];
    if (stacks.length === 0) return `Already on Pexip ${to}: ${unchanged.join(", ")}. Nothing changed.\n`;
    out.push(`Pexip ${to}`, ...deadlineLines(prepared, PLAIN_STYLE), ...noticeLines(prepared).map((line) => `${line}.`), "");
    out.push(`Set pexipVersion "${to}" in ${stacks.map((stack) => `${stack.file} (was ${stack.from})`).join(", ")}.`);
    if (unchanged.length > 0) out.push(`Already on ${to}, left alone: ${unchanged.join(", ")}.`);
    for (const stack of stacks) {
        out.push("", `${stack.stack}: ${stack.from} → ${to}`);
        out.push(...stackLines(prepared, stack, PLAIN_STYLE).map((line) => `  - ${line}`));
    }
    const checksum = checksumLines(prepared);
    // The files are set already: running the upgrade again would find nothing to change, so the plans come from the plan command.
    if (checksum.length > 0) {
        out.push("", ...checksum, `Then plan each stack on ${to} (its file is set already): ${stacks.map((stack) => `npm run --silent plan -- --stack ${stack.stack} --as-of ${prepared.deployFrom}`).join("; ")}.`);
    }
    return `${out.join("\n")}\n`;
}

/** Where the printed text shows a stack's problems (stackLines prints a failed plan as "Not planned", the rest as WARNING lines). */
function printedProblems(stack: StackUpgrade): string {
    const warnings = stackProblems(stack).filter((problem) => problem !== stack.unplanned).length;
    const where = [...(stack.unplanned === undefined ? [] : ['its "Not planned" line']), ...(warnings > 0 ? [`its ${warnings === 1 ? "WARNING line" : "WARNING lines"}`] : [])];
    return `${stack.stack}: ${where.join(" and ")} above`;
}

/** Runs the upgrade: prepares it, writes the stack files, and says what it did. Never throws for a user's mistake (exit 2). */
export async function upgrade(options: UpgradeOptions): Promise<UpgradeResult> {
    let prepared: PreparedUpgrade;
    try {
        prepared = await prepareUpgrade(options);
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        return { exitCode: 2, stdout: "", stderr: line, written: [] };
    }
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const written: string[] = [];
    for (const [name, text] of Object.entries(prepared.files)) {
        const file = path.join(projectDir, name);
        fs.writeFileSync(file, text);
        written.push(file);
    }
    const exitCode = upgradeExitCode(prepared);
    const stderr =
        exitCode === 4
            ? `error: ${CATALOGUE_FILE} has no package checksum for Pexip ${prepared.to}: add it as printed above\n`
            : exitCode === 1
              ? `error: look before merging at ${prepared.stacks.filter((stack) => stackProblems(stack).length > 0).map(printedProblems).join("; ")}\n`
              : "";
    return { exitCode, stdout: renderUpgradeText(prepared), stderr, prepared, written };
}

// ---------------------------------------------------------------------------------------
// The command line

/** The upgrade's flags: `--stack` may be repeated, the others given once. */
export const UPGRADE_FLAGS: readonly Flag[] = [
    { name: "--to", value: "<version>", required: true, meaning: `the Pexip version to set, one ${CATALOGUE_FILE} lists (in quotes there, e.g. "38.0")` },
    { name: "--stack", value: "<name>", repeatable: true, meaning: "a stack to upgrade, Pulumi.<name>.yaml; repeat for more; default: every stack" },
    { name: "--allow-downgrade", meaning: "also move a stack on a later version back to --to; without it that is refused (exit 2)" },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

const USAGE = "usage: npm run --silent upgrade -- --to <version> [--stack <name>]... [--allow-downgrade]";

/** The text `--help` prints: the usage line, the flags, the exit codes and examples. */
export function upgradeHelp(): string {
    return commandHelp({
        about: [
            "Sets pexipVersion in the stack files, keeping everything else in them as it is, and prints what the change",
            "redeploys per stack (the offline plan before and after), that no static resource changes, and the maintenance",
            "window that applies. README: Staying on VDX's version.",
        ],
        usage: USAGE,
        flagsNote: "Flags (--to once; --flag=value works too):",
        flags: UPGRADE_FLAGS,
        exitCodes: UPGRADE_EXIT_CODES,
        examples: ["npm run --silent upgrade -- --to 38.0", "npm run --silent upgrade -- --to 38.0 --stack dev --stack prod"],
    });
}

/** Parses the arguments; throws UserError for a usage mistake, naming the flag. Undefined: print the help. */
export function parseUpgradeArguments(argv: readonly string[]): UpgradeOptions | undefined {
    const { help, values } = parseFlags(argv, UPGRADE_FLAGS, USAGE);
    if (help) return undefined;
    const stacks = values.get("--stack");
    return { to: values.get("--to")![0], ...(stacks === undefined ? {} : { stacks }), ...(values.has("--allow-downgrade") ? { allowDowngrade: true } : {}) };
}

/** Runs the command line and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    let options: UpgradeOptions | undefined;
    try {
        options = parseUpgradeArguments(argv);
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        process.stderr.write(line);
        return 2;
    }
    if (options === undefined) {
        process.stdout.write(upgradeHelp());
        return 0;
    }
    const result = await upgrade(options);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
}

if (require.main === module) {
    runCommand("the upgrade", () => main(process.argv.slice(2)));
}
