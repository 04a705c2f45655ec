import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { computedState, invoke, MockCloudOptions } from "./mockCloud";

export { isSecretValue, MOCK_CLOUD, stableGuid } from "./mockCloud";

/**
 * Runs the real Pulumi program in the SDK's in-process mock runtime, with no engine, no
 * backend and no cloud, and records every registration with its parent and protection.
 * The offline plan and the tests both use this; the program itself knows nothing of it.
 */

/** One resource as the program registered it. */
export interface RegisteredResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Parent URN; undefined for resources at the stack's root. */
    readonly parent: string | undefined;
    readonly protect: boolean;
    /** False for component resources. */
    readonly custom: boolean;
    /** Properties the engine leaves alone on update. */
    readonly ignoreChanges: string[];
    /** Properties whose change replaces the resource (`*`: any). */
    readonly replaceOnChanges: string[];
    /** Whether a replacement deletes the old resource first. */
    readonly deleteBeforeReplace: boolean;
    /** URNs it depends on: `dependsOn`, and the resources its inputs come from. */
    readonly dependencies: string[];
    /** Inputs as the engine receives them; each secret keeps Pulumi's secret marker where it is. */
    readonly inputs: Record<string, unknown>;
}

export interface ProgramRun {
    readonly resources: RegisteredResource[];
    /** What the program logged (pulumi.log writes to the console when no engine is attached), prefixes removed. */
    readonly logs: string[];
    /** Stack outputs, resolved; secret values keep Pulumi's secret marker. */
    readonly outputs: Record<string, unknown>;
}

export interface RunOptions extends MockCloudOptions {
    readonly stack: string;
    /** Keys of `config` that are secrets. */
    readonly secretKeys?: readonly string[];
    /** The program: index.ts's exported function. */
    readonly program: () => Promise<Record<string, unknown> | void>;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program once. Runs are serialised: the SDK's runtime state is global, so two
 * programs in one process must not overlap.
 */
export function runProgram(options: RunOptions): Promise<ProgramRun> {
    const run = queue.then(() => runOnce(options));
    queue = run.catch(() => undefined);
    return run;
}

async function runOnce(options: RunOptions): Promise<ProgramRun> {
    pulumi.runtime.setAllConfig({ ...options.config }, [...(options.secretKeys ?? [])]);
    await pulumi.runtime.setMocks(mocks(options), options.project, options.stack, false);
    const resources = recordRegistrations();

    // The SDK records a stack trace for every promise it makes (for leak reports the mock
    // runtime never prints); under ts-node each is source-mapped, which was most of a run's time.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.VDX_MOCK_STACK_TRACES) Error.stackTraceLimit = 0;
    // A resource whose inputs fail (an apply that throws) rejects a promise nobody awaits; the
    // Pulumi language host fails the run on it, and so does this runtime.
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    const logs: string[] = [];
    const restoreConsole = captureConsole(logs);
    try {
        const outputs = (await options.program()) ?? {};
        const resolved: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(outputs)) {
            if (value !== undefined) resolved[key] = await resolve(value);
        }
        // Resources no output depends on may still be registering: wait for every RPC.
        await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        // Rejections are reported on the next turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        if (failures.length > 0) throw failures[0];
        return { resources, logs, outputs: resolved };
    } finally {
        restoreConsole();
        process.off("unhandledRejection", onRejection);
        Error.stackTraceLimit = traceLimit;
    }
}

/** Sends console output to `into`, without the SDK's log prefixes, until the returned function is called. */
export function captureConsole(into: string[]): () => void {
    const methods = ["log", "info", "warn", "error", "debug"] as const;
    const saved = methods.map((method) => console[method]);
    for (const method of methods) {
        console[method] = (...args: unknown[]) => {
            const text = args.map((arg) => (typeof arg === "string" ? arg : JSON.stringify(arg))).join(" ");
            into.push(text.replace(/^(warning|info|debug): \[runtime\] /, ""));
        };
    }
    return () => methods.forEach((method, index) => (console[method] = saved[index]));
}

/** Wraps the mock monitor so that parent and protect, which the mocks never see, are kept. */
function recordRegistrations(): RegisteredResource[] {
    const recorded: RegisteredResource[] = [];
    const monitor = runtimeSettings.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
        register(req, (err: unknown, res: any) => {
            if (!err) {
                recorded.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: res.getUrn(),
                    parent: req.getParent() || undefined,
                    protect: req.getProtect() === true,
                    custom: req.getCustom(),
                    ignoreChanges: req.getIgnorechangesList(),
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    dependencies: req.getDependenciesList(),
                    // The wire form as it is: the SDK's deserializer would lift a nested secret to its whole object.
                    inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
                });
            }
            callback(err, res);
        });
    return recorded;
}

/** An output's value, wrapped in Pulumi's secret marker when it is secret. */
async function resolve(value: unknown): Promise<unknown> {
    const output = pulumi.output(value) as any;
    const [known, secret] = await Promise.all([output.promise(), output.isSecret]);
    return secret ? { [rpc.specialSigKey]: rpc.specialSecretSig, value: known } : known;
}

function mocks(options: RunOptions): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs, options) };
            return { id: String(state.id ?? `${args.name}-id`), state };
        },
        call(args) {
            return invoke(args.token, args.inputs, options);
        },
    };
}
