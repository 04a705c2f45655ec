/**
 * The content of the upgrade pull requests that .github/workflows/vdx-upgrade.yml opens:
 *
 *     npm run --silent upgrade-pr -- --out DIR [--as-of YYYY-MM-DD] [--policy-config FILE]
 *
 * As of today in Copenhagen (or `--as-of`), the target versions are the one VDX runs and each
 * one it has announced, wherever a stack runs an earlier version of the catalogue (never a
 * downgrade). For each target it runs the upgrade (cli/upgrade.ts `prepareUpgrade`, plans
 * included) on the stacks that need it, and writes, without touching the project:
 *
 *     DIR/<version>/stacks/Pulumi.<stack>.yaml   the stack files as the upgrade sets them
 *     DIR/<version>/title.txt, body.md           the pull request (lib/upgradePullRequest.ts)
 *     DIR/<version>/state.txt                    `draft` or `ready`: whether it may be merged yet
 *     DIR/<version>/commit-message.txt
 *     DIR/outdated/<version>.txt                 for each other catalogue version: the comment
 *                                                that closes its pull request, if one is open
 *     DIR/summary.json                           { asOf, targets: [{ version, branch, dir, ... }] }
 *
 * It reads the project in the current directory, as the plan does; no network, no git. DIR must
 * be new or empty, so nothing stale reaches a commit. Exit 0 (with or without targets), 2 a
 * usage mistake or a project it cannot read (one line on stderr), 3 a bug.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { checkCalendarDate, Flag, parseFlags, userErrorLine, UserError } from "../cli/commandLine";
import { listStacks, loadStackConfig } from "../cli/stackConfig";
import { prepareUpgrade } from "../cli/upgrade";
import { dateIn, DEFAULT_TIME_ZONE } from "../lib/calendar";
import { startOfDate } from "../lib/maintenanceWindow";
import { checksumInstruction, daysLeft, mergeReadiness, MergeReadiness, outdatedComment, stackProblems, upgradePullRequest } from "../lib/upgradePullRequest";
import { catalogueEntry, loadCatalogue, pendingVersions, VersionCatalogue, versionOn } from "../lib/versionCatalogue";

/** One pull request to open or update. */
export interface UpgradePrTarget {
    readonly version: string;
    /** The pull request's head branch: one pull request per target version. */
    readonly branch: string;
    /** Its files, relative to the output directory. */
    readonly dir: string;
    readonly title: string;
    /** VDX's switch date; null for the catalogue's first version, which VDX already runs. */
    readonly deadline: string | null;
    /** Negative when overdue; null with no deadline. */
    readonly daysLeft: number | null;
    readonly stacks: readonly string[];
    readonly files: readonly string[];
    readonly checksumMissing: boolean;
    /** `draft` while merging would make the deploy's plan fail (state.txt), else `ready`. */
    readonly state: MergeReadiness["state"];
    /** `stack: problem`, for what needs a look before merging. */
    readonly attention: readonly string[];
}

/** summary.json: what the workflow reads. */
export interface UpgradePrSummary {
    readonly asOf: string;
    readonly targets: readonly UpgradePrTarget[];
}

/** The branch of a target version's pull request. */
export function upgradeBranch(version: string): string {
    return `vdx-upgrade/${version}`;
}

/**
 * The versions stacks must move to on `today`, each with the stacks that need it: VDX's
 * version now, then each announced one, for every stack on an earlier catalogue entry (or on a
 * version the catalogue does not list). A stack ahead of a target is left alone.
 */
export function upgradeTargets(catalogue: VersionCatalogue, running: Readonly<Record<string, string>>, today: string): Array<{ version: string; stacks: string[] }> {
    const order = (version: string) => catalogue.versions.findIndex((entry) => entry.version === version);
    const candidates = [...new Set([versionOn(catalogue, today), ...pendingVersions(catalogue, today)].map((entry) => entry.version))];
    return candidates
        .map((version) => ({ version, stacks: Object.keys(running).filter((stack) => order(running[stack]) < order(version)) }))
        .filter((target) => target.stacks.length > 0);
}

/** What the workflow needs to run it. */
export interface UpgradePrOptions {
    readonly outDir: string;
    /** Where Pulumi.yaml, the stack files and the catalogue are; default the current directory. */
    readonly projectDir?: string;
    /** Today is this moment's date in Copenhagen; default now. */
    readonly now?: Date;
    readonly policyConfigFile?: string;
}

