import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { local } from "@pulumi/command";
import type { PolicyPackConfig } from "@pulumi/policy";
import { parse } from "yaml";
import { RegisteredResource } from "../../cli/plan/mockRuntime";
import { isBuiltin } from "module";
import { analyzePolicies, loadPolicyConfig, PolicyConfigError, reconcilePolicyConfig } from "../../cli/plan/policyEngine";
import { DRIVER_ACTIONS, DRIVER_VARIABLES, FACTS, factVariable } from "../../lib/contract";
import { TYPES } from "../../policy/common";
import { inertSettings, PACK, PACK_NAME, POLICIES } from "../../policy/policies";
import { runStack } from "../support/stacks";
import { check, compliantStack, pexipDeployment, scalingCommand, SECRET_SIG, testConfig } from "./fixtures";

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
                ["https-sources-restricted", "mandatory"],
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

    it("matches resources by the program's type tokens: the command token is @pulumi/command's, and the old scale set, NSG and rules are gone", () => {
        assert.deepEqual(TYPES, {
            command: "command:local:Command",
            publicIp: "azure-native:network:PublicIPAddress",
            keyVault: "azure-native:keyvault:Vault",
            keyVaultSecret: "azure-native:keyvault:Secret",
            eventHubNamespace: "azure-native:eventhub:Namespace",
            bot: "azure-native:botservice:Bot",
            botChannel: "azure-native:botservice:Channel",
        });
        assert.equal((local.Command as unknown as { __pulumiType: string }).__pulumiType, TYPES.command);
    });

    it("finds nothing to check on the scaling command: every policy declares itself not applicable", async () => {
        const scaling = scalingCommand();
        const analysis = await analyzePolicies(POLICIES, [scaling], testConfig());
        assert.deepEqual(analysis.violations, []);
        const deploymentOnly = "Not the Pexip deployment";
        const otherType = (type: string) => `Policy only applies to resources of type '${type}'`;
        assert.deepEqual(
            analysis.notApplicable.map((entry) => [entry.policy, entry.reason, entry.urn]),
            [
                ["teams-connector-matches-vdx-version", deploymentOnly],
                ["no-wildcard-certificate", "No certificate facts on this resource"],
                ["no-self-signed-in-prod", "Not a self-signed certificate"],
                ["certificate-not-expired", "No certificate expiry on this resource"],
                ["certificate-not-expiring", "No readable certificate expiry on this resource"],
                ["capacity-covers-ports", deploymentOnly],
                ["vm-size-allowed", deploymentOnly],
                ["rdp-not-open", deploymentOnly],
                ["https-sources-restricted", deploymentOnly],
                ["public-ip-static-standard", otherType(TYPES.publicIp)],
                ["event-hub-tls", otherType(TYPES.eventHubNamespace)],
                ["key-vault-protected", otherType(TYPES.keyVault)],
                ["eu-data-residency", "The resource has no location"],
                ["environment-tagged", "Not a taggable azure-native resource"],
            ].map(([policy, reason]) => [policy, reason, scaling.urn]),
        );
    });

    it("runs every deployment policy on the Pexip deployment", async () => {
        const analysis = await analyzePolicies(POLICIES, [pexipDeployment()], testConfig());
        assert.deepEqual(analysis.violations, []);
        // Only the Azure-only policies pass it by (and no-self-signed-in-prod: the certificate is a CA's).
        assert.deepEqual(
            analysis.notApplicable.map((entry) => entry.policy),
            ["no-self-signed-in-prod", "public-ip-static-standard", "event-hub-tls", "key-vault-protected", "environment-tagged"],
        );
    });

    describe("configuration typos", () => {
        /** The problems reconciliation refuses the configuration with; none when it accepts it. */
        function problemsOf(config: PolicyPackConfig): readonly string[] {
            try {
                reconcilePolicyConfig(POLICIES, config);
                return [];
            } catch (error) {
                assert.ok(error instanceof PolicyConfigError, String(error));
                return error.problems;
            }
        }

        it("every policy declares a closed configSchema: a property it does not declare is a typo", () => {
            for (const policy of POLICIES) assert.equal((policy.configSchema as { additionalProperties?: unknown } | undefined)?.additionalProperties, false, policy.name);
        });

        it("refuses a misspelled setting, naming the policy, the setting and what it may have meant", () => {
            assert.deepEqual(problemsOf(testConfig({ "rdp-not-open": { ipv4Adresses: 5 } })), ["rdp-not-open: ipv4Adresses is not a setting of this policy; did you mean ipv4Addresses?"]);
            assert.deepEqual(problemsOf(testConfig({ "event-hub-tls": { minimumTlsVersion: "1.3" } })), ["event-hub-tls: minimumTlsVersion is not a setting of this policy"]);
        });

        it("refuses an entry for a policy the pack does not have, and keeps accepting all", () => {
            assert.deepEqual(problemsOf(testConfig({ "rdp-not-opne": "disabled" })), ["rdp-not-opne is not a policy of this pack; did you mean rdp-not-open?"]);
            assert.deepEqual(problemsOf(testConfig({ all: "advisory" })), []);
        });
    });

    describe("policy/config.json", () => {
        it("names only policies of the pack and validates against their schemas", () => {
            // Reconciliation refuses an unknown policy name or setting, and a value against its schema.
            assert.doesNotThrow(() => reconcilePolicyConfig(POLICIES, loadPolicyConfig()));
        });

        it("keeps every policy at its declared level (an `all` entry would turn advisories mandatory)", () => {
            const reconciled = reconcilePolicyConfig(POLICIES, loadPolicyConfig());
            for (const policy of POLICIES) assert.equal(reconciled.get(policy.name)?.enforcementLevel, policy.enforcementLevel, policy.name);
        });

        it("holds VDX's current version 37.1 and no announced upgrade, so the repository's stacks pass", () => {
            assert.deepEqual(loadPolicyConfig()["teams-connector-matches-vdx-version"], { currentVersion: "37.1", upgrades: [] });
        });

        it("gives the exposure policies the default thresholds: more than a /16 of IPv4, an IPv6 /32", () => {
            const reconciled = reconcilePolicyConfig(POLICIES, loadPolicyConfig());
            for (const name of ["rdp-not-open", "https-sources-restricted"]) {
                assert.deepEqual(reconciled.get(name)?.properties, { ipv4Addresses: 65536, ipv6PrefixLength: 32 }, name);
            }
        });

        it("refuses thresholds outside their range", () => {
            assert.throws(
                () => reconcilePolicyConfig(POLICIES, { "rdp-not-open": { ipv4Addresses: 0, ipv6PrefixLength: 129 } }),
                /rdp-not-open: ipv4Addresses must be a whole number from 1 to 4294967296, got 0[\s\S]*rdp-not-open: ipv6PrefixLength must be a whole number from 0 to 128, got 129/,
            );
        });

        it("every numeric setting of a mandatory policy is named by inertSettings at an extreme of its range, or is known never to switch the check off", () => {
            // Settings no value can make inert: the check still fires at every value (tests/policy/network.test.ts).
            const NEVER_INERT: Readonly<Record<string, string>> = { ipv6PrefixLength: "even at /0, a list covering all of IPv6 counts as open" };
            const numeric: string[] = [];
            for (const policy of POLICIES.filter((candidate) => candidate.enforcementLevel === "mandatory")) {
                for (const [setting, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
                    const { type, minimum, maximum } = schema as { type?: unknown; minimum?: number; maximum?: number };
                    if (type !== "integer" && type !== "number") continue;
                    numeric.push(`${policy.name}.${setting}`);
                    const extremes = [minimum ?? -Number.MAX_SAFE_INTEGER, maximum ?? Number.MAX_SAFE_INTEGER];
                    const named = extremes.filter((value) => inertSettings(policy.name, { [setting]: value }).some((line) => line.startsWith(`${setting} ${value}:`)));
                    if (setting in NEVER_INERT) assert.deepEqual(named, [], `${policy.name}.${setting} is listed as never inert`);
                    else assert.ok(named.length > 0, `${policy.name}.${setting}: no extreme of it is named as switching the check off`);
                }
            }
            assert.ok(numeric.length > 0, "the pack has numeric settings: the test above checks something");
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

        it("imports only its own dependencies, neither azure-native nor index.ts, and nothing of the program beyond lib/contract, lib/calendar, lib/versions/releaseCalendar and lib/config/cidr", () => {
            const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
            const dependencies = Object.keys(pkg.dependencies);
            assert.ok(dependencies.includes("cidr-tools"), "policy/exposure.ts needs cidr-tools");
            assert.ok(!dependencies.some((name) => name.startsWith("@pulumi/azure")), "the pack must not depend on azure-native");
            const isDependency = (module: string) => dependencies.some((name) => module === name || module.startsWith(`${name}/`));
            const programModules = ["contract", "calendar", "versions/releaseCalendar", "config/cidr"];
            const allowed = new RegExp(`^(fs|path|net|\\./[A-Za-z]+|\\.\\./lib/(${programModules.join("|")}))$`);
            for (const file of fs.readdirSync(POLICY_DIR).filter((name) => name.endsWith(".ts"))) {
                const source = fs.readFileSync(path.join(POLICY_DIR, file), "utf8");
                for (const [, module] of source.matchAll(/^import [^;]* from "([^"]+)";$/gm)) {
                    assert.ok(isDependency(module) || allowed.test(module), `${file} imports ${module}`);
                    if (file !== "index.ts") assert.notEqual(module, "./index", `${file} imports index.ts`);
                }
                assert.doesNotMatch(source, /require\(/, `${file} uses require`);
            }
            // The program's modules the pack imports come with it, so they import only each other and Node.
            for (const module of programModules) {
                const source = fs.readFileSync(path.join(POLICY_DIR, "..", "lib", `${module}.ts`), "utf8");
                for (const [, imported] of source.matchAll(/^import [^;]* from "([^"]+)";$/gm)) {
                    assert.ok(isBuiltin(imported) || programModules.includes(path.posix.join(path.posix.dirname(module), imported)), `lib/${module}.ts imports ${imported}`);
                }
            }
        });
    });
    describe("fixtures (tests/policy/fixtures.ts) in the shape the program registers", () => {
        const SECRET_KEY = Object.keys(SECRET_SIG)[0];
        const isSecret = (value: unknown) => typeof value === "object" && value !== null && SECRET_KEY in value;
        const inputsOf = (resource: { inputs?: Record<string, unknown> }) => resource.inputs as Record<string, unknown>;
        const environmentOf = (resource: { inputs?: Record<string, unknown> }) => inputsOf(resource).environment as Record<string, unknown>;
        const documentOf = (resource: { inputs?: Record<string, unknown> }) => JSON.parse(environmentOf(resource)[DRIVER_VARIABLES.deployment] as string) as Record<string, unknown>;
        const sortedKeys = (value: unknown) => Object.keys(value as Record<string, unknown>).sort();
        const commands = (resources: RegisteredResource[]) => resources.filter((resource) => resource.type === TYPES.command);

        it("the deployment: the driver's actions, every fact under factVariable's name, the document, secrets marked, triggers", async () => {
            const registered = commands((await runStack("prod")).resources).find((resource) => resource.inputs.create === DRIVER_ACTIONS.deploy);
            assert.ok(registered, "the prod stack registers the Pexip deployment");
            const fixture = pexipDeployment();
            assert.equal(fixture.type, registered.type);
            assert.deepEqual(sortedKeys(inputsOf(fixture)), sortedKeys(registered.inputs));
            for (const key of ["interpreter", "create", "update", "delete"]) assert.deepEqual(inputsOf(fixture)[key], registered.inputs[key], key);

            // Every fact, and besides the facts only the driver's own variables, the secrets marked as such.
            const facts = Object.values(FACTS).map(factVariable).sort();
            const variables = (environment: Record<string, unknown>) => Object.keys(environment).filter((name) => !facts.includes(name));
            const fixtureEnvironment = environmentOf(fixture);
            const registeredEnvironment = environmentOf(registered);
            assert.deepEqual(Object.keys(fixtureEnvironment).filter((name) => facts.includes(name)).sort(), facts);
            assert.deepEqual(Object.keys(registeredEnvironment).filter((name) => facts.includes(name)).sort(), facts);
            const driverVariables: string[] = Object.values(DRIVER_VARIABLES);
            for (const environment of [fixtureEnvironment, registeredEnvironment]) {
                for (const name of variables(environment)) {
                    assert.ok(driverVariables.includes(name), `${name} is neither a fact nor a driver variable`);
                    assert.equal(isSecret(environment[name]), name !== DRIVER_VARIABLES.deployment, name);
                }
                for (const fact of facts) assert.equal(typeof environment[fact], "string", fact);
            }
            assert.ok(variables(registeredEnvironment).every((name) => name in fixtureEnvironment || name === DRIVER_VARIABLES.pfx), "the fixture lacks a driver variable");

            // The deployment document and the triggers have the program's keys.
            assert.deepEqual(sortedKeys(documentOf(fixture)), sortedKeys(documentOf(registered)));
            assert.deepEqual(sortedKeys(documentOf(fixture).parameters), sortedKeys(documentOf(registered).parameters));
            const triggers = (resource: { inputs?: Record<string, unknown> }) => inputsOf(resource).triggers as unknown[];
            assert.equal(triggers(fixture).length, triggers(registered).length);
            assert.deepEqual(sortedKeys(triggers(fixture)[0]), sortedKeys(triggers(registered)[0]));
            assert.deepEqual(triggers(fixture).map(isSecret), triggers(registered).map(isSecret));
        });

        it("the scaling step: scale on create and update, only the scaling document and the instance count", async () => {
            const registered = commands((await runStack("dev")).resources).find((resource) => resource.inputs.update === DRIVER_ACTIONS.scale);
            assert.ok(registered, "the dev stack (Pulumi owns capacity) registers the scaling command");
            const fixture = scalingCommand();
            assert.equal(fixture.type, registered.type);
            assert.deepEqual(sortedKeys(inputsOf(fixture)), sortedKeys(registered.inputs));
            for (const key of ["interpreter", "create", "update"]) assert.deepEqual(inputsOf(fixture)[key], registered.inputs[key], key);
            assert.deepEqual(sortedKeys(environmentOf(fixture)), [DRIVER_VARIABLES.deployment, factVariable(FACTS.instanceCount)].sort());
            assert.deepEqual(sortedKeys(environmentOf(registered)), sortedKeys(environmentOf(fixture)));
            assert.deepEqual(sortedKeys(documentOf(fixture)), sortedKeys(documentOf(registered)));
        });
    });
});
