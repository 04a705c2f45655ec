import * as assert from "node:assert/strict";
import { createHash } from "crypto";
import { MOCK_CLOUD } from "../../cli/mockCloud";
import { byJson, engineFindings, engineResources, engineUrns, engineViolations, mockUrn, planOf, planResources, planViolations, resourceOf, ViolationRow } from "./support/compare";
import { EngineEvent, engineBuilt, runReport, StandInCall, Workspace } from "./support/workspace";
import wildcardProgram = require("./fixtures/wildcard-slips-past");

/**
 * The program, its stack files and the policy pack under the real Pulumi engine: the CLI and the
 * Node.js language host built by `npm run engine:build`, a file:// backend, passphrase secrets,
 * the real analyzer, and stand-in provider plugins in place of Azure (tests/e2e/plugins).
 * Each scenario works in its own copy of the project; see tests/e2e/README.md.
 */

const POLICY = ["--policy-pack", "policy", "--policy-pack-config", "policy/config.json"];
const PREVIEW = (stack: string) => ["preview", "--stack", stack, ...POLICY];
const UP = (stack: string) => ["up", "--stack", stack, "--yes", "--skip-preview", ...POLICY];

/** Types that exist once per tenant: only the owning stack creates them. */
const TENANT_WIDE_TYPES = ["azuread:index/application:Application", "azure-native:botservice:Bot"];

/** The changes an update made, by kind (`same`, `create`, `update`, ...). */
function changes(events: readonly EngineEvent[]): Record<string, number> {
    const summary = events.find((event) => event.summaryEvent !== undefined)?.summaryEvent;
    assert.ok(summary, "the engine streamed no summary event");
    return summary.resourceChanges;
}

/** The resources (`type::name`) of one method's calls. */
function calls(log: readonly StandInCall[], method: string): string[] {
    return log
        .filter((call) => call.method === method)
        .map((call) => resourceOf(call.urn) ?? "")
        .sort();
}

/** How the stand-ins log a secret: the SHA-256 of its JSON. */
const sha256Json = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** The default azure-native provider's resource, named after the SDK's version. */
const AZURE_NATIVE_PROVIDER = `pulumi:providers:azure-native::default_${(require("@pulumi/azure-native/package.json") as { version: string }).version.replace(/\./g, "_")}`;

/** The URN's name segment. */
const nameOf = (urn: string) => urn.split("::").pop()!;

/** A copy of stack `from`'s file as stack `to`, created with passphrase secrets. */
async function deriveStack(workspace: Workspace, from: string, to: string): Promise<void> {
    workspace.write(`Pulumi.${to}.yaml`, workspace.read(`Pulumi.${from}.yaml`));
    await workspace.initStack(to);
}

