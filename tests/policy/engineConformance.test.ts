import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import { analyzePolicies, PolicyEngineResource, reconcilePolicyConfig, ReconciledPolicyConfig } from "../../cli/plan/policyEngine";
import { POLICIES } from "../../policy/policies";
import {
    certificateSecret,
    compliantStack,
    eventHubNamespace,
    keyVault,
    named,
    pexipDeployment,
    publicIp,
    resource,
    scalingCommand,
    testConfig,
    UNKNOWN_STRING,
    withSources,
} from "./fixtures";

/**
 * The pack inside @pulumi/policy's real analyzer, as `pulumi preview --policy-pack policy` runs
 * it: a child process started through @pulumi/pulumi's run-policy-pack (which type-checks
 * policy/index.ts with ts-node), configured and queried over gRPC the way the engine does.
 * Its diagnostics must equal cli/plan/policyEngine's, resource by resource.
 */

// The analyzer's gRPC and protobuf modules, resolved where @pulumi/pulumi finds them.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-explicit-any */
const grpc = fromPulumi("@grpc/grpc-js") as any;
const services = fromPulumi("@pulumi/pulumi/proto/analyzer_grpc_pb") as any;
const messages = fromPulumi("@pulumi/pulumi/proto/analyzer_pb") as any;
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb") as any;

const LEVELS: Record<string, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };
const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([name, value]) => [value, name]));

