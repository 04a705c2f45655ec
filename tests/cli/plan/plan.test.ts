/**
 * The offline plan (cli/plan/plan.ts): the JSON document, sizing and cost, exit codes and their
 * messages, that no secret reaches any output or hand-over file, what --out writes and which
 * --out it refuses, the policy verdict, the command line and its help, and the benchmark's
 * command line (scripts/bench-plan.ts). Almost everything runs in process through `plan()` or
 * `main()`; a few tests spawn the command line to prove the exit codes, that stdout carries
 * nothing but the report, and what only a separate process can show (another user, a hang).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_CLOUD } from "../../../cli/plan/mockRuntime";
import { ADMIN_PASSWORD_STAND_IN } from "../../../cli/plan/buildPlan";
import { HAND_OVER_FILES } from "../../../cli/plan/handover";
import { main, parseArguments, plan, PLAN_FLAGS, planHelp, PlanOptions, PlanResult } from "../../../cli/plan/plan";
import { UserError } from "../../../cli/commandLine";
import type { PlanReport } from "../../../cli/plan/planReport";
import { BENCH_HELP, parseBenchArguments, RUNS } from "../../../scripts/bench-plan";
import { POLICIES } from "../../../policy/policies";
import { DRIVER_VARIABLES, FACTS, factVariable } from "../../../lib/contract";
import program = require("../../../index");
import { pfxFileCertificate } from "../../fixtures/certificate/pfxFile";
import { FIXTURE_SCRIPTS, pexipPackage } from "../../support/pexipPackage";
import { PFX_PASSWORD } from "../../support/settings";
import { catalogueYaml } from "../../support/stacks";
import { TS_NODE } from "../../support/tsNode";

const ROOT = path.resolve(__dirname, "../../..");
const VERSION_POLICY = "teams-connector-matches-vdx-version";
/** The JSON document's top-level keys, in order. */
const JSON_KEYS = ["stack", "project", "resources", "sizing", "cost", "deployment", "policy", "outputs", "standIns", "upgrades"];

/** Strings that must never appear in any output: the mock cloud's secrets and their shapes. */
const SECRETS = [MOCK_CLOUD.appSecret, MOCK_CLOUD.adminPassword, MOCK_CLOUD.eventHubKey, ADMIN_PASSWORD_STAND_IN, PFX_PASSWORD, "PRIVATE KEY", "SharedAccessKey="];

function assertNoSecrets(text: string, where: string): void {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} leaks ${secret}`);
}

/**
 * Why a user cannot load this checkout's TypeScript loader (a parent directory closed to others,
 * as a clone in root's home is), or undefined when it can.
 */
function checkoutUnreadable(user: { uid: number; gid: number }): string | undefined {
    const child = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(TS_NODE)})`], { ...user, encoding: "utf8" });
    if (child.error) return child.error.message;
    return child.status === 0 ? undefined : (child.stderr.split("\n").find((line) => /Error/.test(line)) ?? `exit ${child.status}`).trim();
}

const temporary: string[] = [];

function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    temporary.push(dir);
    return dir;
}

/** A project directory with the repository's Pulumi.yaml and the given stack files. */
function tempProject(files: Record<string, string>): string {
    const dir = tempDir("plan-project-");
    for (const file of ["Pulumi.yaml", "pexip-versions.yaml"]) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    return dir;
}

/** A policy configuration file: the repository's, with the given entries replaced. */
function policyConfig(entries: Record<string, unknown>): string {
    const base = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config.json"), "utf8")) as Record<string, unknown>;
    const file = path.join(tempDir("plan-policy-"), "config.json");
    fs.writeFileSync(file, JSON.stringify({ ...base, ...entries }));
    return file;
}

const DEV_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");

async function planned(options: PlanOptions): Promise<PlanResult & { report: PlanReport }> {
    const result = await plan(options);
    assert.ok(result.report, `no report: exit ${result.exitCode}: ${result.stderr}${result.stdout}`);
    return result as PlanResult & { report: PlanReport };
}

/** The Pexip deployment command's environment, as the report shows it. */
function deploymentEnvironment(report: PlanReport): Record<string, unknown> {
    const found = report.resources.filter((resource) => resource.type === "command:local:Command" && resource.inputs.create === "deploy");
    assert.equal(found.length, 1);
    return found[0].inputs.environment as Record<string, unknown>;
}

/** The paths of every value shown as [secret], at any depth. */
function secretPaths(value: unknown, at: string): string[] {
    if (value === "[secret]") return [at];
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, inner]) => secretPaths(inner, `${at}.${key}`));
}

/** The one line an exit-2 plan prints on stderr, without a stack trace. */
function assertOneLineError(result: PlanResult, pattern: RegExp): void {
    assert.equal(result.exitCode, 2);
    assert.equal(result.stdout, "");
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
}

/** Runs the plan's command line as a child process; `timeout` guards against a hang. */
function cli(args: string[], extra: { uid?: number; gid?: number; timeout?: number } = {}) {
    return spawnSync(process.execPath, ["-r", TS_NODE, path.join(ROOT, "cli", "plan", "plan.ts"), ...args], { cwd: ROOT, encoding: "utf8", ...extra });
}

/** Runs `main()` in process, collecting what it writes; for arguments that never reach a plan. */
async function runMain(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const output = { stdout: "", stderr: "" };
    const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
    const collect = (stream: "stdout" | "stderr") =>
        ((chunk: string | Uint8Array) => {
            output[stream] += String(chunk);
            return true;
        }) as typeof process.stdout.write;
    process.stdout.write = collect("stdout");
    process.stderr.write = collect("stderr");
    try {
        return { code: await main(argv), ...output };
    } finally {
        process.stdout.write = writes.stdout;
        process.stderr.write = writes.stderr;
    }
}

