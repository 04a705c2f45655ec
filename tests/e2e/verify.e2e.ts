import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { automationOutputs, DEFAULT_ENVIRONMENT, INFINITY_PASSWORD_VARIABLE, INFINITY_USER_VARIABLE, verify, VerifyEnvironment } from "../../cli/verify/verify";
import { startWorld, testCredential, World } from "../support/verifyFakes";
import { engineBuilt, Workspace } from "./support/workspace";

/**
 * `npm run verify` after the real engine's `pulumi up` of dev: the stack's outputs come from the
 * real state through the Automation API, or, as the workflows read them, from
 * `pulumi stack output --json` without the passphrase; the checks run against
 * loopback fakes that serve what the stack deployed: DNS, the stack's own self-signed
 * certificate, ARM and Infinity.
 */

const POLICY = ["--policy-pack", "policy", "--policy-pack-config", "policy/config.json"];
const PASSWORD = "Recognisable-Infinity-Pa55word";

/** A deployed resource's output from `pulumi stack export --show-secrets` (a secret's plaintext unwrapped). */
function exportedOutput(exported: { deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] } }, type: string, name: string): string {
    const value = exported.deployment.resources.find((resource) => resource.type === type)?.outputs?.[name];
    if (typeof value === "string") return value;
    const plaintext = (value as { plaintext?: string } | undefined)?.plaintext;
    assert.ok(plaintext !== undefined, `${type} has no ${name}`);
    return JSON.parse(plaintext) as string;
}

