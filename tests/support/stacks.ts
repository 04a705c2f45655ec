import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { replaceSecrets } from "../../cli/plan/mockCloud";
import { ProgramRun, RegisteredResource, RunOptions, runProgram } from "../../cli/plan/mockRuntime";
import { withConfigChanges } from "../../cli/stackConfig";
import { loadStackConfig } from "../../lib/config/stackFiles";
import { REDACTED } from "../../lib/config/secret";
import program = require("../../index");

/** The repository root, where the stack files live. */
export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The owning stack's outputs, as a secondary region's StackReference sees them. */
export const IDENTITY_STACK_OUTPUTS = {
    teamsApplicationId: "11111111-2222-4333-8444-555555555555",
    teamsAppSecret: "owner-stack-app-secret",
};

/** How a test runs a stack besides its configuration. */
export interface RunStackOptions {
    /** The Entra tenant the mock deployer is signed in to (default: the stack's Teams tenant). */
    readonly entraTenantId?: string;
    /** A pexip-versions.yaml for the run, instead of the repository's (`catalogueYaml`). */
    readonly catalogue?: string;
    /** Project keys set as secrets, as `pulumi config set --secret` does. */
    readonly secrets?: Readonly<Record<string, string>>;
    /**
     * Other stacks' files (`Pulumi.<name>.yaml`: text) beside this stack's in the program's
     * working directory, a copy of the project's; without it the program runs in the repository.
     */
    readonly siblingStacks?: Readonly<Record<string, string>>;
}

/**
 * Runs index.ts under the mock runtime with a stack file's configuration, changed by
 * `changes` (project keys without namespace; `undefined` removes a key).
 */
export function runStack(stack: string, changes: Record<string, unknown> = {}, options: RunStackOptions = {}): Promise<ProgramRun> {
    return runWith(stack, changes, program, options);
}

/** Name endings of a region's static resources: what must survive every redeploy. */
export const STATIC_SUFFIXES = ["-static-rg", "-pip", "-certificate-kv", "-certificate-tls", "-windows-admin-password", "-teams-app-secret", "-eventhub-ns", "-eventhub-hub", "-eventhub-policy"];

/** The repository's 37.1 entry, for catalogues that add or change versions. */
export const REPOSITORY_VERSION = {
    version: "37.1",
    sha256: "9f2c6b1e7d4a3c5b8e0f1a2d3c4b5a6978e6d5c4b3a29180f7e6d5c4b3a29180",
    url: "https://vdxartifacts.blob.core.windows.net/pexip/pexip_teams_connector_v37.1.zip",
};

/** A pexip-versions.yaml listing these versions. */
export function catalogueYaml(versions: ReadonlyArray<Record<string, string>>): string {
    return stringify({ versions });
}

/**
 * Runs a stack whose program is expected to fail, and returns the error together with what
 * was registered before it: a refused configuration must register nothing.
 */
export async function runFailingStack(
    stack: string,
    changes: Record<string, unknown>,
    options: RunStackOptions = {},
): Promise<{ error: Error; resources: RegisteredResource[] }> {
    let error: Error | undefined;
    const run = await runWith(stack, changes, async () => {
        try {
            return await program();
        } catch (caught) {
            error = caught as Error;
            return {};
        }
    }, options);
    if (error === undefined) throw new Error(`stack ${stack} was expected to fail and did not`);
    return { error, resources: run.resources };
}

async function runWith(stack: string, changes: Record<string, unknown>, entry: RunOptions["program"], options: RunStackOptions): Promise<ProgramRun> {
    const changed = withConfigChanges(loadStackConfig(PROJECT_DIR, stack), { ...changes, ...options.secrets });
    const secretKeys = Object.keys(options.secrets ?? {}).map((key) => `${changed.project}:${key}`);
    const loaded = { ...changed, secretKeys: [...changed.secretKeys, ...secretKeys] };
    const run = () =>
        runProgram({
            project: loaded.project,
            stack,
            config: loaded.config,
            secretKeys: loaded.secretKeys,
            stackOutputs: { "organization/vdx-teams-connector/prod": IDENTITY_STACK_OUTPUTS },
            entraTenantId: options.entraTenantId,
            program: entry,
        });
    if (options.catalogue === undefined && options.siblingStacks === undefined) return run();
    // The program reads pexip-versions.yaml and the stack files from its working directory, as `pulumi` runs it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalogue-"));
    const cwd = process.cwd();
    const project = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
    const files: Record<string, string> = {
        "pexip-versions.yaml": options.catalogue ?? project("pexip-versions.yaml"),
        ...(options.siblingStacks === undefined ? {} : { "Pulumi.yaml": project("Pulumi.yaml"), [`Pulumi.${stack}.yaml`]: project(`Pulumi.${stack}.yaml`), ...options.siblingStacks }),
    };
    try {
        for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
        process.chdir(dir);
        return await run();
    } finally {
        process.chdir(cwd);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Resources of one type. */
export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

/** The single resource of a type; fails when there are none or several. */
export function single(run: ProgramRun, type: string): RegisteredResource {
    const found = ofType(run, type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0];
}

/**
 * A value with Pulumi's secret markers removed. azure-native turns a whole nested input
 * into one secret when anything inside it is secret (the scale set's profile holds the
 * admin password), so tests that look inside such inputs read through the marker.
 */
export function unwrapSecrets(value: unknown): any {
    return replaceSecrets(value, unwrapSecrets);
}

/** A value with every secret replaced by "[secret]": what may be shown in plain text. */
export function redactSecrets(value: unknown): unknown {
    return replaceSecrets(value, () => REDACTED);
}