after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe("offline plan (cli/plan/plan.ts)", () => {
    describe("the JSON document", () => {
        let result: PlanResult & { report: PlanReport };
        let document: Record<string, any>;
        before(async () => {
            result = await planned({ stack: "dev", format: "json" });
            document = JSON.parse(result.stdout);
        });

        it("has exactly the documented top-level keys and nothing else on stdout", () => {
            assert.equal(result.exitCode, 0, result.stderr);
            assert.deepEqual(Object.keys(document), JSON_KEYS);
            assert.equal(document.stack, "dev");
            assert.equal(document.project, "vdx-teams-connector");
            assert.deepEqual(document.policy, { violations: [], disabled: [], downgraded: [], inert: [] });
        });

        it("names the outputs the mock cloud made up in standIns: the public IP, the application ID, the self-signed certificate", () => {
            assert.equal(document.outputs.publicIpAddress, MOCK_CLOUD.publicIpAddress);
            for (const output of ["publicIpAddress", "teamsApplicationId", "certificate"]) assert.ok(document.standIns.includes(output), output);
            assert.ok(!document.standIns.includes("fqdn"), "a value the stack sets is no stand-in");
            assert.ok(document.standIns.every((output: string) => output in document.outputs));
        });

        it("lists every registered resource with type, name, urn, parent, protect and inputs", () => {
            const urns = new Set(document.resources.map((resource: { urn: string }) => resource.urn));
            assert.equal(urns.size, document.resources.length);
            for (const resource of document.resources) {
                assert.deepEqual(Object.keys(resource), ["type", "name", "urn", "parent", "protect", "inputs"]);
                assert.match(resource.urn, new RegExp(`^urn:pulumi:dev::vdx-teams-connector::.*${resource.type.replace(/[$.]/g, "\\$&")}::${resource.name}$`));
                assert.ok(resource.parent === null || urns.has(resource.parent), `${resource.name}'s parent is registered`);
                assert.equal(typeof resource.protect, "boolean");
                assert.equal(typeof resource.inputs, "object");
            }
            const pip = document.resources.find((resource: { type: string }) => resource.type === "azure-native:network:PublicIPAddress");
            assert.equal(pip.inputs.publicIPAllocationMethod, "Static");
            assert.match(pip.parent, /vdx:teams:TeamsConnector::vdxdevweu$/);
            assert.equal(pip.protect, false, "dev protects nothing");
        });

        it("shows every secret-marked value as [secret], in inputs and outputs", () => {
            assert.equal(document.outputs.teamsAppSecret, "[secret]");
            const secretInputs = document.resources.flatMap((resource: { name: string; inputs: Record<string, unknown> }) => secretPaths(resource.inputs, resource.name));
            for (const path of [
                "vdxdevweu-windows-admin-password.properties.value",
                "vdxdevweu-certificate-self-signed.privateKeyPem",
                `vdxdevweu-deployment-deploy.environment.${DRIVER_VARIABLES.adminPassword}`,
                `vdxdevweu-deployment-deploy.environment.${DRIVER_VARIABLES.appSecret}`,
                `vdxdevweu-deployment-deploy.environment.${DRIVER_VARIABLES.pfx}`,
            ]) {
                assert.ok(secretInputs.includes(path), `${path} is not [secret]: ${secretInputs.join()}`);
            }
            assert.ok(!result.stdout.includes("4dabf18193072939515e22adb298388d"), "no raw secret marker");
            assertNoSecrets(result.stdout, "--json");
        });
    });

    describe("sizing and cost (dev stack, Pexip's planning figure of 15 calls per instance, no spare)", () => {
        const cases: [ports: number, instances: number, total: number, perPort: number][] = [
            [1, 1, 40000, 40000],
            [15, 1, 40000, 2667],
            [16, 2, 65000, 4063],
            [33, 3, 90000, 2727],
            [48, 4, 115000, 2396],
            [160, 11, 290000, 1813],
        ];
        for (const [ports, instances, total, perPort] of cases) {
            it(`${ports} port(s): ${instances} instance(s), ${total} DKK a year`, async () => {
                const { report, exitCode, stdout } = await planned({ stack: "dev", format: "json", configChanges: { concurrentPorts: String(ports) } });
                assert.equal(exitCode, 0);
                const document = JSON.parse(stdout);
                assert.deepEqual(document.sizing, { concurrentPorts: ports, portsPerInstance: 15, spareInstances: 0, instances });
                assert.deepEqual(document.cost, { currency: "DKK", licensePerYear: 15000, vmPerYear: 25000, vms: instances, totalPerYear: total, perPortPerYear: perPort });
                // The report's sizing is what the program deployed.
                const environment = deploymentEnvironment(report);
                assert.equal(environment[factVariable(FACTS.instanceCount)], String(instances));
                assert.equal(environment[factVariable(FACTS.concurrentPorts)], String(ports));
            });
        }

        it("uses the stack's own prices from config cost", async () => {
            const { report } = await planned({ stack: "dev", configChanges: { concurrentPorts: "17", cost: { licensePerYear: 12000, vmPerYear: 20000 } } });
            assert.deepEqual(
                { license: report.cost.licensePerYear, vm: report.cost.vmPerYear, total: report.cost.totalPerYear },
                { license: 12000, vm: 20000, total: 52000 },
            );
        });

        it("reports the Infinity schedule's cost and saving when configured (prod)", async () => {
            const { report, stdout } = await planned({ stack: "prod" });
            assert.deepEqual(
                [report.sizing.concurrentPorts, report.sizing.portsPerInstance, report.sizing.spareInstances, report.sizing.instances],
                [48, 15, 1, 5],
            );
            assert.equal(report.cost.totalPerYear, 140000);
            assert.ok(report.cost.schedule, "schedule cost");
            const schedule = report.cost.schedule;
            assert.equal(schedule.alwaysOnVmCostPerYear, 125000);
            assert.ok(Math.abs(schedule.savingPerYear - (schedule.alwaysOnVmCostPerYear - schedule.vmCostPerYear)) <= 1);
            assert.ok(schedule.savingPerYear > 0);
            assert.match(stdout, /Infinity's schedule \(Europe\/Copenhagen\).*saves [\d,]+ DKK a year/);
        });
    });

    describe("exit codes", () => {
        it("0 with advisories only; --as-of sets the version policy's check date", async () => {
            const config = policyConfig({ [VERSION_POLICY]: { currentVersion: "37.1", upgrades: [{ version: "38.0", from: "2030-01-01" }] } });
            const before = await planned({ stack: "dev", asOf: "2029-12-31", policyConfigFile: config });
            assert.equal(before.exitCode, 0, before.stderr);
            assert.equal(before.report.policy.checkDate, "2029-12-31");
            const advisories = before.report.policy.violations.filter((violation) => violation.policy === VERSION_POLICY);
            assert.equal(advisories.length, 1);
            assert.equal(advisories[0].enforcement, "advisory");
            assert.match(advisories[0].message, /announced Pexip 38\.0 from 2030-01-01/);

            const after = await planned({ stack: "dev", asOf: "2030-01-01", policyConfigFile: config });
            assert.equal(after.exitCode, 1);
            assert.equal(after.report.policy.checkDate, "2030-01-01");
        });

        it("1 on a mandatory violation: the pexipVersion differs from VDX's", async () => {
            // The calendar says VDX runs 36.0 while the stack runs 37.1.
            const config = policyConfig({ [VERSION_POLICY]: { currentVersion: "36.0", upgrades: [] } });
            const result = await planned({ stack: "dev", format: "json", policyConfigFile: config, outDir: path.join(tempDir("plan-out-"), "out") });
            assert.equal(result.exitCode, 1);
            const violations = JSON.parse(result.stdout).policy.violations as { policy: string; enforcement: string; urn: string; message: string }[];
            const version = violations.find((violation) => violation.policy === VERSION_POLICY);
            assert.ok(version, JSON.stringify(violations));
            assert.equal(version.enforcement, "mandatory");
            assert.match(version.urn, /command:local:Command::vdxdevweu-deployment-deploy$/);
            assert.match(version.message, /runs Pexip 37\.1, but VDX runs 36\.0/);
            assert.match(result.stderr, /^error: 1 mandatory policy violation\(s\): teams-connector-matches-vdx-version$/m);
            // Nothing to hand over for a stack that cannot be deployed.
            assert.deepEqual(result.files, []);
            assert.match(result.stderr, /hand-over files not written/);
        });

        it("2 for an unknown stack, naming the stacks there are", async () => {
            const result = await plan({ stack: "nope" });
            assertOneLineError(result, /unknown stack "nope": no Pulumi\.nope\.yaml \(stacks here: .*dev.*prod/);
            assert.equal(result.error?.key, "stack");
        });

        it("2 for malformed YAML, as a JSON error object with --json", async () => {
            const dir = tempProject({ "Pulumi.broken.yaml": "config:\n  vdx-teams-connector:baseName: [unclosed\n" });
            const result = await plan({ stack: "broken", format: "json", projectDir: dir });
            assert.equal(result.exitCode, 2);
            const document = JSON.parse(result.stdout);
            assert.deepEqual(Object.keys(document), ["error"]);
            assert.equal(document.error.key, "stack");
            assert.match(document.error.message, /Pulumi\.broken\.yaml is not valid YAML/);
            assert.equal(result.stderr, "");
        });

        it("2 for a project without Pulumi.yaml", async () => {
            const dir = tempDir("plan-empty-");
            fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), DEV_YAML);
            assertOneLineError(await plan({ stack: "dev", projectDir: dir }), /cannot read the project file/);
        });

        it("2 for an invalid setting, with its key", async () => {
            const text = await plan({ stack: "dev", configChanges: { concurrentPorts: "0" } });
            assertOneLineError(text, /^error: concurrentPorts must be a whole number from 1 to 1600 \(a scale set holds at most 100 instances with a single placement group\), got 0$/);
            const json = await plan({ stack: "dev", format: "json", configChanges: { concurrentPorts: "0" } });
            assert.equal(json.exitCode, 2);
            assert.deepEqual(JSON.parse(json.stdout), { error: { key: "concurrentPorts", message: "concurrentPorts must be a whole number from 1 to 1600 (a scale set holds at most 100 instances with a single placement group), got 0" } });
        });

        it("2 for a stack file without environment, whatever its name, saying how to set it", async () => {
            const yaml = DEV_YAML.replace(/^ {2}vdx-teams-connector:environment: dev\n/m, "");
            assert.notEqual(yaml, DEV_YAML);
            for (const stack of ["dev", "prod", "weu"]) {
                const dir = tempProject({ [`Pulumi.${stack}.yaml`]: yaml });
                assertOneLineError(
                    await plan({ stack, projectDir: dir }),
                    /^error: environment is required in every stack file, never guessed from the stack's name: pulumi config set environment prod\|dev$/,
                );
            }
        });

        it("2 for a plain-text secret in production, naming the setting and the command; dev plans with a warning", async () => {
            assertOneLineError(
                await plan({ stack: "prod", configChanges: { adminPassword: "Plain-Text-Pass-42" } }),
                /^error: adminPassword is written in plain text in Pulumi\.prod\.yaml; a production stack takes it only encrypted: pulumi config set --secret adminPassword <value>$/,
            );
            const dev = await planned({ stack: "dev", configChanges: { adminPassword: "Plain-Text-Pass-42" } });
            assert.equal(dev.exitCode, 0, dev.stderr);
            assert.ok(dev.report.warnings.some((warning) => warning.startsWith("adminPassword is written in plain text in Pulumi.dev.yaml")), dev.report.warnings.join("\n"));
            assert.ok(!dev.stdout.includes("Plain-Text-Pass-42"));
        });

        it("0 with a warning for a stack named like production whose file says dev", async () => {
            const result = await planned({ stack: "prod", configChanges: { environment: "dev" } });
            assert.equal(result.report.environment, "dev");
            assert.match(result.stdout, /^ {2}- stack prod is named like a production stack, but its file sets environment: dev, .*pulumi config set environment prod$/m);
        });

        it("2 for a parameter set twice, as one line (not wrapped in the outputs' serialisation)", async () => {
            assertOneLineError(
                await plan({ stack: "dev", configChanges: { pexipDeployment: { parameters: { VmssName: "other" } } } }),
                /^error: pexipDeployment\.parameters\.VmssName is set by the stack \(the scale set's name \(baseName \+ regionCode\)\) as -VmssName; change that setting, or rename the stack's parameter with pexipDeployment\.parameterNames\.vmssName, got "VmssName"$/,
            );
        });

        it("2 for a stack value YAML would change (an unquoted 37.10), with its key and the advice to quote it", async () => {
            const dir = tempProject({ "Pulumi.dev.yaml": DEV_YAML.replace('vdx-teams-connector:pexipVersion: "37.1"', "vdx-teams-connector:pexipVersion: 37.10") });
            assertOneLineError(await plan({ stack: "dev", projectDir: dir }), /^error: pexipVersion is written 37\.10 without quotes, which YAML reads as the number 37\.1, so the stack would get "37\.1": write "37\.10"$/);
        });

        it("2 for a misspelled key, with a did-you-mean (no silent default)", async () => {
            const dir = tempProject({ "Pulumi.dev.yaml": DEV_YAML.replace("vdx-teams-connector:concurrentPorts:", "vdx-teams-connector:concurrentPort:") });
            const result = await plan({ stack: "dev", projectDir: dir, format: "json" });
            assert.equal(result.exitCode, 2);
            assert.deepEqual(JSON.parse(result.stdout).error, {
                key: "concurrentPort",
                message: 'concurrentPort is not a setting of vdx-teams-connector; did you mean concurrentPorts?, got "4"',
            });
        });

        it("2 for a certificate the program refuses, with its key (a wildcard subject)", async () => {
            const prod = await plan({ stack: "prod", format: "json" });
            assert.equal(prod.exitCode, 0, prod.stderr);
            const certificate = {
                keyVaultSecretId: "https://vdxtc-certs.vault.azure.net/secrets/teamsconn/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                keyVaultId: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/vdxtc-certificates-RG/providers/Microsoft.KeyVault/vaults/vdxtc-certs",
                subject: "*.sundhed.example",
                sans: ["*.sundhed.example"],
                notAfter: "2030-11-30T23:59:59Z",
                thumbprint: "4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B",
                keyType: "RSA",
                keySize: 2048,
            };
            const result = await plan({ stack: "prod", format: "json", configChanges: { certificate } });
            assert.equal(result.exitCode, 2);
            const { error } = JSON.parse(result.stdout);
            assert.equal(error.key, "certificate.subject");
            assert.match(error.message, /wildcard/);
        });

        it("2 for a PFX behind an encrypted password: checked by pulumi preview, not offline", async () => {
            const yaml = DEV_YAML.replace(
                /vdx-teams-connector:certificate:\n\s+selfSigned: true/,
                "vdx-teams-connector:certificate:\n    pfxFile: certs/teamsconn.pfx\n    password:\n      secure: v1:bm90LWEtcmVhbC1jaXBoZXJ0ZXh0",
            );
            assert.notEqual(yaml, DEV_YAML);
            const result = await plan({ stack: "pfx", projectDir: tempProject({ "Pulumi.pfx.yaml": yaml }) });
            assertOneLineError(result, /certificate\.password is encrypted in Pulumi\.pfx\.yaml .*`pulumi preview --stack pfx` decrypts it and checks the PFX/);
            assert.equal(result.error?.key, "certificate.password");
        });

        it("2 for a malformed --as-of or policy configuration", async () => {
            assertOneLineError(await plan({ stack: "dev", asOf: "2026-02-30" }), /--as-of must be a calendar date YYYY-MM-DD, got "2026-02-30"/);
            const broken = policyConfig({ [VERSION_POLICY]: { currentVersion: "thirty-seven" } });
            assertOneLineError(await plan({ stack: "dev", policyConfigFile: broken }), /currentVersion must match .*, got "thirty-seven"/);
        });
    });

    describe("secrets", () => {
        it("never appear in text, Markdown, JSON or the hand-over files (dev, prod, a PFX file with its password)", async () => {
            const withPfxFile = { certificate: pfxFileCertificate(tempDir("plan-pfx-"), "teamsconn-dev.sundhed.example") };
            for (const [what, stack, configChanges] of [["dev", "dev", {}], ["prod", "prod", {}], ["dev with certificate.pfxFile", "dev", withPfxFile]] as const) {
                for (const format of ["text", "markdown", "json"] as const) {
                    const out = format === "text" ? path.join(tempDir("plan-out-"), "handover") : undefined;
                    const result = await planned({ stack, format, configChanges, ...(out === undefined ? {} : { outDir: out }) });
                    assert.equal(result.exitCode, 0, result.stderr);
                    assertNoSecrets(result.stdout, `${what} ${format}`);
                    assertNoSecrets(result.stderr, `${what} ${format} stderr`);
                    for (const file of result.files) assertNoSecrets(fs.readFileSync(file, "utf8"), file);
                    if (out !== undefined) assert.equal(result.files.length, 3);
                }
            }
        });

        it("an encrypted adminPassword is stood in for, never shown, and named in a warning", async () => {
            const yaml = `${DEV_YAML.trimEnd()}\n  vdx-teams-connector:adminPassword:\n    secure: v1:bm90LWEtcmVhbC1jaXBoZXJ0ZXh0\n`;
            const result = await planned({ stack: "admin", format: "json", projectDir: tempProject({ "Pulumi.admin.yaml": yaml }) });
            assert.equal(result.exitCode, 0, result.stderr);
            assertNoSecrets(result.stdout, "json");
            assert.match(result.stderr, /^warning: adminPassword is encrypted in Pulumi\.admin\.yaml .*pulumi preview --stack admin/m);
            // The stand-in reached the program as a secret: the random password is not created.
            assert.ok(!result.report.resources.some((resource) => resource.type === "random:index/randomPassword:RandomPassword"));
        });
    });

    describe("log output of the program", () => {
        it("stays off stdout: --json prints one document and the messages go to stderr", async () => {
            const noisy = async () => {
                pulumi.log.warn("a warning from the program");
                pulumi.log.info("an info line that pulumi prints with console.log under mocks");
                console.log("a stray console.log");
                return program();
            };
            const json = await planned({ stack: "dev", format: "json", program: noisy });
            assert.equal(json.exitCode, 0);
            JSON.parse(json.stdout);
            assert.match(json.stderr, /^warning: a warning from the program$/m);
            assert.match(json.stderr, /^warning: an info line/m);
            assert.match(json.stderr, /^warning: a stray console\.log$/m);
            const text = await planned({ stack: "dev", program: noisy });
            assert.match(text.stdout, /^Warnings\n {2}- a warning from the program$/m);
        });

        it("a certificate warning from the program reaches the report", async () => {
            const certificate = {
                keyVaultSecretId: "https://vdxtc-certs.vault.azure.net/secrets/teamsconn/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                keyVaultId: "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/vdxtc-certificates-RG/providers/Microsoft.KeyVault/vaults/vdxtc-certs",
                subject: "teamsconn.sundhed.example",
                sans: ["other.sundhed.example"],
                notAfter: "2030-11-30T23:59:59Z",
                thumbprint: "4A3B2C1D0E9F8A7B6C5D4E3F2A1B0C9D8E7F6A5B",
                keySize: 2048,
            };
            const { report } = await planned({ stack: "prod", configChanges: { certificate } });
            assert.ok(report.warnings.some((warning) => /only in its CN, not in its DNS SANs/.test(warning)), report.warnings.join("\n"));
        });
    });

    describe("--out: the hand-over files", () => {
        let dev: PlanResult & { report: PlanReport };
        let devDir: string;
        before(async () => {
            devDir = path.join(tempDir("plan-out-"), "dev");
            dev = await planned({ stack: "dev", outDir: devDir });
        });
        const read = (name: string) => fs.readFileSync(path.join(devDir, name), "utf8");

        it("writes the request in Danish and English, its JSON and the Teams PowerShell", () => {
            assert.equal(dev.exitCode, 0, dev.stderr);
            assert.deepEqual(fs.readdirSync(devDir).sort(), Object.values(HAND_OVER_FILES).sort());
            assert.deepEqual(dev.files.map((file) => path.basename(file)).sort(), Object.values(HAND_OVER_FILES).sort());
            assert.match(dev.stderr, /^wrote .*vdx-request\.md$/m);
            const markdown = read(HAND_OVER_FILES.requestMarkdown);
            assert.match(markdown, /^## Dansk$/m);
            assert.match(markdown, /^## English$/m);
            assert.ok(markdown.includes("teamsconn-dev.sundhed.example"));
        });

        it("the JSON request matches the stack: hostname, tenant, version and payload paths", () => {
            const request = JSON.parse(read(HAND_OVER_FILES.requestJson));
            assert.equal(request.stack, "dev");
            assert.equal(request.fqdn, "teamsconn-dev.sundhed.example");
            assert.equal(request.teamsTenantId, "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b");
            assert.equal(request.pexipVersion, "37.1");
            assert.deepEqual(
                request.payloads.map((payload: { method: string; path: string }) => `${payload.method} ${payload.path}`),
                [
                    "POST /api/admin/configuration/v1/azure_tenant/",
                    "POST /api/admin/configuration/v1/teams_proxy/",
                    "POST /api/admin/configuration/v1/gateway_routing_rule/",
                ],
            );
            assert.equal(request.payloads[1].body.address, "teamsconn-dev.sundhed.example");
            assert.equal(request.payloads[0].body.tenant_id, "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b");
            // The mock cloud's address and application ID are not facts: left for after deployment.
            assert.ok(!("publicIp" in request) && !("applicationId" in request));
            assert.ok(!JSON.stringify(request).includes(MOCK_CLOUD.publicIpAddress));
        });

        it("asks for no Event Hub when the stack does not use Infinity's scaling (dev)", () => {
            for (const name of [HAND_OVER_FILES.requestMarkdown, HAND_OVER_FILES.requestJson]) {
                assert.ok(!/eventHubConnectionString|Endpoint=sb:|SharedAccessKey=|servicebus\.windows\.net/.test(read(name)), `${name} mentions an Event Hub`);
            }
            assert.equal(JSON.parse(read(HAND_OVER_FILES.requestJson)).payloads[1].body.notifications_enabled, false);
        });

        it("the Teams PowerShell takes the application ID as a parameter instead of the mock's", () => {
            const script = read(HAND_OVER_FILES.lobbyBypass);
            const mockId = dev.report.outputs.teamsApplicationId as string;
            assert.ok(dev.report.standIns.includes("teamsApplicationId"));
            assert.ok(!script.includes(mockId), "the mock cloud's application ID is not in the script");
            assert.match(script, /^param\(\n {4}\[Parameter\(Mandatory = \$true\)\]/m);
            assert.match(script, /New-CsVideoInteropServiceProvider -Name .* -TenantKey 'teams@vdx\.example' .* -AadApplicationIds \$ApplicationId$/m);
            assert.match(script, /pulumi stack output --stack dev teamsApplicationId/);
        });

        it("prod's request adds Infinity's scheduled scaling", async () => {
            const dir = path.join(tempDir("plan-out-"), "prod");
            const prod = await planned({ stack: "prod", outDir: dir, format: "markdown" });
            assert.equal(prod.exitCode, 0, prod.stderr);
            const request = JSON.parse(fs.readFileSync(path.join(dir, HAND_OVER_FILES.requestJson), "utf8"));
            assert.deepEqual(
                request.payloads.map((payload: { path: string }) => payload.path.split("/").slice(-2)[0]),
                ["azure_tenant", "teams_proxy", "gateway_routing_rule", "scheduled_scaling"],
            );
            assert.equal(request.payloads[3].body.time_from, "07:00:00");
            assert.equal(request.fqdn, "teamsconn.sundhed.example");
        });
    });

    describe("--out problems are user errors: exit 2 naming --out and the path", () => {
        it("an existing file, in text and as the JSON error object, left as it was", async () => {
            const file = path.join(tempDir("plan-out-"), "plan.json");
            fs.writeFileSync(file, "keep me");
            const text = await plan({ stack: "dev", outDir: file });
            assertOneLineError(text, /^error: --out \S+plan\.json: it is a file, not a directory$/);
            assert.equal(text.error?.key, "--out");
            const json = await plan({ stack: "dev", format: "json", outDir: file });
            assert.equal(json.exitCode, 2);
            assert.deepEqual(JSON.parse(json.stdout), { error: { key: "--out", message: `--out ${file}: it is a file, not a directory` } });
            assert.equal(json.stderr, "");
            assert.equal(fs.readFileSync(file, "utf8"), "keep me");
        });

        it("a file on the way to the directory", async () => {
            const file = path.join(tempDir("plan-out-"), "notes.txt");
            fs.writeFileSync(file, "");
            assertOneLineError(await plan({ stack: "dev", outDir: path.join(file, "handover") }), /^error: --out \S+handover: \S+notes\.txt is a file, not a directory$/);
        });

        it("a hand-over file's name taken by a directory: refused when writing, not a crash", async () => {
            const dir = tempDir("plan-out-");
            fs.mkdirSync(path.join(dir, HAND_OVER_FILES.requestJson));
            const result = await plan({ stack: "dev", outDir: dir });
            assertOneLineError(result, /^error: --out \S+: cannot write \S+vdx-request\.json \(EISDIR: illegal operation on a directory\)$/);
            assert.equal(result.error?.key, "--out");
        });

        it("a directory it may not write in, before planning, leaving nothing behind", function () {
            this.timeout(90000);
            // Root writes in any directory: then the command runs as nobody, who must be able to load the checkout.
            const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
            const unreadable = asNobody && checkoutUnreadable(asNobody);
            if (unreadable) {
                this.test!.title += ` (skipped: running as root, and nobody, who must run the command, cannot load ${TS_NODE}: ${unreadable})`;
                this.skip();
            }
            const dir = tempDir("plan-out-");
            fs.chmodSync(dir, 0o555);
            const child = cli(["--stack", "dev", "--out", path.join(dir, "handover")], asNobody ?? {});
            assert.equal(child.status, 2, child.stderr);
            assert.equal(child.stdout, "");
            assert.match(child.stderr, /^error: --out \S+handover: nothing can be created in \S+ \(EACCES: permission denied\)\n$/);
            assert.deepEqual(fs.readdirSync(dir), []);
        });

        it("a special file system (/proc): refused at once, where it used to spin for minutes", function () {
            if (process.platform !== "linux") this.skip();
            this.timeout(90000);
            const child = cli(["--stack", "dev", "--json", "--out", "/proc/vdx-plan-out"], { timeout: 60000 });
            assert.equal(child.status, 2, `status ${child.status}, signal ${child.signal}: ${child.stderr}`);
            const { error } = JSON.parse(child.stdout);
            assert.equal(error.key, "--out");
            assert.match(error.message, /^--out \/proc\/vdx-plan-out: nothing can be created in \/proc \(ENOENT: /);
            assert.equal(child.stderr, "");
        });
    });

    describe("the policy verdict", () => {
        const eastus = { "azure-native:location": "eastus" };

        it("says so when the policy configuration disables every policy: nothing was checked", async () => {
            const config = policyConfig({ all: "disabled" });
            const text = await planned({ stack: "dev", policyConfigFile: config, configChanges: eastus });
            assert.equal(text.exitCode, 0, text.stderr);
            assert.match(text.stdout, new RegExp(`^Result: PASS, but nothing was checked: all ${POLICIES.length} policies disabled by policy config \\(\\S+config\\.json\\)$`, "m"));
            const json = JSON.parse((await planned({ stack: "dev", format: "json", policyConfigFile: config })).stdout);
            assert.deepEqual([...json.policy.disabled].sort(), POLICIES.map((policy) => policy.name).sort());
        });

        it("names the policies disabled one by one", async () => {
            const result = await planned({ stack: "dev", policyConfigFile: policyConfig({ "eu-data-residency": "disabled" }), configChanges: eastus });
            assert.equal(result.exitCode, 0, result.stderr);
            assert.match(result.stdout, /^Result: PASS: no policy violations; by policy config \(\S+config\.json\): 1 policy disabled \(eu-data-residency\)$/m);
            assert.deepEqual(result.report.policy.disabled, ["eu-data-residency"]);
        });

        it("names every mandatory policy the configuration downgrades to advisory, one by one or through all", async () => {
            const one = await planned({ stack: "dev", policyConfigFile: policyConfig({ "eu-data-residency": "advisory" }), configChanges: eastus });
            assert.equal(one.exitCode, 0, "a downgraded violation no longer fails the plan");
            assert.match(one.stdout, /^Result: PASS with \d+ advisories; by policy config \(\S+config\.json\): 1 mandatory policy downgraded to advisory \(eu-data-residency\)$/m);
            assert.match(one.stdout, /^ {2}mandatory, downgraded to advisory by policy config: eu-data-residency$/m);
            const all = await planned({ stack: "dev", format: "json", policyConfigFile: policyConfig({ all: "advisory" }) });
            const mandatory = POLICIES.filter((policy) => policy.enforcementLevel === "mandatory").map((policy) => policy.name);
            assert.ok(mandatory.length > 5);
            assert.deepEqual(JSON.parse(all.stdout).policy.downgraded, mandatory);
            assert.deepEqual((await planned({ stack: "dev" })).report.policy.downgraded, [], "the shipped configuration downgrades nothing");
        });

        it("names a threshold set past where its check can fire (ipv4Addresses at all of IPv4), and not one just below", async () => {
            const config = policyConfig({ "https-sources-restricted": { ipv4Addresses: 4294967296 }, "rdp-not-open": { ipv4Addresses: 4294967295 } });
            const result = await planned({ stack: "dev", policyConfigFile: config });
            assert.deepEqual(result.report.policy.inert, ["https-sources-restricted.ipv4Addresses 4294967296: even all 4294967296 IPv4 addresses would not count as open"]);
            assert.match(result.stdout, /^Result: .*; by policy config \(\S+config\.json\): 1 setting switching a check off \(https-sources-restricted\.ipv4Addresses 4294967296: .*\)$/m);
            assert.match(result.stdout, /^ {2}switched off by policy config: https-sources-restricted\.ipv4Addresses 4294967296: /m);
            assert.deepEqual((await planned({ stack: "dev" })).report.policy.inert, []);
        });

        it("groups a non-EU region's residency violations into one line with every resource; the JSON keeps each", async () => {
            const json = JSON.parse((await plan({ stack: "dev", format: "json", configChanges: eastus })).stdout);
            const residency = (json.policy.violations as { policy: string; urn: string }[]).filter((violation) => violation.policy === "eu-data-residency");
            assert.ok(residency.length > 1, `${residency.length} residency violations`);
            const text = await plan({ stack: "dev", configChanges: eastus });
            const lines = text.stdout.split("\n").filter((line) => line.includes("eu-data-residency on"));
            assert.equal(lines.length, 1, lines.join("\n"));
            assert.ok(lines[0].startsWith(`  [mandatory] eu-data-residency on ${residency.length} resources (`), lines[0]);
            for (const { urn } of residency) assert.ok(lines[0].includes(urn.slice(urn.lastIndexOf("::") + 2)), urn);
        });
    });

    describe("next steps", () => {
        it("give the admin-consent command, or say consent is granted in code", async () => {
            const url = await planned({ stack: "dev" });
            const consent = url.report.nextSteps.find((step) => step.title === "Consent");
            assert.equal(consent?.command, "pulumi stack output --stack dev adminConsentUrl");
            const grant = await planned({ stack: "dev", configChanges: { consent: "grant" } });
            assert.match(grant.report.nextSteps.find((step) => step.title === "Consent")!.text, /^granted in code: the stack assigns the \d+ Microsoft Graph/);
            const titles = url.report.nextSteps.map((step) => step.title);
            assert.deepEqual(titles, ["Consent", "Lobby bypass", "VDX request", "DNS"]);
            assert.match(url.stdout, /Lobby bypass: .*--out DIR writes it as teams-lobby-bypass\.ps1/);
        });
    });

    describe("VDX's announced upgrades (pexip-versions.yaml)", () => {
        it("shows the deadline, the days left and what to do, next to the verdict, and MedCom's notice rule when VDX broke it", async () => {
            const dir = tempProject({ "Pulumi.dev.yaml": DEV_YAML });
            fs.appendFileSync(path.join(dir, "pexip-versions.yaml"), '  - version: "38.0"\n    announced: "2026-12-03"\n    from: "2026-12-15"\n');
            const text = await planned({ stack: "dev", projectDir: dir, asOf: "2026-12-05" });
            assert.deepEqual(text.report.upgrades, [{ version: "38.0", from: "2026-12-15", announced: "2026-12-03", daysLeft: 10, noticeDays: 12 }]);
            assert.match(
                text.stdout,
                /^Result: .*\n(Warnings\n(  - .*\n)*)?VDX upgrades\n  - VDX moves to Pexip 38\.0 on 2026-12-15, in 10 days \(announced 2026-12-03\): this stack runs 37\.1: on 2026-12-15 set pexipVersion to 38\.0 \(npm run upgrade -- --to 38\.0\) .*; VDX gave 12 days' notice, MedCom's rule is 14\.$/m,
            );
            const markdown = await planned({ stack: "dev", projectDir: dir, asOf: "2026-12-05", format: "markdown" });
            assert.match(markdown.stdout, /^> \[!IMPORTANT\]\n> - VDX moves to Pexip 38\.0 on 2026-12-15, in 10 days/m);
            const json = JSON.parse((await planned({ stack: "dev", projectDir: dir, asOf: "2026-12-05", format: "json" })).stdout);
            assert.deepEqual(json.upgrades, text.report.upgrades);
        });
    });

    describe("the Pexip deployment", () => {
        for (const [stack, scaling] of [
            ["dev", /scale: a change of concurrentPorts, portsPerInstance or spareInstances sets vdxdevweu's capacity in place/],
            ["prod", /scale: Pexip Infinity owns capacity after creation .* created with 5 instance\(s\)/],
        ] as const) {
            it(`${stack}: shows the script's parameters masked, its lifecycle, the unconfirmed names, and that they are checked only at deploy time (package by URL)`, async () => {
                const text = await planned({ stack });
                const { deployment } = text.report;
                assert.equal(deployment.script, "create_vmss_deployment.ps1");
                assert.equal(deployment.parametersChecked, false);
                assert.deepEqual(deployment.lifecycle.map((entry) => entry.step), ["check", "create", "update", "delete", "redeploy", "scale"]);
                assert.deepEqual(
                    deployment.parameters.filter((parameter) => !parameter.nameConfirmed).map((parameter) => parameter.name),
                    ["PfxPassword", "AppCredential"],
                );
                const value = (name: string) => deployment.parameters.find((parameter) => parameter.name === name)?.value;
                assert.equal(value("VMAdminCredential"), "<PSCredential 'pexadmin' [secret]>");
                assert.match(value("AppCredential") ?? "", /^<PSCredential '[0-9a-f-]{36}' \[secret\]>$/);
                assert.equal(value("instanceCount"), String(text.report.sizing.instances));
                assert.match(text.stdout, /^Pexip deployment \(create_vmss_deployment\.ps1 into vdx(dev|tc)-TeamsConn-weu-RG; parameters checked only at deploy time, before anything is removed/m);
                assert.match(text.stdout, /^ {4}-AppCredential \* +<PSCredential/m);
                assert.match(text.stdout, /^ {2}Unconfirmed names \(\*\): -PfxPassword and -AppCredential are not in Pexip's public commands; .*pexipDeployment\.parameterNames/m);
                assert.match(text.stdout, /^ {2}delete: the driver removes .*-RG \(Remove-AzResourceGroup -Force\); .*-static-RG with the public IP and the Key Vault stays$/m);
                assert.match(
                    text.stdout,
                    /^ {2}update: any change that does not redeploy \(tags, a resize's capacity facts such as VDX_INSTANCE_COUNT, .*\) updates the deployment in place: the driver only sets .*-RG's tags; the connector keeps running$/m,
                );
                assert.match(text.stdout, scaling);
                assert.match(text.stdout, /^ {4}-PexipSourceAddressPrefixes +'198\.51\.100\.10\/32'/m);
                const markdown = await planned({ stack, format: "markdown" });
                assert.match(markdown.stdout, /^### Pexip deployment$/m);
                assert.match(markdown.stdout, /^\| `-VMAdminCredential` \| `<PSCredential 'pexadmin' \[secret\]>` \|$/m);
                assert.match(markdown.stdout, /^\| `-AppCredential` \\\* \| /m);
                const json = JSON.parse((await planned({ stack, format: "json" })).stdout);
                assert.deepEqual(json.deployment, JSON.parse(JSON.stringify(deployment)));
                for (const output of [text.stdout, markdown.stdout, JSON.stringify(json)]) assertNoSecrets(output, stack);
            });
        }

        it("a local package (connectorPackage.path): checked in the plan, its [switch] and [bool] shown as the command passes them", async () => {
            const dir = tempProject({ "Pulumi.dev.yaml": DEV_YAML });
            const built = pexipPackage(dir, "pexip_teams_connector_v37.1.zip", fs.readFileSync(FIXTURE_SCRIPTS.singleApp, "utf8"));
            fs.writeFileSync(path.join(dir, "pexip-versions.yaml"), catalogueYaml([{ version: "37.1", sha256: built.sha256 }]));
            const configChanges = { connectorPackage: { path: path.basename(built.file) }, pexipDeployment: { incidentReporting: true, diskEncryption: true } };
            const text = await planned({ stack: "dev", projectDir: dir, configChanges });
            const { deployment } = text.report;
            assert.equal(deployment.parametersChecked, true);
            assert.ok(deployment.parameters.every((parameter) => parameter.nameConfirmed));
            // The script declares [switch] $IncidentReporting and [bool] $Encryption.
            assert.match(deployment.command, / -IncidentReporting -Encryption \$true$/);
            assert.match(text.stdout, /^ {4}-IncidentReporting +\(switch\)$/m);
            assert.match(text.stdout, /^ {4}-Encryption +\$true$/m);
            const markdown = await planned({ stack: "dev", projectDir: dir, configChanges, format: "markdown" });
            assert.match(markdown.stdout, /^\| `-IncidentReporting` \| `\(switch\)` \|$/m);
        });
    });

    it("a stack file's parameterNames.<x>: null (the script lacks the parameter): kept, so the plan passes without passing it", async () => {
        const script = fs.readFileSync(FIXTURE_SCRIPTS.singleApp, "utf8").replace(/^.*\$PfxPassword,\n/m, "");
        const dir = tempProject({});
        const built = pexipPackage(dir, "pexip_teams_connector_v37.1.zip", script);
        fs.writeFileSync(path.join(dir, "pexip-versions.yaml"), catalogueYaml([{ version: "37.1", sha256: built.sha256 }]));
        const yaml = `${DEV_YAML.trimEnd()}\n  vdx-teams-connector:connectorPackage:\n    path: ${path.basename(built.file)}\n  vdx-teams-connector:pexipDeployment:\n    parameterNames:\n      pfxPassword: null\n`;
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), yaml);
        const result = await planned({ stack: "dev", projectDir: dir });
        assert.equal(result.exitCode, 0, result.stderr);
        assert.equal(result.report.deployment.parametersChecked, true);
        assert.ok(!result.report.deployment.parameters.some((parameter) => parameter.name === "PfxPassword"));
    });

    describe("a secondary region (identityStack)", () => {
        const PROD_YAML = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
        const secondRegion = PROD_YAML.replace("regionCode: weu", "regionCode: neu").replace(/teamsconn\.sundhed\.example/g, "teamsconn-neu.sundhed.example");

        it("warns, naming identityStack, when a second production stack would own the Teams application and bot too", async () => {
            const dir = tempProject({ "Pulumi.prod.yaml": PROD_YAML, "Pulumi.neu.yaml": secondRegion });
            const result = await planned({ stack: "neu", projectDir: dir });
            assert.equal(result.exitCode, 0, result.stderr);
            const warnings = result.report.warnings.filter((warning) => warning.includes("identityStack"));
            assert.deepEqual(warnings, [
                "stack neu sets no identityStack, so it creates its own Teams application and bot (vdxtc-teams-bot, a global name in Azure), as production stack prod does too: " +
                    "a second application and bot for one tenant. If prod owns them, set identityStack: pulumi config set identityStack organization/vdx-teams-connector/prod",
            ]);
        });

        it("does not warn for the only owner, a region that names identityStack, or a dev stack", async () => {
            const withIdentity = `${secondRegion.trimEnd()}\n  vdx-teams-connector:identityStack: organization/vdx-teams-connector/prod\n`;
            const dir = tempProject({ "Pulumi.prod.yaml": PROD_YAML, "Pulumi.neu.yaml": withIdentity, "Pulumi.dev.yaml": DEV_YAML });
            for (const stack of ["prod", "neu", "dev"]) {
                const result = await planned({ stack, projectDir: dir });
                assert.deepEqual(result.report.warnings.filter((warning) => warning.includes("identityStack")), [], stack);
            }
        });

        it("plans without the owning stack: a marked stand-in for its application ID, consent left to the owner", async () => {
            const yaml = fs
                .readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
                .replace("regionCode: weu", "regionCode: neu")
                .replace("azure-native:location: westeurope", "azure-native:location: northeurope")
                .replace(/teamsconn\.sundhed\.example/g, "teamsconn-neu.sundhed.example");
            const dir = tempProject({ "Pulumi.prod-neu.yaml": `${yaml.trimEnd()}\n  vdx-teams-connector:identityStack: organization/vdx-teams-connector/prod\n` });
            const out = path.join(tempDir("plan-out-"), "neu");
            const result = await planned({ stack: "prod-neu", projectDir: dir, outDir: out });
            assert.equal(result.exitCode, 0, result.stderr);
            assert.ok(!result.report.resources.some((resource) => resource.type.startsWith("azuread:")), "no tenant-wide pieces");
            assert.match(result.report.nextSteps[0].text, /belong to organization\/vdx-teams-connector\/prod/);
            assert.ok(result.report.standIns.includes("teamsApplicationId"));
            const script = fs.readFileSync(path.join(out, HAND_OVER_FILES.lobbyBypass), "utf8");
            assert.match(script, /-AadApplicationIds \$ApplicationId$/m);
            assert.ok(!script.includes("<teamsApplicationId of"), "the stand-in is not in the script");
        });
    });

    describe("command line", () => {
        it("parses the flags of the issue, in both forms", () => {
            assert.deepEqual(parseArguments(["--stack", "dev", "--json", "--as-of=2026-01-02", "--out", "plan-out"]).options, {
                stack: "dev",
                format: "json",
                asOf: "2026-01-02",
                outDir: "plan-out",
            });
            assert.equal(parseArguments(["--stack=prod", "--markdown"]).options?.format, "markdown");
            assert.equal(parseArguments(["--stack", "dev"]).options?.format, "text");
        });

        const refused = (argv: string[], key: string) =>
            assert.throws(() => parseArguments(argv), (error: unknown) => error instanceof UserError && error.key === key, argv.join(" "));

        it("refuses unknown flags, missing values and --json with --markdown", () => {
            refused(["--stack"], "--stack");
            refused(["--json"], "--stack");
            refused(["--stack", "dev", "--verbose"], "--verbose");
            refused(["--stack", "dev", "--json", "--markdown"], "--json");
            refused(["--stack", "--json"], "--stack");
        });

        it("refuses a repeated flag, naming it: --stack dev --stack prod plans neither", async () => {
            refused(["--stack", "dev", "--stack", "prod"], "--stack");
            refused(["--stack=dev", "--stack", "prod"], "--stack");
            refused(["--stack", "dev", "--out", "a", "--out=b"], "--out");
            refused(["--stack", "dev", "--json", "--json"], "--json");
            const text = await runMain(["--stack", "dev", "--stack", "prod"]);
            assert.equal(text.code, 2);
            assert.equal(text.stdout, "");
            assert.match(text.stderr, /^error: --stack is given more than once: give each flag once; usage: npm run --silent plan -- --stack <name> [^\n]*\n$/);
            const json = await runMain(["--json", "--stack", "dev", "--stack", "prod"]);
            assert.equal(json.code, 2);
            assert.equal(JSON.parse(json.stdout).error.key, "--stack");
        });

        it("--help lists every flag with its meaning, the exit codes and two examples, and exits 0", async () => {
            const help = await runMain(["--stack", "dev", "--help"]);
            assert.equal(help.code, 0);
            assert.equal(help.stderr, "");
            assert.equal(help.stdout, planHelp());
            const lines = help.stdout.split("\n");
            for (const flag of PLAN_FLAGS) {
                assert.ok(lines.some((line) => line.startsWith("  ") && line.includes(flag.name) && line.endsWith(flag.meaning)), flag.name);
            }
            for (const code of [0, 1, 2, 3]) assert.ok(lines.some((line) => line.startsWith(`  ${code}  `)), `exit code ${code}`);
            assert.equal(lines.filter((line) => /^ {2}npm run --silent plan -- --stack \w+/.test(line)).length, 2);
            assert.equal((await runMain(["-h"])).stdout, help.stdout);
            // One source: the usage line of a usage error is the help's.
            const usage = lines.find((line) => line.startsWith("usage: "));
            assert.match(usage ?? "", /--stack <name> \[--json \| --markdown\] \[--as-of YYYY-MM-DD\] \[--out DIR\] \[--policy-config FILE\]/);
            assert.throws(() => parseArguments(["--verbose"]), (error: Error) => error.message === `unknown argument --verbose; ${usage}`);
        });

        it("docs/plan.md documents every flag", () => {
            const docs = fs.readFileSync(path.join(ROOT, "docs", "plan.md"), "utf8");
            for (const flag of PLAN_FLAGS) assert.match(docs, new RegExp(`^\\| \`${flag.name}[ \`]`, "m"), flag.name);
        });

        it("exit 0: --json prints exactly one JSON document and nothing on stderr", () => {
            const child = cli(["--stack", "dev", "--json"]);
            assert.equal(child.status, 0, child.stderr);
            const document = JSON.parse(child.stdout);
            assert.deepEqual(Object.keys(document), JSON_KEYS);
            assert.equal(child.stderr, "");
        });

        it("exit 1: a mandatory violation, with the Markdown report still on stdout", () => {
            const config = policyConfig({ [VERSION_POLICY]: { currentVersion: "38.0" } });
            const child = cli(["--stack", "dev", "--markdown", "--policy-config", config]);
            assert.equal(child.status, 1, child.stderr);
            assert.match(child.stdout, /^## Offline plan: `vdx-teams-connector` \/ `dev`/);
            assert.match(child.stdout, /```mermaid\nflowchart TB\n/);
            assert.match(child.stderr, /^error: 1 mandatory policy violation\(s\): teams-connector-matches-vdx-version$/m);
        });

        it("exit 2: an unknown stack is one line on stderr, no stack trace", () => {
            const child = cli(["--stack", "nope"]);
            assert.equal(child.status, 2);
            assert.equal(child.stdout, "");
            assert.match(child.stderr, /^error: unknown stack "nope": no Pulumi\.nope\.yaml \(stacks here: [^)]*\)\n$/);
        });
    });

    describe("the benchmark's command line (scripts/bench-plan.ts)", () => {
        const bench = (args: string[]) =>
            spawnSync(process.execPath, ["-r", TS_NODE, path.join(ROOT, "scripts", "bench-plan.ts"), ...args], { cwd: ROOT, encoding: "utf8", timeout: 60000 });

        it("--help prints its own help and exits 0 without measuring anything", function () {
            this.timeout(90000);
            const child = bench(["--help"]);
            assert.equal(child.status, 0, `status ${child.status}, signal ${child.signal}: ${child.stderr}`);
            assert.equal(child.stdout, BENCH_HELP);
            assert.equal(child.stderr, "", "no progress: nothing ran");
            assert.match(BENCH_HELP, /^ {2}--runs N +runs of each measurement, a whole number 1–50; default 5$/m);
        });

        it("--runs N sets the runs: a whole number 1–50, else exit 2 with one line", function () {
            this.timeout(90000);
            assert.deepEqual(parseBenchArguments([]), { runs: RUNS.default });
            assert.deepEqual(parseBenchArguments(["--runs", "3"]), { runs: 3 });
            assert.deepEqual(parseBenchArguments(["--runs=50"]), { runs: 50 });
            for (const argv of [["--runs", "0"], ["--runs", "51"], ["--runs", "2.5"], ["--runs", "abc"], ["--runs"], ["--runs", "1", "--runs", "2"], ["--run", "3"]]) {
                assert.throws(() => parseBenchArguments(argv), UserError, argv.join(" "));
            }
            const child = bench(["--runs", "0"]);
            assert.equal(child.status, 2, child.stderr);
            assert.equal(child.stdout, "");
            assert.equal(child.stderr, 'error: --runs must be a whole number 1–50, got "0"; usage: npm run bench [-- --runs N]\n');
        });
    });
});
