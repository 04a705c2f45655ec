/**
 * What moving stacks to one of VDX's Pexip versions does, in words: the sentences the upgrade
 * command prints (cli/upgrade/upgrade.ts) and the pull request the scheduled workflow opens
 * (cli/upgrade/upgradePr.ts, .github/workflows/vdx-upgrade.yml). Pure: the plans, the windows and
 * the date are worked out by the caller and handed in, so the same input gives the same text.
 */
import { dateIn, daysBetween, DEFAULT_TIME_ZONE } from "../calendar";
import { mdCode, mdText, plural } from "../markdown";
import { describeWindow, WindowStatus } from "./maintenanceWindow";
import type { MaintenanceWindow } from "../config/settings";
import { shortNotice } from "./releaseCalendar";
import { CATALOGUE_FILE, catalogueEntry, CatalogueVersion, comparePexipVersions, VersionCatalogue, versionOn } from "./versionCatalogue";

/** GitHub refuses a pull request body longer than this many characters. */
export const PULL_REQUEST_BODY_LIMIT = 65_536;

/** One resource whose planned inputs differ after the change. */
export interface ResourceChange {
    readonly name: string;
    readonly type: string;
    /** `redeploy`: Pexip's deployment command replaced (a trigger changed), deleting first. */
    readonly change: "redeploy" | "change" | "create" | "delete";
    /** Pexip's deployment (redeployed by design), the static resource group (must survive upgrades), or anything else. */
    readonly area: "deployment" | "static" | "other";
}

/** A redeploy trigger of Pexip's deployment whose value changes: why it is redeployed. */
export interface TriggerChange {
    readonly key: string;
    readonly before: string;
    readonly after: string;
}

/** The offline plans of a stack before and after the change, compared. */
export interface StackPlanComparison {
    /** The version policy's check date of the plan after the change. */
    readonly asOf: string;
    readonly changes: readonly ResourceChange[];
    readonly triggers: readonly TriggerChange[];
    /** The static resource group(s), and the resources in them by type (`PublicIPAddress`, `Vault`, ...). */
    readonly staticGroups: readonly string[];
    readonly staticResources: Readonly<Record<string, number>>;
    /** Mandatory policy violations of the plan after the change, as `policy: message`. */
    readonly mandatory: readonly string[];
    /** The plan after the change, as the pull-request comment shows it. */
    readonly markdown: string;
}

/** One stack that the upgrade changes. */
export interface StackUpgrade {
    readonly stack: string;
    /** `Pulumi.<stack>.yaml`. */
    readonly file: string;
    /** The version the stack runs now. */
    readonly from: string;
    readonly window: MaintenanceWindow | undefined;
    /** Where the window stands when the new version may first be deployed (UpgradeSummary.deployFrom). */
    readonly windowStatus: WindowStatus;
    /** The plans compared; absent when they could not run, and `unplanned` says why. */
    readonly plan?: StackPlanComparison;
    readonly unplanned?: string;
}

/** Everything the sentences and the pull request are built from. */
export interface UpgradeSummary {
    readonly catalogue: VersionCatalogue;
    /** The version the stacks move to; the catalogue lists it. */
    readonly to: string;
    /** Today in Copenhagen, YYYY-MM-DD. */
    readonly today: string;
    /** The first day the new version may be deployed: VDX's switch date, or today when that has passed. */
    readonly deployFrom: string;
    /** Stacks whose file the upgrade changes, in deploy order. */
    readonly stacks: readonly StackUpgrade[];
    /** Stacks already on the version: left alone. */
    readonly unchanged: readonly string[];
}

/** How the sentences mark code, emphasis and free text: plain for a terminal, Markdown for GitHub. */
interface TextStyle {
    readonly code: (text: string) => string;
    readonly strong: (text: string) => string;
    /** Text that comes from elsewhere (a plan's error message), made safe. */
    readonly text: (text: string) => string;
}

/** For the terminal: text as it is. */
export const PLAIN_STYLE: TextStyle = { code: (text) => text, strong: (text) => text, text: (text) => text };

/** For GitHub: inline code, bold, and free text that cannot open HTML. */
export const MARKDOWN_STYLE: TextStyle = {
    code: mdCode,
    strong: (text) => `**${text}**`,
    text: mdText,
};

