import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { startOfDate, windowStatus } from "../../../lib/versions/maintenanceWindow";
import type { MaintenanceWindow } from "../../../lib/config/settings";
import {
    checksumInstruction,
    daysBehindVdx,
    deadlineLines,
    MARKDOWN_STYLE,
    mergeReadiness,
    noticeLines,
    outdatedComment,
    PLAIN_STYLE,
    PULL_REQUEST_BODY_LIMIT,
    StackPlanComparison,
    stackLines,
    StackUpgrade,
    truncatePlan,
    upgradeMarker,
    upgradePullRequest,
    upgradeTitle,
    UpgradeSummary,
} from "../../../lib/versions/upgradePullRequest";
import { parseCatalogue } from "../../../lib/versions/versionCatalogue";
import { ANNOUNCED_38, UPGRADE_FIXTURES } from "../../fixtures/upgrade/project";
import { catalogueYaml, REPOSITORY_VERSION } from "../../support/stacks";

/** The snapshot: regenerate it only on purpose, with UPDATE_UPGRADE_SNAPSHOT=1, and read the diff. */
const SNAPSHOT = path.join(UPGRADE_FIXTURES, "pull-request.md");

const SATURDAY_NIGHT: MaintenanceWindow = { days: ["sat"], start: "22:00", hours: 4, timeZone: "Europe/Copenhagen" };

/** A plan comparison of a stack whose upgrade redeploys Pexip's deployment and nothing else. */
function redeployOnly(stem: string, group: string, markdown: string): StackPlanComparison {
    return {
        asOf: "2026-12-15",
        changes: [{ name: `${stem}-deployment-deploy`, type: "command:local:Command", change: "redeploy", area: "deployment" }],
        triggers: [
            { key: "packageSha256", before: REPOSITORY_VERSION.sha256, after: ANNOUNCED_38.sha256 },
            { key: "pexipVersion", before: "37.1", after: "38.0" },
        ],
        staticGroups: [group],
        staticResources: { PublicIPAddress: 1, Secret: 2, Vault: 1 },
        mandatory: [],
        markdown,
    };
}

const DEV: StackUpgrade = {
    stack: "dev",
    file: "Pulumi.dev.yaml",
    from: "37.1",
    window: undefined,
    windowStatus: windowStatus(undefined, startOfDate("2026-12-15")),
    plan: redeployOnly("vdxdevweu", "vdxdev-TeamsConn-weu-static-RG", "## Offline plan: `vdx-teams-connector` / `dev`\n\n**PASS: no policy violations** · dev · `westeurope`\n"),
};

const PROD: StackUpgrade = {
    stack: "prod",
    file: "Pulumi.prod.yaml",
    from: "37.1",
    window: SATURDAY_NIGHT,
    windowStatus: windowStatus(SATURDAY_NIGHT, startOfDate("2026-12-15")),
    plan: redeployOnly(
        "vdxtcweu",
        "vdxtc-TeamsConn-weu-static-RG",
        "## Offline plan: `vdx-teams-connector` / `prod`\n\n**PASS with 1 advisory** · prod · `westeurope`\n\n```mermaid\nflowchart TB\n```\n",
    ),
};

/** The summary on `today` when the catalogue lists 38.0 (from 2026-12-15) without its checksum: nothing planned. */
function unsigned(today = "2026-12-03", url?: string): UpgradeSummary {
    const catalogue = parseCatalogue(catalogueYaml([REPOSITORY_VERSION, { version: "38.0", announced: "2026-11-20", from: "2026-12-15", ...(url === undefined ? {} : { url }) }]));
    const stacks = [DEV, PROD].map(({ plan: _plan, ...stack }) => ({ ...stack, unplanned: "pexip-versions.yaml has no package checksum for Pexip 38.0" }));
    return summary({ catalogue, stacks, today, deployFrom: today > "2026-12-15" ? today : "2026-12-15" });
}

/** 38.0 announced on 2026-12-05 for 2026-12-15 (10 days' notice), on 2026-12-03 with dev and prod on 37.1 and prod-neu already on 38.0. */
function summary(changes: Partial<UpgradeSummary> = {}, announcement: Record<string, string> = {}): UpgradeSummary {
    return {
        catalogue: parseCatalogue(catalogueYaml([REPOSITORY_VERSION, { ...ANNOUNCED_38, announced: "2026-12-05", ...announcement }])),
        to: "38.0",
        today: "2026-12-03",
        deployFrom: "2026-12-15",
        stacks: [DEV, PROD],
        unchanged: ["prod-neu"],
        ...changes,
    };
}

