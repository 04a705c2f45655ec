/**
 * The plan's renderers on hand-made reports (no program run): the JSON document's exact
 * shape, the text tree, and a structural check of the Mermaid block that the Markdown
 * carries, with resource names chosen to break naive escaping. One test checks the Mermaid
 * block of a real plan of the dev stack.
 */
import * as assert from "node:assert/strict";
import type { CostEstimate } from "../../lib/cost";
import {
    jsonDocument,
    mermaidText,
    mermaidTree,
    PlanReport,
    PlanResource,
    renderJson,
    renderJsonError,
    renderMarkdown,
    renderText,
    resourceTree,
} from "../../cli/planReport";

const STACK_URN = "urn:pulumi:dev::vdx-teams-connector";

function resource(name: string, type: string, parent: PlanResource | null, extra: Partial<PlanResource> = {}): PlanResource {
    const parentType = parent === null ? "" : `${parent.urn.split("::")[2]}$`;
    return { type, name, urn: `${STACK_URN}::${parentType}${type}::${name}`, parent: parent?.urn ?? null, protect: false, custom: true, inputs: {}, ...extra };
}

const connector = resource("vdxdevweu", "vdx:teams:TeamsConnector", null, { custom: false });
const network = resource("vdxdevweu-network", "vdx:teams:ConnectorNetwork", connector, { custom: false });
/** Names that break Mermaid or Markdown unless escaped. */
const NASTY = 'a"b<c>[d]{e}(f)|g;h#i&j`k';
const RESOURCES: PlanResource[] = [
    resource("vdxdevweu-pip", "azure-native:network:PublicIPAddress", connector, { protect: true, inputs: { sku: { name: "Standard" } } }),
    connector,
    network,
    resource("vdxdevweu-network-nsg", "azure-native:network:NetworkSecurityGroup", network),
    resource(NASTY, "azure-native:network:LoadBalancer", network),
    resource("vdxdevweu-static-rg", "azure-native:resources:ResourceGroup", connector, { protect: true }),
    // A parent the run never registered (e.g. the root stack): its child is a root.
    resource("orphan", "random:index/randomPassword:RandomPassword", null, { parent: `${STACK_URN}::pulumi:pulumi:Stack::dev` }),
];

const COST: CostEstimate = { currency: "DKK", licensePerYear: 15000, vmPerYear: 25000, vms: 1, totalPerYear: 40000, perPortPerYear: 10000 };

function report(overrides: Partial<PlanReport> = {}): PlanReport {
    return {
        stack: "dev",
        project: "vdx-teams-connector",
        environment: "dev",
        location: "westeurope",
        fqdn: "teamsconn-dev.sundhed.example",
        pexipVersion: "37.1",
        resources: RESOURCES,
        sizing: { concurrentPorts: 4, portsPerInstance: 16, spareInstances: 0, instances: 1, requiredInstances: 1, plannedCapacity: 16 },
        cost: COST,
        deployment: {
            resourceGroup: "vdxdev-TeamsConn-weu-RG",
            scaleSetName: "vdxdevweu",
            script: "create_vmss_deployment.ps1",
            parametersChecked: false,
            command: "& ./create_vmss_deployment.ps1 -VmssName 'vdxdevweu'",
            parameters: [{ name: "VmssName", value: "'vdxdevweu'" }],
            lifecycle: [{ step: "create", what: "the driver creates vdxdev-TeamsConn-weu-RG" }],
        },
        policy: {
            violations: [{ policy: "rdp-not-open", enforcement: "advisory", message: "RDP must not be open.\nPort 3389 | is open", urn: RESOURCES[3].urn }],
            checkDate: "2026-11-25",
            configFile: "policy/config.json",
        },
        outputs: { fqdn: "teamsconn-dev.sundhed.example", publicIpAddress: "203.0.113.10", eventHubConnectionString: "[secret]", lobbyBypassScript: "line 1\nline 2" },
        standIns: ["publicIpAddress"],
        nextSteps: [{ title: "VDX request", text: "send it", command: "pulumi stack output --stack dev --show-secrets eventHubConnectionString" }],
        warnings: ["certificate expires soon"],
        ...overrides,
    };
}

/** A parsed ```mermaid block: node ids with labels, edges, classes. */
interface MermaidGraph {
    readonly header: string;
    readonly nodes: Map<string, string>;
    readonly edges: [string, string][];
    readonly classed: string[];
}

/**
 * A structural parse of a flowchart block, strict enough to catch what breaks Mermaid: a
 * `flowchart`/`graph` header, `id["label"]` nodes with safe ids and no raw quote or markup in
 * the label (entity codes `#…;` and `<br/>` only), edges and `class` lines over declared ids,
 * and nothing else but `classDef` lines.
 */
