/**
 * A stand-in resource provider plugin for the end-to-end tests: one engine for every package the
 * program uses (azure-native, azuread, random, tls, command), speaking Pulumi's provider gRPC
 * protocol to the real engine. Outputs come from the mock cloud's table (cli/plan/mockCloud.ts), so the
 * offline plan and the real engine see the same cloud.
 *
 *     pulumi-resource-<package> <engine address> [flags]   (see ./bin)
 *
 * Written on the SDK's generated gRPC stubs rather than `pulumi.provider.main`: the SDK's server
 * (3.270) answers Diff without the changed keys, and the engine applies `replaceOnChanges` to
 * exactly those keys.
 *
 * Environment:
 * - `E2E_STANDIN_LOG`: file to which every call is appended as one JSON line (secrets hashed).
 *
 * `command:local:Command` runs its command as pulumi-command's local provider does:
 * `interpreter + [command]` in this process's directory (the project's) with `environment` added,
 * `update` falling back to `create`, `delete` only when set, and stdout and stderr as outputs. In
 * the tests that reaches the recording `pwsh` (./recordingPwsh.ts), which can fail on request.
 */
import { spawnSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { computedState, invoke, NAME_INPUTS, replaceSecrets } from "../../../cli/plan/mockCloud";
import { secretDigest } from "./secretDigest";

// Untyped at run time in the SDK's package layout; the .d.ts files describe them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerRpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const providerProto = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pluginProto = require("@pulumi/pulumi/proto/plugin_pb");

type Props = Record<string, unknown>;

/** The command provider's one resource type, which the stand-in runs rather than imitates. */
const COMMAND = "command:local:Command";

/** Input keys whose change replaces the resource; `"*"` means every input. */
type ForceNew = readonly string[] | "*";

/**
 * What the real providers replace rather than update. azure-native: every ARM path parameter
 * (the resource's own name, its parents' names, the resource group) and the region, as the
 * provider's schema marks them; role assignments are immutable in Azure. tls, random and the
 * azuread secret and grant resources are immutable too. command: only `triggers`.
 */
const FORCE_NEW: Record<string, ForceNew> = {
    "azure-native:network:PublicIPAddress": ["zones", "sku"],
    "azure-native:authorization:RoleAssignment": "*",
    "azuread:index/servicePrincipal:ServicePrincipal": ["clientId"],
    "azuread:index/applicationPassword:ApplicationPassword": "*",
    "azuread:index/appRoleAssignment:AppRoleAssignment": "*",
    [COMMAND]: ["triggers"],
};

/** Whole packages whose resources are immutable. */
const IMMUTABLE_PACKAGES = new Set(["random", "tls"]);

/** The engine's marker for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The package this process stands in for: `pulumi-resource-<package>`. */
const packageName = process.argv[2];

/** `<type>` and `<name>` of a URN `urn:pulumi:<stack>::<project>::<parent types$><type>::<name>`. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualifiedType = parts[2] ?? "";
    return { type: qualifiedType.split("$").pop() ?? "", name: parts.slice(3).join("::") };
}

/** Whether a change of `key` replaces a resource of `type` (before the program's own `replaceOnChanges`). */
export function forcesReplacement(type: string, key: string): boolean {
    const [pkg] = type.split(":");
    if (IMMUTABLE_PACKAGES.has(pkg)) return true;
    const listed = FORCE_NEW[type];
    if (listed === "*" || listed?.includes(key)) return true;
    return pkg === "azure-native" && (key === "location" || key === NAME_INPUTS[type] || /^[a-z][A-Za-z]*Name$/.test(key));
}

/** The top-level input keys whose values differ; an unknown value counts as a change. */
export function changedKeys(olds: Props, news: Props): string[] {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    return [...keys].filter((key) => containsUnknown(news[key]) || JSON.stringify(olds[key]) !== JSON.stringify(news[key])).sort();
}

function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
    return false;
}