function target(summary: UpgradeSummary): CatalogueVersion {
    const entry = catalogueEntry(summary.catalogue, summary.to);
    if (entry === undefined) throw new Error(`the catalogue does not list ${summary.to}`);
    return entry;
}

// ---------------------------------------------------------------------------------------
// The deadline

/** Days from today to VDX's switch date: negative when overdue; undefined for the catalogue's first version, which VDX already runs. */
export function daysLeft(summary: UpgradeSummary): number | undefined {
    const from = target(summary).from;
    return from === undefined ? undefined : daysBetween(summary.today, from);
}

/** The deadline and the days left (or that it is overdue), then when to merge. */
export function deadlineLines(summary: UpgradeSummary, style: TextStyle): string[] {
    const { to, today } = summary;
    const from = target(summary).from;
    const days = daysLeft(summary);
    if (from === undefined || days === undefined) {
        const behind = summary.stacks.every((stack) => !isDowngrade(summary, stack)) ? ": the stacks below are behind VDX" : "";
        return [`VDX already runs Pexip ${to} (${CATALOGUE_FILE}'s first version)${behind}. Merge now; each stack redeploys in its maintenance window.`];
    }
    const running = versionOn(summary.catalogue, today).version;
    if (days > 0) {
        return [
            `Deadline ${style.strong(from)} (Copenhagen), the day VDX switches to Pexip ${to}: ${style.strong(`${plural(days, "day")} left`)} (as of ${today}).`,
            `Merge on ${from}, not before: until then VDX runs ${running}, and a connector ahead of VDX breaks calls too (the version policy refuses ${to} before ${from}). ` +
                `From ${from} the version policy is mandatory and a stack still on an older version fails.`,
        ];
    }
    if (days === 0) {
        return [`Deadline ${style.strong(`today, ${from}`)} (Copenhagen): VDX switches to Pexip ${to} today. Merge now; each stack redeploys in its maintenance window.`];
    }
    return [
        `${style.strong(`Overdue by ${plural(-days, "day")}`)}: VDX has run Pexip ${to} since ${from} (Copenhagen; as of ${today}). ` +
            "A stack on an older version fails the version policy, and its connector no longer matches VDX's.",
        "Merge now; each stack redeploys in its maintenance window.",
    ];
}

// ---------------------------------------------------------------------------------------
// Draft or ready

/** Whether the pull request may be merged now; a draft says why not. */
export interface MergeReadiness {
    readonly state: "draft" | "ready";
    /** Why it is a draft, a clause each; empty when ready. */
    readonly reasons: readonly string[];
}

/**
 * A draft while VDX's switch date (Copenhagen) is still ahead or the catalogue lacks the package
 * checksum: the version policy refuses the version before its date, and the plan refuses a
 * version without a checksum, so merging either way makes the deploy's offline plan fail.
 */
export function mergeReadiness(summary: UpgradeSummary): MergeReadiness {
    const { to } = summary;
    const from = target(summary).from;
    const days = daysLeft(summary);
    const reasons: string[] = [];
    if (days !== undefined && days > 0) reasons.push(`VDX switches to Pexip ${to} only on ${from}, and the version policy refuses ${to} before then`);
    if (checksumInstruction(summary) !== undefined) reasons.push(`${CATALOGUE_FILE} has no package checksum for Pexip ${to}, and the plan refuses a version without one`);
    return { state: reasons.length === 0 ? "ready" : "draft", reasons };
}

/** MedCom's notice rule for the target version, when VDX gave fewer than 14 days. */
export function noticeLines(summary: UpgradeSummary): string[] {
    const entry = target(summary);
    const notice = entry.from === undefined ? undefined : shortNotice({ ...entry, from: entry.from });
    return notice === undefined ? [] : [notice];
}

// ---------------------------------------------------------------------------------------
// The package checksum

/** The package's file name: the catalogue's URL's last part, else Pexip's usual name. */
function packageFile(entry: CatalogueVersion): string {
    const last = entry.url === undefined ? "" : decodeURIComponent(new URL(entry.url).pathname.split("/").pop() ?? "");
    return last === "" ? `pexip_teams_connector_v${entry.version}.zip` : last;
}