describe("the upgrade pull request (lib/versions/upgradePullRequest.ts)", () => {
    it("matches the snapshot: deadline, notice rule, per stack what is redeployed, the plans collapsed, the windows", () => {
        const { title, body } = upgradePullRequest(summary());
        assert.equal(title, "Upgrade to Pexip 38.0, VDX's version from 2026-12-15");
        if (process.env.UPDATE_UPGRADE_SNAPSHOT === "1") fs.writeFileSync(SNAPSHOT, body);
        assert.equal(body, fs.readFileSync(SNAPSHOT, "utf8"));
    });

    it("starts with the hidden marker of its target version", () => {
        const { body } = upgradePullRequest(summary());
        assert.equal(body.split("\n")[0], upgradeMarker("38.0"));
        assert.equal(upgradeMarker("38.0"), "<!-- vdx-teams-connector:vdx-upgrade:38.0 -->");
    });

    describe("the deadline", () => {
        const at = (today: string) => deadlineLines(summary({ today }), PLAIN_STYLE);

        it("gives the switch date and the days left, and says not to merge earlier", () => {
            assert.deepEqual(at("2026-12-03"), [
                "Deadline 2026-12-15 (Copenhagen), the day VDX switches to Pexip 38.0: 12 days left (as of 2026-12-03).",
                "Merge on 2026-12-15, not before: until then VDX runs 37.1, and a connector ahead of VDX breaks calls too (the version policy refuses 38.0 before 2026-12-15). " +
                    "From 2026-12-15 the version policy is mandatory and a stack still on an older version fails.",
            ]);
            assert.match(at("2026-12-14")[0], /: 1 day left \(as of 2026-12-14\)\.$/);
        });

        it("says when the deadline is today", () => {
            assert.deepEqual(at("2026-12-15"), ["Deadline today, 2026-12-15 (Copenhagen): VDX switches to Pexip 38.0 today. Merge now; each stack redeploys in its maintenance window."]);
        });

        it("says how long it is overdue", () => {
            assert.match(at("2026-12-16")[0], /^Overdue by 1 day: VDX has run Pexip 38\.0 since 2026-12-15 \(Copenhagen; as of 2026-12-16\)\. A stack on an older version fails the version policy/);
            assert.match(at("2027-01-04")[0], /^Overdue by 20 days:/);
            assert.equal(upgradeTitle(summary({ today: "2026-12-16" })), "Upgrade to Pexip 38.0 (overdue: VDX's version since 2026-12-15)");
            assert.match(upgradePullRequest(summary({ today: "2026-12-16", deployFrom: "2026-12-16" })).body, /^> \[!CAUTION\]\n> \*\*Overdue by 1 day\*\*/m);
        });

        it("says the catalogue's first version is VDX's already", () => {
            const first = summary({ to: "37.1", stacks: [{ ...DEV, from: "36.0" }], unchanged: [] });
            assert.match(deadlineLines(first, PLAIN_STYLE)[0], /^VDX already runs Pexip 37\.1 \(pexip-versions\.yaml's first version\): the stacks below are behind VDX\./);
            assert.equal(upgradeTitle(first), "Upgrade to Pexip 37.1, VDX's version now");
        });

        it("is marked up for GitHub, and prominent", () => {
            assert.match(deadlineLines(summary(), MARKDOWN_STYLE)[0], /^Deadline \*\*2026-12-15\*\* \(Copenhagen\), the day VDX switches to Pexip 38\.0: \*\*12 days left\*\*/);
            assert.match(upgradePullRequest(summary()).body, /^> \[!IMPORTANT\]\n> Deadline \*\*2026-12-15\*\*/m);
        });
    });

    it("states MedCom's notice rule only when VDX gave fewer than 14 days", () => {
        assert.deepEqual(noticeLines(summary()), ["VDX gave 10 days' notice of Pexip 38.0 (announced 2026-12-05, from 2026-12-15); MedCom's rule is 14"]);
        assert.deepEqual(noticeLines(summary({}, { announced: "2026-12-01" })), []);
        assert.doesNotMatch(upgradePullRequest(summary({}, { announced: "2026-12-01" })).body, /MedCom/);
    });

    describe("draft or ready", () => {
        const SWITCH_PENDING = "VDX switches to Pexip 38.0 only on 2026-12-15, and the version policy refuses 38.0 before then";
        const NO_CHECKSUM = "pexip-versions.yaml has no package checksum for Pexip 38.0, and the plan refuses a version without one";
        const on = (today: string, changes: Partial<UpgradeSummary> = {}) => summary({ today, deployFrom: today > "2026-12-15" ? today : "2026-12-15", ...changes });

        it("a draft up to the day before VDX's switch, ready from the switch day (Copenhagen dates)", () => {
            assert.deepEqual(mergeReadiness(on("2026-12-03")), { state: "draft", reasons: [SWITCH_PENDING] });
            assert.deepEqual(mergeReadiness(on("2026-12-14")), { state: "draft", reasons: [SWITCH_PENDING] });
            assert.deepEqual(mergeReadiness(on("2026-12-15")), { state: "ready", reasons: [] });
            assert.deepEqual(mergeReadiness(on("2026-12-20")), { state: "ready", reasons: [] });
        });

        it("a draft while the checksum is missing, on the switch day and after too", () => {
            assert.deepEqual(mergeReadiness(unsigned("2026-12-15")), { state: "draft", reasons: [NO_CHECKSUM] });
            assert.deepEqual(mergeReadiness(unsigned("2026-12-20")), { state: "draft", reasons: [NO_CHECKSUM] });
            assert.deepEqual(mergeReadiness(unsigned("2026-12-14")), { state: "draft", reasons: [SWITCH_PENDING, NO_CHECKSUM] });
        });

        it("ready for the catalogue's first version, which VDX already runs", () => {
            assert.equal(mergeReadiness(summary({ to: "37.1", stacks: [{ ...DEV, from: "36.0" }], unchanged: [] })).state, "ready");
        });

        it("the body of a draft says why; a ready one says nothing of drafts", () => {
            assert.match(
                upgradePullRequest(unsigned("2026-12-14")).body,
                new RegExp(`^> \\[!NOTE\\]\n> \\*\\*A draft until it can be merged\\*\\*: merging now would make the deploy's offline plan fail, because ${SWITCH_PENDING}; and ${NO_CHECKSUM}\\. `, "m"),
            );
            assert.doesNotMatch(upgradePullRequest(on("2026-12-15")).body, /draft/i);
        });
    });

    describe("a stack whose window opens after VDX's switch", () => {
        /** prod with a window, its status taken at the start of `from` (the day the version may first deploy). */
        const prodWith = (window: MaintenanceWindow, from = "2026-12-15"): StackUpgrade => ({ ...PROD, window, windowStatus: windowStatus(window, startOfDate(from)) });
        const weekly = (day: MaintenanceWindow["days"][number], start: string, timeZone = "Europe/Copenhagen"): MaintenanceWindow => ({ days: [day], start, hours: 4, timeZone });
        // VDX switches on Tuesday 2026-12-15.

        it("counts the Copenhagen calendar days from the switch to the day its first window opens", () => {
            assert.equal(daysBehindVdx(summary(), prodWith(SATURDAY_NIGHT)), 4);
            assert.equal(daysBehindVdx(summary(), prodWith(weekly("wed", "01:00"))), 1);
            // 20:00 on Tuesday in New York is 02:00 on Wednesday in Copenhagen: a day late by VDX's calendar.
            assert.equal(daysBehindVdx(summary(), prodWith(weekly("tue", "20:00", "America/New_York"))), 1);
        });

        it("is not behind when it may redeploy on the switch day: a window opening that day, one open since the night before, or none", () => {
            assert.equal(daysBehindVdx(summary(), prodWith(weekly("tue", "22:00"))), undefined);
            assert.equal(daysBehindVdx(summary(), prodWith(weekly("mon", "22:00"))), undefined);
            assert.equal(daysBehindVdx(summary(), DEV), undefined);
            assert.equal(daysBehindVdx(summary({ to: "37.1", stacks: [{ ...PROD, from: "36.0" }], unchanged: [] }), prodWith(SATURDAY_NIGHT)), undefined);
        });

        it("overdue: counts from VDX's switch, when the window does not open on the day it can first deploy", () => {
            // Monday 2026-12-21, six days overdue: Saturday's window is five days on, Monday's opens today.
            const overdue = summary({ today: "2026-12-21", deployFrom: "2026-12-21" });
            assert.equal(daysBehindVdx(overdue, prodWith(SATURDAY_NIGHT, "2026-12-21")), 11);
            assert.equal(daysBehindVdx(overdue, prodWith(weekly("mon", "22:00"), "2026-12-21")), undefined);
        });

        it("is marked in the table and in the stack's lines, pointing to the emergency override or a window change", () => {
            const { body } = upgradePullRequest(summary());
            assert.match(body, /^\| `dev` \|.*\| none set: any time \|$/m);
            assert.match(body, /^\| `prod` \|.* opens \*\*Saturday 2026-12-19 22:00 Europe\/Copenhagen \(UTC\+01:00\)\*\*; \*\*on 37\.1 for 4 days after VDX's switch\*\*: deploy with `override_window` or change the window \|$/m);
            assert.equal(
                stackLines(summary(), PROD, PLAIN_STYLE).pop(),
                "Runs 37.1 for 4 days after VDX's switch to 38.0 on 2026-12-15, until that window opens. " +
                    "To follow VDX sooner, run the deploy workflow for prod on 2026-12-15 with the emergency override override_window (Actions → deploy → Run workflow), " +
                    "or change maintenanceWindow in Pulumi.prod.yaml so that a window opens on 2026-12-15.",
            );
            assert.match(stackLines(summary({ today: "2026-12-21", deployFrom: "2026-12-21" }), prodWith(SATURDAY_NIGHT, "2026-12-21"), PLAIN_STYLE).pop()!, /^Runs 37\.1 for 11 days after .* for prod now with .* so that a window opens now\.$/);
            assert.doesNotMatch(stackLines(summary(), prodWith(weekly("tue", "22:00")), PLAIN_STYLE).join("\n"), /override/);
        });
    });

    describe("closing an outdated pull request", () => {
        const catalogue = parseCatalogue(catalogueYaml([REPOSITORY_VERSION, ANNOUNCED_38, { version: "38.1", announced: "2027-01-02", from: "2027-01-20", sha256: "c".repeat(64) }]));

        it("superseded: VDX has moved past the version", () => {
            assert.equal(
                outdatedComment(catalogue, "38.0", "2027-01-20"),
                "Closed by the vdx-upgrade workflow as of 2027-01-20: superseded: VDX has run Pexip 38.1 since 2027-01-20 (Copenhagen), and the stacks move straight to it.",
            );
        });

        it("no stack needs it: the stacks on main run it or a later version", () => {
            assert.equal(
                outdatedComment(catalogue, "38.0", "2027-01-19"),
                "Closed by the vdx-upgrade workflow as of 2027-01-19: no stack needs Pexip 38.0 any more: every stack on `main` runs it or a later version.",
            );
            assert.match(outdatedComment(catalogue, "38.1", "2027-01-20"), /no stack needs Pexip 38\.1 any more/);
        });
    });

    describe("without the package checksum", () => {

        it("says exactly what to add, under which entry, and how to compute it, instead of guessing", () => {
            assert.deepEqual(checksumInstruction(unsigned(undefined, ANNOUNCED_38.url)), {
                missing: "no package checksum (sha256)",
                lines: ["versions[1].sha256: <SHA-256 of pexip_teams_connector_v38.0.zip>"],
                commands: ["sha256sum pexip_teams_connector_v38.0.zip", "(Get-FileHash pexip_teams_connector_v38.0.zip -Algorithm SHA256).Hash.ToLower()   # PowerShell"],
            });
            // The party's own file name, from the catalogue's URL.
            assert.deepEqual(checksumInstruction(unsigned(undefined, "https://store.example/pexip/tc%2038.zip"))?.lines, ["versions[1].sha256: <SHA-256 of tc 38.zip>"]);
            assert.equal(checksumInstruction(summary()), undefined);
        });

        it("names the url key too when the entry has no url either", () => {
            const instruction = checksumInstruction(unsigned());
            assert.equal(instruction?.missing, "no package checksum (sha256) and no url");
            assert.deepEqual(instruction?.lines, [
                "versions[1].sha256: <SHA-256 of pexip_teams_connector_v38.0.zip>",
                "versions[1].url: <https URL of pexip_teams_connector_v38.0.zip where the deploying machine fetches it, without a token>",
            ]);
        });

        it("puts it in the body, prominently, with no plan", () => {
            const { body } = upgradePullRequest(unsigned());
            assert.ok(
                body.includes(
                    [
                        "> ```yaml",
                        "> versions[1].sha256: <SHA-256 of pexip_teams_connector_v38.0.zip>",
                        "> versions[1].url: <https URL of pexip_teams_connector_v38.0.zip where the deploying machine fetches it, without a token>",
                        "> ```",
                        ">",
                        "> with the checksum computed on the downloaded file, not taken from anywhere else:",
                        ">",
                        "> ```sh",
                        "> sha256sum pexip_teams_connector_v38.0.zip",
                    ].join("\n"),
                ),
                body,
            );
            assert.match(body, /^> \*\*pexip-versions\.yaml has no package checksum \(sha256\) and no url for Pexip 38\.0\*\*/m);
            assert.match(body, /^- Not planned: pexip-versions\.yaml has no package checksum for Pexip 38\.0\.$/m);
            assert.doesNotMatch(body, /<details>/);
        });
    });

    it("warns per stack about what needs a look: a static change, a plan that fails", () => {
        const moved: StackUpgrade = {
            ...PROD,
            plan: { ...PROD.plan!, changes: [...PROD.plan!.changes, { name: "vdxtcweu-pip", type: "azure-native:network:PublicIPAddress", change: "change", area: "static" }], mandatory: ["vdx-version: x"] },
        };
        const { body } = upgradePullRequest(summary({ stacks: [DEV, moved] }));
        assert.match(body, /^- \*\*WARNING\*\*: static resources change, which must survive upgrades: vdxtcweu-pip \(azure-native:network:PublicIPAddress, change\)\.$/m);
        assert.match(body, /^- \*\*WARNING\*\*: the plan on 2026-12-15 has 1 mandatory policy violation: vdx-version: x\.$/m);
        assert.match(body, /^\| `prod` \| 37\.1 → 38\.0 \| redeployed \| \*\*change\*\* \|/m);
        assert.doesNotMatch(body.split("### `prod`")[1], /No static resource changes/);
    });

    describe(`GitHub's limit of ${PULL_REQUEST_BODY_LIMIT} characters`, () => {
        /** A plan's Markdown of about `size` characters, with a fence and collapsed sections throughout. */
        const hugePlan = (stack: string, size: number) => {
            const section = `### Resources\n\n\`\`\`mermaid\nflowchart TB\n${"    n1[\"x\"]\n".repeat(40)}\`\`\`\n\n<details><summary>Table</summary>\n\n${"| a | b |\n".repeat(60)}\n</details>\n\n`;
            return `## Offline plan: \`${stack}\`\n\n${section.repeat(Math.ceil(size / section.length))}`;
        };

        it("cuts each plan to an equal share, closing what the cut leaves open, and says where the whole plan is", () => {
            const stacks = [DEV, PROD].map((stack) => ({ ...stack, plan: { ...stack.plan!, markdown: hugePlan(stack.stack, 50_000) } }));
            const { body } = upgradePullRequest(summary({ stacks }));
            assert.ok(body.length <= PULL_REQUEST_BODY_LIMIT, String(body.length));
            assert.ok(body.length > PULL_REQUEST_BODY_LIMIT - 2_000, `room wasted: ${body.length}`);
            assert.equal((body.match(/<details>/g) ?? []).length, (body.match(/<\/details>/g) ?? []).length);
            assert.equal((body.match(/^```/gm) ?? []).length % 2, 0);
            for (const stack of ["dev", "prod"]) {
                assert.ok(body.includes(`_Truncated to fit GitHub's limit: \`npm run --silent plan -- --stack ${stack} --markdown\` on this branch prints the whole plan._`), stack);
            }
            // Everything after the plans is still there.
            assert.match(body, /### After merging/);
        });

        it("leaves a body that fits as it is", () => {
            const { body } = upgradePullRequest(summary());
            assert.doesNotMatch(body, /Truncated/);
            assert.equal(truncatePlan("short\n", 100, "dev"), "short\n");
        });

        it("holds with many stacks whose plans are all too long", () => {
            const stacks = Array.from({ length: 30 }, (_, index) => ({ ...PROD, stack: `prod-${index}`, plan: { ...PROD.plan!, markdown: hugePlan(`prod-${index}`, 30_000) } }));
            const { body } = upgradePullRequest(summary({ stacks }));
            assert.ok(body.length <= PULL_REQUEST_BODY_LIMIT, String(body.length));
            assert.equal((body.match(/<details>/g) ?? []).length, (body.match(/<\/details>/g) ?? []).length);
        });
    });
});
