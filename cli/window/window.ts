/**
 * The deploy workflow's maintenance-window gate: may `pulumi up` run for this stack now?
 *
 *     npm run --silent window -- --stack <name> --preview <pulumi-preview-json> [--now ISO] [--override]
 *
 * `--preview` is what `pulumi preview --json --stack <name>` wrote. A **redeploy** is a step on
 * Pexip's deployment command (`<connector>-deployment-deploy`) that takes the region's connector
 * down: its replacement (Pexip's upgrade) or its deletion. A redeploy proceeds only inside the
 * stack's `maintenanceWindow` (lib/versions/maintenanceWindow.ts); anything else (a resize updates only
 * `…-deployment-scale`, a tag change updates the deployment command in place, the package check,
 * static resources, no change) always proceeds, and so does
 * every change of a stack without a window. `--override` proceeds anyway and records who did it.
 *
 * Prints one verdict line (on a runner, a hold or an override as a warning annotation); writes
 * `proceed`, `redeploy` and `next-window` (UTC, ISO 8601; empty without a window) to
 * `$GITHUB_OUTPUT`, and a Markdown note to `$GITHUB_STEP_SUMMARY`, when set.
 * Exit codes: GATE_EXIT_CODES (`--help` prints them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { commandHelp, Flag, parseFlags, runCommand, userErrorLine, UserError } from "../commandLine";
import { readWindow } from "../stackConfig";
import { isCalendarDate } from "../../lib/calendar";
import { describeWindow, localText, windowStatus, WindowStatus, WindowTime } from "../../lib/versions/maintenanceWindow";
import { MaintenanceWindow } from "../../lib/config/settings";

/**
 * Pexip's deployment command: components/pexipDeployment.ts names it `<name>-deploy` under the
 * `<connector>-deployment` component that components/teamsConnector.ts creates.
 */
export const DEPLOYMENT_COMMAND = { type: "command:local:Command", nameSuffix: "-deployment-deploy" } as const;

/**
 * Steps on the deployment command that take a running connector down. Pulumi shows one
 * replacement as up to three steps; a deletion removes the dynamic resource group. An update
 * runs the driver's `update`, which sets the dynamic group's tags and leaves the connector
 * running; a `create` has no running connector to take down.
 */
const DISRUPTIVE_OPS: readonly string[] = ["replace", "create-replacement", "delete-replaced", "delete"];

/** The gate's `$GITHUB_OUTPUT` names, for the workflow's `steps.<id>.outputs.<name>`. */
export const GATE_OUTPUTS = ["proceed", "redeploy", "next-window"] as const;

/** A step of the preview that redeploys: the command's name and Pulumi's op. */
export interface RedeployStep {
    readonly name: string;
    readonly op: string;
}

/**
 * The redeploy steps of a `pulumi preview --json` document (Pulumi's `PreviewDigest`:
 * `{ steps: [{ op, urn, oldState?, newState?, … }], changeSummary, … }`), checked to be of `stack`.
 */
export function redeploySteps(preview: unknown, stack: string): RedeployStep[] {
    if (typeof preview !== "object" || preview === null || Array.isArray(preview)) {
        throw new UserError("--preview", "the preview is not the output of pulumi preview --json (expected an object with steps)");
    }
    // Pulumi leaves `steps` out when there are none.
    const steps = (preview as { steps?: unknown }).steps ?? [];
    if (!Array.isArray(steps)) throw new UserError("--preview", "the preview's steps is not a list: not the output of pulumi preview --json");
    const found: RedeployStep[] = [];
    for (const [index, step] of steps.entries()) {
        const { op, urn } = (step ?? {}) as { op?: unknown; urn?: unknown };
        if (typeof op !== "string" || typeof urn !== "string") {
            throw new UserError("--preview", `the preview's steps[${index}] has no op and urn: not the output of pulumi preview --json`);
        }
        const parts = urnParts(urn);
        if (parts === undefined) throw new UserError("--preview", `the preview's steps[${index}] has a malformed URN: ${urn}`);
        // A preview of another stack would judge this stack by someone else's changes.
        if (parts.stack !== stack) throw new UserError("--preview", `the preview is of stack "${parts.stack}", not "${stack}"`);
        if (parts.type === DEPLOYMENT_COMMAND.type && parts.name.endsWith(DEPLOYMENT_COMMAND.nameSuffix) && DISRUPTIVE_OPS.includes(op)) {
            found.push({ name: parts.name, op });
        }
    }
    return found;
}

/** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`; the name may itself hold `::`. */
function urnParts(urn: string): { stack: string; type: string; name: string } | undefined {
    const [head, , qualifiedType, ...name] = urn.split("::");
    if (!head.startsWith("urn:pulumi:") || qualifiedType === undefined || name.length === 0) return undefined;
    return { stack: head.slice("urn:pulumi:".length), type: qualifiedType.split("$").pop()!, name: name.join("::") };
}

/** What the gate decided, and everything the verdict, the outputs and the summary say. */
export interface GateDecision {
    readonly stack: string;
    readonly proceed: boolean;
    /** The steps that take the connector down; empty: no redeploy. */
    readonly redeploy: readonly RedeployStep[];
    readonly window: MaintenanceWindow | undefined;
    readonly status: WindowStatus;
    readonly now: Date;
    /** Who asked for `--override`; undefined: no override asked for. */
    readonly overrideBy: string | undefined;
}

/** The gate's rule: no redeploy, no window, inside the window, or an override proceeds. */
export function decide(input: Omit<GateDecision, "proceed" | "status">): GateDecision {
    const status = windowStatus(input.window, input.now);
    const proceed = input.redeploy.length === 0 || status.open || input.overrideBy !== undefined;
    return { ...input, status, proceed };
}

/** Whether the override is what let a redeploy run. */
function overridden(decision: GateDecision): boolean {
    return decision.overrideBy !== undefined && decision.redeploy.length > 0 && !decision.status.open;
}

/** The `$GITHUB_OUTPUT` values. */
export function gateOutputs(decision: GateDecision): Record<(typeof GATE_OUTPUTS)[number], string> {
    return {
        proceed: String(decision.proceed),
        redeploy: String(decision.redeploy.length > 0),
        "next-window": decision.status.state === "always" ? "" : utc(decision.status.next.instant),
    };
}

/** The one line the gate prints. */
export function verdictLine(decision: GateDecision): string {
    const { stack, window, status } = decision;
    const head = `window: ${decision.proceed ? "proceed" : "hold"} (${stack})`;
    if (decision.redeploy.length === 0) return `${head}: no redeploy in the preview; a resize or any other change is never held`;
    const redeploys = `${stack} redeploys (${stepsText(decision.redeploy)})`;
    if (window === undefined) return `${head}: ${redeploys}; no maintenanceWindow is set, so any time is allowed`;
    const described = describeWindow(window);
    if (status.state === "always") return `${head}: ${redeploys} inside its window ${described}, which is any time`;
    if (status.state === "open") return `${head}: ${redeploys} inside its window ${described}, which closes ${bothClocks(status.closes)}`;
    if (overridden(decision)) return `${head}: EMERGENCY OVERRIDE by ${decision.overrideBy}: ${redeploys} outside its window ${described}`;
    return `${head}: ${redeploys} outside its window ${described}; the next window opens ${bothClocks(status.next)}: re-run the job then, or dispatch the deploy workflow with stack=${stack}`;
}