/**
 * What to add to the catalogue when it lacks the target version's checksum: the `sha256` key, and
 * the `url` key too when that is missing as well (the stacks fetch the package from there unless
 * they set connectorPackage); undefined when the checksum is there.
 */
export function checksumInstruction(summary: UpgradeSummary): { readonly missing: string; readonly lines: readonly string[]; readonly commands: readonly string[] } | undefined {
    const entry = target(summary);
    if (entry.sha256 !== undefined) return undefined;
    const index = summary.catalogue.versions.indexOf(entry);
    const file = packageFile(entry);
    const urlMissing = entry.url === undefined;
    return {
        missing: urlMissing ? "no package checksum (sha256) and no url" : "no package checksum (sha256)",
        lines: [
            `versions[${index}].sha256: <SHA-256 of ${file}>`,
            ...(urlMissing ? [`versions[${index}].url: <https URL of ${file} where the deploying machine fetches it, without a token>`] : []),
        ],
        commands: [`sha256sum ${file}`, `(Get-FileHash ${file} -Algorithm SHA256).Hash.ToLower()   # PowerShell`],
    };
}

/** The checksum instruction as lines of plain text. */
export function checksumLines(summary: UpgradeSummary): string[] {
    const instruction = checksumInstruction(summary);
    if (instruction === undefined) return [];
    return [
        `${CATALOGUE_FILE} has ${instruction.missing} for Pexip ${summary.to}: the plan refuses the version and nothing deploys it. Add, in the entry of version "${summary.to}":`,
        ...instruction.lines.map((line) => `    ${line}`),
        "with the checksum computed on the package downloaded from Pexip:",
        ...instruction.commands.map((command) => `    ${command}`),
    ];
}

// ---------------------------------------------------------------------------------------
// One stack

/** True when the stack runs a later Pexip version than the one it is moved to. */
export function isDowngrade(summary: Pick<UpgradeSummary, "to">, stack: Pick<StackUpgrade, "from">): boolean {
    return comparePexipVersions(stack.from, summary.to) > 0;
}

/** What needs a person's look before merging: a plan that failed or a change beyond Pexip's deployment. Empty: none. */
export function stackProblems(stack: StackUpgrade): string[] {
    const plan = stack.plan;
    if (plan === undefined) return [stack.unplanned ?? "not planned"];
    const problems: string[] = [];
    if (!plan.changes.some((change) => change.change === "redeploy")) problems.push("Pexip's deployment is not redeployed, although its version changes");
    const named = (area: ResourceChange["area"]) =>
        plan.changes.filter((change) => change.area === area).map((change) => `${change.name} (${change.type}, ${change.change})`);
    if (named("static").length > 0) problems.push(`static resources change, which must survive upgrades: ${named("static").join(", ")}`);
    if (named("other").length > 0) problems.push(`resources outside Pexip's deployment change: ${named("other").join(", ")}`);
    if (plan.mandatory.length > 0) problems.push(`the plan on ${plan.asOf} has ${plural(plan.mandatory.length, "mandatory policy violation")}: ${plan.mandatory.join("; ")}`);
    return problems;
}

/** When the stack's redeploy may run, from the first day the new version may be deployed. */
function windowWhen(summary: UpgradeSummary, stack: StackUpgrade, style: TextStyle): string {
    const status = stack.windowStatus;
    const now = summary.deployFrom === summary.today;
    if (stack.window === undefined) return "none set: any time";
    if (status.state === "always") return "any time";
    if (status.state === "open") return `open ${now ? "now" : `on ${summary.deployFrom}`}, until ${status.closes.local}`;
    return `the first from ${now ? "now" : summary.deployFrom} opens ${style.strong(status.next.local)}`;
}

/**
 * Days a stack runs its old version after VDX's switch because its maintenance window is closed
 * when the new version may first deploy and opens on a later Copenhagen calendar day; undefined
 * when it may redeploy that day, or when VDX's switch predates the catalogue.
 */
export function daysBehindVdx(summary: UpgradeSummary, stack: StackUpgrade): number | undefined {
    const from = target(summary).from;
    const status = stack.windowStatus;
    if (from === undefined || status.state !== "closed") return undefined;
    const opens = dateIn(status.next.instant, DEFAULT_TIME_ZONE);
    return opens > summary.deployFrom ? daysBetween(from, opens) : undefined;
}

