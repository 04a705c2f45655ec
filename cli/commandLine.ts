/**
 * The command-line plumbing the commands share (cli/plan/plan.ts, cli/upgrade/upgrade.ts,
 * cli/upgrade/upgradePr.ts, cli/window/window.ts, cli/verify/, scripts/sync-versions.ts,
 * scripts/declare-config.ts and the developer tools in scripts/): one flag description, one
 * parser, one `--help` layout, one way a user's mistake becomes exit 2 with one line on stderr,
 * and one way a command ends.
 *
 * Exit codes, the same in every command: 0 ok, 1 a finding or check failed, 2 a usage or
 * configuration mistake (nothing written), 3 a bug; a command may add its own above 3 (the
 * upgrade's 4).
 */
import { isCalendarDate } from "../lib/calendar";
import { ConfigError } from "../lib/config/configError";
import { StackFileError } from "../lib/config/stackFiles";

/** A problem the user can fix: exit 2 with one line, never a stack trace. */
export class UserError extends Error {
    constructor(
        /** The flag, configuration key or file at fault. */
        readonly key: string,
        message: string,
    ) {
        super(message);
        this.name = "UserError";
    }
}

/** One command-line flag: the single description that the parser, the usage line and `--help` use. */
export interface Flag {
    readonly name: string;
    /** A short form. */
    readonly alias?: string;
    /** The value's placeholder, for a flag that takes one. */
    readonly value?: string;
    readonly required?: boolean;
    /** May be given more than once (each time with another value); otherwise once at most. */
    readonly repeatable?: boolean;
    readonly meaning: string;
}

/** The parsed command line. */
export interface ParsedFlags {
    /** A flag named `--help` (or its alias) was among the arguments: nothing else was checked. */
    readonly help: boolean;
    /** By flag name, the values in the order given; a flag without a value has `""`. Absent: not given. */
    readonly values: ReadonlyMap<string, readonly string[]>;
}

/** `--stack <name>`: the flag as the usage line and the help show it. */
export function flagText(flag: Flag): string {
    return flag.value === undefined ? flag.name : `${flag.name} ${flag.value}`;
}

/**
 * Parses `argv` against `flags`. Throws UserError naming the flag (or the argument) for an
 * unknown argument, a missing value, a flag given twice that is not repeatable (or a repeatable
 * one given the same value twice) and a missing required flag; each message ends with `usage`.
 * A flag named `--help`, or its alias, anywhere wins over everything else.
 *
 * A small loop rather than Node's `util.parseArgs`: that one lets a repeated flag's last value
 * win silently (--stack dev --stack prod would plan prod), and its errors are Node's own
 * TypeErrors without the flag at fault or our usage line, so it would need as much code around it.
 */
export function parseFlags(argv: readonly string[], flags: readonly Flag[], usage: string): ParsedFlags {
    const help = flags.find((flag) => flag.name === "--help");
    if (help !== undefined && argv.some((arg) => arg === help.name || arg === help.alias)) return { help: true, values: new Map() };
    const values = new Map<string, string[]>();
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const equals = arg.startsWith("--") ? arg.indexOf("=") : -1;
        const [name, inline] = equals >= 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
        const flag = flags.find((candidate) => candidate.name === name || candidate.alias === name);
        if (flag === undefined || flag === help || (flag.value === undefined && inline !== undefined)) {
            throw new UserError(arg, `unknown argument ${arg}; ${usage}`);
        }
        let value = "";
        if (flag.value !== undefined) {
            const next = inline ?? argv[++index];
            if (next === undefined || next === "" || (inline === undefined && next.startsWith("--"))) throw new UserError(flag.name, `${flag.name} needs a value; ${usage}`);
            value = next;
        }
        const given = values.get(flag.name);
        if (given !== undefined) {
            // A second value would silently win over the first (--stack dev --stack prod planned prod).
            if (!flag.repeatable) throw new UserError(flag.name, `${flag.name} is given more than once: give each flag once; ${usage}`);
            if (given.includes(value)) throw new UserError(flag.name, `${flag.name} ${value} is given more than once; ${usage}`);
            given.push(value);
        } else {
            values.set(flag.name, [value]);
        }
    }
    const missing = flags.find((flag) => flag.required && !values.has(flag.name));
    if (missing !== undefined) throw new UserError(missing.name, `${flagText(missing)} is required; ${usage}`);
    return { help: false, values };
}