/** The Markdown note for the job summary. */
export function summaryMarkdown(decision: GateDecision): string {
    const { stack, window, status } = decision;
    const lines: string[] = [];
    const title = !decision.proceed ? "held" : overridden(decision) ? "proceeds by EMERGENCY OVERRIDE" : "proceeds";
    lines.push(`### Maintenance window: \`${stack}\` ${title}`, "");
    const redeploys =
        `\`${stack}\` redeploys Pexip's deployment (${decision.redeploy.map((step) => `\`${step.name}\`: ${step.op}`).join(", ")}), ` +
        "which takes the region's connector down for about 30 minutes";
    const described = window === undefined ? "" : `**${describeWindow(window)}**`;
    if (decision.redeploy.length === 0) {
        lines.push(
            "No redeploy in this preview: a resize or any other change is never held." +
                (window === undefined ? "" : ` The stack's maintenance window, ${described}, applies to redeploys only.`),
        );
    } else if (window === undefined) {
        lines.push(`${redeploys}. No \`maintenanceWindow\` is set for the stack, so it may run at any time.`);
    } else if (status.state === "always") {
        lines.push(`${redeploys}, inside the stack's maintenance window, ${described}, which is any time.`);
    } else if (status.state === "open") {
        lines.push(`${redeploys}, inside the stack's maintenance window, ${described}, which closes ${bothClocks(status.closes)}.`);
    } else if (overridden(decision)) {
        lines.push(
            "> [!CAUTION]",
            `> **Emergency override by ${decision.overrideBy}**: ${redeploys}, **outside** the stack's maintenance window, ${described}, ` +
                `at ${bothClocks({ instant: decision.now, local: localText(decision.now.getTime(), window.timeZone) })}. The next regular window would have opened ${bothClocks(status.next)}.`,
        );
    } else {
        lines.push(
            `${redeploys}, and it is outside the stack's maintenance window, ${described}: \`pulumi up\` did not run for this stack.`,
            "",
            `- **Next window opens ${bothClocks(status.next)}.**`,
            `- Then run the deploy workflow for this stack (Actions → deploy → Run workflow, stack \`${stack}\`; or \`gh workflow run deploy.yml -f stack=${stack}\`), ` +
                "or re-run this job if `main` has not moved on since this run.",
            "- In an emergency, run the workflow with `override_window` checked: the override is recorded in the run's summary.",
        );
    }
    if (decision.overrideBy !== undefined && !overridden(decision)) {
        lines.push("", `Emergency override asked for by ${decision.overrideBy}; not needed: nothing was held.`);
    }
    return `${lines.join("\n")}\n`;
}

function stepsText(steps: readonly RedeployStep[]): string {
    return steps.map((step) => `${step.name} ${step.op}`).join(", ");
}