/** A config with an announced upgrade, so the advisory notice shows too. */
const CONFIG = testConfig({
    "teams-connector-matches-vdx-version": { currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-03-16" }] },
});

/** Passing and failing resources of every policy, advisories reported by mandatory policies, and unknown values. */
function resources(): PolicyEngineResource[] {
    return [
        ...compliantStack(),
        named(scalingCommand(), "another-scale"),
        // Every deployment fact wrong at once.
        named(
            withSources(
                { rdp: ["0.0.0.0/1", "128.0.0.0/1", "10.0.0.0/8"], pexip: [] },
                {
                    VDX_PEXIP_VERSION: "38.1",
                    VDX_VM_SIZE: "Standard_B2s",
                    VDX_PORTS_PER_INSTANCE: "20",
                    VDX_LOCATION: "eastus",
                    VDX_CERTIFICATE_SUBJECT: "*.vdx.example",
                    VDX_CERTIFICATE_SANS: "a.vdx.example,…",
                    VDX_CERTIFICATE_SOURCE: "selfSigned",
                    VDX_CERTIFICATE_NOT_AFTER: "2025-01-01T00:00:00Z",
                },
            ),
            "bad",
        ),
        named(pexipDeployment({ VDX_INSTANCE_COUNT: "1", VDX_CERTIFICATE_NOT_AFTER: "2026-03-20T00:00:00Z" }), "undersized"),
        // Dev: HTTPS findings are advisories.
        named(withSources({ pexip: ["Internet", "vdx-nodes", "192.0.2.10/32", "192.0.2.0/28"] }, { VDX_ENVIRONMENT: "dev" }), "dev-open"),
        named(pexipDeployment({ VDX_CONCURRENT_PORTS: undefined, VDX_RDP_SOURCES: "everyone", VDX_PEXIP_SOURCES: undefined, VDX_CERTIFICATE_NOT_AFTER: "soon" }), "unreadable"),
        named(pexipDeployment({ VDX_PEXIP_VERSION: UNKNOWN_STRING, VDX_RDP_SOURCES: UNKNOWN_STRING }), "unknown"),
        named(certificateSecret({ "certificate-subject": "*.vdx.example", "certificate-sans": "a.vdx.example,…", "certificate-source": "selfSigned", "certificate-not-after": "2026-03-20T00:00:00Z" }), "bad-secret"),
        named(certificateSecret({ "certificate-subject": undefined, "certificate-sans": undefined, "certificate-not-after": "2025-01-01T00:00:00Z" }), "expired-secret"),
        named(keyVault({ enablePurgeProtection: undefined, enableRbacAuthorization: false }), "weak-kv"),
        named(publicIp({ publicIPAllocationMethod: "Dynamic", sku: { name: "Basic" }, location: "eastus", tags: undefined }), "bad-pip"),
        named(eventHubNamespace({ minimumTlsVersion: "1.0", location: "global" }), "bad-ehn"),
        resource("azure-native:resources:ResourceGroup", "staging", { location: "norwayeast", tags: { environment: "staging" } }),
    ];
}

interface Reported {
    policy: string;
    enforcement: string;
    message: string;
}

describe("policy pack in @pulumi/policy's real analyzer", function () {
    let child: ChildProcess | undefined;
    let client: any;

    before(async function () {
        this.timeout(90_000);
        const runPolicyPack = fromPulumi.resolve("@pulumi/pulumi/cmd/run-policy-pack");
        // Arguments as the CLI's analyzer shim passes them: the engine's address, then the pack.
        child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
            cwd: path.join(__dirname, "..", "..", "policy"),
            stdio: ["ignore", "pipe", "pipe"],
        });
        const port = await new Promise<string>((resolve, reject) => {
            let stderr = "";
            child!.stderr!.on("data", (chunk) => (stderr += chunk));
            child!.stdout!.once("data", (chunk) => resolve(String(chunk).trim()));
            child!.once("exit", (code) => reject(new Error(`the pack exited with ${code}:\n${stderr}`)));
        });
        assert.match(port, /^\d+$/);
        client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        await configure(reconcilePolicyConfig(POLICIES, CONFIG));
    });

    after(() => {
        client?.close();
        if (child !== undefined && child.exitCode === null) child.kill();
    });

    /** Configures the analyzer as the engine does: every policy's reconciled level and properties. */
    function configure(configs: ReadonlyMap<string, ReconciledPolicyConfig>): Promise<void> {
        const request = new messages.ConfigureAnalyzerRequest();
        for (const [name, config] of configs) {
            const policyConfig = new messages.PolicyConfig();
            policyConfig.setEnforcementlevel(LEVELS[config.enforcementLevel]);
            policyConfig.setProperties(Struct.fromJavaScript(config.properties));
            request.getPolicyconfigMap().set(name, policyConfig);
        }
        return new Promise<void>((resolve, reject) => client.configure(request, (error: Error | null) => (error ? reject(error) : resolve())));
    }

    /** What the real analyzer reports for one resource. */
    function analyze(target: PolicyEngineResource): Promise<{ violations: Reported[]; notApplicable: string[] }> {
        const request = new messages.AnalyzeRequest();
        request.setType(target.type);
        request.setName(target.name);
        request.setUrn(target.urn);
        request.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(target.inputs))));
        request.setOptions(new messages.AnalyzerResourceOptions());
        return new Promise((resolve, reject) =>
            client.analyze(request, (error: Error | null, response: any) => {
                if (error) return reject(error);
                resolve({
                    violations: response.getDiagnosticsList().map((entry: any) => ({
                        policy: entry.getPolicyname(),
                        enforcement: LEVEL_NAMES[entry.getEnforcementlevel()],
                        message: entry.getMessage(),
                    })),
                    notApplicable: response.getNotApplicableList().map((entry: any) => `${entry.getPolicyName()}: ${entry.getReason()}`),
                });
            }),
        );
    }

    it("reports exactly what cli/plan/policyEngine reports, resource by resource", async () => {
        const all = resources();
        const expected = await analyzePolicies(POLICIES, all, CONFIG);
        let violations = 0;
        for (const target of all) {
            const actual = await analyze(target);
            const ours = {
                violations: expected.violations.filter((entry) => entry.urn === target.urn).map(({ policy, enforcement, message }) => ({ policy, enforcement, message })),
                notApplicable: expected.notApplicable.filter((entry) => entry.urn === target.urn).map((entry) => `${entry.policy}: ${entry.reason}`),
            };
            assert.deepEqual(actual, ours, target.urn);
            violations += actual.violations.length;
        }
        // The set exercises every policy, advisories from mandatory policies, the unknown values and the scaling command.
        const policies = new Set(expected.violations.map((entry) => entry.policy));
        assert.deepEqual([...POLICIES.map((policy) => policy.name)].filter((name) => !policies.has(name)), []);
        const unknown = expected.violations.filter((entry) => entry.message.startsWith("can't run policy")).map((entry) => entry.policy);
        assert.deepEqual(unknown, ["teams-connector-matches-vdx-version", "rdp-not-open"]);
        const advisories = new Set(expected.violations.filter((entry) => entry.enforcement === "advisory" && !entry.message.startsWith("can't")).map((entry) => entry.policy));
        for (const policy of ["teams-connector-matches-vdx-version", "rdp-not-open", "https-sources-restricted"]) assert.ok(advisories.has(policy), policy);
        const scaling = all.filter((target) => target.type === "command:local:Command" && target.inputs?.update === "scale").map((target) => target.urn);
        assert.equal(scaling.length, 2);
        assert.ok(expected.violations.every((entry) => !scaling.includes(entry.urn as string)));
        assert.ok(expected.notApplicable.some((entry) => entry.reason === "Not the Pexip deployment" && scaling.includes(entry.urn as string)));
        assert.equal(violations, expected.violations.length);
    });

    // The engine passes a property the schema does not declare on to the pack (it never receives
    // `additionalProperties`), so every policy refuses it itself, failing the preview.
    it("fails the analysis when a policy's configuration holds a setting it does not declare", async () => {
        const resources = compliantStack();
        try {
            for (const policy of POLICIES) {
                const configs = reconcilePolicyConfig(POLICIES, CONFIG);
                configs.get(policy.name)!.properties.settingTypo = 1;
                await configure(configs);
                const outcomes = await Promise.allSettled(resources.map(analyze));
                const refusals = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [String(outcome.reason)] : []));
                assert.ok(refusals.length > 0, `${policy.name} accepted settingTypo`);
                for (const refusal of refusals) assert.match(refusal, new RegExp(`${policy.name}: settingTypo is not a setting of this policy( \\(known: [\\w, ]+\\))?`), policy.name);
            }
        } finally {
            await configure(reconcilePolicyConfig(POLICIES, CONFIG));
        }
    });
});