/** `--help` (`-h`), which every command takes. */
export const HELP_FLAG: Flag = { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" };

/**
 * The command line of a command whose only flag is --help (in `help.flags`) and whose other
 * arguments are positional, `min` to `max` of them: the help on --help (exit 0), one line on
 * stderr for any other flag or a wrong count (exit 2). The positional arguments to run with,
 * or the exit code when the command ends here.
 */
export function positionalArguments(argv: readonly string[], help: CommandHelp, count: { readonly min: number; readonly max: number }): readonly string[] | number {
    const positionals = argv.filter((arg) => !arg.startsWith("-"));
    try {
        if (parseFlags(argv.filter((arg) => arg.startsWith("-")), help.flags, help.usage).help) {
            process.stdout.write(commandHelp(help));
            return 0;
        }
        if (positionals.length < count.min || positionals.length > count.max) throw new UserError("arguments", help.usage);
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        process.stderr.write(line);
        return 2;
    }
    return positionals;
}

/** What `--help` shows, in this order. */
export interface CommandHelp {
    /** What the command does, one line each. */
    readonly about: readonly string[];
    /** The usage line, `usage: ...`. */
    readonly usage: string;
    /** The heading of the flags, e.g. "Flags (each at most once; --flag=value works too):". */
    readonly flagsNote: string;
    readonly flags: readonly Flag[];
    /** What each exit code means. */
    readonly exitCodes: Readonly<Record<number, string>>;
    /** Whole command lines. */
    readonly examples: readonly string[];
}

/** The text `--help` prints: what the command does, the usage line, every flag with its meaning, the exit codes and examples. */
export function commandHelp(help: CommandHelp): string {
    const names = help.flags.map((flag) => (flag.alias === undefined ? flagText(flag) : `${flag.alias}, ${flagText(flag)}`));
    const width = Math.max(...names.map((name) => name.length)) + 2;
    return [
        ...help.about,
        "",
        help.usage,
        "",
        help.flagsNote,
        ...help.flags.map((flag, index) => `  ${names[index].padEnd(width)}${flag.required ? "required: " : ""}${flag.meaning}`),
        "",
        "Exit codes:",
        ...Object.entries(help.exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`),
        "",
        "Examples:",
        ...help.examples.map((example) => `  ${example}`),
        "",
    ].join("\n");
}

/** Throws UserError unless `value` (a flag's, when given) is a calendar date YYYY-MM-DD. */
export function checkCalendarDate(flag: string, value: string | undefined): void {
    if (value !== undefined && !isCalendarDate(value)) throw new UserError(flag, `${flag} must be a calendar date YYYY-MM-DD, got "${value}"`);
}

/** A message on one line: line breaks, with the spaces around them, become "; ". */
export function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, "; ").trim();
}

/** The key and one-line message of a mistake the user can fix; undefined for a bug. */
export function userProblem(error: unknown): { key: string; message: string } | undefined {
    if (error instanceof ConfigError || error instanceof UserError) return { key: error.key, message: oneLine(error.message) };
    if (error instanceof StackFileError) return { key: "stack", message: oneLine(error.message) };
    return undefined;
}

/** What a mistake the user can fix prints on stderr (exit 2): `error: <one line>\n`; undefined for a bug. */
export function userErrorLine(error: unknown): string | undefined {
    const problem = userProblem(error);
    return problem === undefined ? undefined : `error: ${problem.message}\n`;
}

/** The exit code of a bug, in every command. */
export const BUG_EXIT_CODE = 3;

/**
 * Runs a command's `main` as the process: ends with its exit code once stdout and stderr have
 * drained (exit 3 with the stack trace when it throws). A pipe takes 64 KiB at once; exiting
 * before the rest is written would cut `plan --json` there. The process still exits rather than
 * waits for other handles, which the Pulumi SDK's mock runtime may leave open.
 */
export function runCommand(name: string, main: () => number | Promise<number>): void {
    new Promise<number>((resolve) => resolve(main())).then(exitAfterOutput, (error: unknown) => {
        process.stderr.write(`internal error in ${name}: ${(error as Error)?.stack ?? String(error)}\n`);
        exitAfterOutput(BUG_EXIT_CODE);
    });
}

/** Exits with `code` once everything written to stdout and stderr so far has been handed to the system. */
export function exitAfterOutput(code: number): void {
    process.exitCode = code;
    let pending = 2;
    // A stream's write callbacks run in order: this one runs after everything written before it.
    const drained = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", drained);
    process.stderr.write("", drained);
}
