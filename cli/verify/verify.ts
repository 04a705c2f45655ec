/**
 * Checks that a deployed connector works:
 *
 *     npm run --silent verify -- --stack <name> [--outputs FILE|-] [--wait 30m] [--json | --markdown] [--help]
 *
 * It reads the stack's outputs from the stack's real state through Pulumi's Automation API (or
 * from `pulumi stack output --json`'s JSON with --outputs), then runs the dns, tls, azure,
 * infinity and version checks (lib/verify/). Exit codes: VERIFY_EXIT_CODES. README: Verify.
 */
import * as fs from "fs";
import * as path from "path";
import { DefaultAzureCredential, TokenCredential } from "@azure/identity";
import { loadCatalogue } from "../../lib/versions/versionCatalogue";
import { CHECK_NAMES, CheckName, exitCodeOf, VERIFY_EXIT_CODES, VerifyExitCode } from "../../lib/verify/check";
import { BLINDED_SECRET, deployedStack, DeployedStack } from "../../lib/verify/stackOutputs";
import { VerifyOptions, verifyUntilSettled } from "../../lib/verify/run";
import { commandHelp, Flag, parseFlags, runCommand, UserError, userErrorLine } from "../commandLine";
import { failureLine, progressLine, renderJson, renderMarkdown, renderText, VerifyReport } from "./render";

/** The environment variables the Infinity account is read from: never a flag, so never in a shell history or a process list. */
export const INFINITY_USER_VARIABLE = "INFINITY_STATUS_USER";
export const INFINITY_PASSWORD_VARIABLE = "INFINITY_STATUS_PASSWORD";

export const VERIFY_FLAGS: readonly Flag[] = [
    { name: "--stack", value: "<name>", meaning: "the stack to verify; its outputs are read through the Automation API unless --outputs is given" },
    { name: "--outputs", value: "<file|->", meaning: "read the outputs from this JSON of `pulumi stack output --json` (- for stdin) instead: no passphrase, or no backend, needed" },
    { name: "--wait", value: "<duration>", meaning: "poll until every check passes or this long has passed (e.g. 30m, 90s, 1h); progress on stderr" },
    { name: "--json", meaning: "print one JSON object with every check" },
    { name: "--markdown", meaning: "print a GitHub step summary" },
    { name: "--dns-server", value: "<host[:port]>", repeatable: true, meaning: "ask this DNS server instead of the machine's; repeat for more" },
    { name: "--connect-to", value: "<host:port>", meaning: "make the TLS connection here, keeping SNI and the name checks the FQDN's (as curl's --connect-to)" },
    { name: "--ca-file", value: "<pem>", meaning: "trust these roots too (a private CA): for the TLS chain and for --arm-endpoint" },
    { name: "--warn-days", value: "<days>", meaning: "warn when the certificate expires within this many days (default 30; fewer than 14 fails)" },
    { name: "--arm-endpoint", value: "<url>", meaning: "Azure Resource Manager's address (default Azure's public cloud)" },
    { name: "--infinity-url", value: "<url>", meaning: `Infinity's management node, https://host; with ${INFINITY_USER_VARIABLE} and ${INFINITY_PASSWORD_VARIABLE} set; without it the infinity check is skipped` },
    { name: "--infinity-active-state", value: "<text>", meaning: 'how Infinity spells a working Teams node\'s state (default "active"; the SDK does not list the values)' },
    { name: "--heartbeat-minutes", value: "<n>", meaning: "a Teams node's last heartbeat must be newer than this (default 5)" },
    { name: "--infinity-dsc", meaning: "also read status/v1/teamsnodedsc/ for failing DSC resources, where the Infinity version serves it" },
    { name: "--skip", value: "<check>", repeatable: true, meaning: `skip a check (${CHECK_NAMES.join(", ")}); it shows as skipped, never as passed` },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

const USAGE = "usage: npm run --silent verify -- --stack <name> [--outputs <file|->] [--wait <duration>] [--json | --markdown] [flags]";

export function verifyHelp(): string {
    return commandHelp({
        about: [
            "Checks that a deployed connector works: dns (the FQDN's CNAME or A record), tls (the deployed certificate served on 443",
            "with its chain, RSA, no wildcard, not expiring), azure (the scale set and every instance provisioned and running, read-only),",
            "infinity (the Teams nodes Infinity sees, active with a recent heartbeat) and version (VDX's Pexip version today).",
            "Each check prints pass, warn, fail or skipped (why), what it measured and how long it took. Secrets are printed nowhere.",
            `Azure is read with DefaultAzureCredential (az login, or AZURE_* / OIDC variables); Infinity with ${INFINITY_USER_VARIABLE} and`,
            `${INFINITY_PASSWORD_VARIABLE} (a read-only account). README: Verify a deployment.`,
        ],
        usage: USAGE,
        flagsNote: "Flags (each at most once unless repeatable; --flag=value works too):",
        flags: VERIFY_FLAGS,
        exitCodes: VERIFY_EXIT_CODES,
        examples: [
            "npm run --silent verify -- --stack dev",
            "pulumi stack output --json --stack prod | npm run --silent verify -- --stack prod --outputs - --wait 30m --markdown",
            `${INFINITY_USER_VARIABLE}=reader ${INFINITY_PASSWORD_VARIABLE}=... npm run --silent verify -- --stack prod --infinity-url https://infinity.example.org`,
            "npm run --silent verify -- --stack dev --dns-server 192.0.2.53 --skip azure",
        ],
    });
}

/** What the command line asks for. */
export interface VerifyArguments {
    readonly stack?: string;
    readonly outputs?: string;
    readonly waitMs: number;
    readonly format: "text" | "json" | "markdown";
    readonly dnsServers: readonly string[];
    readonly connectTo?: { readonly host: string; readonly port: number };
    readonly caFile?: string;
    readonly warnDays: number;
    readonly armEndpoint?: string;
    readonly infinityUrl?: string;
    readonly activeState: string;
    readonly heartbeatMinutes: number;
    readonly dsc: boolean;
    readonly skip: readonly CheckName[];
}

/** "30m", "90s", "1h30m" → milliseconds. */
export function parseDuration(flag: string, text: string): number {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
    if (match === null || text === "") throw new UserError(flag, `${flag} must be a duration like 30m, 90s or 1h30m, got "${text}"`);
    const [, hours = "0", minutes = "0", seconds = "0"] = match;
    return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}

function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text)) throw new UserError(flag, `${flag} must be a whole number, got "${text}"`);
    return Number(text);
}

