import { MEDCOM_NOTICE_DAYS } from "../../../lib/contract";
import { plural } from "../../../lib/markdown";
import { shortNotice } from "../../../lib/versions/releaseCalendar";
import { PlanDeployment, PlanReport, PlanResource, PlanViolation, urnName } from "../planReport";

/**
 * What the text and Markdown renderers share: the resource tree, the cost lines, the verdict,
 * the upgrade lines, the notes on Pexip's parameters, and violations grouped by policy and message.
 */

// ---------------------------------------------------------------------------------------
// The resource tree

/** A resource with its children, siblings in a stable order. */
export interface TreeNode {
    readonly resource: PlanResource;
    readonly children: TreeNode[];
}

/**
 * The resources as a forest. Registration order depends on when the mock answers, so
 * siblings are sorted: components first, then by type and name. A parent that was not
 * registered (the root stack) makes its children roots.
 */
export function resourceTree(resources: readonly PlanResource[]): TreeNode[] {
    const nodes = new Map<string, TreeNode>();
    for (const resource of resources) nodes.set(resource.urn, { resource, children: [] });
    const roots: TreeNode[] = [];
    for (const node of nodes.values()) {
        const parent = node.resource.parent === null ? undefined : nodes.get(node.resource.parent);
        (parent?.children ?? roots).push(node);
    }
    const order = (a: TreeNode, b: TreeNode) =>
        Number(a.resource.custom) - Number(b.resource.custom) ||
        compare(a.resource.type, b.resource.type) ||
        compare(a.resource.name, b.resource.name);
    const sort = (list: TreeNode[]) => {
        list.sort(order);
        list.forEach((node) => sort(node.children));
    };
    sort(roots);
    return roots;
}

