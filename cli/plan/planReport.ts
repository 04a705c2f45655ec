import { MEDCOM_NOTICE_DAYS } from "../../lib/contract";
import type { CostEstimate } from "../../lib/vdx/cost";
import { mdCode, mdText, plural } from "../../lib/markdown";
import { shortNotice } from "../../lib/versions/releaseCalendar";

/**
 * Rendering of the offline plan: text for a person at a terminal, Markdown (with a Mermaid
 * diagram of the resources by resource group) for a pull-request comment, and one JSON
 * document for tools.
 * Pure functions of a `PlanReport`: secrets are already replaced by `[secret]` when the report
 * is built (cli/plan/plan.ts), so nothing here can leak one.
 */

/** What stands where a secret was: the same text everywhere (lib/config/secret.ts). */
export { REDACTED as SECRET_TEXT } from "../../lib/config/secret";

/** One resource as the program registered it, secrets redacted. */
export interface PlanResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Parent URN; null at the stack's root. */
    readonly parent: string | null;
    readonly protect: boolean;
    /** False for component resources. */
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

/** The sizing the stack asks for (lib/pexip/sizing.ts). */
interface PlanSizing {
    readonly concurrentPorts: number;
    readonly portsPerInstance: number;
    readonly spareInstances: number;
    readonly instances: number;
    /** ceil(concurrentPorts / portsPerInstance), before spares. */
    readonly requiredInstances: number;
    /** instances × portsPerInstance. */
    readonly plannedCapacity: number;
}

/** One policy violation as the engine reports it. */
export interface PlanViolation {
    readonly policy: string;
    readonly enforcement: "advisory" | "mandatory";
    readonly message: string;
    /** The resource's URN; null for a stack policy that named none. */
    readonly urn: string | null;
}

/** Something the party does after the plan, outside Pulumi. */
export interface NextStep {
    /** Short heading: "Consent", "Lobby bypass", ... */
    readonly title: string;
    /** One or two sentences. */
    readonly text: string;
    /** A command or URL to copy, if there is one. */
    readonly command?: string;
}

/** Pexip's deployment as the stack drives it. */
export interface PlanDeployment {
    /** The dynamic resource group Pexip's script deploys into. */
    readonly resourceGroup: string;
    readonly scaleSetName: string;
    /** The deployment script, by its path in the package or its name. */
    readonly script: string;
    /** True when the parameters were checked against the script's param block (a local package). */
    readonly parametersChecked: boolean;
    /** The command the driver runs, secrets masked. */
    readonly command: string;
    /**
     * Each parameter and its value as passed, secrets masked. `nameConfirmed` is false for a
     * name neither the package's script (a local package) nor Pexip's public commands confirm.
     */
    readonly parameters: ReadonlyArray<{ readonly name: string; readonly value: string; readonly nameConfirmed: boolean }>;
    /** check, create, update, delete, redeploy and scale, each in a sentence. */
    readonly lifecycle: ReadonlyArray<{ readonly step: string; readonly what: string }>;
}

/** An upgrade VDX has announced that is not yet in force on the check date (pexip-versions.yaml). */
interface PlanUpgrade {
    readonly version: string;
    /** The date VDX switches. */
    readonly from: string;
    /** The date of VDX's notice. */
    readonly announced: string;
    /** Days from the check date to the switch. */
    readonly daysLeft: number;
    /** Days of notice VDX gave; MedCom's rule is at least 14. */
    readonly noticeDays: number;
}

