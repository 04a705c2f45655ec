/**
 * A recording stand-in for PowerShell 7 (`pwsh`), first on PATH in the end-to-end tests only: the
 * command stand-in runs the program's commands through it as the real command provider would, so
 * the deployment's lifecycle executes. It checks what a real `pwsh -File` would fail on (the
 * driver's path, relative to the directory the command runs in, its action, and the instance count
 * the driver refuses unless it is a whole number of at least 1), appends one JSON
 * line to `E2E_STANDIN_LOG` with the arguments and the `VDX_*` variables it was given (secret
 * ones as the SHA-256 of their JSON, never the value), and runs nothing.
 *
 * Environment: `E2E_STANDIN_PWSH_FAIL`, a regular expression; a matching action exits 1.
 */
import * as fs from "fs";
import * as path from "path";
import { DRIVER_ACTIONS, DRIVER_SECRET_VARIABLES, FACTS, factVariable } from "../../../lib/contract";
import { secretDigest } from "./secretDigest";

const SECRET_VARIABLES = new Set<string>(DRIVER_SECRET_VARIABLES);

/** The actions that read the instance count, which the driver refuses unless it is a whole number of at least 1. */
const COUNTING_ACTIONS: readonly string[] = [DRIVER_ACTIONS.check, DRIVER_ACTIONS.deploy, DRIVER_ACTIONS.scale];

/** What one run of the driver was given, as logged. */
export interface PwshRun {
    readonly args: string[];
    readonly action?: string;
    readonly variables: Record<string, string | { secretSha256: string }>;
}

/** The run as logged: the driver's action (the argument after `-File <script>`) and its variables, secrets hashed. */
export function recordRun(args: readonly string[], env: NodeJS.ProcessEnv): PwshRun {
    const file = args.indexOf("-File");
    const variables = Object.fromEntries(
        Object.entries(env)
            .filter(([name, value]) => name.startsWith("VDX_") && value !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => [name, SECRET_VARIABLES.has(name) ? secretDigest(value) : value!]),
    );
    return { args: [...args], action: file >= 0 ? args[file + 2] : undefined, variables };
}

/** Why a real `pwsh` with the driver would refuse the run before touching Azure, if it would. */
export function refusal(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): string | undefined {
    const file = args.indexOf("-File");
    if (file < 0 || args[file + 1] === undefined) return "stand-in pwsh: no -File <script> given";
    const script = args[file + 1];
    if (!fs.existsSync(path.resolve(cwd, script))) return `stand-in pwsh: the script ${script} does not exist in ${cwd}`;
    const action = args[file + 2];
    if (!Object.values<string>(DRIVER_ACTIONS).includes(action)) return `stand-in pwsh: ${script} has no action ${JSON.stringify(action)}`;
    const count = env[factVariable(FACTS.instanceCount)] ?? "";
    const countIsValid = /^[0-9]+$/.test(count) && Number(count) >= 1;
    if (COUNTING_ACTIONS.includes(action) && !countIsValid) return `stand-in pwsh: ${action} refuses VDX_INSTANCE_COUNT ${JSON.stringify(count)}, as the driver does`;
    return undefined;
}

function main(): number {
    const args = process.argv.slice(2);
    const run = recordRun(args, process.env);
    const refused = refusal(args, process.cwd(), process.env);
    const pattern = process.env.E2E_STANDIN_PWSH_FAIL;
    const failure = refused ?? (pattern && run.action !== undefined && new RegExp(pattern).test(run.action) ? `stand-in pwsh: ${run.action} fails as E2E_STANDIN_PWSH_FAIL asks` : undefined);
    const log = process.env.E2E_STANDIN_LOG;
    if (log) fs.appendFileSync(log, `${JSON.stringify({ provider: "pwsh", pid: process.pid, method: "Run", ...run, ...(failure ? { error: failure } : {}) })}\n`);
    if (failure) {
        process.stderr.write(`${failure}\n`);
        return 1;
    }
    process.stdout.write(`stand-in pwsh: ${run.action} recorded\n`);
    return 0;
}

if (require.main === module) process.exitCode = main();