function httpsUrl(flag: string, text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    let url: URL | undefined;
    try {
        url = new URL(text);
    } catch {
        url = undefined;
    }
    if (url === undefined || !["https:", "http:"].includes(url.protocol)) throw new UserError(flag, `${flag} must be an address like https://host, got "${text}"`);
    return text;
}

/** Parses the arguments; throws UserError naming the flag. Undefined: print the help. */
export function parseVerifyArguments(argv: readonly string[]): VerifyArguments | undefined {
    const { help, values } = parseFlags(argv, VERIFY_FLAGS, USAGE);
    if (help) return undefined;
    const one = (name: string) => values.get(name)?.[0];
    const stack = one("--stack");
    const outputs = one("--outputs");
    if (stack === undefined) throw new UserError("--stack", `--stack <name> is required (with --outputs it names the stack in the report); ${USAGE}`);
    if (values.has("--json") && values.has("--markdown")) throw new UserError("--json", `give --json or --markdown, not both; ${USAGE}`);
    const connectTo = one("--connect-to");
    const target = connectTo === undefined ? undefined : /^(.+):(\d{1,5})$/.exec(connectTo);
    if (target === null) throw new UserError("--connect-to", `--connect-to must be host:port, got "${connectTo}"`);
    const skip = values.get("--skip") ?? [];
    for (const name of skip) {
        if (!(CHECK_NAMES as readonly string[]).includes(name)) throw new UserError("--skip", `--skip must name a check (${CHECK_NAMES.join(", ")}), got "${name}"`);
    }
    return {
        stack,
        ...(outputs === undefined ? {} : { outputs }),
        waitMs: values.has("--wait") ? parseDuration("--wait", one("--wait")!) : 0,
        format: values.has("--json") ? "json" : values.has("--markdown") ? "markdown" : "text",
        dnsServers: values.get("--dns-server") ?? [],
        ...(target === undefined ? {} : { connectTo: { host: target[1], port: Number(target[2]) } }),
        ...(one("--ca-file") === undefined ? {} : { caFile: one("--ca-file") }),
        warnDays: wholeNumber("--warn-days", one("--warn-days"), 30),
        ...(one("--arm-endpoint") === undefined ? {} : { armEndpoint: httpsUrl("--arm-endpoint", one("--arm-endpoint")) }),
        ...(one("--infinity-url") === undefined ? {} : { infinityUrl: httpsUrl("--infinity-url", one("--infinity-url")) }),
        activeState: one("--infinity-active-state") ?? "active",
        heartbeatMinutes: wholeNumber("--heartbeat-minutes", one("--heartbeat-minutes"), 5),
        dsc: values.has("--infinity-dsc"),
        skip: skip as CheckName[],
    };
}