/** Depth-first, with each node's depth. */
export function walk(roots: readonly TreeNode[], visit: (node: TreeNode, depth: number) => void, depth = 0): void {
    for (const node of roots) {
        visit(node, depth);
        walk(node.children, visit, depth + 1);
    }
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Numbers

/** Whole DKK with thousands separators: `40,000`. */
function dkk(amount: number): string {
    return `${amount.toLocaleString("en-GB", { maximumFractionDigits: 0 })} DKK`;
}

/** Lines of the cost section, shared by text and Markdown. */
export function costLines(report: PlanReport): string[] {
    const { cost } = report;
    const lines = [
        `licence ${dkk(cost.licensePerYear)} + ${plural(cost.vms, "VM")} × ${dkk(cost.vmPerYear)} = ${dkk(cost.totalPerYear)} a year (${dkk(cost.perPortPerYear)} per port)`,
    ];
    const schedule = cost.schedule;
    if (schedule !== undefined) {
        const saving =
            schedule.savingPerYear >= 0 ? `saves ${dkk(schedule.savingPerYear)}` : `costs ${dkk(-schedule.savingPerYear)} more`;
        lines.push(
            `Infinity's schedule (${schedule.timeZone}): minimum ${schedule.minimumInstances}, peak ${schedule.peakInstances} instance(s), ` +
                `${schedule.vmHoursPerWeek} VM-hours a week → ${dkk(schedule.totalPerYear)} a year (${dkk(schedule.perPortPerYear)} per port); ` +
                `against ${plural(cost.vms, "VM")} always on it ${saving} a year.`,
        );
        for (const window of schedule.windows) {
            lines.push(
                `  ${window.name}: ${window.days.join(", ")} ${window.from}–${window.to}, +${window.instancesToAdd} from ${window.startsAt}, ` +
                    `${window.vmHoursPerWeek} VM-hours a week`,
            );
        }
        if (!schedule.reachesSizedInstances) {
            lines.push(
                `  Note: the schedule never reaches the sized ${plural(cost.vms, "instance")}, so all ${report.sizing.concurrentPorts} ports are never available at once.`,
            );
        }
    }
    return lines;
}

/** An output on one line: long or multi-line values are summarised. */
export function outputSummary(value: unknown): string {
    if (typeof value === "string" && value.includes("\n")) return `(${value.split("\n").length} lines)`;
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A violation's message (the policy's description, then what it reported) on one line. */
function violationText(violation: PlanViolation): string {
    return violation.message.replace(/\s+/g, " ").trim();
}

export function checkedText(deployment: PlanDeployment): string {
    return deployment.parametersChecked
        ? "parameters checked against the package's script"
        : "parameters checked only at deploy time, before anything is removed: the package is downloaded then; set connectorPackage.path to the downloaded zip to check them in this plan";
}

/** The sentence under the parameters when names are unconfirmed, or undefined. */
export function unconfirmedText(deployment: PlanDeployment): string | undefined {
    const names = deployment.parameters.filter((parameter) => !parameter.nameConfirmed).map((parameter) => `-${parameter.name}`);
    if (names.length === 0) return undefined;
    return `Unconfirmed names (*): ${list(names)} are not in Pexip's public commands; check them against the package's script, and rename with pexipDeployment.parameterNames if they differ`;
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** One line per announced upgrade: the deadline, the days left, what to do, and MedCom's notice rule when VDX broke it. */
export function upgradeLines(report: PlanReport): string[] {
    return report.upgrades.map((upgrade) => {
        const when = `VDX moves to Pexip ${upgrade.version} on ${upgrade.from}, in ${plural(upgrade.daysLeft, "day")} (announced ${upgrade.announced})`;
        const what =
            report.pexipVersion === upgrade.version
                ? `this stack already runs ${upgrade.version}, before VDX does: calls break until ${upgrade.from}`
                : `this stack runs ${report.pexipVersion}: on ${upgrade.from} set pexipVersion to ${upgrade.version} (npm run upgrade -- --to ${upgrade.version}) and deploy in the maintenance window; from that day the version policy requires it`;
        // The rule is releaseCalendar's shortNotice; the line has named the version and the dates already, so it words it short.
        const notice = shortNotice(upgrade) === undefined ? "" : `; VDX gave ${upgrade.noticeDays} days' notice, MedCom's rule is ${MEDCOM_NOTICE_DAYS}`;
        return `${when}: ${what}${notice}.`;
    });
}

/**
 * The verdict, shared by text and Markdown: PASS or FAIL as the exit code says; what was found,
 * warnings included, so that "PASS" never hides them; and, by name, what the configuration
 * weakened: the policies it disables, which checked nothing, the mandatory ones it downgrades,
 * and the settings that switch a check off.
 */
export function resultLine(report: PlanReport): string {
    const { violations, disabled, downgraded, inert, packSize, configFile } = report.policy;
    const mandatory = violations.filter((violation) => violation.enforcement === "mandatory").length;
    const counts: [number, string, string?][] = [
        [mandatory, "mandatory policy violation"],
        [violations.length - mandatory, "advisory", "advisories"],
        [report.warnings.length, "warning"],
    ];
    const found = list(counts.filter(([count]) => count > 0).map(([count, one, many]) => plural(count, one, many)));
    const nothingChecked = disabled.length === packSize;
    const verdict = mandatory > 0 ? `FAIL: ${found}` : found !== "" ? `PASS with ${found}` : nothingChecked ? "PASS" : "PASS: no policy violations";
    if (nothingChecked) return `${verdict}, but nothing was checked: all ${packSize} policies disabled by policy config (${configFile})`;
    const weakened: [readonly string[], string, string, string][] = [
        [disabled, "policy", "policies", "disabled"],
        [downgraded, "mandatory policy", "mandatory policies", "downgraded to advisory"],
        [inert, "setting", "settings", "switching a check off"],
    ];
    const named = weakened.filter(([names]) => names.length > 0).map(([names, one, many, what]) => `${plural(names.length, one, many)} ${what} (${names.join(", ")})`);
    return named.length === 0 ? verdict : `${verdict}; by policy config (${configFile}): ${list(named)}`;
}

/** Violations of one policy with one message: a single line in text and Markdown, however many resources. */
interface ViolationGroup {
    readonly policy: string;
    readonly enforcement: PlanViolation["enforcement"];
    /** The message on one line. */
    readonly text: string;
    /** The resources' names, as reported. */
    readonly resources: string[];
}

/** The violations grouped by policy and message, in the order first reported. The JSON keeps each one. */
export function violationGroups(violations: readonly PlanViolation[]): ViolationGroup[] {
    const groups = new Map<string, ViolationGroup>();
    for (const violation of violations) {
        const text = violationText(violation);
        const key = JSON.stringify([violation.policy, violation.enforcement, text]);
        const group = groups.get(key) ?? { policy: violation.policy, enforcement: violation.enforcement, text, resources: [] };
        group.resources.push(urnName(violation.urn));
        groups.set(key, group);
    }
    return [...groups.values()];
}
