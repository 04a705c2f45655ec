import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setPexipVersion } from "../../../cli/upgrade/upgrade";
import { startOfDate } from "../../../lib/versions/maintenanceWindow";
import { upgradeMarker } from "../../../lib/versions/upgradePullRequest";
import { parseCatalogue } from "../../../lib/versions/versionCatalogue";
import { parse } from "yaml";
import { DAILY_RUN_UTC, mergeableFrom, parseUpgradePrArguments, summaryText, upgradePrHelp, UPGRADE_PR_EXIT_CODES, upgradeTargets, writeUpgradePullRequests } from "../../../cli/upgrade/upgradePr";
import { ANNOUNCED_38, DECEMBER_3, upgradeProject, UpgradeProject } from "../../fixtures/upgrade/project";
import { catalogueYaml, REPOSITORY_VERSION } from "../../support/stacks";

const ANNOUNCED_381 = { version: "38.1", announced: "2027-01-02", from: "2027-01-20", sha256: "c".repeat(64) };

describe("the upgrade pull requests' content (cli/upgrade/upgradePr.ts)", () => {
    describe("which versions, for which stacks", () => {
        const catalogue = parseCatalogue(catalogueYaml([REPOSITORY_VERSION, ANNOUNCED_38, ANNOUNCED_381]));

        it("every announced version a stack lacks, one target each", () => {
            assert.deepEqual(upgradeTargets(catalogue, { dev: "37.1", prod: "37.1" }, "2026-12-03"), [
                { version: "38.0", stacks: ["dev", "prod"] },
                { version: "38.1", stacks: ["dev", "prod"] },
            ]);
        });

        it("VDX's version once switched, and never an older one it has moved past", () => {
            assert.deepEqual(upgradeTargets(catalogue, { dev: "37.1", prod: "38.0" }, "2026-12-20"), [
                { version: "38.0", stacks: ["dev"] },
                { version: "38.1", stacks: ["dev", "prod"] },
            ]);
            assert.deepEqual(upgradeTargets(catalogue, { dev: "37.1" }, "2027-02-01"), [{ version: "38.1", stacks: ["dev"] }]);
        });

        it("no downgrade of a stack ahead, a version the catalogue does not list counts as behind, nothing when all are current", () => {
            assert.deepEqual(upgradeTargets(catalogue, { dev: "38.1", prod: "36.0" }, "2026-12-20"), [
                { version: "38.0", stacks: ["prod"] },
                { version: "38.1", stacks: ["prod"] },
            ]);
            assert.deepEqual(upgradeTargets(parseCatalogue(catalogueYaml([REPOSITORY_VERSION])), { dev: "37.1", prod: "37.1" }, "2026-12-03"), []);
        });

        it("never a downgrade of a stack on a later version the catalogue does not list (Pexip's order, not the catalogue's)", () => {
            assert.deepEqual(upgradeTargets(catalogue, { dev: "39.0", prod: "38.0.1", test: "37.10" }, "2026-12-20"), [
                { version: "38.0", stacks: ["test"] },
                { version: "38.1", stacks: ["prod", "test"] },
            ]);
        });
    });

    describe("when the pull request can be merged, and the first window from then", () => {
        const run = (date: string) => new Date(`${date}T05:17:00Z`);
        it("the daily run on VDX's switch date, while that is ahead: it marks the pull request ready", () => {
            assert.deepEqual(mergeableFrom(DECEMBER_3, ANNOUNCED_38), run("2026-12-15"));
        });
        it("now, once the switch date has come and the checksum is there", () => {
            const later = new Date("2026-12-16T09:00:00Z");
            assert.deepEqual(mergeableFrom(later, ANNOUNCED_38), later);
            assert.deepEqual(mergeableFrom(later, { sha256: ANNOUNCED_38.sha256 }), later);
        });
        it("without the checksum, the first run after now at the earliest, and never before the switch date's", () => {
            assert.deepEqual(mergeableFrom(new Date("2026-12-16T09:00:00Z"), { from: ANNOUNCED_38.from }), run("2026-12-17"));
            assert.deepEqual(mergeableFrom(new Date("2026-12-16T04:00:00Z"), { from: ANNOUNCED_38.from }), run("2026-12-16"));
            assert.deepEqual(mergeableFrom(DECEMBER_3, { from: ANNOUNCED_38.from }), run("2026-12-15"));
        });
        it("the daily run is the one .github/workflows/vdx-upgrade.yml schedules", () => {
            const workflow = parse(fs.readFileSync(path.resolve(__dirname, "../../../.github/workflows/vdx-upgrade.yml"), "utf8")) as { on: { schedule: Array<{ cron: string }> } };
            assert.deepEqual(workflow.on.schedule, [{ cron: `${DAILY_RUN_UTC.minute} ${DAILY_RUN_UTC.hour} * * *` }]);
        });

        it("finds the lag of a window that closes before the pull request can be merged on the switch date", async () => {
            // Tuesday 2026-12-15 is the switch; a window from 00:00 to 04:00 that Tuesday closes before the 06:17 run marks the pull request ready.
            const project = upgradeProject();
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "upgrade-pr-lag-"));
            try {
                const prod = project.read("Pulumi.prod.yaml").replace("config:\n", 'config:\n  vdx-teams-connector:maintenanceWindow: { days: [tue], start: "00:00", hours: 4 }\n');
                fs.writeFileSync(path.join(project.dir, "Pulumi.prod.yaml"), prod);
                await writeUpgradePullRequests({ outDir: path.join(out, "pr"), projectDir: project.dir, now: DECEMBER_3, policyConfigFile: project.policyConfigFile });
                const body = fs.readFileSync(path.join(out, "pr", "38.0", "body.md"), "utf8");
                assert.match(body, /^- \*\*Runs 37\.1 for 7 days after VDX's switch\*\* to 38\.0 on 2026-12-15, until that window opens\./m);
                assert.match(body, /the first from 2026-12-15 opens \*\*Tuesday 2026-12-22 00:00 Europe\/Copenhagen/);
            } finally {
                project.remove();
                fs.rmSync(out, { recursive: true, force: true });
            }
        });
    });

    describe("the files it writes", () => {
        let made: UpgradeProject;
        let out: string;
        const temporary: string[] = [];
        const tempDir = () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "upgrade-pr-out-"));
            temporary.push(dir);
            return dir;
        };
        before(() => {
            made = upgradeProject();
        });
        after(() => {
            made.remove();
            temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
        });

        it("per target: the stack files as the upgrade sets them, the title, the body, the commit message; and summary.json", async () => {
            out = path.join(tempDir(), "out");
            const stacksBefore = [made.read("Pulumi.dev.yaml"), made.read("Pulumi.prod.yaml")];
            const summary = await writeUpgradePullRequests({ outDir: out, projectDir: made.dir, now: DECEMBER_3, policyConfigFile: made.policyConfigFile });
            assert.deepEqual(summary, {
                asOf: "2026-12-03",
                targets: [
                    {
                        version: "38.0",
                        branch: "vdx-upgrade/38.0",
                        dir: "38.0",
                        title: "Upgrade to Pexip 38.0, VDX's version from 2026-12-15",
                        deadline: "2026-12-15",
                        daysLeft: 12,
                        stacks: ["dev", "prod"],
                        files: ["Pulumi.dev.yaml", "Pulumi.prod.yaml"],
                        checksumMissing: false,
                        state: "draft",
                        attention: [],
                    },
                ],
            });
            assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")), summary);
            assert.deepEqual(fs.readdirSync(out).sort(), ["38.0", "outdated", "summary.json"]);
            assert.deepEqual(fs.readdirSync(path.join(out, "38.0")).sort(), ["body.md", "commit-message.txt", "stacks", "state.txt", "title.txt"]);
            // Twelve days before VDX's switch: a draft, and the body says why.
            assert.equal(fs.readFileSync(path.join(out, "38.0", "state.txt"), "utf8"), "draft\n");
            // 37.1 is no target: the comment that closes a pull request of it, should one be open.
            assert.deepEqual(fs.readdirSync(path.join(out, "outdated")), ["37.1.txt"]);
            assert.equal(
                fs.readFileSync(path.join(out, "outdated", "37.1.txt"), "utf8"),
                "Closed by the vdx-upgrade workflow as of 2026-12-03: no stack needs Pexip 37.1 any more: every stack on `main` runs it or a later version.\n",
            );
            for (const [index, stack] of ["dev", "prod"].entries()) {
                const written = fs.readFileSync(path.join(out, "38.0", "stacks", `Pulumi.${stack}.yaml`), "utf8");
                assert.equal(written, setPexipVersion(stacksBefore[index], `Pulumi.${stack}.yaml`, "vdx-teams-connector", "38.0"));
            }
            // The project itself is untouched: the workflow commits the files, not the script.
            assert.deepEqual([made.read("Pulumi.dev.yaml"), made.read("Pulumi.prod.yaml")], stacksBefore);
            assert.equal(fs.readFileSync(path.join(out, "38.0", "title.txt"), "utf8"), "Upgrade to Pexip 38.0, VDX's version from 2026-12-15\n");
            assert.equal(
                fs.readFileSync(path.join(out, "38.0", "commit-message.txt"), "utf8"),
                'Upgrade to Pexip 38.0, VDX\'s version from 2026-12-15\n\nSets pexipVersion "38.0" in Pulumi.dev.yaml, Pulumi.prod.yaml.\nWritten by cli/upgrade/upgradePr.ts (the vdx-upgrade workflow) as of 2026-12-03.\n',
            );
            const body = fs.readFileSync(path.join(out, "38.0", "body.md"), "utf8");
            assert.ok(body.startsWith(`${upgradeMarker("38.0")}\n`));
            assert.match(body, /\*\*12 days left\*\*/);
            assert.match(body, /^> \*\*A draft until it can be merged\*\*: /m);
            assert.equal((body.match(/<details><summary>Offline plan of <code>(dev|prod)<\/code> on Pexip 38\.0 \(check date 2026-12-15\)<\/summary>/g) ?? []).length, 2);
            assert.equal(summaryText(summary), "upgrade-pr: vdx-upgrade/38.0: Upgrade to Pexip 38.0, VDX's version from 2026-12-15 (dev, prod), draft\n");
        });

        it("on VDX's switch day, with the checksum: ready for review", async () => {
            const dir = tempDir();
            const summary = await writeUpgradePullRequests({ outDir: dir, projectDir: made.dir, now: startOfDate("2026-12-15"), policyConfigFile: made.policyConfigFile });
            assert.equal(summary.targets[0].state, "ready");
            assert.equal(fs.readFileSync(path.join(dir, "38.0", "state.txt"), "utf8"), "ready\n");
            assert.doesNotMatch(fs.readFileSync(path.join(dir, "38.0", "body.md"), "utf8"), /draft/i);
            assert.match(summaryText(summary), /, ready\n$/);
        });

        it("refuses an output directory that is not new or empty, so nothing stale reaches a commit", async () => {
            await assert.rejects(writeUpgradePullRequests({ outDir: out, projectDir: made.dir, now: DECEMBER_3 }), /--out .* must be a new or empty directory/);
        });

        it("when the catalogue lacks the checksum: the files, and a body that says what to add", async () => {
            const unsigned = Object.fromEntries(Object.entries(ANNOUNCED_38).filter(([key]) => key !== "sha256"));
            const project = upgradeProject({ versions: [REPOSITORY_VERSION, unsigned] });
            try {
                const dir = tempDir();
                const summary = await writeUpgradePullRequests({ outDir: dir, projectDir: project.dir, now: DECEMBER_3, policyConfigFile: project.policyConfigFile });
                assert.equal(summary.targets[0].checksumMissing, true);
                assert.equal(summary.targets[0].state, "draft");
                assert.deepEqual(summary.targets[0].files, ["Pulumi.dev.yaml", "Pulumi.prod.yaml"]);
                assert.match(fs.readFileSync(path.join(dir, "38.0", "body.md"), "utf8"), /^> versions\[1\]\.sha256: <SHA-256 of pexip_teams_connector_v38\.0\.zip>$/m);
                assert.match(summaryText(summary), /^  warning: the catalogue has no package checksum for 38\.0: the pull request says what to add$/m);
            } finally {
                project.remove();
            }
        });

        it("nothing to propose: an empty list of targets, and only the comments that close outdated pull requests", async () => {
            const project = upgradeProject({ versions: [REPOSITORY_VERSION] });
            try {
                const dir = tempDir();
                const summary = await writeUpgradePullRequests({ outDir: dir, projectDir: project.dir, now: DECEMBER_3 });
                assert.deepEqual(summary, { asOf: "2026-12-03", targets: [] });
                assert.deepEqual(fs.readdirSync(dir).sort(), ["outdated", "summary.json"]);
                assert.deepEqual(fs.readdirSync(path.join(dir, "outdated")), ["37.1.txt"]);
                assert.match(summaryText(summary), /no pull request/);
            } finally {
                project.remove();
            }
        });

        it("once VDX has moved past a version: the comment that closes its pull request says it is superseded", async () => {
            // 38.0 was never taken, and VDX runs 38.1 since 2027-01-20: the stacks move straight to 38.1.
            const project = upgradeProject({ versions: [REPOSITORY_VERSION, ANNOUNCED_38, { version: "38.1", announced: "2027-01-02", from: "2027-01-20" }] });
            try {
                const dir = tempDir();
                const summary = await writeUpgradePullRequests({ outDir: dir, projectDir: project.dir, now: startOfDate("2027-02-01"), policyConfigFile: project.policyConfigFile });
                assert.deepEqual(summary.targets.map((target) => target.version), ["38.1"]);
                assert.deepEqual(fs.readdirSync(path.join(dir, "outdated")).sort(), ["37.1.txt", "38.0.txt"]);
                assert.equal(
                    fs.readFileSync(path.join(dir, "outdated", "38.0.txt"), "utf8"),
                    "Closed by the vdx-upgrade workflow as of 2027-02-01: superseded: VDX has run Pexip 38.1 since 2027-01-20 (Copenhagen), and the stacks move straight to it.\n",
                );
            } finally {
                project.remove();
            }
        });
    });

    describe("the arguments", () => {
        it("--help lists the flags and every exit code", () => {
            const help = upgradePrHelp();
            assert.match(help, /^usage: npm run --silent upgrade-pr -- --out DIR \[--as-of YYYY-MM-DD\] \[--policy-config FILE\]$/m);
            for (const [code, meaning] of Object.entries(UPGRADE_PR_EXIT_CODES)) assert.ok(help.includes(`  ${code}  ${meaning}`), code);
            assert.equal(parseUpgradePrArguments(["--bogus", "--help"]), undefined);
        });

        it("--out is required; --as-of starts at Copenhagen's midnight; each flag once", () => {
            assert.deepEqual(parseUpgradePrArguments(["--out", "x"]), { outDir: "x" });
            assert.deepEqual(parseUpgradePrArguments(["--out", "x", "--as-of", "2026-12-03", "--policy-config", "p.json"]), {
                outDir: "x",
                now: new Date("2026-12-02T23:00:00Z"),
                policyConfigFile: "p.json",
            });
            for (const [argv, pattern] of [
                [[], /^--out DIR is required/],
                [["--out"], /^--out needs a value/],
                [["--out", "x", "--out", "y"], /^--out is given more than once/],
                [["--out", "x", "--as-of", "2026-02-30"], /^--as-of must be a calendar date YYYY-MM-DD, got "2026-02-30"$/],
                [["--out", "x", "--push"], /^unknown argument --push/],
            ] as const) {
                assert.throws(() => parseUpgradePrArguments(argv), (error: Error) => pattern.test(error.message), JSON.stringify(argv));
            }
        });
    });
});
