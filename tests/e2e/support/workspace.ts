import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engineInstall } from "../../../scripts/engine-build";
import { PwshRun } from "../plugins/recordingPwsh";
import { standInBuild } from "./standIns";

/**
 * One end-to-end test's world: a copy of the project in a temporary directory (node_modules
 * linked), its own PULUMI_HOME, a file:// backend, passphrase secrets, the engine built by
 * `npm run engine:build` and the stand-in provider plugins first on PATH, compiled once per run.
 */

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../../..");

/** Where the stand-in provider plugins are (tests/e2e/plugins/bin). */
const PLUGINS = path.join(ROOT, "tests", "e2e", "plugins", "bin");

/** What the project consists of, as `pulumi` sees it: everything but generated and local files. */
const PROJECT_ENTRIES = ["Pulumi.yaml", "pexip-versions.yaml", "package.json", "tsconfig.json", "index.ts", "program.ts", "lib", "components", "policy", "scripts", "cli", "tests/e2e/fixtures"];

/** The passphrase of every test stack's secrets. */
const PASSPHRASE = "e2e-passphrase-not-a-secret";

/** A finished `pulumi` command. */
export interface PulumiRun {
    readonly args: readonly string[];
    readonly code: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

/** One line of the stand-in providers' log; `provider: "pwsh"` lines are the recording pwsh's runs of the driver. */
export interface StandInCall extends Partial<PwshRun> {
    readonly provider: string;
    readonly method: string;
    readonly urn?: string;
    readonly id?: string;
    readonly inputs?: Record<string, unknown>;
    readonly changed?: string[];
    readonly replaces?: string[];
    readonly token?: string;
    readonly error?: string;
}

/** One engine event as `--json` streams them (only the fields the tests read). */
export interface EngineEvent {
    readonly sequence: number;
    readonly resourcePreEvent?: { metadata: StepMetadata };
    readonly resOutputsEvent?: { metadata: StepMetadata };
    readonly policyEvent?: PolicyEvent;
    readonly diagnosticEvent?: { message: string; severity: string; urn?: string };
    readonly summaryEvent?: { resourceChanges: Record<string, number>; result: string };
}

/** A step of the engine: what happens to which resource. */
export interface StepMetadata {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    readonly old?: { type: string; urn: string; parent?: string; protect?: boolean };
    readonly new?: { type: string; urn: string; parent?: string; protect?: boolean; inputs?: Record<string, unknown> };
    readonly keys?: string[];
}

/** A policy violation as the real analyzer reports it. */
export interface PolicyEvent {
    readonly resourceUrn?: string;
    readonly message: string;
    readonly policyName: string;
    readonly policyPackName: string;
    readonly enforcementLevel: string;
}

/** Whether `npm run engine:build` has built the engine these tests need. */
export function engineBuilt(): boolean {
    return engineInstall().built;
}

export class Workspace {
    /** The project's copy: `pulumi` runs here. */
    readonly dir: string;
    /** The stand-in providers' JSON-lines log. */
    readonly standInLog: string;
    private readonly root: string;
    private readonly env: NodeJS.ProcessEnv;

    private constructor(root: string) {
        this.root = root;
        this.dir = path.join(root, "project");
        this.standInLog = path.join(root, "standin.jsonl");
        const home = path.join(root, "pulumi-home");
        fs.mkdirSync(home);
        fs.mkdirSync(path.join(root, "state"));
        this.env = {
            // Not the caller's own VDX_* variables: only the program hands the driver those.
            ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VDX_"))),
            PATH: [PLUGINS, engineInstall().binDir, process.env.PATH].join(path.delimiter),
            PULUMI_HOME: home,
            PULUMI_BACKEND_URL: `file://${path.join(root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            // tsc has checked the program already (npm test); the language host only transpiles.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            // `--json` streams engine events for previews too, policy violations among them.
            PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true",
            E2E_STANDIN_LOG: this.standInLog,
            E2E_STANDIN_BUILD: standInBuild(),
        };
    }

    /** A fresh workspace with a copy of the project. */
    static create(): Workspace {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "vdx-e2e-"));
        const workspace = new Workspace(root);
        for (const entry of [...PROJECT_ENTRIES, ...fs.readdirSync(ROOT).filter((file) => /^Pulumi\..+\.yaml$/.test(file))]) {
            fs.cpSync(path.join(ROOT, entry), path.join(workspace.dir, entry), { recursive: true });
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(workspace.dir, "node_modules"));
        return workspace;
    }

    /** Sets (or, with undefined, removes) a variable of the environment `pulumi` and the stand-ins run in. */
    setEnv(name: string, value: string | undefined): void {
        if (value === undefined) delete this.env[name];
        else this.env[name] = value;
    }

    /** A copy of the environment `pulumi` runs in here, for callers that start it themselves (the Automation API). */
    environment(): NodeJS.ProcessEnv {
        return { ...this.env };
    }

    /** Removes the workspace. */
    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }

    /** Runs `pulumi` in the project's copy; never throws for a non-zero exit. */
    pulumi(args: readonly string[], timeoutSeconds = 600): Promise<PulumiRun> {
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk) => (stdout += chunk));
            child.stderr.on("data", (chunk) => (stderr += chunk));
            const timer = setTimeout(() => child.kill("SIGTERM"), timeoutSeconds * 1000);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ args, code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
            });
        });
    }

    /** Like `pulumi`, but fails with pulumi's own output unless it exits 0. */
    async ok(args: readonly string[], timeoutSeconds?: number): Promise<PulumiRun> {
        const run = await this.pulumi(args, timeoutSeconds);
        if (run.code !== 0) throw new Error(runReport(run));
        return run;
    }

    /** Runs `pulumi <args> --json` and returns the run and the engine events it streamed. */
    async withEvents(args: readonly string[], timeoutSeconds?: number): Promise<{ run: PulumiRun; events: EngineEvent[] }> {
        const run = await this.pulumi([...args, "--json"], timeoutSeconds);
        const events = run.stdout
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => JSON.parse(line) as EngineEvent);
        return { run, events };
    }

    /** Creates a stack with passphrase secrets (its stack file gains the encryption salt). */
    async initStack(stack: string): Promise<void> {
        await this.ok(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    }

    /** The stand-in providers' calls so far, and forgets them. */
    takeStandInCalls(): StandInCall[] {
        if (!fs.existsSync(this.standInLog)) return [];
        const text = fs.readFileSync(this.standInLog, "utf8");
        fs.rmSync(this.standInLog);
        return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as StandInCall);
    }

    /** Writes a file in the project's copy. */
    write(file: string, text: string): void {
        fs.writeFileSync(path.join(this.dir, file), text);
    }

    /** Reads a file of the project's copy. */
    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }
}

/** A run's command, exit code and output, for assertion messages. */
export function runReport(run: PulumiRun): string {
    return `pulumi ${run.args.join(" ")} exited ${run.code} after ${run.seconds.toFixed(0)} s\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
