/**
 * The plan's renderers on hand-made reports (no program run): the JSON document's exact
 * shape, the verdict and what sits next to it, grouped violations, the text tree, and a
 * structural check of the Mermaid block that the Markdown carries, with resource names chosen
 * to break naive escaping. One test checks the Mermaid block of a real plan of the dev stack.
 */
import * as assert from "node:assert/strict";
import type { CostEstimate } from "../../../lib/vdx/cost";
import type { PlanReport, PlanResource } from "../../../cli/plan/planReport";
import { resourceTree } from "../../../cli/plan/render/common";
import { jsonDocument, renderJson, renderJsonError } from "../../../cli/plan/render/json";
import { mermaidDiagram, mermaidText, renderMarkdown } from "../../../cli/plan/render/markdown";
import { renderText } from "../../../cli/plan/render/text";

const STACK_URN = "urn:pulumi:dev::vdx-teams-connector";

function resource(name: string, type: string, parent: PlanResource | null, extra: Partial<PlanResource> = {}): PlanResource {
    const parentType = parent === null ? "" : `${parent.urn.split("::")[2]}$`;
    return { type, name, urn: `${STACK_URN}::${parentType}${type}::${name}`, parent: parent?.urn ?? null, protect: false, custom: true, inputs: {}, ...extra };
}

const STATIC_RG = "vdxdev-TeamsConn-weu-static-RG";
/** The dynamic group Pexip's script creates. */
const DYNAMIC_RG = "vdxdev-TeamsConn-weu-RG";
const connector = resource("vdxdevweu", "vdx:teams:TeamsConnector", null, { custom: false });
/** The component whose commands run Pexip's script, which fills the dynamic group. */
const deployment = resource("vdxdevweu-deployment", "vdx:teams:PexipDeployment", connector, { custom: false });
/** Names that break Mermaid or Markdown unless escaped. */
const NASTY = 'a"b<c>[d]{e}(f)|g;h#i&j`k';
const RESOURCES: PlanResource[] = [
    resource("vdxdevweu-pip", "azure-native:network:PublicIPAddress", connector, { protect: true, inputs: { resourceGroupName: STATIC_RG, sku: { name: "Standard" } } }),
    connector,
    deployment,
    resource("vdxdevweu-deployment-deploy", "command:local:Command", deployment, { inputs: { create: "deploy" } }),
    resource(NASTY, "command:local:Command", deployment, { inputs: { create: "check" } }),
    resource("vdxdevweu-static-rg", "azure-native:resources:ResourceGroup", connector, { protect: true, inputs: { resourceGroupName: STATIC_RG } }),
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
        upgrades: [],
        deployment: {
            resourceGroup: "vdxdev-TeamsConn-weu-RG",
            scaleSetName: "vdxdevweu",
            script: "create_vmss_deployment.ps1",
            parametersChecked: false,
            command: "& ./create_vmss_deployment.ps1 -VmssName 'vdxdevweu'",
            parameters: [{ name: "VmssName", value: "'vdxdevweu'", nameConfirmed: true }],
            lifecycle: [{ step: "create", what: "the driver creates vdxdev-TeamsConn-weu-RG" }],
        },
        policy: {
            violations: [{ policy: "rdp-not-open", enforcement: "advisory", message: "RDP must not be open.\nPort 3389 | is open", urn: RESOURCES[3].urn }],
            checkDate: "2026-11-25",
            configFile: "policy/config.json",
            disabled: [],
            downgraded: [],
            inert: [],
            packSize: 14,
        },
        outputs: { fqdn: "teamsconn-dev.sundhed.example", publicIpAddress: "203.0.113.10", eventHubConnectionString: "[secret]", lobbyBypassScript: "line 1\nline 2" },
        standIns: ["publicIpAddress"],
        nextSteps: [{ title: "VDX request", text: "send it", command: "pulumi stack output --stack dev --show-secrets eventHubConnectionString" }],
        warnings: ["certificate expires soon"],
        ...overrides,
    };
}

/** A parsed ```mermaid block: boxes (subgraphs) and nodes with their labels, invisible links, classes. */
interface MermaidGraph {
    readonly header: string;
    readonly boxes: Map<string, string>;
    /** Node id → its label and the box it is in. */
    readonly nodes: Map<string, { readonly label: string; readonly box: string | undefined }>;
    readonly links: [string, string][];
    readonly classed: string[];
}