/** Everything the plan found; the JSON form is a documented subset (see `renderJson`). */
export interface PlanReport {
    readonly stack: string;
    readonly project: string;
    readonly environment: string;
    readonly location: string;
    readonly fqdn: string;
    readonly pexipVersion: string;
    /** Resources in registration order. */
    readonly resources: readonly PlanResource[];
    readonly sizing: PlanSizing;
    readonly cost: CostEstimate;
    readonly policy: {
        readonly violations: readonly PlanViolation[];
        /** The date the version policy checked against (YYYY-MM-DD). */
        readonly checkDate: string;
        /** The policy configuration file that was applied. */
        readonly configFile: string;
        /** Policies the configuration disables (`"disabled"`, per policy or through `all`): nothing checked them. */
        readonly disabled: readonly string[];
        /** Mandatory policies the configuration sets to advisory: their violations no longer fail the plan. */
        readonly downgraded: readonly string[];
        /** Settings set past the point where their policy's check can fire: `<policy>.<setting> <value>: why`. */
        readonly inert: readonly string[];
        /** How many policies the pack has, disabled ones included. */
        readonly packSize: number;
    };
    readonly deployment: PlanDeployment;
    /** VDX's announced upgrades on the check date, earliest first. */
    readonly upgrades: readonly PlanUpgrade[];
    /** Stack outputs, secrets redacted. */
    readonly outputs: Record<string, unknown>;
    /** Outputs whose values the mock cloud made up (addresses, IDs): real only after `pulumi up`. */
    readonly standIns: readonly string[];
    readonly nextSteps: readonly NextStep[];
    /** What the program logged (pulumi.log) and what the plan could not check. */
    readonly warnings: readonly string[];
}

/** The error object of `--json` on invalid configuration. */
interface PlanErrorDocument {
    readonly error: { readonly key: string; readonly message: string };
}

/** True when a mandatory violation makes the plan fail (exit 1). */
export function hasMandatoryViolation(report: PlanReport): boolean {
    return report.policy.violations.some((violation) => violation.enforcement === "mandatory");
}

// ---------------------------------------------------------------------------------------
// JSON

/** The `--json` document: exactly the documented keys, nothing else. */
export function jsonDocument(report: PlanReport): Record<string, unknown> {
    const { cost, sizing } = report;
    return {
        stack: report.stack,
        project: report.project,
        resources: report.resources.map((resource) => ({
            type: resource.type,
            name: resource.name,
            urn: resource.urn,
            parent: resource.parent,
            protect: resource.protect,
            inputs: resource.inputs,
        })),
        sizing: {
            concurrentPorts: sizing.concurrentPorts,
            portsPerInstance: sizing.portsPerInstance,
            spareInstances: sizing.spareInstances,
            instances: sizing.instances,
        },
        cost: {
            currency: cost.currency,
            licensePerYear: cost.licensePerYear,
            vmPerYear: cost.vmPerYear,
            vms: cost.vms,
            totalPerYear: cost.totalPerYear,
            perPortPerYear: cost.perPortPerYear,
            // Only when Infinity's scheduled scaling is configured (lib/vdx/cost.ts ScheduleCost).
            ...(cost.schedule === undefined ? {} : { schedule: cost.schedule }),
        },
        deployment: report.deployment,
        policy: {
            violations: report.policy.violations.map((violation) => ({
                policy: violation.policy,
                enforcement: violation.enforcement,
                message: violation.message,
                urn: violation.urn,
            })),
            disabled: report.policy.disabled,
            downgraded: report.policy.downgraded,
            inert: report.policy.inert,
        },
        outputs: report.outputs,
        standIns: report.standIns,
        upgrades: report.upgrades,
    };
}

/** The `--json` output: one document and a newline. */
export function renderJson(report: PlanReport): string {
    return `${JSON.stringify(jsonDocument(report), null, 2)}\n`;
}

/** The `--json` output on invalid configuration. */
export function renderJsonError(key: string, message: string): string {
    const document: PlanErrorDocument = { error: { key, message } };
    return `${JSON.stringify(document, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------
// The resource tree

/** A resource with its children, siblings in a stable order. */
interface TreeNode {
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
function walk(roots: readonly TreeNode[], visit: (node: TreeNode, depth: number) => void, depth = 0): void {
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
function costLines(report: PlanReport): string[] {
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

function sizingLines(report: PlanReport): string[] {
    const { sizing } = report;
    return [
        `concurrent ports:    ${sizing.concurrentPorts}`,
        `calls per instance:  ${sizing.portsPerInstance} (Pexip's limit is 16, its planning figure 15)`,
        `spare instances:     ${sizing.spareInstances}`,
        `instances:           ${sizing.instances} (${sizing.requiredInstances} for the ports + ${sizing.spareInstances} spare; ${sizing.plannedCapacity} calls at the planned load)`,
    ];
}

