import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "child_process";
import { createRequire } from "module";
import * as path from "path";
import { analyzePolicies, PolicyEngineResource, reconcilePolicyConfig } from "../../cli/policyEngine";
import { POLICIES } from "../../policy/policies";
import {
    certificateSecret,
    compliantStack,
    eventHubNamespace,
    keyVault,
    networkSecurityGroup,
    publicIp,
    resource,
    rule,
    scaleSet,
    securityRule,
    testConfig,
    UNKNOWN_STRING,
} from "./fixtures";

/**
 * The pack inside @pulumi/policy's real analyzer, as `pulumi preview --policy-pack policy` runs
 * it: a child process started through @pulumi/pulumi's run-policy-pack (which type-checks
 * policy/index.ts with ts-node), configured and queried over gRPC the way the engine does.
 * Its diagnostics must equal cli/policyEngine's, resource by resource.
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

/** Passing and failing resources of every policy, and an unknown value. */
function resources(): PolicyEngineResource[] {
    const named = (entry: PolicyEngineResource, name: string): PolicyEngineResource => ({ ...entry, name, urn: `${entry.urn}-${name}` });
    return [
        ...compliantStack(),
        named(scaleSet({ sku: { name: "Standard_B2s", capacity: 1 }, tags: { "pexip-version": "38.1", "ports-per-instance": "20" } }), "bad"),
        named(scaleSet({ tags: { "pexip-version": UNKNOWN_STRING } }), "unknown"),
        named(certificateSecret({ "certificate-subject": "*.vdx.example", "certificate-sans": "a.vdx.example,…", "certificate-source": "selfSigned", "certificate-not-after": "2026-03-20T00:00:00Z" }), "bad"),
        named(certificateSecret({ "certificate-subject": undefined, "certificate-sans": undefined, "certificate-not-after": "2025-01-01T00:00:00Z" }), "expired"),
        named(networkSecurityGroup([rule({ sourceAddressPrefix: "*", sourceAddressPrefixes: undefined, destinationPortRanges: ["443", "3389"], destinationPortRange: undefined })]), "open"),
        named(securityRule({ sourceAddressPrefixes: ["Internet"], destinationPortRange: "3000-4000" }), "open"),
        named(keyVault({ enablePurgeProtection: undefined, enableRbacAuthorization: false }), "weak"),
        named(publicIp({ publicIPAllocationMethod: "Dynamic", sku: { name: "Basic" }, location: "eastus", tags: undefined }), "bad"),
        named(eventHubNamespace({ minimumTlsVersion: "1.0", location: "global" }), "bad"),
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

        // Configure as the engine does: every policy's reconciled level and properties.
        const request = new messages.ConfigureAnalyzerRequest();
        for (const [name, config] of reconcilePolicyConfig(POLICIES, CONFIG)) {
            const policyConfig = new messages.PolicyConfig();
            policyConfig.setEnforcementlevel(LEVELS[config.enforcementLevel]);
            policyConfig.setProperties(Struct.fromJavaScript(config.properties));
            request.getPolicyconfigMap().set(name, policyConfig);
        }
        await new Promise<void>((resolve, reject) => client.configure(request, (error: Error | null) => (error ? reject(error) : resolve())));
    });

    after(() => {
        client?.close();
        if (child !== undefined && child.exitCode === null) child.kill();
    });

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

    it("reports exactly what cli/policyEngine reports, resource by resource", async () => {
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
        // The set exercises every policy, the advisory notice and the unknown value.
        const policies = new Set(expected.violations.map((entry) => entry.policy));
        assert.deepEqual([...POLICIES.map((policy) => policy.name)].filter((name) => !policies.has(name)), []);
        assert.ok(expected.violations.some((entry) => entry.message.startsWith("can't run policy")));
        assert.ok(expected.violations.some((entry) => entry.policy === "teams-connector-matches-vdx-version" && entry.enforcement === "advisory"));
        assert.equal(violations, expected.violations.length);
    });
});