/** ISO 8601 in UTC, to the second: `2026-03-29T01:00:00Z`. */
function utc(instant: Date): string {
    return instant.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The window's wall clock and UTC: `Sunday 2026-03-29 03:00 Europe/Copenhagen (UTC+02:00) = 2026-03-29T01:00:00Z`. */
function bothClocks(time: WindowTime): string {
    return `${time.local} = ${utc(time.instant)}`;
}

// ---------------------------------------------------------------------------------------
// The command line

/** What the gate reads and writes besides its arguments: injected for tests. */
export interface GateIo {
    /** Where Pulumi.yaml and the stack files are, as for `pulumi` and the plan. */
    readonly cwd: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly clock: () => Date;
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

const USAGE = "usage: npm run --silent window -- --stack <name> --preview <pulumi-preview-json> [--now ISO] [--override]";
/** An instant with its offset: a bare local time would be read in the runner's zone. */
const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** The instant `text` names, or undefined unless it is ISO 8601 with its offset and a real date and time (JavaScript reads 2026-02-30 as 2 March). */
function isoInstant(text: string): Date | undefined {
    const match = ISO_INSTANT.exec(text);
    if (match === null || !isCalendarDate(match[1])) return undefined;
    const [hour, minute, second, offsetHours, offsetMinutes] = match.slice(2).map((part) => Number(part ?? 0));
    if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
    return new Date(text);
}

interface GateArguments {
    readonly stack: string;
    readonly preview: string;
    readonly now: Date | undefined;
    readonly override: boolean;
}

/** The gate's flags, each given once at most. */
const GATE_FLAGS: readonly Flag[] = [
    { name: "--stack", value: "<name>", required: true, meaning: "the stack to deploy" },
    { name: "--preview", value: "<pulumi-preview-json>", required: true, meaning: "what pulumi preview --json --stack <name> wrote" },
    { name: "--now", value: "ISO", meaning: "the moment to judge, an ISO 8601 instant with its offset; default now" },
    { name: "--override", meaning: "proceed outside the window, recording who did it" },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

/** What each exit code means, for `--help` and the README. */
export const GATE_EXIT_CODES: Readonly<Record<0 | 2 | 3, string>> = {
    0: "a verdict: proceed, or hold a redeploy until the window (a hold is not a failure: the workflow reads proceed from $GITHUB_OUTPUT)",
    2: 'a usage mistake, an unreadable preview, an unknown stack or a window it cannot judge (broken or encrypted): one line "error: ..." on stderr, no outputs',
    3: "a bug in the gate: the message and a stack trace on stderr",
};

/** The text `--help` prints. */
export function gateHelp(): string {
    return commandHelp({
        about: [
            "The deploy workflow's maintenance-window gate: may pulumi up run for this stack now? A redeploy of Pexip's deployment",
            "runs only inside the stack's maintenanceWindow; every other change proceeds. docs/operations.md: Maintenance windows.",
        ],
        usage: USAGE,
        flagsNote: "Flags (each at most once; --flag=value works too):",
        flags: GATE_FLAGS,
        exitCodes: GATE_EXIT_CODES,
        examples: [
            "npm run --silent window -- --stack prod --preview preview.json",
            "npm run --silent window -- --stack prod --preview preview.json --now 2026-03-28T22:30:00+01:00",
        ],
    });
}

/** Parses the arguments; throws UserError for a usage mistake. Undefined: print the help. */
function parseArguments(argv: readonly string[]): GateArguments | undefined {
    const { help, values } = parseFlags(argv, GATE_FLAGS, USAGE);
    if (help) return undefined;
    const value = (name: string) => values.get(name)?.[0];
    const given = value("--now");
    const now = given === undefined ? undefined : isoInstant(given);
    if (given !== undefined && now === undefined) {
        throw new UserError("--now", `--now must be an ISO 8601 instant with its offset, a real date and time, e.g. 2026-03-29T01:30:00Z, got "${given}"`);
    }
    return { stack: value("--stack")!, preview: value("--preview")!, now, override: values.has("--override") };
}

function readPreview(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new UserError("--preview", `cannot read the preview ${file}`);
    }
    try {
        return JSON.parse(text);
    } catch {
        throw new UserError("--preview", `the preview ${file} is not JSON (the output of pulumi preview --json)`);
    }
}

/** Who the override is recorded for: the workflow's actor, and who re-ran it when someone else did. */
function actorOf(env: GateIo["env"]): string {
    const actor = env.GITHUB_ACTOR || "an operator (GITHUB_ACTOR is not set)";
    const rerunBy = env.GITHUB_TRIGGERING_ACTOR;
    return rerunBy && rerunBy !== env.GITHUB_ACTOR ? `${actor} (re-run by ${rerunBy})` : actor;
}

/** Runs the gate; returns the exit code. */
export function main(argv: readonly string[], io: GateIo): number {
    let decision: GateDecision;
    try {
        const args = parseArguments(argv);
        if (args === undefined) {
            io.stdout(gateHelp());
            return 0;
        }
        const window = readWindow(io.cwd, args.stack);
        decision = decide({
            stack: args.stack,
            redeploy: redeploySteps(readPreview(path.resolve(io.cwd, args.preview)), args.stack),
            window,
            now: args.now ?? io.clock(),
            overrideBy: args.override ? actorOf(io.env) : undefined,
        });
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        io.stderr(line);
        return 2;
    }
    // On a runner, a hold or an override is also an annotation on the run's page.
    const annotate = io.env.GITHUB_ACTIONS === "true" && (!decision.proceed || overridden(decision));
    io.stdout(`${annotate ? "::warning title=Maintenance window::" : ""}${verdictLine(decision)}\n`);
    if (io.env.GITHUB_OUTPUT) {
        const outputs = gateOutputs(decision);
        fs.appendFileSync(io.env.GITHUB_OUTPUT, GATE_OUTPUTS.map((name) => `${name}=${outputs[name]}\n`).join(""));
    }
    if (io.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(io.env.GITHUB_STEP_SUMMARY, summaryMarkdown(decision));
    return 0;
}

if (require.main === module) {
    runCommand("the maintenance-window gate", () =>
        main(process.argv.slice(2), {
            cwd: process.cwd(),
            env: process.env,
            clock: () => new Date(),
            stdout: (text) => process.stdout.write(text),
            stderr: (text) => process.stderr.write(text),
        }),
    );
}