describe("the real Pulumi engine, end to end (npm run test:e2e)", function () {
    before(function () {
        if (!engineBuilt()) {
            console.log("    skipped: the Pulumi engine is not built; run `npm run engine:build` (needs Go) first");
            this.skip();
        }
    });

    describe("1. previews with the policy pack: the real engine plans what the offline plan plans", () => {
        let workspace: Workspace;
        before(() => (workspace = Workspace.create()));
        after(() => workspace?.dispose());

        it("dev: exit 0, and the resources (type, name, parent) equal the offline plan's", async () => {
            await workspace.initStack("dev");
            const { run, events } = await workspace.withEvents(PREVIEW("dev"));
            assert.equal(run.code, 0, runReport(run));
            const report = await planOf(workspace, "dev");
            assert.deepEqual(engineResources(events), planResources(report));
            // Known difference: the SDK's mock monitor names a nested resource's URN after its parent's
            // type only, the engine after every ancestor's; resources two components deep differ.
            const planUrns = report.resources.map((resource) => resource.urn).sort();
            assert.deepEqual(engineUrns(events).map(mockUrn).sort(), planUrns);
            assert.ok(engineUrns(events).some((urn) => mockUrn(urn) !== urn), "no resource is nested two components deep any more");
        });

        it("prod with an encrypted --secret value: exit 0, the secret decrypts, and the resources equal the offline plan's", async () => {
            await workspace.initStack("prod");
            await workspace.ok(["config", "set", "--secret", "adminPassword", "E2e-Admin-Password-1!", "--stack", "prod"]);
            assert.match(workspace.read("Pulumi.prod.yaml"), /adminPassword:\s*\n\s*secure: /);
            const { run, events } = await workspace.withEvents(PREVIEW("prod"));
            assert.equal(run.code, 0, runReport(run));
            assert.doesNotMatch(run.stdout + run.stderr, /E2e-Admin-Password-1!/);
            const report = await planOf(workspace, "prod");
            assert.deepEqual(engineResources(events), planResources(report));
            // With the password configured, the program generates none, and the decrypted value reaches
            // the provider as a secret (the stand-in logs only its hash).
            assert.ok(!engineResources(events).some(([type]) => type === "random:index/randomPassword:RandomPassword"));
            const checked = workspace.takeStandInCalls().find((call) => call.method === "Check" && nameOf(call.urn ?? "") === "vdxtcweu-windows-admin-password");
            assert.deepEqual((checked?.inputs?.properties as Record<string, unknown>).value, { secretSha256: sha256Json("E2e-Admin-Password-1!") });
        });

        it("prod: the real analyzer's findings equal the offline plan's", async () => {
            const { events } = await workspace.withEvents(PREVIEW("prod"));
            const report = await planOf(workspace, "prod");
            assert.deepEqual(engineViolations(events), planViolations(report));
        });

        it("dev: the real analyzer cannot run the certificate policies during preview, where the offline plan can (a known difference)", async () => {
            const { events } = await workspace.withEvents(PREVIEW("dev"));
            const report = await planOf(workspace, "dev");
            // The self-signed certificate exists only after `pulumi up`: in a real preview its facts,
            // and so the tags of the Key Vault secret and the scale set, are unknown. The mock cloud
            // makes the certificate at once, so the offline plan checks what the real preview cannot.
            const findings = engineFindings(events);
            const unknown = findings.filter(({ row, message }) => row[1] === "advisory" && /can't be known during preview/.test(message));
            assert.ok(unknown.length > 0, "expected the certificate policies to be unable to run during preview");
            for (const { row } of unknown) assert.match(row[2] ?? "", /::vdxdevweu-certificate-tls$|::vdxdevweu-scaleset-vmss$/);
            const known = findings.filter((finding) => !unknown.includes(finding)).map((finding) => finding.row);
            assert.deepEqual(known, planViolations(report));
        });
    });

    describe("2. each mandatory policy fails the real preview, with the offline plan's violations", () => {
        const cases: {
            policy: string;
            stack: string;
            configure: (workspace: Workspace, stack: string) => Promise<void>;
            wildcard?: boolean;
            /** What only the real analyzer finds. */
            extra?: ViolationRow[];
        }[] = [
            {
                policy: "teams-connector-matches-vdx-version",
                stack: "prod-drift",
                configure: (workspace, stack) => workspace.ok(["config", "set", "pexipVersion", "38.0", "--stack", stack]).then(() => undefined),
            },
            {
                policy: "rdp-not-open",
                stack: "prod-rdp",
                configure: (workspace, stack) => workspace.ok(["config", "set", "--path", "managementAddresses[0]", "0.0.0.0/0", "--stack", stack]).then(() => undefined),
            },
            {
                policy: "eu-data-residency",
                stack: "prod-useast",
                configure: (workspace, stack) => workspace.ok(["config", "set", "azure-native:location", "eastus", "--stack", stack]).then(() => undefined),
                // Known difference: the engine also hands the policy the default azure-native provider
                // resource, whose `location` input is the region; the mock runtime registers no providers.
                extra: [["eu-data-residency", "mandatory", AZURE_NATIVE_PROVIDER]],
            },
            {
                policy: "no-wildcard-certificate",
                stack: "prod-wildcard",
                wildcard: true,
                configure: async (workspace, stack) => {
                    await workspace.ok(["config", "set", "--path", "certificate.subject", "*.sundhed.example", "--stack", stack]);
                    await workspace.ok(["config", "set", "--path", "certificate.sans[0]", "*.sundhed.example", "--stack", stack]);
                },
            },
        ];

        for (const { policy, stack, configure, wildcard, extra } of cases) {
            it(`${policy}: the preview fails, and the violations equal the offline plan's`, async () => {
                const workspace = Workspace.create();
                try {
                    if (wildcard) {
                        // The program refuses a wildcard itself; this one slips past it (see the fixture).
                        // The entry sits at the project's root: the program's directory is the policy
                        // pack's working directory, where the pack reads its package.json.
                        workspace.write("wildcard-main.ts", 'export = require("./tests/e2e/fixtures/wildcard-slips-past");\n');
                        workspace.write("Pulumi.yaml", `${workspace.read("Pulumi.yaml")}main: wildcard-main.ts\n`);
                    }
                    await deriveStack(workspace, "prod", stack);
                    await configure(workspace, stack);
                    const { run, events } = await workspace.withEvents(PREVIEW(stack));
                    assert.notEqual(run.code, 0, `the preview should fail\n${runReport(run)}`);
                    const report = await planOf(workspace, stack, wildcard ? wildcardProgram : undefined);
                    const mandatory = engineViolations(events).filter(([, level]) => level === "mandatory");
                    assert.ok(mandatory.length > 0 && mandatory.every(([name]) => name === policy), `mandatory violations: ${JSON.stringify(mandatory)}\n${runReport(run)}`);
                    assert.deepEqual(engineViolations(events), [...planViolations(report), ...(extra ?? [])].sort(byJson));
                    // The same messages: the policy's description, a newline, what the policy reported.
                    const engineMessages = engineFindings(events)
                        .filter(({ row }) => !(extra ?? []).some((other) => JSON.stringify(other) === JSON.stringify(row)))
                        .map(({ row, message }) => JSON.stringify([...row, message.trimEnd()]));
                    const planMessages = report.policy.violations.map((violation) =>
                        JSON.stringify([violation.policy, violation.enforcement, resourceOf(violation.urn), violation.message.trimEnd()]),
                    );
                    assert.deepEqual(engineMessages.sort(), planMessages.sort());
                } finally {
                    workspace.dispose();
                }
            });
        }
    });

    describe("3. a secondary region reads the first region's Teams identity by StackReference", () => {
        let workspace: Workspace;
        before(async () => {
            workspace = Workspace.create();
            await workspace.initStack("prod");
            await workspace.ok(UP("prod"));
            await deriveStack(workspace, "prod", "prod-neu");
            const set = (path: string, value: string) => workspace.ok(["config", "set", "--path", path, value, "--stack", "prod-neu"]);
            await workspace.ok(["config", "set", "azure-native:location", "northeurope", "--stack", "prod-neu"]);
            await set("regionCode", "neu");
            await set("fqdn", "teamsconn-neu.sundhed.example");
            await set("certificate.subject", "teamsconn-neu.sundhed.example");
            await set("certificate.sans[0]", "teamsconn-neu.sundhed.example");
            await set("identityStack", "organization/vdx-teams-connector/prod");
            workspace.takeStandInCalls();
        });
        after(() => workspace?.dispose());

        it("plans no second application or bot, and the same resources as the offline plan", async () => {
            const { run, events } = await workspace.withEvents(PREVIEW("prod-neu"));
            assert.equal(run.code, 0, runReport(run));
            const resources = engineResources(events);
            assert.deepEqual(resources.filter(([type]) => TENANT_WIDE_TYPES.includes(type)), []);
            assert.ok(resources.some(([type]) => type === "pulumi:pulumi:StackReference"), "no StackReference was read");
            // Known difference: the engine reads the StackReference as a resource; the mock runtime
            // records only registrations, so the offline plan does not list it.
            const withoutReference = resources.filter(([type]) => type !== "pulumi:pulumi:StackReference");
            assert.deepEqual(withoutReference, planResources(await planOf(workspace, "prod-neu")));
        });

        it("resolves the application ID, and the client secret arrives still a secret", async () => {
            await workspace.ok(UP("prod-neu"));
            const first = JSON.parse((await workspace.ok(["stack", "output", "--json", "--stack", "prod"])).stdout);
            const second = JSON.parse((await workspace.ok(["stack", "output", "--json", "--stack", "prod-neu"])).stdout);
            assert.match(first.teamsApplicationId, /^[0-9a-f-]{36}$/);
            assert.equal(second.teamsApplicationId, first.teamsApplicationId);
            assert.match(second.lobbyBypassScript, new RegExp(first.teamsApplicationId));
            // The stand-in logs secrets only as hashes: a hash here means the engine sent it as a secret.
            const stored = workspace
                .takeStandInCalls()
                .find((call) => call.method === "Create" && nameOf(call.urn ?? "") === "vdxtcneu-teams-app-secret");
            assert.ok(stored, "the region's Key Vault secret for the Teams app was not created");
            assert.deepEqual((stored.inputs?.properties as Record<string, unknown>).value, { secretSha256: sha256Json(MOCK_CLOUD.appSecret) });
        });
    });

    describe("4. pulumi up, then pulumi up again", () => {
        it("prod: the second run changes nothing", async () => {
            const workspace = Workspace.create();
            try {
                await workspace.initStack("prod");
                const first = await workspace.withEvents(UP("prod"));
                assert.equal(first.run.code, 0, runReport(first.run));
                const created = calls(workspace.takeStandInCalls(), "Create");
                assert.equal(created.length, engineResources(first.events).filter(([type]) => !type.startsWith("vdx:")).length);
                const second = await workspace.withEvents(UP("prod"));
                assert.equal(second.run.code, 0, runReport(second.run));
                assert.deepEqual(Object.keys(changes(second.events)), ["same"]);
                const log = workspace.takeStandInCalls();
                assert.deepEqual([...calls(log, "Create"), ...calls(log, "Update"), ...calls(log, "Delete")], []);
            } finally {
                workspace.dispose();
            }
        });

        it("dev: the second run only rewrites the self-signed certificate's PFX (known defect: its encoding is random)", async () => {
            const workspace = Workspace.create();
            try {
                await workspace.initStack("dev");
                const first = await workspace.withEvents(UP("dev"));
                assert.equal(first.run.code, 0, runReport(first.run));
                // During the update the certificate exists, so the analyzer checks what the preview
                // could not, and finds what the offline plan finds.
                assert.deepEqual(engineViolations(first.events), planViolations(await planOf(workspace, "dev")));
                workspace.takeStandInCalls();
                const second = await workspace.withEvents(UP("dev"));
                assert.equal(second.run.code, 0, runReport(second.run));
                const log = workspace.takeStandInCalls();
                // lib/certificate.ts encodes the PFX with fresh random salts on every run, so the
                // Key Vault secret's value differs each time: Azure would store a new secret version
                // and roll the scale set on every deployment. When that is fixed, expect no change.
                assert.deepEqual(changes(second.events), { same: changes(second.events).same, update: 1 });
                assert.deepEqual(calls(log, "Update"), ["azure-native:keyvault:Secret::vdxdevweu-certificate-tls"]);
                assert.deepEqual(log.find((call) => call.method === "Diff" && call.changed?.length)?.changed, ["properties"]);
                assert.deepEqual([...calls(log, "Create"), ...calls(log, "Delete")], []);
            } finally {
                workspace.dispose();
            }
        });
    });

    describe("6. pulumi destroy", () => {
        it("prod: refused by the protected static resources, which stay", async () => {
            const workspace = Workspace.create();
            try {
                await workspace.initStack("prod");
                await workspace.ok(UP("prod"));
                workspace.takeStandInCalls();
                const destroy = await workspace.pulumi(["destroy", "--stack", "prod", "--yes", "--skip-preview"]);
                assert.notEqual(destroy.code, 0, `destroy should be refused\n${runReport(destroy)}`);
                assert.match(destroy.stdout + destroy.stderr, /protected/);
                const state = JSON.parse((await workspace.ok(["stack", "export", "--stack", "prod"])).stdout);
                const kept = state.deployment.resources.filter((resource: { protect?: boolean }) => resource.protect).map((resource: { urn: string }) => nameOf(resource.urn));
                assert.deepEqual(kept.sort(), ["vdxtcweu-certificate-kv", "vdxtcweu-pip", "vdxtcweu-static-rg"]);
                const deleted = calls(workspace.takeStandInCalls(), "Delete");
                for (const name of kept) assert.ok(!deleted.some((resource) => resource.endsWith(`::${name}`)), `${name} was deleted`);
            } finally {
                workspace.dispose();
            }
        });

        it("dev: removes everything it created", async () => {
            const workspace = Workspace.create();
            try {
                await workspace.initStack("dev");
                await workspace.ok(UP("dev"));
                const created = calls(workspace.takeStandInCalls(), "Create");
                await workspace.ok(["destroy", "--stack", "dev", "--yes", "--skip-preview"]);
                assert.deepEqual(calls(workspace.takeStandInCalls(), "Delete"), created);
                const state = JSON.parse((await workspace.ok(["stack", "export", "--stack", "dev"])).stdout);
                assert.deepEqual(state.deployment.resources ?? [], []);
            } finally {
                workspace.dispose();
            }
        });
    });
});