/** What the command takes from its surroundings; tests give their own. */
export interface VerifyEnvironment {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly projectDir: string;
    readonly stdin: () => Promise<string>;
    /** The stack's outputs from its state (default: the Automation API). */
    readonly stackOutputs: (stack: string, projectDir: string) => Promise<Record<string, unknown>>;
    /** Azure's credential (default DefaultAzureCredential). */
    readonly credential: () => TokenCredential;
    readonly pollMs: number;
    readonly now?: () => Date;
}

/**
 * The stack's outputs from its real state through Pulumi's Automation API. Like `pulumi up`, it
 * needs the stack's passphrase (the state is read with secrets); each secret output becomes
 * "[secret]" at once, so no secret goes further. Without the passphrase, pipe
 * `pulumi stack output --json` into --outputs -, as the workflows do.
 */
export async function automationOutputs(stack: string, projectDir: string): Promise<Record<string, unknown>> {
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    const workspace = await LocalWorkspace.create({ workDir: projectDir });
    const outputs = await workspace.stackOutputs(stack);
    return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.secret ? BLINDED_SECRET : output.value]));
}

export const DEFAULT_ENVIRONMENT: VerifyEnvironment = {
    env: process.env,
    projectDir: process.cwd(),
    stdin: async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString("utf8");
    },
    stackOutputs: automationOutputs,
    credential: () => new DefaultAzureCredential(),
    pollMs: 20_000,
};

/** The outcome of the command in process. */
export interface VerifyResult {
    readonly exitCode: VerifyExitCode;
    readonly stdout: string;
    readonly stderr: string;
}