/** How long a stack runs behind VDX for its window, and the two ways to catch up sooner; undefined when it does not. */
function behindLine(summary: UpgradeSummary, stack: StackUpgrade, style: TextStyle): string | undefined {
    const days = daysBehindVdx(summary, stack);
    if (days === undefined) return undefined;
    const when = summary.deployFrom === summary.today ? "now" : `on ${summary.deployFrom}`;
    return (
        `${style.strong(`Runs ${stack.from} for ${plural(days, "day")} after VDX's switch`)} to ${summary.to} on ${target(summary).from}, until that window opens. ` +
        `To follow VDX sooner, run the deploy workflow for ${style.code(stack.stack)} ${when} with the emergency override ${style.code("override_window")} ` +
        `(Actions → deploy → Run workflow), or change ${style.code("maintenanceWindow")} in ${style.code(stack.file)} so that a window opens ${when}.`
    );
}

function windowLine(summary: UpgradeSummary, stack: StackUpgrade, style: TextStyle): string {
    return stack.window === undefined
        ? "Maintenance window: none set, so the redeploy runs whenever the deploy workflow does."
        : `Maintenance window ${style.code(describeWindow(stack.window))}: ${windowWhen(summary, stack, style)}.`;
}

/** What the upgrade does to one stack, a sentence a line: the redeploy, the static resources, anything else, the window. */
export function stackLines(summary: UpgradeSummary, stack: StackUpgrade, style: TextStyle): string[] {
    const lines: string[] = [];
    const plan = stack.plan;
    const warn = (text: string) => `${style.strong("WARNING")}: ${style.text(text)}.`;
    if (isDowngrade(summary, stack)) lines.push(`${style.strong("A downgrade")}: ${stack.from} is a later Pexip version than ${summary.to}; the stack moves back.`);
    if (plan === undefined) {
        lines.push(`Not planned: ${style.text(stack.unplanned ?? "")}.`);
    } else {
        const redeploy = plan.changes.find((change) => change.change === "redeploy");
        if (redeploy !== undefined) {
            const triggers = plan.triggers.map((trigger) => `${trigger.key} ${style.code(trigger.before)} → ${style.code(trigger.after)}`).join(", ");
            lines.push(
                `Redeployed: Pexip's deployment ${style.code(redeploy.name)} (${stack.from} → ${summary.to}), deleted, then created: ` +
                    `the region's connector is down meanwhile, about 30 minutes.${triggers === "" ? "" : ` Its triggers change: ${triggers}.`}`,
            );
        }
        const alongside = plan.changes.filter((change) => change.area === "deployment" && change.change !== "redeploy");
        if (alongside.length > 0) lines.push(`Changes with it: ${alongside.map((change) => `${style.code(change.name)} (${change.change})`).join(", ")}.`);
        if (!plan.changes.some((change) => change.area === "static")) {
            const kinds = Object.entries(plan.staticResources).map(([type, count]) => (count === 1 ? type : `${count} × ${type}`));
            lines.push(`No static resource changes: ${plan.staticGroups.map(style.code).join(", ")} and what is in it (${kinds.join(", ")}) stay as they are.`);
        }
    }
    lines.push(...stackProblems(stack).filter((problem) => problem !== stack.unplanned).map(warn));
    lines.push(windowLine(summary, stack, style));
    const behind = behindLine(summary, stack, style);
    if (behind !== undefined) lines.push(behind);
    return lines;
}

// ---------------------------------------------------------------------------------------
// The pull request

/** The hidden comment that identifies the pull request of a target version. */
export function upgradeMarker(version: string): string {
    return `<!-- vdx-teams-connector:vdx-upgrade:${version} -->`;
}

/**
 * The one-line comment with which the workflow closes the open pull request of a catalogue
 * version that is no longer a target on `today`: VDX has moved past it, or no stack needs it.
 */
export function outdatedComment(catalogue: VersionCatalogue, version: string, today: string): string {
    const order = (name: string) => catalogue.versions.findIndex((entry) => entry.version === name);
    const running = versionOn(catalogue, today);
    const why =
        running.from !== undefined && order(version) < order(running.version)
            ? `superseded: VDX has run Pexip ${running.version} since ${running.from} (Copenhagen), and the stacks move straight to it`
            : `no stack needs Pexip ${version} any more: every stack on \`main\` runs it or a later version`;
    return `Closed by the vdx-upgrade workflow as of ${today}: ${why}.`;
}

