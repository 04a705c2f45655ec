import * as path from "path";
import { isSecretValue, ProgramRun, RegisteredResource, RunOptions, runProgram } from "../../cli/mockRuntime";
import { loadStackConfig, withConfigChanges } from "../../cli/stackConfig";
import { REDACTED } from "../../lib/secret";
import program = require("../../index");

/** The repository root, where the stack files live. */
export const PROJECT_DIR = path.resolve(__dirname, "../..");

/** The owning stack's outputs, as a secondary region's StackReference sees them. */
export const IDENTITY_STACK_OUTPUTS = {
    teamsApplicationId: "11111111-2222-4333-8444-555555555555",
    teamsAppSecret: "owner-stack-app-secret",
};

/**
 * Runs index.ts under the mock runtime with a stack file's configuration, changed by
 * `changes` (project keys without namespace; `undefined` removes a key), with the mock
 * deployer signed in to `entraTenantId` (default: the stack's Teams tenant).
 */
export function runStack(stack: string, changes: Record<string, unknown> = {}, entraTenantId?: string): Promise<ProgramRun> {
    return runWith(stack, changes, program, entraTenantId);
}

/**
 * Runs a stack whose program is expected to fail, and returns the error together with what
 * was registered before it: a refused configuration must register nothing.
 */
export async function runFailingStack(stack: string, changes: Record<string, unknown>): Promise<{ error: Error; resources: RegisteredResource[] }> {
    let error: Error | undefined;
    const run = await runWith(stack, changes, async () => {
        try {
            return await program();
        } catch (caught) {
            error = caught as Error;
            return {};
        }
    });
    if (error === undefined) throw new Error(`stack ${stack} was expected to fail and did not`);
    return { error, resources: run.resources };
}

function runWith(stack: string, changes: Record<string, unknown>, entry: RunOptions["program"], entraTenantId?: string): Promise<ProgramRun> {
    const loaded = withConfigChanges(loadStackConfig(PROJECT_DIR, stack), changes);
    return runProgram({
        project: loaded.project,
        stack,
        config: loaded.config,
        secretKeys: loaded.secretKeys,
        stackOutputs: { "organization/vdx-teams-connector/prod": IDENTITY_STACK_OUTPUTS },
        entraTenantId,
        program: entry,
    });
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

/** `value` with every secret marker replaced by `replace(its value)`, at any depth. */
function replaceSecrets(value: unknown, replace: (secret: unknown) => unknown): any {
    if (isSecretValue(value)) return replace(value.value);
    if (Array.isArray(value)) return value.map((item) => replaceSecrets(item, replace));
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceSecrets(inner, replace)]));
    }
    return value;
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