/** Reads the outputs the arguments name; a problem reading them is exit 2 (a file, a stack name) or 3 (the backend). */
async function readOutputs(args: VerifyArguments, environment: VerifyEnvironment): Promise<DeployedStack> {
    if (args.outputs !== undefined) {
        const source = args.outputs === "-" ? "stdin" : args.outputs;
        let text: string;
        try {
            text = args.outputs === "-" ? await environment.stdin() : fs.readFileSync(path.resolve(environment.projectDir, args.outputs), "utf8");
        } catch {
            throw new UserError("--outputs", `--outputs ${args.outputs} must be a readable file (pulumi stack output --json >outputs.json)`);
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            throw new UserError("--outputs", `--outputs ${source} must be the JSON object that pulumi stack output --json prints`);
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UserError("--outputs", `--outputs ${source} must be a JSON object`);
        return deployedStack(parsed as Record<string, unknown>, source);
    }
    const outputs = await environment.stackOutputs(args.stack!, environment.projectDir);
    return deployedStack(outputs, `stack ${args.stack}'s state`);
}

/** The checks' options from the arguments and the environment. */
function verifyOptions(args: VerifyArguments, environment: VerifyEnvironment): VerifyOptions {
    let extraCa: string | undefined;
    if (args.caFile !== undefined) {
        try {
            extraCa = fs.readFileSync(path.resolve(environment.projectDir, args.caFile), "utf8");
        } catch {
            throw new UserError("--ca-file", `--ca-file ${args.caFile} must be a readable PEM file`);
        }
    }
    const user = environment.env[INFINITY_USER_VARIABLE];
    const password = environment.env[INFINITY_PASSWORD_VARIABLE];
    let infinity: VerifyOptions["infinity"];
    if (args.infinityUrl === undefined) {
        infinity = { skip: "no --infinity-url: without Infinity access nothing shows registration or DSC state" };
    } else if ((!user || !password) && !args.skip.includes("infinity")) {
        throw new UserError(INFINITY_PASSWORD_VARIABLE, `--infinity-url needs ${INFINITY_USER_VARIABLE} and ${INFINITY_PASSWORD_VARIABLE} set to a read-only Infinity account`);
    } else {
        infinity = {
            url: args.infinityUrl,
            user: user ?? "",
            password: password ?? "",
            credentialsVariables: `${INFINITY_USER_VARIABLE} and ${INFINITY_PASSWORD_VARIABLE}`,
            activeState: args.activeState,
            heartbeatMinutes: args.heartbeatMinutes,
            dsc: args.dsc,
        };
    }
    return {
        dnsServers: args.dnsServers,
        ...(args.connectTo === undefined ? {} : { connectTo: args.connectTo }),
        ...(extraCa === undefined ? {} : { extraCa }),
        warnDays: args.warnDays,
        azure: { credential: environment.credential(), ...(args.armEndpoint === undefined ? {} : { endpoint: args.armEndpoint }) },
        infinity,
        catalogue: loadCatalogue(environment.projectDir),
        skip: args.skip,
        ...(environment.now === undefined ? {} : { now: environment.now }),
    };
}

/** Runs verify; never throws for a user's mistake (exit 2) or an unreadable state (exit 3). */
export async function verify(argv: readonly string[], environment: VerifyEnvironment = DEFAULT_ENVIRONMENT, progress: (line: string) => void = () => {}): Promise<VerifyResult> {
    let args: VerifyArguments | undefined;
    let stack: DeployedStack;
    let options: VerifyOptions;
    try {
        args = parseVerifyArguments(argv);
        if (args === undefined) return { exitCode: 0, stdout: verifyHelp(), stderr: "" };
        options = verifyOptions(args, environment);
        stack = await readOutputs(args, environment);
    } catch (error) {
        const line = userErrorLine(error);
        if (line !== undefined) return { exitCode: 2, stdout: "", stderr: line };
        if (args === undefined) throw error;
        // The Automation API: no such stack, or no Pulumi CLI to ask, is the user's to fix; a backend that fails is not.
        if (/spawn pulumi ENOENT/.test((error as Error).message)) {
            return {
                exitCode: 2,
                stdout: "",
                stderr: `error: reading stack ${args.stack}'s outputs needs the Pulumi CLI, which is not on PATH: install it and pulumi login, or pipe pulumi stack output --json into --outputs - (README: Verify a deployment)\n`,
            };
        }
        const message = (error as Error).message.split("\n").find((text) => /error:/.test(text))?.trim() ?? (error as Error).message.split("\n")[0];
        const noStack = /no stack named|stack .* not found/i.test((error as Error).message);
        return { exitCode: noStack ? 2 : 3, stdout: "", stderr: `error: reading stack ${args.stack}'s outputs failed: ${message}\n` };
    }
    const results = await verifyUntilSettled(stack, options, {
        waitMs: args.waitMs,
        pollMs: environment.pollMs,
        onProgress: (current, waited) => progress(progressLine(current, waited)),
    });
    const report: VerifyReport = {
        stack: args.stack!,
        fqdn: stack.fqdn,
        ...(stack.location === undefined ? {} : { region: stack.location }),
        checkedAt: (environment.now?.() ?? new Date()).toISOString(),
        results,
    };
    const render = { text: renderText, json: renderJson, markdown: renderMarkdown }[args.format];
    return { exitCode: exitCodeOf(results), stdout: render(report), stderr: failureLine(results) };
}

export async function main(argv: readonly string[]): Promise<number> {
    const result = await verify(argv, DEFAULT_ENVIRONMENT, (line) => process.stderr.write(line));
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
}

// A bug is exit 3 with the stack trace, as in every command: VERIFY_EXIT_CODES' 3 says so too.
if (require.main === module) runCommand("verify", () => main(process.argv.slice(2)));