/** Writes every target's files and summary.json into the output directory, and returns the summary. */
export async function writeUpgradePullRequests(options: UpgradePrOptions): Promise<UpgradePrSummary> {
    const projectDir = path.resolve(options.projectDir ?? process.cwd());
    const outDir = path.resolve(options.outDir);
    if (fs.existsSync(outDir) && (!fs.statSync(outDir).isDirectory() || fs.readdirSync(outDir).length > 0)) {
        throw new UserError("--out", `--out ${options.outDir} must be a new or empty directory`);
    }
    const now = options.now ?? new Date();
    const today = dateIn(now, DEFAULT_TIME_ZONE);
    const catalogue = loadCatalogue(projectDir);
    const running: Record<string, string> = {};
    for (const stack of listStacks(projectDir)) {
        const loaded = loadStackConfig(projectDir, stack);
        running[stack] = loaded.config[`${loaded.project}:pexipVersion`] ?? "";
    }

    const targets: UpgradePrTarget[] = [];
    for (const { version, stacks } of upgradeTargets(catalogue, running, today)) {
        const prepared = await prepareUpgrade({
            to: version,
            stacks,
            projectDir,
            now,
            ...(options.policyConfigFile === undefined ? {} : { policyConfigFile: options.policyConfigFile }),
        });
        const { title, body } = upgradePullRequest(prepared);
        const dir = path.join(outDir, version);
        fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
        const files = Object.keys(prepared.files);
        for (const file of files) fs.writeFileSync(path.join(dir, "stacks", file), prepared.files[file]);
        fs.writeFileSync(path.join(dir, "title.txt"), `${title}\n`);
        fs.writeFileSync(path.join(dir, "body.md"), body);
        const { state } = mergeReadiness(prepared);
        fs.writeFileSync(path.join(dir, "state.txt"), `${state}\n`);
        fs.writeFileSync(
            path.join(dir, "commit-message.txt"),
            `${title}\n\nSets pexipVersion "${version}" in ${files.join(", ")}.\nWritten by scripts/upgrade-pr.ts (the vdx-upgrade workflow) as of ${today}.\n`,
        );
        const days = daysLeft(prepared);
        targets.push({
            version,
            branch: upgradeBranch(version),
            dir: version,
            title,
            deadline: catalogueEntry(catalogue, version)?.from ?? null,
            daysLeft: days ?? null,
            stacks: prepared.stacks.map((stack) => stack.stack),
            files,
            checksumMissing: checksumInstruction(prepared) !== undefined,
            state,
            attention: prepared.stacks.flatMap((stack) => stackProblems(stack).map((problem) => `${stack.stack}: ${problem}`)),
        });
    }
    // The workflow closes an open pull request of any version not targeted today with this comment.
    const outdated = catalogue.versions.filter((entry) => !targets.some((target) => target.version === entry.version));
    fs.mkdirSync(path.join(outDir, "outdated"), { recursive: true });
    for (const { version } of outdated) fs.writeFileSync(path.join(outDir, "outdated", `${version}.txt`), `${outdatedComment(catalogue, version, today)}\n`);
    const summary: UpgradePrSummary = { asOf: today, targets };
    fs.writeFileSync(path.join(outDir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
}

/** One line per target, and each thing that needs a look. */
export function summaryText(summary: UpgradePrSummary): string {
    if (summary.targets.length === 0) return `upgrade-pr: every stack runs VDX's version as of ${summary.asOf}, and none lacks an announced one: no pull request\n`;
    return summary.targets
        .flatMap((target) => [
            `upgrade-pr: ${target.branch}: ${target.title} (${target.stacks.join(", ")}), ${target.state}`,
            ...(target.checksumMissing ? [`  warning: the catalogue has no package checksum for ${target.version}: the pull request says what to add`] : []),
            ...target.attention.map((problem) => `  warning: ${problem}`),
        ])
        .map((line) => `${line}\n`)
        .join("");
}

const USAGE = "usage: npm run --silent upgrade-pr -- --out DIR [--as-of YYYY-MM-DD] [--policy-config FILE]";

/** The script's flags, each given once at most. */
export const UPGRADE_PR_FLAGS: readonly Flag[] = [
    { name: "--out", value: "DIR", required: true, meaning: "where the pull requests' files and summary.json go: a new or empty directory" },
    { name: "--as-of", value: "YYYY-MM-DD", meaning: "today, in Copenhagen, for a rehearsal; default: today" },
    { name: "--policy-config", value: "FILE", meaning: "the policy configuration the plans apply; default policy/config.json" },
    { name: "--help", alias: "-h", meaning: "print the usage and exit 0, whatever else is given" },
];

/** Parses the arguments; throws UserError for a usage mistake. Undefined: print the help. */
export function parseUpgradePrArguments(argv: readonly string[]): UpgradePrOptions | undefined {
    const { help, values } = parseFlags(argv, UPGRADE_PR_FLAGS, USAGE);
    if (help) return undefined;
    const [outDir] = values.get("--out")!;
    const asOf = values.get("--as-of")?.[0];
    checkCalendarDate("--as-of", asOf);
    const policyConfigFile = values.get("--policy-config")?.[0];
    return {
        outDir,
        // A rehearsal of a date starts at its Copenhagen midnight: the windows are looked up from there.
        ...(asOf === undefined ? {} : { now: startOfDate(asOf) }),
        ...(policyConfigFile === undefined ? {} : { policyConfigFile }),
    };
}

/** Runs the script; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
    try {
        const options = parseUpgradePrArguments(argv);
        if (options === undefined) {
            process.stdout.write(`${USAGE}\nWrites the upgrade pull requests' files and summary.json into DIR (see the head of scripts/upgrade-pr.ts).\n`);
            return 0;
        }
        const summary = await writeUpgradePullRequests(options);
        process.stdout.write(summaryText(summary));
        return 0;
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        process.stderr.write(line);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error) => {
            process.stderr.write(`internal error in upgrade-pr: ${(error as Error)?.stack ?? error}\n`);
            process.exit(3);
        },
    );
}