function parseMermaid(markdown: string): MermaidGraph {
    const blocks = [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)];
    assert.equal(blocks.length, 1, "exactly one mermaid block");
    const lines = blocks[0][1].split("\n").map((line) => line.trim()).filter((line) => line !== "");
    const header = lines[0];
    assert.match(header, /^(flowchart|graph) (TB|TD|BT|RL|LR)$/);
    const nodes = new Map<string, string>();
    const edges: [string, string][] = [];
    const classed: string[] = [];
    for (const line of lines.slice(1)) {
        let match: RegExpExecArray | null;
        if ((match = /^([A-Za-z][A-Za-z0-9_]*)\["(.*)"\]$/.exec(line))) {
            const [, id, label] = match;
            assert.match(id, /^n\d+$/, `safe node id: ${id}`);
            assert.ok(!nodes.has(id), `node ${id} declared once`);
            // Outside entity codes and <br/>, nothing that Mermaid or HTML reads as syntax.
            const bare = label.replace(/#\d+;|#[a-z]+;/g, "").replace(/<br\/>/g, "");
            assert.doesNotMatch(bare, /["<>[\]{}()|;#&`]/, `label escaped: ${label}`);
            nodes.set(id, label);
        } else if ((match = /^(\S+) --> (\S+)$/.exec(line))) {
            edges.push([match[1], match[2]]);
        } else if ((match = /^class ([\w,]+) (\w+)$/.exec(line))) {
            classed.push(...match[1].split(","));
        } else {
            assert.match(line, /^classDef \w+ [\w#:,.\- ]+$/, `unexpected line: ${line}`);
        }
    }
    for (const [from, to] of edges) {
        assert.ok(nodes.has(from) && nodes.has(to), `edge ${from} --> ${to} joins declared nodes`);
    }
    for (const id of classed) assert.ok(nodes.has(id), `class on declared node ${id}`);
    return { header, nodes, edges, classed };
}

/** Undoes mermaidText's entity codes. */
function unescapeMermaid(text: string): string {
    return text.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

describe("plan report rendering", () => {
    describe("JSON", () => {
        it("has exactly the documented keys, at every level", () => {
            const document = jsonDocument(report());
            assert.deepEqual(Object.keys(document), ["stack", "project", "resources", "sizing", "cost", "deployment", "policy", "outputs"]);
            for (const entry of document.resources as Record<string, unknown>[]) {
                assert.deepEqual(Object.keys(entry), ["type", "name", "urn", "parent", "protect", "inputs"]);
            }
            assert.deepEqual(Object.keys(document.sizing as object), ["concurrentPorts", "portsPerInstance", "spareInstances", "instances"]);
            assert.deepEqual(Object.keys(document.cost as object), ["currency", "licensePerYear", "vmPerYear", "vms", "totalPerYear", "perPortPerYear"]);
            assert.deepEqual(Object.keys(document.policy as object), ["violations"]);
            assert.deepEqual(Object.keys((document.policy as { violations: object[] }).violations[0]), ["policy", "enforcement", "message", "urn"]);
        });

        it("adds the schedule to cost only when Infinity's scaling is configured", () => {
            const schedule = { timeZone: "Europe/Copenhagen", minimumInstances: 1 } as unknown as CostEstimate["schedule"];
            const withSchedule = jsonDocument(report({ cost: { ...COST, schedule } }));
            assert.deepEqual((withSchedule.cost as Record<string, unknown>).schedule, schedule);
            assert.ok(!("schedule" in (jsonDocument(report()).cost as object)));
        });

        it("is one JSON document, and the error form is { error: { key, message } }", () => {
            const text = renderJson(report());
            assert.deepEqual(JSON.parse(text), jsonDocument(report()));
            assert.ok(text.endsWith("}\n"));
            assert.deepEqual(JSON.parse(renderJsonError("concurrentPorts", "concurrentPorts must be ≥ 1")), {
                error: { key: "concurrentPorts", message: "concurrentPorts must be ≥ 1" },
            });
        });
    });

    describe("resource tree", () => {
        it("nests children under parents, components first, and makes unregistered parents' children roots", () => {
            const roots = resourceTree(RESOURCES);
            assert.deepEqual(
                roots.map((node) => node.resource.name),
                ["vdxdevweu", "orphan"],
            );
            const children = roots[0].children.map((node) => node.resource.name);
            assert.deepEqual(children, ["vdxdevweu-network", "vdxdevweu-pip", "vdxdevweu-static-rg"]);
            assert.deepEqual(
                roots[0].children[0].children.map((node) => node.resource.name),
                [NASTY, "vdxdevweu-network-nsg"],
            );
        });

        it("indents the text tree by depth and marks protected resources", () => {
            const text = renderText(report());
            const indent = (name: string) => {
                const line = text.split("\n").find((entry) => entry.trimStart().startsWith(`${name}  `));
                assert.ok(line, `a line for ${name}`);
                return line.length - line.trimStart().length;
            };
            assert.equal(indent("vdxdevweu-network") - indent("vdxdevweu"), 2);
            assert.equal(indent("vdxdevweu-network-nsg") - indent("vdxdevweu-network"), 2);
            assert.match(text, /vdxdevweu-pip {2}azure-native:network:PublicIPAddress \[protected\]/);
            for (const section of ["Resources (7", "Sizing", "Cost", "Policy (check date 2026-11-25", "Outputs", "Next steps", "Warnings"]) {
                assert.ok(text.includes(section), section);
            }
            assert.match(text, /publicIpAddress \*/);
            assert.match(text, /lobbyBypassScript\s+\(2 lines\)/);
        });
    });

    describe("Markdown", () => {
        it("carries a valid Mermaid flowchart with one node per resource and one edge per parent link", () => {
            const markdown = renderMarkdown(report());
            const graph = parseMermaid(markdown);
            assert.equal(graph.nodes.size, RESOURCES.length);
            // Every registered parent link, and nothing else, is an edge.
            const linked = RESOURCES.filter((entry) => RESOURCES.some((other) => other.urn === entry.parent));
            assert.equal(graph.edges.length, linked.length);
            const byName = new Map([...graph.nodes].map(([id, label]) => [unescapeMermaid(label.split("<br/>")[0]), id]));
            for (const entry of linked) {
                const parent = RESOURCES.find((other) => other.urn === entry.parent)!;
                assert.ok(
                    graph.edges.some(([from, to]) => from === byName.get(parent.name) && to === byName.get(entry.name)),
                    `edge ${parent.name} --> ${entry.name}`,
                );
            }
            assert.ok(byName.has(NASTY), "the nasty name survives escaping intact");
        });

        it("escapes every character Mermaid or HTML reads as syntax", () => {
            const escaped = mermaidText('x"<y>[z]{w}|v;#&`\nq');
            assert.doesNotMatch(escaped.replace(/#\d+;/g, ""), /["<>[\]{}|;#&`\n]/);
            assert.equal(unescapeMermaid(escaped), 'x"<y>[z]{w}|v;#&` q');
        });

        it("keeps table pipes and HTML out of the comment's text", () => {
            const markdown = renderMarkdown(report());
            assert.ok(markdown.includes("Port 3389 \\| is open"), "a pipe in a violation message does not split the cell");
            // The nasty name's table row: 4 cells, so 5 unescaped pipes; its `<c>` sits in code.
            const row = markdown.split("\n").find((line) => line.includes("b<c>") && line.startsWith("|"));
            assert.ok(row, "a table row for the nasty name");
            assert.equal(row.match(/(?<!\\)\|/g)?.length, 5, row);
            assert.ok(!markdown.split("```mermaid")[1].split("```")[0].includes("<c>"), "no raw markup in the diagram");
            assert.match(markdown, /^## Offline plan: `vdx-teams-connector` \/ `dev`$/m);
            assert.match(markdown, /^### Next steps$/m);
        });

        it("marks components and protected resources with classes on declared nodes", () => {
            const block = mermaidTree(RESOURCES);
            const graph = parseMermaid(block);
            const components = /class ([\w,]+) component/.exec(block)![1].split(",");
            assert.deepEqual(components.map((id) => unescapeMermaid(graph.nodes.get(id)!.split("<br/>")[0])).sort(), ["vdxdevweu", "vdxdevweu-network"]);
            const protectedIds = /class ([\w,]+) protected/.exec(block)![1].split(",");
            assert.equal(protectedIds.length, 2);
        });
    });

    describe("a real plan of the dev stack", () => {
        it("renders a Mermaid block with every registered resource", async () => {
            const { plan } = await import("../../cli/plan");
            const result = await plan({ stack: "dev", format: "markdown" });
            assert.ok(result.report, result.stderr);
            const graph = parseMermaid(result.stdout);
            assert.equal(graph.nodes.size, result.report.resources.length);
            assert.equal(graph.edges.length, result.report.resources.filter((entry) => entry.parent !== null).length);
        });
    });
});
