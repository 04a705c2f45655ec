import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { loadPolicyConfig, reconcilePolicyConfig } from "../../cli/policyEngine";
import { PACK, PACK_NAME, POLICIES } from "../../policy/policies";
import { check, compliantStack, testConfig } from "./fixtures";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

describe("policy pack", () => {
    it("lists each policy once, kebab-case, with a description and an explicit level", () => {
        assert.deepEqual(
            POLICIES.map((policy) => [policy.name, policy.enforcementLevel]),
            [
                ["teams-connector-matches-vdx-version", "mandatory"],
                ["no-wildcard-certificate", "mandatory"],
                ["no-self-signed-in-prod", "mandatory"],
                ["certificate-not-expired", "mandatory"],
                ["certificate-not-expiring", "advisory"],
                ["capacity-covers-ports", "mandatory"],
                ["vm-size-allowed", "mandatory"],
                ["rdp-not-open", "mandatory"],
                ["https-sources-restricted", "advisory"],
                ["public-ip-static-standard", "mandatory"],
                ["event-hub-tls", "mandatory"],
                ["key-vault-protected", "mandatory"],
                ["eu-data-residency", "mandatory"],
                ["environment-tagged", "mandatory"],
            ],
        );
        for (const policy of POLICIES) {
            assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(policy.description.length > 20, policy.name);
            // The analyzer refuses these (server.js serve()).
            assert.notEqual(policy.name, "all");
            assert.equal(policy.configSchema?.properties.enforcementLevel, undefined, policy.name);
        }
    });

    it("passes the whole compliant stack with the shipped configuration", async () => {
        assert.deepEqual(await check(compliantStack()), []);
    });

    describe("policy/config.json", () => {
        it("names only policies of the pack and validates against their schemas", () => {
            const config = loadPolicyConfig();
            const names = new Set(POLICIES.map((policy) => policy.name));
            for (const key of Object.keys(config)) assert.ok(key === "all" || names.has(key), `unknown policy "${key}" in policy/config.json`);
            assert.doesNotThrow(() => reconcilePolicyConfig(POLICIES, config));
        });

        it("keeps every policy at its declared level (an `all` entry would turn advisories mandatory)", () => {
            const reconciled = reconcilePolicyConfig(POLICIES, loadPolicyConfig());
            for (const policy of POLICIES) assert.equal(reconciled.get(policy.name)?.enforcementLevel, policy.enforcementLevel, policy.name);
        });

        it("holds VDX's current version 37.1 and no announced upgrade, so the repository's stacks pass", () => {
            assert.deepEqual(loadPolicyConfig()["teams-connector-matches-vdx-version"], { currentVersion: "37.1", upgrades: [] });
        });

        it("gives every date-dependent policy the check date through withCheckDate", () => {
            const reconciled = reconcilePolicyConfig(POLICIES, testConfig());
            const dated = POLICIES.filter((policy) => policy.configSchema?.properties.asOf !== undefined).map((policy) => policy.name);
            assert.deepEqual(dated, ["teams-connector-matches-vdx-version", "certificate-not-expired", "certificate-not-expiring"]);
            for (const name of dated) assert.equal(reconciled.get(name)?.properties.asOf, "2026-03-02");
        });
    });

    describe("package", () => {
        it("has PulumiPolicy.yaml with the nodejs runtime and a description", () => {
            const manifest = parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
            assert.equal(manifest.runtime, "nodejs");
            assert.equal(typeof manifest.description, "string");
        });

        it("states the version PolicyPack reads from package.json", () => {
            const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version?: string; main?: string };
            assert.match(pkg.version ?? "", /^\d+\.\d+\.\d+$/);
            assert.equal(pkg.main, "index.ts");
            assert.deepEqual(PACK, { name: PACK_NAME, version: pkg.version });
        });

        it("index.ts only constructs the PolicyPack from the exported list", () => {
            const source = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
            const code = source.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("//"));
            assert.deepEqual(code, [
                `import { PolicyPack } from "@pulumi/policy";`,
                `import { PACK_NAME, POLICIES } from "./policies";`,
                `new PolicyPack(PACK_NAME, { policies: POLICIES });`,
            ]);
        });

        it("imports neither azure-native nor index.ts, and nothing of the program beyond lib/contract", () => {
            const allowed = /^(@pulumi\/policy(\/schema)?|fs|path|\.\/[A-Za-z]+|\.\.\/lib\/contract)$/;
            for (const file of fs.readdirSync(POLICY_DIR).filter((name) => name.endsWith(".ts"))) {
                const source = fs.readFileSync(path.join(POLICY_DIR, file), "utf8");
                for (const [, module] of source.matchAll(/^import [^;]* from "([^"]+)";$/gm)) {
                    assert.match(module, allowed, `${file} imports ${module}`);
                    if (file !== "index.ts") assert.notEqual(module, "./index", `${file} imports index.ts`);
                }
                assert.doesNotMatch(source, /require\(/, `${file} uses require`);
            }
        });
    });
});
