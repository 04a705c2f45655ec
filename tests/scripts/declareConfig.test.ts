import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { configBlock, declaredProjectFile, PROJECT_FILE } from "../../scripts/declare-config";
import { REQUIRED_SETTINGS, SETTINGS } from "../../lib/config/settingsSchema";
import { generatedFileMain } from "../../scripts/generatedFile";
import { POLICY_CONFIG_FILE, SYNC_VERSIONS, syncedPolicyConfig } from "../../scripts/sync-versions";
import { TS_NODE } from "../support/tsNode";

describe("Pulumi.yaml's config block (scripts/declare-config.ts)", () => {
    it("declares exactly the settings lib/config/settingsSchema.ts has: run npm run config:declare after changing them", () => {
        const current = fs.readFileSync(PROJECT_FILE, "utf8");
        assert.equal(current, declaredProjectFile(current));
        assert.deepEqual(Object.keys(parse(current).config), Object.keys(SETTINGS));
    });

    it("gives every setting a description, Pulumi's type (the schema's: the CLI checks a stack's value against it), and a default unless it is required", () => {
        for (const [key, declaration] of Object.entries(configBlock())) {
            assert.ok(typeof declaration.description === "string" && declaration.description.length > 10, key);
            assert.equal("default" in declaration, !REQUIRED_SETTINGS.includes(key), key);
            assert.equal(declaration.type, SETTINGS[key].schema.type, key);
        }
        assert.deepEqual(REQUIRED_SETTINGS, ["baseName", "regionCode", "environment", "fqdn", "concurrentPorts", "pexipVersion", "vdx", "certificate", "teamsTenantId"]);
    });

    it("keeps the rest of Pulumi.yaml, comments included", () => {
        const text = "# The project\nname: p\nruntime: nodejs # node\nconfig:\n  old: 1\n";
        const written = declaredProjectFile(text);
        assert.match(written, /^# The project\nname: p\nruntime: nodejs # node\nconfig:\n {2}baseName:\n/);
        assert.doesNotMatch(written, /old:/);
    });
});

describe("policy/config.json's version calendar (scripts/sync-versions.ts)", () => {
    it("is what pexip-versions.yaml says: run npm run versions:sync after editing the catalogue", () => {
        const current = fs.readFileSync(POLICY_CONFIG_FILE, "utf8");
        assert.equal(current, syncedPolicyConfig(current));
    });

    it("writes the catalogue's versions into the version policy's entry, drops a leftover asOf, and keeps the others", () => {
        const written = JSON.parse(syncedPolicyConfig(JSON.stringify({ "rdp-not-open": "advisory", "teams-connector-matches-vdx-version": { currentVersion: "1.0", upgrades: [], asOf: "2026-01-01" } })));
        assert.equal(written["rdp-not-open"], "advisory");
        assert.deepEqual(written["teams-connector-matches-vdx-version"], { currentVersion: "37.1", upgrades: [] });
    });
});

describe("the command line of versions:sync and config:declare (scripts/generatedFile.ts)", () => {
    const root = path.resolve(__dirname, "../..");
    let dir: string;
    let output: { stdout: string; stderr: string };
    const io = { stdout: (text: string) => void (output.stdout += text), stderr: (text: string) => void (output.stderr += text) };
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "generated-file-"));
        output = { stdout: "", stderr: "" };
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** versions:sync on a project in `dir` with this catalogue and policy configuration; the configuration's text afterwards. */
    function syncVersions(catalogue: string, policyConfig: string, argv: string[] = []): { code: number; written: string } {
        fs.writeFileSync(path.join(dir, "pexip-versions.yaml"), catalogue);
        const file = path.join(dir, "config.json");
        fs.writeFileSync(file, policyConfig);
        const code = generatedFileMain({ ...SYNC_VERSIONS, file, derive: (current) => syncedPolicyConfig(current, dir) }, argv, io);
        return { code, written: fs.readFileSync(file, "utf8") };
    }

    const POLICY = `${JSON.stringify({ "rdp-not-open": "mandatory" }, null, 4)}\n`;
    const CURRENT = ["versions:", '  - version: "37.1"'];

    it("writes the calendar (exit 0), and with --check exits 1 on a stale file, writing nothing", () => {
        assert.equal(syncVersions(CURRENT.join("\n"), POLICY, ["--check"]).code, 1);
        assert.match(output.stderr, /differs from pexip-versions.yaml: run npm run versions:sync\n$/);
        const { code, written } = syncVersions(CURRENT.join("\n"), POLICY);
        assert.equal(code, 0);
        assert.equal(JSON.parse(written)["teams-connector-matches-vdx-version"].currentVersion, "37.1");
    });

    for (const [what, catalogue, policy, line] of [
        ["a bad date", [...CURRENT, '  - version: "38.0"', '    announced: "2026-12-01"', '    from: "2026-02-30"'], POLICY, /^error: pexip-versions.yaml:versions\[1\]\.from must be a calendar date/],
        ["a duplicate", [...CURRENT, '  - version: "37.1"', '    announced: "2026-12-01"', '    from: "2026-12-15"'], POLICY, /^error: pexip-versions.yaml:versions\[1\]\.version must be listed once/],
        ["announced after from", [...CURRENT, '  - version: "38.0"', '    announced: "2026-12-20"', '    from: "2026-12-15"'], POLICY, /^error: pexip-versions.yaml:versions\[1\]\.announced must not be after from/],
        ["an unquoted version", [...CURRENT, "  - version: 37.10", '    announced: "2026-12-01"', '    from: "2026-12-15"'], POLICY, /^error: pexip-versions.yaml:versions\[1\]\.version is written 37\.10 without quotes.*write "37\.10"$/],
        ["an older version", [...CURRENT, '  - version: "36.0"', '    announced: "2026-12-01"', '    from: "2026-12-15"'], POLICY, /^error: pexip-versions.yaml:versions\[1\]\.version must be a later Pexip version than the entry before it \(37\.1\)/],
        ["a token in a URL", [...CURRENT, "    url: https://x.example/a.zip?sig=s3cr3t"], POLICY, /^error: pexip-versions.yaml:versions\[0\]\.url must be an https:\/\/ URL without a query/],
        ["a broken policy config", CURRENT, "{ not json", /^error: policy\/config.json is not valid JSON: /],
    ] as const) {
        it(`${what}: one line naming the key, no stack trace, exit 2, nothing written`, () => {
            const { code, written } = syncVersions(catalogue.join("\n"), policy);
            assert.equal(code, 2);
            assert.equal(written, policy);
            assert.equal(output.stdout, "");
            assert.equal(output.stderr.split("\n").length, 2, output.stderr);
            assert.match(output.stderr.trimEnd(), line);
            assert.doesNotMatch(output.stderr, /s3cr3t|\n\s+at /);
        });
    }

    it("--help prints help and writes nothing; a misspelled flag is refused (exit 2) and writes nothing", () => {
        const stale = POLICY;
        assert.equal(syncVersions(CURRENT.join("\n"), stale, ["--help"]).written, stale);
        assert.match(output.stdout, /^Writes the version policy's calendar[\s\S]*usage: npm run --silent versions:sync -- \[--check\][\s\S]*Exit codes:/);
        output = { stdout: "", stderr: "" };
        const { code, written } = syncVersions(CURRENT.join("\n"), stale, ["--chek"]);
        assert.deepEqual({ code, written, output }, { code: 2, written: stale, output: { stdout: "", stderr: "error: unknown argument --chek; usage: npm run --silent versions:sync -- [--check]\n" } });
    });

    for (const [command, script] of [
        ["versions:sync", "sync-versions.ts"],
        ["config:declare", "declare-config.ts"],
    ] as const) {
        it(`${command}'s script: --help and a misspelled flag through the process, touching nothing`, function () {
            this.timeout(30000);
            const run = (argv: string[]) => spawnSync(process.execPath, ["-r", TS_NODE, path.join(root, "scripts", script), ...argv], { cwd: root, encoding: "utf8" });
            const help = run(["--help"]);
            assert.equal(help.status, 0, help.stderr);
            assert.match(help.stdout, new RegExp(`usage: npm run --silent ${command} -- \\[--check\\]`));
            const wrong = run(["--chek"]);
            assert.deepEqual([wrong.status, wrong.stdout, wrong.stderr], [2, "", `error: unknown argument --chek; usage: npm run --silent ${command} -- [--check]\n`]);
        });
    }
});