/** An output on one line: long or multi-line values are summarised. */
function outputSummary(value: unknown): string {
    if (typeof value === "string" && value.includes("\n")) return `(${value.split("\n").length} lines)`;
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** A violation's message (the policy's description, then what it reported) on one line. */
function violationText(violation: PlanViolation): string {
    return violation.message.replace(/\s+/g, " ").trim();
}

/** The part of a URN after the last `::`: the resource's name. */
function urnName(urn: string | null): string {
    return urn === null ? "(stack)" : urn.slice(urn.lastIndexOf("::") + 2);
}

function checkedText(deployment: PlanDeployment): string {
    return deployment.parametersChecked
        ? "parameters checked against the package's script"
        : "parameters checked only at deploy time, before anything is removed: the package is downloaded then; set connectorPackage.path to the downloaded zip to check them in this plan";
}

/** The sentence under the parameters when names are unconfirmed, or undefined. */
function unconfirmedText(deployment: PlanDeployment): string | undefined {
    const names = deployment.parameters.filter((parameter) => !parameter.nameConfirmed).map((parameter) => `-${parameter.name}`);
    if (names.length === 0) return undefined;
    return `Unconfirmed names (*): ${list(names)} are not in Pexip's public commands; check them against the package's script, and rename with pexipDeployment.parameterNames if they differ`;
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** One line per announced upgrade: the deadline, the days left, what to do, and MedCom's notice rule when VDX broke it. */
function upgradeLines(report: PlanReport): string[] {
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
function resultLine(report: PlanReport): string {
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
function violationGroups(violations: readonly PlanViolation[]): ViolationGroup[] {
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

// ---------------------------------------------------------------------------------------
// Text

/** The default output, for a person at a terminal. */
export function renderText(report: PlanReport): string {
    const out: string[] = [];
    out.push(`Offline plan for ${report.project}/${report.stack} (${report.environment}, ${report.location}, ${report.fqdn}, Pexip ${report.pexipVersion})`);
    out.push("No cloud was contacted: the program ran under Pulumi's mock runtime; addresses and IDs are stand-ins.");
    out.push(`Result: ${resultLine(report)}`);
    if (report.warnings.length > 0) {
        out.push("Warnings");
        out.push(...report.warnings.map((warning) => `  - ${warning}`));
    }
    if (report.upgrades.length > 0) {
        out.push("VDX upgrades");
        out.push(...upgradeLines(report).map((line) => `  - ${line}`));
    }
    out.push("");

    out.push(`Resources (${report.resources.length}; [protected]: Pulumi refuses to delete it)`);
    walk(resourceTree(report.resources), (node, depth) => {
        const { resource } = node;
        const flags = resource.protect ? " [protected]" : "";
        out.push(`${"  ".repeat(depth + 1)}${resource.name}  ${resource.type}${flags}`);
    });
    out.push("");

    out.push("Sizing");
    out.push(...sizingLines(report).map((line) => `  ${line}`));
    out.push("");

    out.push("Cost (MedCom's indicative prices unless the stack's `cost` sets others)");
    out.push(...costLines(report).map((line) => `  ${line}`));
    out.push("");

    const { deployment } = report;
    out.push(`Pexip deployment (${deployment.script} into ${deployment.resourceGroup}; ${checkedText(deployment)})`);
    out.push(...deployment.lifecycle.map((entry) => `  ${entry.step}: ${entry.what}`));
    const shownName = (parameter: PlanDeployment["parameters"][number]) => (parameter.nameConfirmed ? parameter.name : `${parameter.name} *`);
    const nameWidth = Math.max(0, ...deployment.parameters.map((parameter) => shownName(parameter).length)) + 2;
    out.push("  parameters:");
    out.push(...deployment.parameters.map((parameter) => `    -${shownName(parameter).padEnd(nameWidth)}${parameter.value}`));
    const unconfirmed = unconfirmedText(deployment);
    if (unconfirmed !== undefined) out.push(`  ${unconfirmed}.`);
    out.push("");

    out.push(`Policy (check date ${report.policy.checkDate}, ${report.policy.configFile})`);
    if (report.policy.violations.length === 0) out.push("  no violations");
    for (const group of violationGroups(report.policy.violations)) {
        const on = group.resources.length === 1 ? group.resources[0] : `${group.resources.length} resources (${group.resources.join(", ")})`;
        out.push(`  [${group.enforcement}] ${group.policy} on ${on}: ${group.text}`);
    }
    if (report.policy.disabled.length > 0) out.push(`  disabled by policy config: ${report.policy.disabled.join(", ")}`);
    if (report.policy.downgraded.length > 0) out.push(`  mandatory, downgraded to advisory by policy config: ${report.policy.downgraded.join(", ")}`);
    out.push(...report.policy.inert.map((setting) => `  switched off by policy config: ${setting}`));
    out.push("");

    out.push("Outputs (* made up by the mock cloud: real after `pulumi up`)");
    const width = Math.max(0, ...Object.keys(report.outputs).map((key) => key.length)) + 2;
    for (const [key, value] of Object.entries(report.outputs)) {
        const name = `${key}${report.standIns.includes(key) ? " *" : ""}`;
        out.push(`  ${name.padEnd(width)} ${outputSummary(value)}`);
    }
    out.push("");

    out.push("Next steps");
    report.nextSteps.forEach((step, index) => {
        out.push(`  ${index + 1}. ${step.title}: ${step.text}`);
        if (step.command !== undefined) out.push(`     ${step.command}`);
    });
    return `${out.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------
// Markdown

/** The plan as a pull-request comment, with a Mermaid diagram of the resources by resource group. */
export function renderMarkdown(report: PlanReport): string {
    const out: string[] = [];
    out.push(`## Offline plan: \`${report.project}\` / \`${report.stack}\``);
    out.push("");
    out.push(`**${mdText(resultLine(report))}** · ${mdText(report.environment)} · \`${report.location}\` · \`${report.fqdn}\` · Pexip \`${report.pexipVersion}\``);
    out.push("");
    if (report.warnings.length > 0) {
        // GitHub's warning alert: next to the verdict, where a reviewer cannot miss it.
        out.push("> [!WARNING]");
        out.push(...report.warnings.map((warning) => `> - ${mdText(warning)}`));
        out.push("");
    }
    if (report.upgrades.length > 0) {
        // The deadline is VDX's switch date: from then on the version policy blocks this stack.
        out.push("> [!IMPORTANT]");
        out.push(...upgradeLines(report).map((line) => `> - ${mdText(line)}`));
        out.push("");
    }
    out.push("_No cloud was contacted: the program ran under Pulumi's mock runtime; addresses and IDs are stand-ins._");
    out.push("");

    out.push(`### Resources (${report.resources.length})`);
    out.push("");
    out.push(mermaidDiagram(report.resources, report.deployment.resourceGroup));
    out.push("");
    out.push("_One box per resource group; a red border marks a protected resource. Components and the resource tree are in the table._");
    out.push("");
    out.push("<details><summary>Resource table</summary>");
    out.push("");
    out.push("| Resource | Type | Parent | Protected |");
    out.push("|---|---|---|---|");
    walk(resourceTree(report.resources), (node, depth) => {
        const { resource } = node;
        const indent = "&nbsp;&nbsp;".repeat(depth);
        out.push(
            `| ${indent}${mdCodeCell(resource.name)} | ${mdCodeCell(resource.type)} | ${resource.parent === null ? "" : mdCodeCell(urnName(resource.parent))} | ${resource.protect ? "yes" : ""} |`,
        );
    });
    out.push("");
    out.push("</details>");
    out.push("");

    out.push("### Sizing");
    out.push("");
    out.push("| | |");
    out.push("|---|---|");
    const { sizing } = report;
    out.push(`| Concurrent ports | ${sizing.concurrentPorts} |`);
    out.push(`| Calls per instance | ${sizing.portsPerInstance} |`);
    out.push(`| Spare instances | ${sizing.spareInstances} |`);
    out.push(`| Instances | ${sizing.instances} (${sizing.requiredInstances} + ${sizing.spareInstances} spare; ${sizing.plannedCapacity} calls) |`);
    out.push("");

    out.push("### Cost a year");
    out.push("");
    out.push(...costLines(report).map((line) => (line.startsWith("  ") ? `  - ${mdText(line.trim())}` : `- ${mdText(line)}`)));
    out.push("");

    const { deployment } = report;
    out.push("### Pexip deployment");
    out.push("");
    out.push(`${mdCode(deployment.script)} into ${mdCode(deployment.resourceGroup)}; ${mdText(checkedText(deployment))}.`);
    out.push("");
    out.push(...deployment.lifecycle.map((entry) => `- **${mdText(entry.step)}**: ${mdText(entry.what)}`));
    out.push("");
    out.push("<details><summary>Parameters (secrets masked)</summary>");
    out.push("");
    out.push("| Parameter | Value |");
    out.push("|---|---|");
    out.push(...deployment.parameters.map((parameter) => `| ${mdCodeCell(`-${parameter.name}`)}${parameter.nameConfirmed ? "" : " \\*"} | ${mdCodeCell(parameter.value)} |`));
    out.push("");
    const unconfirmed = unconfirmedText(deployment);
    if (unconfirmed !== undefined) out.push(`${mdText(unconfirmed)}.`, "");
    out.push("</details>");
    out.push("");

    out.push(`### Policy (check date ${report.policy.checkDate})`);
    out.push("");
    if (report.policy.violations.length === 0) {
        out.push("No violations.");
    } else {
        out.push("| Level | Policy | Resources | Message |");
        out.push("|---|---|---|---|");
        for (const group of violationGroups(report.policy.violations)) {
            const level = group.enforcement === "mandatory" ? "**mandatory**" : "advisory";
            const names = group.resources.map(mdCodeCell).join(", ");
            const on = group.resources.length === 1 ? names : `${group.resources.length} resources: ${names}`;
            out.push(`| ${level} | ${mdCodeCell(group.policy)} | ${on} | ${mdCell(group.text)} |`);
        }
    }
    if (report.policy.disabled.length > 0) {
        out.push("");
        out.push(`Disabled by policy config (${mdCode(report.policy.configFile)}): ${report.policy.disabled.map(mdCode).join(", ")}.`);
    }
    if (report.policy.downgraded.length > 0) {
        out.push("");
        out.push(`Mandatory, downgraded to advisory by policy config: ${report.policy.downgraded.map(mdCode).join(", ")}.`);
    }
    for (const setting of report.policy.inert) {
        out.push("");
        out.push(`Switched off by policy config: ${mdText(setting)}.`);
    }
    out.push("");

    out.push("<details><summary>Outputs</summary>");
    out.push("");
    out.push("| Output | Value |");
    out.push("|---|---|");
    for (const [key, value] of Object.entries(report.outputs)) {
        const note = report.standIns.includes(key) ? " _(mock stand-in)_" : "";
        out.push(`| ${mdCodeCell(key)} | ${mdCodeCell(outputSummary(value))}${note} |`);
    }
    out.push("");
    out.push("</details>");
    out.push("");

    out.push("### Next steps");
    out.push("");
    report.nextSteps.forEach((step, index) => {
        out.push(`${index + 1}. **${mdText(step.title)}**: ${mdText(step.text)}${step.command === undefined ? "" : ` ${mdCode(step.command)}`}`);
    });
    return `${out.join("\n")}\n`;
}

/** The component that runs Pexip's deployment script: its commands deploy into the dynamic resource group. */
const PEXIP_DEPLOYMENT_TYPE = "vdx:teams:PexipDeployment";

/** Nodes per row inside a box of the diagram: about 600 px, within a pull request's width. */
const DIAGRAM_COLUMNS = 3;

/**
 * The box a resource is drawn in: its Azure resource group; for Pexip's deployment commands,
 * the dynamic group that Pexip's script creates and fills; Entra ID objects, which are
 * tenant-wide; and what lives in Pulumi's state only (random, tls).
 */
function diagramBox(resource: PlanResource, dynamicResourceGroup: string): string {
    const group = resource.inputs.resourceGroupName;
    if (typeof group === "string") return group;
    if (resource.parent !== null && urnType(resource.parent) === PEXIP_DEPLOYMENT_TYPE) return dynamicResourceGroup;
    if (resource.type.startsWith("azuread:")) return "Entra ID (tenant-wide)";
    return "no resource group (Pulumi state only)";
}

/** The type's last part: `PublicIPAddress` for `azure-native:network:PublicIPAddress`. */
function shortType(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

/** The name without its parent component's name: `pip` for `vdxdevweu-pip` under `vdxdevweu`. */
function shortName(resource: PlanResource, byUrn: ReadonlyMap<string, PlanResource>): string {
    const parent = resource.parent === null ? undefined : byUrn.get(resource.parent);
    const prefix = parent === undefined ? undefined : `${parent.name}-`;
    return prefix !== undefined && resource.name.startsWith(prefix) && resource.name.length > prefix.length ? resource.name.slice(prefix.length) : resource.name;
}

/** The last type of a URN's type chain: the resource's own type. */
export function urnType(urn: string): string {
    const chain = urn.split("::")[2] ?? "";
    return chain.slice(chain.lastIndexOf("$") + 1);
}

/**
 * A ```mermaid flowchart that stays readable at a pull request's width: top to bottom, one box
 * per resource group (see diagramBox) with short labels, rows of at most DIAGRAM_COLUMNS nodes,
 * the boxes one under the other. Components are left out: they own nothing in Azure, and the
 * resource table keeps the tree. Unlinked nodes of one rank line up side by side, so invisible
 * links (`~~~`) break the rows and stack the boxes. Ids are generated (`g0`, `n0`, ...) so no
 * resource name can break the syntax; labels are quoted and every character Mermaid or HTML
 * could read as markup is an entity code.
 */
export function mermaidDiagram(resources: readonly PlanResource[], dynamicResourceGroup: string): string {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const boxes = new Map<string, PlanResource[]>();
    walk(resourceTree(resources), ({ resource }) => {
        if (!resource.custom) return;
        const box = diagramBox(resource, dynamicResourceGroup);
        boxes.set(box, [...(boxes.get(box) ?? []), resource]);
    });
    const lines = ["```mermaid", "flowchart TB"];
    const links: string[] = [];
    const protectedIds: string[] = [];
    let next = 0;
    [...boxes].forEach(([box, members], index) => {
        const label = box === dynamicResourceGroup ? `${box} (Pexip's script)` : box;
        lines.push(`    subgraph g${index}["${mermaidText(label)}"]`);
        const ids = members.map((resource) => {
            const id = `n${next++}`;
            lines.push(`        ${id}["${mermaidText(shortName(resource, byUrn))}<br/>${mermaidText(shortType(resource.type))}"]`);
            if (resource.protect) protectedIds.push(id);
            return id;
        });
        lines.push("    end");
        links.push(...ids.slice(DIAGRAM_COLUMNS).map((id, at) => `    ${ids[at]} ~~~ ${id}`));
        if (index > 0) links.push(`    g${index - 1} ~~~ g${index}`);
    });
    lines.push(...links);
    lines.push("    classDef protected stroke:#c00,stroke-width:3px");
    if (protectedIds.length > 0) lines.push(`    class ${protectedIds.join(",")} protected`);
    lines.push("```");
    return lines.join("\n");
}

/** Text inside a quoted Mermaid label: Mermaid's entity codes for anything that is syntax. */
export function mermaidText(text: string): string {
    return text.replace(/[\r\n\t]+/g, " ").replace(/[#"<>&`[\]{}()|;]/g, (char) => `#${char.codePointAt(0)};`);
}

/** Inline code in a table cell: GFM splits cells at any unescaped pipe, even inside code. */
function mdCodeCell(text: string): string {
    return mdCode(text).replace(/\|/g, "\\|");
}


function mdCell(text: string): string {
    return mdText(text).replace(/\|/g, "\\|");
}
