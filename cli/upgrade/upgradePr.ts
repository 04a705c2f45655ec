/**
 * The content of the upgrade pull requests that .github/workflows/vdx-upgrade.yml opens:
 *
 *     npm run --silent upgrade-pr -- --out DIR [--as-of YYYY-MM-DD] [--policy-config FILE]
 *
 * As of today in Copenhagen (or `--as-of`), the target versions are the one VDX runs and each
 * one it has announced, wherever a stack runs an earlier version (by Pexip's version order; never a
 * downgrade: the upgrade refuses one, and the workflow gives no --allow-downgrade). For each target it runs the upgrade (cli/upgrade/upgrade.ts `prepareUpgrade`, plans
 * included) on the stacks that need it, and writes, without touching the project:
 *
 *     DIR/<version>/stacks/Pulumi.<stack>.yaml   the stack files as the upgrade sets them
 *     DIR/<version>/title.txt, body.md           the pull request (lib/versions/upgradePullRequest.ts)
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
import { checkCalendarDate, commandHelp, Flag, parseFlags, runCommand, userErrorLine, UserError } from "../commandLine";
import { listStacks, loadStackConfig } from "../../lib/config/stackFiles";
import { prepareUpgrade } from "./upgrade";
import { dateIn, DEFAULT_TIME_ZONE } from "../../lib/calendar";
import { startOfDate } from "../../lib/versions/maintenanceWindow";
import { checksumInstruction, daysLeft, mergeReadiness, MergeReadiness, outdatedComment, stackProblems, upgradePullRequest } from "../../lib/versions/upgradePullRequest";
import { CatalogueVersion, catalogueEntry, comparePexipVersions, loadCatalogue, pendingVersions, VersionCatalogue, versionOn } from "../../lib/versions/versionCatalogue";

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
    const candidates = [...new Set([versionOn(catalogue, today), ...pendingVersions(catalogue, today)].map((entry) => entry.version))];
    // By Pexip's version order, not the catalogue's: a stack on a later version it does not list is ahead, never moved back.
    const behind = (stack: string, version: string) => !/^\d+(\.\d+)*$/.test(running[stack]) || comparePexipVersions(running[stack], version) < 0;
    return candidates
        .map((version) => ({ version, stacks: Object.keys(running).filter((stack) => behind(stack, version)) }))
        .filter((target) => target.stacks.length > 0);
}

/**
 * The vdx-upgrade workflow's daily run (its `cron: "17 5 * * *"`), in UTC: the run that marks a
 * pull request ready for review once it can be merged (tests/cli/upgrade/upgradePr.test.ts checks the two agree).
 */
export const DAILY_RUN_UTC = { hour: 5, minute: 17 } as const;

/** The first daily run at or after an instant. */
function dailyRunFrom(instant: Date): Date {
    const run = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate(), DAILY_RUN_UTC.hour, DAILY_RUN_UTC.minute));
    return run < instant ? new Date(run.getTime() + 24 * 60 * 60 * 1000) : run;
}

/**
 * When the pull request can first be merged, which is when its stacks can first be redeployed:
 * it is a draft until VDX's switch date (Copenhagen) has come and the catalogue has the package
 * checksum, and a daily run marks it ready (lib/versions/upgradePullRequest.ts mergeReadiness). So: now,
 * when both hold; else the daily run on the switch date, or, without the checksum, the first run
 * after now (the checksum has to reach `main` first), whichever is later.
 */
export function mergeableFrom(now: Date, entry: Pick<CatalogueVersion, "from" | "sha256">): Date {
    const waits = [
        ...(entry.from !== undefined && startOfDate(entry.from) > now ? [startOfDate(entry.from).getTime()] : []),
        ...(entry.sha256 === undefined ? [now.getTime() + 1] : []),
    ];
    return waits.length === 0 ? now : dailyRunFrom(new Date(Math.max(...waits)));
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
            mergeableFrom: mergeableFrom(now, catalogueEntry(catalogue, version)!),
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
            `${title}\n\nSets pexipVersion "${version}" in ${files.join(", ")}.\nWritten by cli/upgrade/upgradePr.ts (the vdx-upgrade workflow) as of ${today}.\n`,
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
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

/** What each exit code means, for `--help` and the README. */
export const UPGRADE_PR_EXIT_CODES: Readonly<Record<0 | 2 | 3, string>> = {
    0: "the files and summary.json are written, with or without targets (what needs a look is a warning line and in summary.json)",
    2: 'a usage mistake, an --out that is not new or empty, or a project it cannot read: one line "error: ..." on stderr, nothing written',
    3: "a bug in the script: the message and a stack trace on stderr",
};

/** The text `--help` prints. */
export function upgradePrHelp(): string {
    return commandHelp({
        about: [
            "Writes what the vdx-upgrade workflow commits and posts: per target version the stack files, the pull request's",
            "title, body and state (draft or ready), and summary.json. No network, no git. README: Staying on VDX's version.",
        ],
        usage: USAGE,
        flagsNote: "Flags (each at most once; --flag=value works too):",
        flags: UPGRADE_PR_FLAGS,
        exitCodes: UPGRADE_PR_EXIT_CODES,
        examples: ["npm run --silent upgrade-pr -- --out /tmp/upgrade", "npm run --silent upgrade-pr -- --out /tmp/upgrade --as-of 2026-12-15"],
    });
}

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
            process.stdout.write(upgradePrHelp());
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
    runCommand("upgrade-pr", () => main(process.argv.slice(2)));
}
