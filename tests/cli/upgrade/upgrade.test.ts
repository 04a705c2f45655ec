import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as path from "path";
import { plan } from "../../../cli/plan/plan";
import { PlanReport } from "../../../cli/plan/planReport";
import { comparePlans, parseUpgradeArguments, setPexipVersion, upgrade, upgradeHelp, UPGRADE_EXIT_CODES } from "../../../cli/upgrade/upgrade";
import { stackProblems } from "../../../lib/versions/upgradePullRequest";
import { ANNOUNCED_38, DECEMBER_3, UPGRADE_FIXTURES, upgradeProject, UpgradeProject } from "../../fixtures/upgrade/project";
import { PROJECT_DIR, REPOSITORY_VERSION } from "../../support/stacks";
import { TS_NODE } from "../../support/tsNode";

const HOSPITAL = fs.readFileSync(path.join(UPGRADE_FIXTURES, "Pulumi.hospital.yaml"), "utf8");
const HOSPITAL_EXPECTED = fs.readFileSync(path.join(UPGRADE_FIXTURES, "hospital.expected.yaml"), "utf8");

describe("npm run upgrade (cli/upgrade/upgrade.ts)", () => {
    const projects: UpgradeProject[] = [];
    const project = (options?: Parameters<typeof upgradeProject>[0]) => {
        const made = upgradeProject(options);
        projects.push(made);
        return made;
    };
    after(() => projects.forEach((made) => made.remove()));

    describe("the stack file", () => {
        it("changes the value's characters and nothing else: comments, spacing, quoting and order stay byte for byte", () => {
            assert.equal(setPexipVersion(HOSPITAL, "Pulumi.hospital.yaml", "vdx-teams-connector", "38.0"), HOSPITAL_EXPECTED);
        });

        it("writes the version in double quotes whatever it was, and finds the bare key too", () => {
            const plain = "config:\n  vdx-teams-connector:pexipVersion: 37.1 # plain\n";
            assert.equal(setPexipVersion(plain, "f", "vdx-teams-connector", "38.10"), 'config:\n  vdx-teams-connector:pexipVersion: "38.10" # plain\n');
            const bare = "config:\r\n  pexipVersion: \"37.1\"\r\n  baseName: x\r\n";
            assert.equal(setPexipVersion(bare, "f", "vdx-teams-connector", "38.0"), 'config:\r\n  pexipVersion: "38.0"\r\n  baseName: x\r\n');
        });

        it("refuses a file without the key, with a value it cannot rewrite in place, or broken YAML, naming the file", () => {
            for (const [text, pattern] of [
                ["config:\n  vdx-teams-connector:baseName: x\n", /^Pulumi\.x\.yaml sets no vdx-teams-connector:pexipVersion/],
                ["config:\n  vdx-teams-connector:pexipVersion: |\n    37.1\n", /^Pulumi\.x\.yaml: vdx-teams-connector:pexipVersion is not a one-line value/],
                ["config:\n  vdx-teams-connector:pexipVersion: { secure: abc }\n", /is not a one-line value/],
                ["config: [\n", /^Pulumi\.x\.yaml is not valid YAML/],
            ] as const) {
                assert.throws(() => setPexipVersion(text, "Pulumi.x.yaml", "vdx-teams-connector", "38.0"), (error: Error) => pattern.test(error.message));
            }
        });
    });

    describe("on a stack file with comments", () => {
        it("writes exactly the expected file, plans it, and names the window that applies", async () => {
            const made = project({ stacks: { "Pulumi.hospital.yaml": HOSPITAL } });
            const result = await upgrade({ to: "38.0", projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(result.exitCode, 0, result.stderr + result.stdout);
            assert.equal(result.stderr, "");
            assert.equal(made.read("Pulumi.hospital.yaml"), HOSPITAL_EXPECTED);
            assert.deepEqual(result.written, [path.join(made.dir, "Pulumi.hospital.yaml")]);
            assert.match(result.stdout, /^Pexip 38\.0\nDeadline 2026-12-15 \(Copenhagen\), the day VDX switches to Pexip 38\.0: 12 days left \(as of 2026-12-03\)\.\n/);
            assert.match(result.stdout, /^Set pexipVersion "38\.0" in Pulumi\.hospital\.yaml \(was 37\.1\)\.$/m);
            // The first window from the switch date (a Tuesday): Saturday night, in winter time.
            assert.match(
                result.stdout,
                /^  - Maintenance window sat 22:00 for 4 hours \(Europe\/Copenhagen\): the first from 2026-12-15 opens Saturday 2026-12-19 22:00 Europe\/Copenhagen \(UTC\+01:00\)\.$/m,
            );
            // Four days after VDX's switch, and how to follow VDX on the day.
            assert.match(result.stdout, /^  - Runs 37\.1 for 4 days after VDX's switch to 38\.0 on 2026-12-15, until that window opens\. To follow VDX sooner, run the deploy workflow for hospital on 2026-12-15 with the emergency override override_window /m);
        });
    });

    describe("on the repository's stacks, with 38.0 announced", () => {
        let made: UpgradeProject;
        let result: Awaited<ReturnType<typeof upgrade>>;
        before(async () => {
            made = project();
            result = await upgrade({ to: "38.0", projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
        });

        it("redeploys Pexip's deployment and changes nothing else, in each stack", () => {
            assert.equal(result.exitCode, 0, result.stderr);
            for (const [stack, stem, group] of [
                ["dev", "vdxdevweu", "vdxdev-TeamsConn-weu-static-RG"],
                ["prod", "vdxtcweu", "vdxtc-TeamsConn-weu-static-RG"],
            ]) {
                const upgraded = result.prepared!.stacks.find((candidate) => candidate.stack === stack)!;
                // The package check runs again first, then the deployment is replaced.
                assert.deepEqual(
                    upgraded.plan?.changes,
                    [
                        { name: `${stem}-deployment-check`, type: "command:local:Command", change: "change", area: "deployment" },
                        { name: `${stem}-deployment-deploy`, type: "command:local:Command", change: "redeploy", area: "deployment" },
                    ],
                    stack,
                );
                assert.deepEqual(upgraded.plan?.staticGroups, [group]);
                assert.deepEqual(upgraded.plan?.mandatory, []);
                assert.equal(upgraded.plan?.asOf, "2026-12-15");
                assert.deepEqual(
                    upgraded.plan?.triggers.map((trigger) => [trigger.key, trigger.before, trigger.after]).sort(),
                    [
                        ["packageSha256", REPOSITORY_VERSION.sha256, ANNOUNCED_38.sha256],
                        ["pexipVersion", "37.1", "38.0"],
                    ],
                );
                assert.deepEqual(stackProblems(upgraded), []);
                assert.match(result.stdout, new RegExp(`^${stack}: 37\\.1 → 38\\.0\\n  - Redeployed: Pexip's deployment ${stem}-deployment-deploy \\(37\\.1 → 38\\.0\\), deleted, then created`, "m"));
            }
            assert.match(result.stdout, /^  - No static resource changes: vdxtc-TeamsConn-weu-static-RG and what is in it \(EventHub, EventHubAuthorizationRule, Namespace, PublicIPAddress, 2 × Secret, Vault\) stay as they are\.$/m);
            assert.match(result.stdout, /^  - Maintenance window: none set, so the redeploy runs whenever the deploy workflow does\.$/m);
            assert.doesNotMatch(result.stdout, /WARNING/);
        });

        it("sets both files, and plans the new version as of the switch date: the plan's Markdown passes", () => {
            for (const stack of ["dev", "prod"]) assert.match(made.read(`Pulumi.${stack}.yaml`), /^  vdx-teams-connector:pexipVersion: "38\.0"$/m);
            const prod = result.prepared!.stacks.find((stack) => stack.stack === "prod")!;
            assert.match(prod.plan!.markdown, /^## Offline plan: `vdx-teams-connector` \/ `prod`\n\n\*\*PASS/);
            assert.match(prod.plan!.markdown, /Pexip `38\.0`/);
        });

        it("leaves a stack already on the version alone, and says so", async () => {
            const again = await upgrade({ to: "38.0", projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(again.exitCode, 0);
            assert.deepEqual(again.written, []);
            assert.equal(again.stdout, "Already on Pexip 38.0: dev, prod. Nothing changed.\n");
        });
    });

    it("only the named stacks, and says which were already on the version", async () => {
        const made = project();
        const dev = made.read("Pulumi.dev.yaml");
        fs.writeFileSync(path.join(made.dir, "Pulumi.dev.yaml"), dev.replace('pexipVersion: "37.1"', 'pexipVersion: "38.0"'));
        const result = await upgrade({ to: "38.0", stacks: ["dev", "prod"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
        assert.equal(result.exitCode, 0, result.stderr);
        assert.deepEqual(result.prepared?.unchanged, ["dev"]);
        assert.match(result.stdout, /^Already on 38\.0, left alone: dev\.$/m);
        assert.deepEqual(result.prepared?.stacks.map((stack) => stack.stack), ["prod"]);
    });

    it("loudly says when the plan after the change fails: a policy configuration not synced from the catalogue (exit 1)", async () => {
        const made = project({ syncPolicy: false });
        const result = await upgrade({ to: "38.0", stacks: ["dev"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
        assert.equal(result.exitCode, 1);
        assert.match(result.stdout, /^  - WARNING: the plan on 2026-12-15 has 1 mandatory policy violation: teams-connector-matches-vdx-version: The Pexip deployment runs Pexip 38\.0, but VDX runs 37\.1/m);
        assert.equal(result.stderr, "error: look before merging at dev: its WARNING line above\n");
        assert.match(made.read("Pulumi.dev.yaml"), /pexipVersion: "38\.0"/);
    });

    it("exit 1 points at the lines it printed: a plan that cannot run is \"Not planned\", not a WARNING", async () => {
        // The checksum is there, the url is not, and the stack names no package of its own: the plan on 38.0 refuses it.
        const { url: _url, ...withoutUrl } = ANNOUNCED_38;
        const made = project({ versions: [REPOSITORY_VERSION, withoutUrl] });
        const result = await upgrade({ to: "38.0", stacks: ["dev"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
        assert.equal(result.exitCode, 1);
        assert.match(result.stdout, /^  - Not planned: the plan on 38\.0 fails: connectorPackage must say where the package is: .*versions\[1\]\.url/m);
        assert.doesNotMatch(result.stdout, /WARNING/);
        assert.equal(result.stderr, 'error: look before merging at dev: its "Not planned" line above\n');
    });

    it("loudly names a static resource that would change", async () => {
        const made = project();
        const planned = async (changes = {}) =>
            (await plan({ stack: "dev", format: "markdown", projectDir: made.dir, policyConfigFile: made.policyConfigFile, asOf: ANNOUNCED_38.from, configChanges: changes })).report!;
        const before = await planned();
        const after = await planned({ pexipVersion: "38.0" });
        const moved: PlanReport = {
            ...after,
            resources: after.resources.map((resource) => (resource.name.endsWith("-pip") ? { ...resource, inputs: { ...resource.inputs, zones: ["1"] } } : resource)),
        };
        const compared = comparePlans(before, moved, "");
        assert.deepEqual(compared.changes.map((change) => [change.name, change.change, change.area]).sort(), [
            ["vdxdevweu-deployment-check", "change", "deployment"],
            ["vdxdevweu-deployment-deploy", "redeploy", "deployment"],
            ["vdxdevweu-pip", "change", "static"],
        ]);
        const problems = stackProblems({ stack: "dev", file: "Pulumi.dev.yaml", from: "37.1", window: undefined, windowStatus: { state: "always", open: true }, plan: compared });
        assert.deepEqual(problems, ["static resources change, which must survive upgrades: vdxdevweu-pip (azure-native:network:PublicIPAddress, change)"]);
    });

    it("counts a change of the deployment command as a redeploy only when its triggers change", async () => {
        const made = project();
        const before = (await plan({ stack: "dev", format: "markdown", projectDir: made.dir, policyConfigFile: made.policyConfigFile, asOf: ANNOUNCED_38.from })).report!;
        const retagged: PlanReport = {
            ...before,
            resources: before.resources.map((resource) => {
                if (!resource.name.endsWith("-deployment-deploy")) return resource;
                const environment = { ...(resource.inputs.environment as Record<string, unknown>), VDX_ENVIRONMENT: "prod" };
                return { ...resource, inputs: { ...resource.inputs, environment } };
            }),
        };
        assert.deepEqual(comparePlans(before, retagged, "").changes.map((change) => [change.name, change.change]), [["vdxdevweu-deployment-deploy", "change"]]);
    });

    describe("without the version's checksum in the catalogue", () => {
        it("still sets the stack files, prints exactly what to add and how to compute it, and exits 4", async () => {
            const unsigned = Object.fromEntries(Object.entries(ANNOUNCED_38).filter(([key]) => key !== "sha256"));
            const made = project({ versions: [REPOSITORY_VERSION, unsigned] });
            const result = await upgrade({ to: "38.0", stacks: ["dev"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(result.exitCode, 4);
            assert.match(made.read("Pulumi.dev.yaml"), /pexipVersion: "38\.0"/);
            assert.ok(
                result.stdout.endsWith(
                    [
                        'pexip-versions.yaml has no package checksum (sha256) for Pexip 38.0: the plan refuses the version and nothing deploys it. Add, in the entry of version "38.0":',
                        "    versions[1].sha256: <SHA-256 of pexip_teams_connector_v38.0.zip>",
                        "with the checksum computed on the package downloaded from Pexip:",
                        "    sha256sum pexip_teams_connector_v38.0.zip",
                        "    (Get-FileHash pexip_teams_connector_v38.0.zip -Algorithm SHA256).Hash.ToLower()   # PowerShell",
                        "Then plan each stack on 38.0 (its file is set already): npm run --silent plan -- --stack dev --as-of 2026-12-15.",
                        "",
                    ].join("\n"),
                ),
                result.stdout,
            );
            assert.match(result.stdout, /^  - Not planned: pexip-versions\.yaml has no package checksum for Pexip 38\.0, and the plan refuses a version without one\.$/m);
            assert.equal(result.stderr, "error: pexip-versions.yaml has no package checksum for Pexip 38.0: add it as printed above\n");
            // What it says to run next shows the plan: the upgrade again would only find the file set.
            const again = await upgrade({ to: "38.0", stacks: ["dev"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(again.stdout, "Already on Pexip 38.0: dev. Nothing changed.\n");
            assert.doesNotMatch(result.stdout, /again to see the plans/);
        });

        it("names the url key as well when the entry has no url either", async () => {
            const bare = { version: "38.0", announced: ANNOUNCED_38.announced, from: ANNOUNCED_38.from };
            const made = project({ versions: [REPOSITORY_VERSION, bare] });
            const result = await upgrade({ to: "38.0", stacks: ["dev"], projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(result.exitCode, 4);
            assert.match(result.stdout, /^pexip-versions\.yaml has no package checksum \(sha256\) and no url for Pexip 38\.0: /m);
            assert.match(result.stdout, /^    versions\[1\]\.sha256: <SHA-256 of pexip_teams_connector_v38\.0\.zip>\n    versions\[1\]\.url: <https URL of pexip_teams_connector_v38\.0\.zip where the deploying machine fetches it, without a token>$/m);
        });
    });

    describe("a downgrade", () => {
        /** dev on 38.0, prod on 37.1: --to 37.1 moves dev back. */
        function ahead(): UpgradeProject {
            const made = project();
            fs.writeFileSync(path.join(made.dir, "Pulumi.dev.yaml"), made.read("Pulumi.dev.yaml").replace('pexipVersion: "37.1"', 'pexipVersion: "38.0"'));
            return made;
        }

        it("is refused without --allow-downgrade: exit 2, one line naming the stack, nothing written", async () => {
            const made = ahead();
            const dev = made.read("Pulumi.dev.yaml");
            const result = await upgrade({ to: "37.1", projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.deepEqual([result.exitCode, result.stdout, result.written], [2, "", []]);
            assert.equal(
                result.stderr,
                "error: --to 37.1 is a downgrade: dev runs 38.0, a later Pexip version; leave those stacks out with --stack, or give --allow-downgrade to move them back on purpose\n",
            );
            assert.equal(made.read("Pulumi.dev.yaml"), dev);
        });

        it("with --allow-downgrade is called a downgrade, never \"behind VDX\"", async () => {
            const made = ahead();
            const result = await upgrade({ to: "37.1", stacks: ["dev"], allowDowngrade: true, projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.notEqual(result.exitCode, 2, result.stderr);
            assert.match(made.read("Pulumi.dev.yaml"), /pexipVersion: "37\.1"/);
            assert.match(result.stdout, /^  - A downgrade: 38\.0 is a later Pexip version than 37\.1; the stack moves back\.$/m);
            assert.doesNotMatch(result.stdout, /behind VDX/);
        });

        it("--allow-downgrade is a flag of the command line", () => {
            assert.deepEqual(parseUpgradeArguments(["--to", "37.1", "--allow-downgrade"]), { to: "37.1", allowDowngrade: true });
        });
    });

    describe("refusals: exit 2, one line, nothing written", () => {
        for (const [what, options, pattern] of [
            ["a version the catalogue does not list", { to: "38.1" }, /^error: --to 38\.1: pexip-versions\.yaml does not list Pexip 38\.1 \(it lists 37\.1, 38\.0\); record VDX's announcement there first\n$/],
            ["an unknown stack", { to: "38.0", stacks: ["prod-mars"] }, /^error: --stack prod-mars: no Pulumi\.prod-mars\.yaml \(stacks here: dev, prod\)\n$/],
            ["a stack named twice", { to: "38.0", stacks: ["dev", "dev"] }, /^error: --stack dev is given more than once\n$/],
        ] as const) {
            it(what, async () => {
                const made = project();
                const before = [made.read("Pulumi.dev.yaml"), made.read("Pulumi.prod.yaml")];
                const result = await upgrade({ ...options, projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
                assert.equal(result.exitCode, 2);
                assert.match(result.stderr, pattern);
                assert.equal(result.stdout, "");
                assert.deepEqual([made.read("Pulumi.dev.yaml"), made.read("Pulumi.prod.yaml")], before);
            });
        }

        it("a stack file it cannot rewrite in place refuses the whole upgrade, before any file is written", async () => {
            const made = project();
            fs.writeFileSync(path.join(made.dir, "Pulumi.prod.yaml"), made.read("Pulumi.prod.yaml").replace(/pexipVersion: "37\.1"/, "pexipVersion: |\n    37.1"));
            const dev = made.read("Pulumi.dev.yaml");
            const result = await upgrade({ to: "38.0", projectDir: made.dir, policyConfigFile: made.policyConfigFile, now: DECEMBER_3 });
            assert.equal(result.exitCode, 2);
            assert.match(result.stderr, /^error: Pulumi\.prod\.yaml: vdx-teams-connector:pexipVersion is not a one-line value/);
            assert.equal(made.read("Pulumi.dev.yaml"), dev);
        });

        for (const [argv, pattern] of [
            [[], /^--to <version> is required; usage: /],
            [["--stack", "dev"], /^--to <version> is required/],
            [["--to", "38.0", "--to", "38.1"], /^--to is given more than once/],
            [["--to", "38.0", "--stack", "dev", "--stack=dev"], /^--stack dev is given more than once/],
            [["--to"], /^--to needs a value/],
            [["--to", "38.0", "--stack", "--to"], /^--stack needs a value/],
            [["--to", "38.0", "--json"], /^unknown argument --json/],
            [["38.0"], /^unknown argument 38\.0/],
        ] as const) {
            it(`the arguments ${JSON.stringify(argv)}`, () => {
                assert.throws(() => parseUpgradeArguments(argv), (error: Error) => pattern.test(error.message));
            });
        }

        it("takes --flag=value, repeated --stack, and --help whatever else is given", () => {
            assert.deepEqual(parseUpgradeArguments(["--to=38.0", "--stack", "dev", "--stack=prod"]), { to: "38.0", stacks: ["dev", "prod"] });
            assert.deepEqual(parseUpgradeArguments(["--to", "38.0"]), { to: "38.0" });
            assert.equal(parseUpgradeArguments(["--bogus", "-h"]), undefined);
        });
    });

    it("--help lists the flags, every exit code and examples", () => {
        const help = upgradeHelp();
        assert.match(help, /^usage: npm run --silent upgrade -- --to <version> \[--stack <name>\]\.\.\. \[--allow-downgrade\]$/m);
        for (const flag of ["--to <version>", "--stack <name>", "-h, --help"]) assert.ok(help.includes(flag), flag);
        for (const [code, meaning] of Object.entries(UPGRADE_EXIT_CODES)) assert.ok(help.includes(`  ${code}  ${meaning}`), code);
        assert.match(help, /^  npm run --silent upgrade -- --to 38\.0 --stack dev --stack prod$/m);
    });

    it("as a command in the repository: a refusal exits 2 with one line", () => {
        const unknown = spawnSync(process.execPath, ["-r", TS_NODE, path.join(PROJECT_DIR, "cli", "upgrade", "upgrade.ts"), "--to", "99.9"], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", TS_NODE_PROJECT: path.join(PROJECT_DIR, "tsconfig.json") },
        });
        assert.equal(unknown.status, 2);
        assert.equal(unknown.stdout, "");
        assert.match(unknown.stderr, /^error: --to 99\.9: pexip-versions\.yaml does not list Pexip 99\.9 \(it lists 37\.1\)[^\n]*\n$/);
    });
});