/** What the cloud returns for a resource: its inputs, plus what the mock cloud computes (or, for a command, what it printed). */
export function outputsOf(type: string, name: string, inputs: Props, printed?: Props): { id: string; outputs: Props } {
    const computed = printed ?? computedState(type, name, inputs, { project: "", config: {} });
    const { id, ...rest } = { ...inputs, ...computed } as Props;
    return { id: typeof id === "string" ? id : idOf(type, name), outputs: withoutUndefined(rest) as Props };
}

/**
 * The ID of a resource whose outputs carry none: the command provider gives every new command a
 * fresh one (its name and random hex), so whatever reads a command's ID sees a redeploy; the
 * rest get a stable hex suffix. (azure-native's IDs are the ARM IDs, in the outputs.)
 */
function idOf(type: string, name: string): string {
    return type === COMMAND ? `${name}${randomBytes(4).toString("hex")}` : `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}


function withoutUndefined(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withoutUndefined);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined).map(([key, item]) => [key, withoutUndefined(item)]));
    }
    return value;
}

/** A copy fit for the log: every secret replaced by its digest, so no secret is ever written. */
export function redactSecrets(value: unknown): unknown {
    return replaceSecrets(value, secretDigest);
}

/** A value with every secret unwrapped: what a provider hands to a process. */
function plain(value: unknown): unknown {
    return replaceSecrets(value, plain);
}

/**
 * Runs one of a command resource's commands (`create`, `update` or `delete` of `inputs`) the way
 * the command provider does; a non-zero exit is an error carrying stderr. `previous` is the
 * resource's last stdout and stderr, for update and delete.
 */
export function runCommand(inputs: Props, command: string, previous?: Props): { stdout: string; stderr: string } {
    const { interpreter, environment, dir } = plain(inputs) as { interpreter?: string[]; environment?: Record<string, string>; dir?: string };
    const [program, ...programArgs] = interpreter ?? ["/bin/sh", "-c"];
    const env: NodeJS.ProcessEnv = { ...process.env, ...environment };
    if (previous !== undefined) Object.assign(env, { PULUMI_COMMAND_STDOUT: String(previous.stdout ?? ""), PULUMI_COMMAND_STDERR: String(previous.stderr ?? "") });
    const result = spawnSync(program, [...programArgs, command], { cwd: dir ?? process.cwd(), env, encoding: "utf8" });
    if (result.error !== undefined) throw new Error(`running ${program}: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${program} exited with status ${result.status ?? result.signal}: ${result.stderr.trim()}`);
    return { stdout: result.stdout.trimEnd(), stderr: result.stderr.trimEnd() };
}

function log(entry: Record<string, unknown>): void {
    const file = process.env.E2E_STANDIN_LOG;
    if (file) fs.appendFileSync(file, `${JSON.stringify({ provider: packageName, pid: process.pid, ...entry })}\n`);
}

function struct(value: Props): Struct {
    return Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]);
}

function props(value: Struct | undefined): Props {
    return (value?.toJavaScript() ?? {}) as Props;
}

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void;
type Handler = (call: { request: any }, callback: Callback) => void;

/** Wraps a handler so a throw becomes a gRPC error the engine reports, and the call is logged. */
function handler(method: string, body: (request: any) => { response: unknown; log?: Record<string, unknown> }): Handler {
    return (call, callback) => {
        const urn: string | undefined = call.request.getUrn?.();
        try {
            const result = body(call.request);
            log({ method, ...(urn ? { urn } : {}), ...result.log });
            callback(null, result.response);
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            log({ method, ...(urn ? { urn } : {}), error: message });
            callback({ code: grpc.status.UNKNOWN, details: message, name: "Error", message, metadata: new grpc.Metadata() });
        }
    };
}

const version = (() => {
    // The version of the SDK package the program uses, so the engine and `pulumi about` agree.
    try {
        const manifest = require.resolve(`@pulumi/${packageName}/package.json`, { paths: [process.cwd()] });
        return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
    } catch {
        return "0.0.0-standin";
    }
})();

const service: Record<string, Handler> = {
    getPluginInfo: handler("GetPluginInfo", () => ({ response: new pluginProto.PluginInfo().setVersion(version) })),
    getSchema: handler("GetSchema", () => ({ response: new providerProto.GetSchemaResponse().setSchema("{}") })),
    checkConfig: handler("CheckConfig", (req) => ({ response: new providerProto.CheckResponse().setInputs(req.getNews()) })),
    diffConfig: handler("DiffConfig", () => ({ response: new providerProto.DiffResponse().setChanges(providerProto.DiffResponse.DiffChanges.DIFF_NONE) })),
    configure: handler("Configure", () => ({
        response: new providerProto.ConfigureResponse().setAcceptsecrets(true).setAcceptresources(true).setSupportspreview(false),
    })),
    check: handler("Check", (req) => ({ response: new providerProto.CheckResponse().setInputs(req.getNews()), log: { inputs: redactSecrets(props(req.getNews())) } })),
    diff: handler("Diff", (req) => {
        const { type } = parseUrn(req.getUrn());
        const olds = req.getOldInputs() ? props(req.getOldInputs()) : props(req.getOlds());
        const changed = changedKeys(olds, props(req.getNews()));
        const replaces = changed.filter((key) => forcesReplacement(type, key));
        const kinds = providerProto.DiffResponse.DiffChanges;
        const response = new providerProto.DiffResponse()
            .setChanges(changed.length > 0 ? kinds.DIFF_SOME : kinds.DIFF_NONE)
            .setDiffsList(changed)
            .setReplacesList(replaces)
            // Azure names are unique: the old resource must go before a new one takes its name.
            .setDeletebeforereplace(replaces.length > 0 && type.startsWith("azure-native:"));
        return { response, log: { changed, replaces } };
    }),
    create: handler("Create", (req) => {
        const { type, name } = parseUrn(req.getUrn());
        const inputs = props(req.getProperties());
        const printed = type === COMMAND && typeof inputs.create === "string" ? runCommand(inputs, inputs.create) : undefined;
        const { id, outputs } = outputsOf(type, name, inputs, printed);
        return { response: new providerProto.CreateResponse().setId(id).setProperties(struct(outputs)), log: { id, inputs: redactSecrets(inputs) } };
    }),
    read: handler("Read", (req) => ({
        response: new providerProto.ReadResponse().setId(req.getId()).setProperties(req.getProperties()).setInputs(req.getInputs()),
        log: { id: req.getId() },
    })),
    update: handler("Update", (req) => {
        const { type, name } = parseUrn(req.getUrn());
        const inputs = props(req.getNews());
        const command = inputs.update ?? inputs.create;
        const printed = type === COMMAND && typeof command === "string" ? runCommand(inputs, command, props(req.getOlds())) : undefined;
        const { outputs } = outputsOf(type, name, inputs, printed);
        return { response: new providerProto.UpdateResponse().setProperties(struct(outputs)), log: { id: req.getId(), inputs: redactSecrets(inputs) } };
    }),
    delete: handler("Delete", (req) => {
        const state = props(req.getProperties());
        if (parseUrn(req.getUrn()).type === COMMAND && typeof state.delete === "string") runCommand(state, state.delete, state);
        return { response: new Empty(), log: { id: req.getId() } };
    }),
    invoke: handler("Invoke", (req) => {
        const token: string = req.getTok();
        const args = props(req.getArgs());
        const result = invoke(token, args, { project: "", config: {} });
        return { response: new providerProto.InvokeResponse().setReturn(struct(result)), log: { token, args: redactSecrets(args) } };
    }),
    cancel: handler("Cancel", () => ({ response: new Empty() })),
    attach: handler("Attach", () => ({ response: new Empty() })),
};

async function main(): Promise<void> {
    const server = new grpc.Server();
    server.addService(providerRpc.ResourceProviderService, service as unknown as grpc.UntypedServiceImplementation);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    log({ method: "Start", version, cwd: path.basename(process.cwd()) });
    // The engine reads the port from the first line of stdout.
    process.stdout.write(`${port}\n`);
}

if (require.main === module) {
    main().catch((error) => {
        process.stderr.write(`stand-in ${packageName}: ${error?.stack ?? error}\n`);
        process.exit(1);
    });
}
