import type { PlanDeployment, PlanReport } from "../planReport";
import { checkedText, costLines, outputSummary, resourceTree, resultLine, unconfirmedText, upgradeLines, violationGroups, walk } from "./common";

function sizingLines(report: PlanReport): string[] {
    const { sizing } = report;
    return [
        `concurrent ports:    ${sizing.concurrentPorts}`,
        `calls per instance:  ${sizing.portsPerInstance} (Pexip's limit is 16, its planning figure 15)`,
        `spare instances:     ${sizing.spareInstances}`,
        `instances:           ${sizing.instances} (${sizing.requiredInstances} for the ports + ${sizing.spareInstances} spare; ${sizing.plannedCapacity} calls at the planned load)`,
    ];
}

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
