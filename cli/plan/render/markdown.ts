import { mdCell, mdCode, mdText } from "../../../lib/markdown";
import { PlanReport, PlanResource, urnName, urnType } from "../planReport";
import { checkedText, costLines, outputSummary, resourceTree, resultLine, unconfirmedText, upgradeLines, violationGroups, walk } from "./common";

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