/**
 * A structural parse of a flowchart block, strict enough to catch what breaks Mermaid: a
 * `flowchart`/`graph` header, `subgraph id["label"]` … `end` boxes (not nested), `id["label"]`
 * nodes with safe ids and no raw quote or markup in a label (entity codes `#…;` and `<br/>`
 * only), invisible links (`~~~`) between declared nodes or boxes, `class` lines over declared
 * nodes, and nothing else but `classDef` lines.
 */
function parseMermaid(markdown: string): MermaidGraph {
    const blocks = [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)];
    assert.equal(blocks.length, 1, "exactly one mermaid block");
    const lines = blocks[0][1].split("\n").map((line) => line.trim()).filter((line) => line !== "");
    const header = lines[0];
    assert.match(header, /^(flowchart|graph) (TB|TD|BT|RL|LR)$/);
    const boxes = new Map<string, string>();
    const nodes = new Map<string, { label: string; box: string | undefined }>();
    const links: [string, string][] = [];
    const classed: string[] = [];
    // Outside entity codes and <br/>, nothing that Mermaid or HTML reads as syntax.
    const assertEscaped = (label: string) =>
        assert.doesNotMatch(label.replace(/#\d+;|#[a-z]+;/g, "").replace(/<br\/>/g, ""), /["<>[\]{}()|;#&`]/, `label escaped: ${label}`);
    let box: string | undefined;
    for (const line of lines.slice(1)) {
        let match: RegExpExecArray | null;
        if ((match = /^subgraph ([A-Za-z][A-Za-z0-9_]*)\["(.*)"\]$/.exec(line))) {
            const [, id, label] = match;
            assert.equal(box, undefined, `box ${id} is not nested in ${box}`);
            assert.match(id, /^g\d+$/, `safe box id: ${id}`);
            assert.ok(!boxes.has(id), `box ${id} declared once`);
            assertEscaped(label);
            boxes.set(id, label);
            box = id;
        } else if (line === "end") {
            assert.notEqual(box, undefined, "end closes a box");
            box = undefined;
        } else if ((match = /^([A-Za-z][A-Za-z0-9_]*)\["(.*)"\]$/.exec(line))) {
            const [, id, label] = match;
            assert.match(id, /^n\d+$/, `safe node id: ${id}`);
            assert.ok(!nodes.has(id), `node ${id} declared once`);
            assertEscaped(label);
            nodes.set(id, { label, box });
        } else if ((match = /^(\S+) ~~~ (\S+)$/.exec(line))) {
            links.push([match[1], match[2]]);
        } else if ((match = /^class ([\w,]+) (\w+)$/.exec(line))) {
            classed.push(...match[1].split(","));
        } else {
            assert.match(line, /^classDef \w+ [\w#:,.\- ]+$/, `unexpected line: ${line}`);
        }
    }
    assert.equal(box, undefined, "every box is closed");
    for (const [from, to] of links) {
        assert.ok((nodes.has(from) && nodes.has(to)) || (boxes.has(from) && boxes.has(to)), `link ${from} ~~~ ${to} joins declared nodes or boxes`);
    }
    for (const id of classed) assert.ok(nodes.has(id), `class on declared node ${id}`);
    return { header, boxes, nodes, links, classed };
}

/** Each box's label (unescaped) with its nodes' labels (unescaped), in order. */
function boxContents(graph: MermaidGraph): Record<string, string[]> {
    const contents: Record<string, string[]> = {};
    for (const [id, label] of graph.boxes) {
        contents[unescapeMermaid(label)] = [...graph.nodes.values()].filter((node) => node.box === id).map((node) => unescapeMermaid(node.label));
    }
    return contents;
}

/** Undoes mermaidText's entity codes. */
function unescapeMermaid(text: string): string {
    return text.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
}

describe("plan report rendering", () => {
    describe("JSON", () => {
        it("has exactly the documented keys, at every level", () => {
            const document = jsonDocument(report());
            assert.deepEqual(Object.keys(document), ["stack", "project", "resources", "sizing", "cost", "deployment", "policy", "outputs", "standIns", "upgrades"]);
            for (const entry of document.resources as Record<string, unknown>[]) {
                assert.deepEqual(Object.keys(entry), ["type", "name", "urn", "parent", "protect", "inputs"]);
            }
            assert.deepEqual(Object.keys(document.sizing as object), ["concurrentPorts", "portsPerInstance", "spareInstances", "instances"]);
            assert.deepEqual(Object.keys(document.cost as object), ["currency", "licensePerYear", "vmPerYear", "vms", "totalPerYear", "perPortPerYear"]);
            assert.deepEqual(Object.keys(document.policy as object), ["violations", "disabled", "downgraded", "inert"]);
            assert.deepEqual(Object.keys((document.policy as { violations: object[] }).violations[0]), ["policy", "enforcement", "message", "urn"]);
        });

        it("adds the schedule to cost only when Infinity's scaling is configured", () => {
            const schedule = { timeZone: "Europe/Copenhagen", minimumInstances: 1 } as unknown as CostEstimate["schedule"];
            const withSchedule = jsonDocument(report({ cost: { ...COST, schedule } }));
            assert.deepEqual((withSchedule.cost as Record<string, unknown>).schedule, schedule);
            assert.ok(!("schedule" in (jsonDocument(report()).cost as object)));
        });

        it("names the mock stand-ins and the disabled policies; keeps every violation, ungrouped", () => {
            const violations = Array.from({ length: 11 }, (_, index) => ({
                policy: "eu-data-residency",
                enforcement: "mandatory" as const,
                message: 'Every located resource must be in an allowed EU region.\nlocation "eastus" is not an allowed EU region',
                urn: RESOURCES[index % RESOURCES.length].urn,
            }));
            const document = jsonDocument(report({ policy: { ...report().policy, violations, disabled: ["rdp-not-open"] } })) as Record<string, any>;
            assert.deepEqual(document.standIns, ["publicIpAddress"]);
            assert.deepEqual(document.policy.disabled, ["rdp-not-open"]);
            assert.deepEqual(document.policy.violations, violations);
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
            assert.deepEqual(children, ["vdxdevweu-deployment", "vdxdevweu-pip", "vdxdevweu-static-rg"]);
            assert.deepEqual(
                roots[0].children[0].children.map((node) => node.resource.name),
                [NASTY, "vdxdevweu-deployment-deploy"],
            );
        });

        it("indents the text tree by depth and marks protected resources", () => {
            const text = renderText(report());
            const indent = (name: string) => {
                const line = text.split("\n").find((entry) => entry.trimStart().startsWith(`${name}  `));
                assert.ok(line, `a line for ${name}`);
                return line.length - line.trimStart().length;
            };
            assert.equal(indent("vdxdevweu-deployment") - indent("vdxdevweu"), 2);
            assert.equal(indent("vdxdevweu-deployment-deploy") - indent("vdxdevweu-deployment"), 2);
            assert.match(text, /vdxdevweu-pip {2}azure-native:network:PublicIPAddress \[protected\]/);
            for (const section of ["Resources (7", "Sizing", "Cost", "Policy (check date 2026-11-25", "Outputs", "Next steps", "Warnings"]) {
                assert.ok(text.includes(section), section);
            }
            assert.match(text, /publicIpAddress \*/);
            assert.match(text, /lobbyBypassScript\s+\(2 lines\)/);
        });
    });

    describe("the verdict", () => {
        const advisory = report().policy.violations[0];
        const mandatory = { ...advisory, policy: "eu-data-residency", enforcement: "mandatory" as const, message: "EU only.\nnot in the EU" };
        const verdicts: [string, Partial<PlanReport>, string][] = [
            ["nothing found", { warnings: [], policy: { ...report().policy, violations: [] } }, "PASS: no policy violations"],
            ["a warning", { policy: { ...report().policy, violations: [] } }, "PASS with 1 warning"],
            ["an advisory and a warning", {}, "PASS with 1 advisory and 1 warning"],
            [
                "a mandatory violation, advisories and warnings",
                { warnings: ["one", "two"], policy: { ...report().policy, violations: [mandatory, advisory, advisory] } },
                "FAIL: 1 mandatory policy violation, 2 advisories and 2 warnings",
            ],
            [
                "some policies disabled",
                { warnings: [], policy: { ...report().policy, violations: [], disabled: ["a", "b", "c"] } },
                "PASS: no policy violations; by policy config (policy/config.json): 3 policies disabled (a, b, c)",
            ],
            [
                "a mandatory policy downgraded",
                { warnings: [], policy: { ...report().policy, violations: [], downgraded: ["rdp-not-open"] } },
                "PASS: no policy violations; by policy config (policy/config.json): 1 mandatory policy downgraded to advisory (rdp-not-open)",
            ],
            [
                "policies disabled and downgraded, and a threshold that switches a check off",
                {
                    warnings: [],
                    policy: { ...report().policy, violations: [], disabled: ["a"], downgraded: ["b", "c"], inert: ["rdp-not-open.ipv4Addresses 4294967296: why"] },
                },
                "PASS: no policy violations; by policy config (policy/config.json): 1 policy disabled (a), 2 mandatory policies downgraded to advisory (b, c) " +
                    "and 1 setting switching a check off (rdp-not-open.ipv4Addresses 4294967296: why)",
            ],
            [
                "every policy disabled",
                { warnings: [], policy: { ...report().policy, violations: [], disabled: Array.from({ length: 14 }, (_, index) => `p${index}`) } },
                "PASS, but nothing was checked: all 14 policies disabled by policy config (policy/config.json)",
            ],
            [
                "every policy disabled, and a warning",
                { policy: { ...report().policy, violations: [], disabled: Array.from({ length: 14 }, (_, index) => `p${index}`) } },
                "PASS with 1 warning, but nothing was checked: all 14 policies disabled by policy config (policy/config.json)",
            ],
        ];
        for (const [name, overrides, verdict] of verdicts) {
            it(`${name}: ${verdict}`, () => {
                assert.equal(renderText(report(overrides)).split("\n")[2], `Result: ${verdict}`);
                assert.ok(renderMarkdown(report(overrides)).split("\n").includes(`**${verdict}** · dev · \`westeurope\` · \`teamsconn-dev.sundhed.example\` · Pexip \`37.1\``));
            });
        }

        it("puts the warnings right under the verdict, in text and Markdown", () => {
            const warnings = ["certificate expires soon", "a <b> warning"];
            const text = renderText(report({ warnings })).split("\n");
            assert.deepEqual(text.slice(2, 6), ["Result: PASS with 1 advisory and 2 warnings", "Warnings", "  - certificate expires soon", "  - a <b> warning"]);
            assert.equal(text.filter((line) => line === "Warnings").length, 1);
            const markdown = renderMarkdown(report({ warnings })).split("\n");
            const verdict = markdown.findIndex((line) => line.startsWith("**PASS with 1 advisory and 2 warnings**"));
            assert.deepEqual(markdown.slice(verdict + 1, verdict + 5), ["", "> [!WARNING]", "> - certificate expires soon", "> - a &lt;b&gt; warning"]);
            assert.ok(!markdown.includes("### Warnings"));
        });

        it("names the disabled policies in the policy section", () => {
            const disabled = report({ policy: { ...report().policy, disabled: ["rdp-not-open", "eu-data-residency"] } });
            assert.match(renderText(disabled), /^ {2}disabled by policy config: rdp-not-open, eu-data-residency$/m);
            assert.match(renderMarkdown(disabled), /^Disabled by policy config \(`policy\/config\.json`\): `rdp-not-open`, `eu-data-residency`\.$/m);
        });
    });

    describe("repeated violations", () => {
        const message = 'Every located resource must be in an allowed EU region.\nlocation "eastus" is not an allowed EU region';
        const names = Array.from({ length: 11 }, (_, index) => `res${index}`);
        const violations = [
            ...names.map((name) => ({ policy: "eu-data-residency", enforcement: "mandatory" as const, message, urn: `${STACK_URN}::azure-native:keyvault:Secret::${name}` })),
            { policy: "rdp-not-open", enforcement: "advisory" as const, message: "RDP must not be open.\nPort 3389 is open", urn: RESOURCES[3].urn },
        ];
        const grouped = report({ policy: { ...report().policy, violations } });

        it("are one text line per policy and message, with the count and every resource", () => {
            const lines = renderText(grouped).split("\n").filter((line) => line.startsWith("  [mandatory] eu-data-residency"));
            assert.deepEqual(lines, [
                `  [mandatory] eu-data-residency on 11 resources (${names.join(", ")}): Every located resource must be in an allowed EU region. location "eastus" is not an allowed EU region`,
            ]);
            assert.match(renderText(grouped), /^ {2}\[advisory\] rdp-not-open on vdxdevweu-deployment-deploy: RDP must not be open\. Port 3389 is open$/m);
            assert.match(renderText(grouped), /^Result: FAIL: 11 mandatory policy violations, 1 advisory and 1 warning$/m);
        });

        it("are one Markdown row per policy and message", () => {
            const rows = renderMarkdown(grouped).split("\n").filter((line) => line.includes("`eu-data-residency`"));
            assert.deepEqual(rows, [
                `| **mandatory** | \`eu-data-residency\` | 11 resources: ${names.map((name) => `\`${name}\``).join(", ")} | Every located resource must be in an allowed EU region. location "eastus" is not an allowed EU region |`,
            ]);
        });
    });

    describe("Markdown", () => {
        it("carries a valid top-to-bottom Mermaid flowchart: every resource but the components, boxed by resource group (Pexip's commands by the one they deploy into), short labels", () => {
            const graph = parseMermaid(renderMarkdown(report()));
            assert.equal(graph.header, "flowchart TB");
            assert.deepEqual(boxContents(graph), {
                [`${DYNAMIC_RG} (Pexip's script)`]: [`${NASTY}<br/>Command`, "deploy<br/>Command"],
                [STATIC_RG]: ["pip<br/>PublicIPAddress", "static-rg<br/>ResourceGroup"],
                "no resource group (Pulumi state only)": ["orphan<br/>RandomPassword"],
            });
            assert.equal(graph.nodes.size, RESOURCES.filter((entry) => entry.custom).length);
        });

        it("keeps it narrow: rows of at most three nodes, the boxes one under the other", () => {
            const secrets = Array.from({ length: 8 }, (_, index) =>
                resource(`vdxdevweu-secret-${index}`, "azure-native:keyvault:Secret", connector, { inputs: { resourceGroupName: STATIC_RG } }),
            );
            const graph = parseMermaid(mermaidDiagram([...RESOURCES, ...secrets], DYNAMIC_RG));
            for (const [box, label] of graph.boxes) {
                const members = [...graph.nodes].filter(([, node]) => node.box === box).map(([id]) => id);
                // A node below another is the target of an invisible link from within its box.
                const rowStarts = members.filter((id) => !graph.links.some(([from, to]) => to === id && members.includes(from)));
                assert.ok(rowStarts.length <= 3, `${unescapeMermaid(label)}: ${rowStarts.length} nodes side by side`);
            }
            assert.equal(boxContents(graph)[STATIC_RG].length, 10);
            const boxIds = [...graph.boxes.keys()];
            assert.deepEqual(
                graph.links.filter(([from]) => graph.boxes.has(from)),
                boxIds.slice(1).map((id, index) => [boxIds[index], id]),
            );
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

        it("marks protected resources with a class on declared nodes", () => {
            const block = mermaidDiagram(RESOURCES, DYNAMIC_RG);
            const graph = parseMermaid(block);
            const protectedIds = /class ([\w,]+) protected/.exec(block)![1].split(",");
            assert.deepEqual(protectedIds.map((id) => unescapeMermaid(graph.nodes.get(id)!.label)).sort(), ["pip<br/>PublicIPAddress", "static-rg<br/>ResourceGroup"]);
        });
    });

    describe("a real plan of the dev stack", () => {
        it("renders a Mermaid block with every registered resource but the components, boxed by where it lands", async () => {
            const { plan } = await import("../../../cli/plan/plan");
            const result = await plan({ stack: "dev", format: "markdown" });
            assert.ok(result.report, result.stderr);
            const graph = parseMermaid(result.stdout);
            assert.equal(graph.nodes.size, result.report.resources.filter((entry) => entry.custom).length);
            const boxes = boxContents(graph);
            assert.deepEqual(boxes["vdxdev-TeamsConn-weu-RG (Pexip's script)"], ["check<br/>Command", "deploy<br/>Command", "scale<br/>Command"]);
            assert.ok(boxes["vdxdev-TeamsConn-weu-static-RG"].includes("pip<br/>PublicIPAddress"));
            assert.ok(boxes["vdxdev-TeamsBotChan-RG"].includes("registration<br/>Bot"));
            assert.deepEqual(boxes["Entra ID (tenant-wide)"].map((label) => label.split("<br/>")[1]).sort(), ["Application", "ApplicationPassword", "ServicePrincipal"]);
        });
    });
});
