import * as assert from "node:assert/strict";
import * as fs from "fs";
import { parse } from "yaml";
import { configBlock, declaredProjectFile, PROJECT_FILE } from "../../scripts/declare-config";
import { REQUIRED_SETTINGS, SETTINGS } from "../../lib/settingsSchema";
import { POLICY_CONFIG_FILE, syncedPolicyConfig } from "../../scripts/sync-versions";

describe("Pulumi.yaml's config block (scripts/declare-config.ts)", () => {
    it("declares exactly the settings lib/settingsSchema.ts has: run npm run config:declare after changing them", () => {
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
