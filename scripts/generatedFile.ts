import * as fs from "fs";
import { commandHelp, Flag, parseFlags, userErrorLine } from "../cli/commandLine";

/** A script that writes a file derived from another (`versions:sync`, `config:declare`). */
export interface GeneratedFile {
    /** The npm script, e.g. `versions:sync`. */
    readonly command: string;
    /** What the script does, one line each, for `--help`. */
    readonly about: readonly string[];
    /** The file it writes, as a path. */
    readonly file: string;
    /** The file's wanted text from its current text; throws ConfigError or UserError for a mistake in the sources. */
    readonly derive: (current: string) => string;
    /** What `--check` says when the file differs. */
    readonly stale: string;
}

const FLAGS: readonly Flag[] = [
    { name: "--check", meaning: "write nothing; exit 1 when the file is not what the script would write (what the tests and CI check)" },
    { name: "--help", alias: "-h", meaning: "print this help and exit 0, whatever else is given" },
];

/** What each exit code means, for `--help` and the README. */
export const GENERATED_FILE_EXIT_CODES: Readonly<Record<0 | 1 | 2 | 3, string>> = {
    0: "the file is written, or already was what the sources say",
    1: "with --check: the file differs from what the sources say (nothing written)",
    2: 'a usage mistake or a mistake in the sources: one line "error: ..." naming the key, nothing written',
    3: "a bug in the script: the message and a stack trace on stderr",
};

function usage(command: string): string {
    return `usage: npm run --silent ${command} -- [--check]`;
}

/** The text `--help` prints. */
export function generatedFileHelp(script: GeneratedFile): string {
    return commandHelp({
        about: script.about,
        usage: usage(script.command),
        flagsNote: "Flags (each at most once):",
        flags: FLAGS,
        exitCodes: GENERATED_FILE_EXIT_CODES,
        examples: [`npm run --silent ${script.command}`, `npm run --silent ${script.command} -- --check`],
    });
}

/**
 * The script's command line: writes the file, or with `--check` exits 1 when it is not what it
 * would write. Everything is checked before anything is written; a mistake is exit 2 with one line.
 */
export function generatedFileMain(script: GeneratedFile, argv: readonly string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): number {
    let check: boolean;
    let current: string;
    let wanted: string;
    try {
        const { help, values } = parseFlags(argv, FLAGS, usage(script.command));
        if (help) {
            io.stdout(generatedFileHelp(script));
            return 0;
        }
        check = values.has("--check");
        current = fs.readFileSync(script.file, "utf8");
        wanted = script.derive(current);
    } catch (error) {
        const line = userErrorLine(error);
        if (line === undefined) throw error;
        io.stderr(line);
        return 2;
    }
    if (current === wanted) return 0;
    if (check) {
        io.stderr(`${script.stale}\n`);
        return 1;
    }
    fs.writeFileSync(script.file, wanted);
    io.stdout(`wrote ${script.file}\n`);
    return 0;
}

/** The process's streams, for a script's `main`. */
export const PROCESS_IO = { stdout: (text: string) => void process.stdout.write(text), stderr: (text: string) => void process.stderr.write(text) };