describe("verify after pulumi up of dev, through the Automation API (real engine)", function () {
    let workspace: Workspace;
    let world: World;
    let certificatePem = "";
    /** The workspace's environment for `pulumi` (the Automation API starts the CLI from process.env). */
    let pulumiEnv: NodeJS.ProcessEnv = {};

    /** Runs `fn` with process.env as `pulumi` needs it here (the Automation API starts the CLI from it). */
    async function inWorkspaceEnv<T>(fn: () => Promise<T>): Promise<T> {
        const saved = { ...process.env };
        for (const name of Object.keys(process.env)) delete process.env[name];
        Object.assign(process.env, pulumiEnv);
        try {
            return await fn();
        } finally {
            for (const name of Object.keys(process.env)) delete process.env[name];
            Object.assign(process.env, saved);
        }
    }

    const environment = (): VerifyEnvironment => ({
        ...DEFAULT_ENVIRONMENT,
        env: { [INFINITY_USER_VARIABLE]: "reader", [INFINITY_PASSWORD_VARIABLE]: PASSWORD },
        projectDir: workspace.dir,
        credential: () => testCredential,
        pollMs: 50,
    });
    const run = () => inWorkspaceEnv(() => verify(["--stack", "dev", ...world.argv], environment()));

    before(async function () {
        if (!engineBuilt()) {
            if (process.env.E2E_REQUIRED === "1") throw new Error("the Pulumi engine is not built where `npm run engine:build` put it (E2E_REQUIRED=1)");
            console.log("    skipped: the Pulumi engine is not built; run `npm run engine:build` (needs Go) first");
            this.skip();
        }
        workspace = Workspace.create();
        await workspace.initStack("dev");
        await workspace.ok(["up", "--stack", "dev", "--yes", "--skip-preview", ...POLICY]);
        // The test, not verify, reads the deployed key: the TLS fake serves what dev deployed.
        const exported = JSON.parse((await workspace.ok(["stack", "export", "--stack", "dev", "--show-secrets"])).stdout);
        certificatePem = exportedOutput(exported, "tls:index/selfSignedCert:SelfSignedCert", "certPem");
        const keyPem = exportedOutput(exported, "tls:index/privateKey:PrivateKey", "privateKeyPem");
        pulumiEnv = workspace.environment();
        const outputs = await inWorkspaceEnv(() => automationOutputs("dev", workspace.dir));
        // dev's certificate is self-signed: it is its own root.
        world = await startWorld(outputs, { certificates: [certificatePem], keyPem }, { user: "reader", password: PASSWORD }, certificatePem);
    });
    after(async () => {
        await world?.close();
        workspace?.dispose();
    });

    it("reads the real outputs through the Automation API, secrets blinded, and passes every check", async () => {
        const outputs = await inWorkspaceEnv(() => automationOutputs("dev", workspace.dir));
        assert.ok(outputs.pexipVersion !== undefined && outputs.scaleSetName !== undefined && outputs.subscriptionId !== undefined, JSON.stringify(Object.keys(outputs)));
        assert.ok(Object.values(outputs).includes("[secret]"), "dev has secret outputs, and they stay blinded");
        const result = await run();
        assert.equal(result.exitCode, 0, result.stdout + result.stderr);
        assert.deepEqual(result.stdout.trim().split("\n").slice(1).map((line) => line.trim().split(/\s+/).slice(0, 2).join(" ")), ["dns pass", "tls pass", "azure pass", "infinity pass", "version pass"]);
        assert.ok(!result.stdout.includes(PASSWORD));
    });

    it("as the workflows read them: pulumi stack output --json without the passphrase, into --outputs", async () => {
        workspace.setEnv("PULUMI_CONFIG_PASSPHRASE", undefined);
        try {
            const printed = await workspace.ok(["stack", "output", "--json", "--stack", "dev"]);
            const result = await verify(["--stack", "dev", "--outputs", "-", ...world.argv], { ...environment(), stdin: async () => printed.stdout, stackOutputs: async () => assert.fail("the Automation API was asked") });
            assert.equal(result.exitCode, 0, result.stdout + result.stderr);
        } finally {
            workspace.setEnv("PULUMI_CONFIG_PASSPHRASE", pulumiEnv.PULUMI_CONFIG_PASSPHRASE);
        }
    });

    it("npm run verify -- --stack dev, the command line as a user runs it, prints each check with its verdict", async () => {
        // Azure skipped: the command line signs in with DefaultAzureCredential, which would ask the real Azure.
        const argv = ["run", "--silent", "verify", "--", "--stack", "dev", ...world.argv, "--skip", "azure"];
        const child = spawn("npm", argv, { cwd: workspace.dir, env: { ...pulumiEnv, [INFINITY_USER_VARIABLE]: "reader", [INFINITY_PASSWORD_VARIABLE]: PASSWORD } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
        assert.equal(code, 0, stdout + stderr);
        const lines = stdout.trim().split("\n");
        assert.match(lines[0], /^verify dev \(.+\): pass$/);
        assert.deepEqual(lines.slice(1).map((line) => line.trim().split(/\s+/).slice(0, 2).join(" ")), ["dns pass", "tls pass", "azure skipped", "infinity pass", "version pass"]);
        assert.match(stdout, /azure +skipped +\(--skip azure given\)/);
        assert.ok(!(stdout + stderr).includes(PASSWORD));
    });

    it("fails with the right check when one fake is unhealthy", async () => {
        world.armState.scaleSet = { provisioningState: "Failed", capacity: world.armState.instances.length };
        const azure = await run();
        world.armState.scaleSet = { provisioningState: "Succeeded", capacity: world.armState.instances.length };
        assert.equal(azure.exitCode, 1);
        assert.equal(azure.stderr, "error: verify failed: azure\n");
        assert.match(azure.stdout, /azure +fail .*the scale set is Failed, not Succeeded/);

        const [fqdn] = [...world.zone.keys()];
        world.zone.set(fqdn, { a: ["192.0.2.99"] });
        const dns = await run();
        assert.equal(dns.exitCode, 1);
        assert.equal(dns.stderr, "error: verify failed: dns\n");
        assert.match(dns.stdout, /dns +fail +A 192\.0\.2\.99 \(expected CNAME /);
    });
});