/** The pull request's title: stable from day to day, so that a daily update changes only the body. */
export function upgradeTitle(summary: UpgradeSummary): string {
    const from = target(summary).from;
    const days = daysLeft(summary);
    if (from === undefined) return `Upgrade to Pexip ${summary.to}, VDX's version now`;
    return days !== undefined && days < 0
        ? `Upgrade to Pexip ${summary.to} (overdue: VDX's version since ${from})`
        : `Upgrade to Pexip ${summary.to}, VDX's version from ${from}`;
}

/** The note that replaces the end of a plan cut to fit. */
function truncationNote(stack: string): string {
    return `_Truncated to fit GitHub's limit: \`npm run --silent plan -- --stack ${stack} --markdown\` on this branch prints the whole plan._`;
}

/**
 * The first `budget` characters of a plan's Markdown, cut at a line end, with any code fence and
 * `<details>` it leaves open closed again, so that the rest of the body renders.
 */
export function truncatePlan(markdown: string, budget: number, stack: string): string {
    if (markdown.length <= budget) return markdown;
    const note = truncationNote(stack);
    // Room for the note and for the closers added below.
    let kept = markdown.slice(0, Math.max(0, budget - note.length - 64));
    kept = kept.slice(0, kept.lastIndexOf("\n") + 1);
    const closers: string[] = [];
    if ((kept.match(/^```/gm) ?? []).length % 2 === 1) closers.push("```");
    const open = (kept.match(/<details>/g) ?? []).length - (kept.match(/<\/details>/g) ?? []).length;
    closers.push(...Array<string>(Math.max(0, open)).fill("</details>"));
    return `${kept}${closers.map((closer) => `${closer}\n`).join("")}\n${note}\n`;
}

/** The body with every stack's plan Markdown given as `plans` (by stack). */
function body(summary: UpgradeSummary, plans: ReadonlyMap<string, string>): string {
    const style = MARKDOWN_STYLE;
    const { to } = summary;
    const days = daysLeft(summary);
    const out: string[] = [upgradeMarker(to), `## Pexip ${to}: VDX's version`, ""];

    // GitHub's alerts: overdue is a caution, a coming deadline important.
    out.push(days === undefined || days <= 0 ? "> [!CAUTION]" : "> [!IMPORTANT]");
    out.push(...deadlineLines(summary, style).map((line) => `> ${line}`), "");
    const readiness = mergeReadiness(summary);
    if (readiness.state === "draft") {
        out.push(
            "> [!NOTE]",
            `> ${style.strong("A draft until it can be merged")}: merging now would make the deploy's offline plan fail, because ${readiness.reasons.join("; and ")}. ` +
                "The daily vdx-upgrade run marks it ready for review once it can be merged, and makes it a draft again if it is marked ready before then.",
            "",
        );
    }
    const notices = noticeLines(summary);
    if (notices.length > 0) out.push("> [!WARNING]", ...notices.map((line) => `> ${line}.`), "");
    const instruction = checksumInstruction(summary);
    if (instruction !== undefined) {
        out.push(
            "> [!CAUTION]",
            `> ${style.strong(`${CATALOGUE_FILE} has ${instruction.missing} for Pexip ${to}`)}: the plan refuses the version, so this pull request cannot deploy yet and no stack below was planned. ` +
                `Download Pexip's Teams Connector package for ${to}, and add to ${style.code(CATALOGUE_FILE)}, in the entry of version "${to}":`,
            ">",
            "> ```yaml",
            ...instruction.lines.map((line) => `> ${line}`),
            "> ```",
            ">",
            "> with the checksum computed on the downloaded file, not taken from anywhere else:",
            ">",
            "> ```sh",
            ...instruction.commands.map((command) => `> ${command}`),
            "> ```",
            ">",
            "> Commit that to `main` (not to this branch, which the workflow rebuilds from `main`): the next run of the vdx-upgrade workflow updates this pull request with the plans.",
            "",
        );
    }

    out.push("### What this changes", "");
    out.push(`Sets \`pexipVersion: "${to}"\` in ${summary.stacks.map((stack) => `${style.code(stack.file)} (now ${stack.from})`).join(", ")}.`);
    if (summary.unchanged.length > 0) out.push(`Already on ${to}, left alone: ${summary.unchanged.map(style.code).join(", ")}.`);
    out.push("");
    out.push("| Stack | Version | Pexip's deployment | Static resources | Maintenance window |", "|---|---|---|---|---|");
    for (const stack of summary.stacks) {
        const plan = stack.plan;
        const redeploy = plan?.changes.find((change) => change.change === "redeploy");
        const statics = plan === undefined ? "not planned" : plan.changes.some((change) => change.area === "static") ? "**change**" : "unchanged";
        const behind = daysBehindVdx(summary, stack);
        const late = behind === undefined ? "" : `; ${style.strong(`on ${stack.from} for ${plural(behind, "day")} after VDX's switch`)}: deploy with ${style.code("override_window")} or change the window`;
        out.push(
            `| ${style.code(stack.stack)} | ${stack.from} → ${to} | ${plan === undefined ? "not planned" : redeploy === undefined ? "**not redeployed**" : "redeployed"} | ${statics} | ${windowWhen(summary, stack, style)}${late} |`,
        );
    }
    out.push("");

    for (const stack of summary.stacks) {
        out.push(`### ${style.code(stack.stack)}: ${stack.from} → ${to}`, "");
        out.push(...stackLines(summary, stack, style).map((line) => `- ${line}`), "");
        const plan = plans.get(stack.stack);
        if (plan !== undefined && stack.plan !== undefined) {
            out.push(`<details><summary>Offline plan of <code>${stack.stack}</code> on Pexip ${to} (check date ${stack.plan.asOf})</summary>`, "", plan.trimEnd(), "", "</details>", "");
        }
    }

    out.push("### After merging", "");
    out.push(
        "The deploy workflow runs on the merge, stack by stack. A stack's redeploy runs only inside its maintenance window: outside it, that stack's job is held, " +
            "and its summary says when the next window opens; run the deploy workflow for the stack then (Actions → deploy → Run workflow). " +
            "The emergency override (`override_window`) is for VDX's switch date falling before the next window.",
        "",
        "This pull request was opened or updated by the vdx-upgrade workflow with the repository's `GITHUB_TOKEN`, and GitHub starts no workflow for that: " +
            "the pull-request checks have not run. Close and reopen the pull request to run them before merging.",
        "",
        `_Written by \`cli/upgrade/upgradePr.ts\` as of ${summary.today}. The workflow rebuilds this branch and description while stacks lack Pexip ${to}: edit \`${CATALOGUE_FILE}\` or the stack files on \`main\`, not here._`,
    );
    return `${out.join("\n")}\n`;
}

/**
 * The upgrade pull request's title and Markdown body: the deadline and the days left (or that
 * it is overdue), MedCom's notice rule when VDX broke it, what to add when the catalogue lacks
 * the checksum, per stack what is redeployed and that no static resource changes, with the plan
 * after the change collapsed, and the maintenance windows. Within GitHub's limit: the plans are
 * cut, each to an equal share of the room left, when the whole would not fit.
 */
export function upgradePullRequest(summary: UpgradeSummary): { title: string; body: string } {
    const full = new Map(summary.stacks.flatMap((stack) => (stack.plan === undefined ? [] : [[stack.stack, stack.plan.markdown] as const])));
    let text = body(summary, full);
    if (text.length > PULL_REQUEST_BODY_LIMIT) {
        const fixed = body(summary, new Map([...full.keys()].map((stack) => [stack, ""]))).length;
        const share = Math.floor((PULL_REQUEST_BODY_LIMIT - fixed) / Math.max(1, full.size));
        text = body(summary, new Map([...full].map(([stack, markdown]) => [stack, truncatePlan(markdown, share, stack)])));
    }
    if (text.length > PULL_REQUEST_BODY_LIMIT) {
        // Only with hundreds of stacks: the table and the sentences alone are too long.
        const note = "\n\n_Cut at GitHub's limit: run `npm run upgrade` for the rest._\n";
        text = `${text.slice(0, PULL_REQUEST_BODY_LIMIT - note.length)}${note}`;
    }
    return { title: upgradeTitle(summary), body: text };
}
