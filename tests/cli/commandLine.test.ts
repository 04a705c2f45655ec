/**
 * The shared command-line plumbing (cli/commandLine.ts): the parser every command uses, the
 * `--help` layout, and a user's mistake as one line.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { checkCalendarDate, commandHelp, Flag, oneLine, parseFlags, userErrorLine, UserError, userProblem } from "../../cli/commandLine";
import { StackFileError } from "../../lib/config/stackFiles";
import { ConfigError } from "../../lib/config/configError";
import { TS_NODE } from "../support/tsNode";

const USAGE = "usage: tool --name <n> [--tag T]... [--dry]";
const FLAGS: readonly Flag[] = [
    { name: "--name", value: "<n>", required: true, meaning: "the name" },
    { name: "--tag", value: "T", repeatable: true, meaning: "a tag; repeat for more" },
    { name: "--dry", meaning: "change nothing" },
    { name: "--help", alias: "-h", meaning: "print this help" },
];

/** The UserError parseFlags throws for `argv`: its key and message. */
function refusal(argv: string[]): { key: string; message: string } {
    try {
        parseFlags(argv, FLAGS, USAGE);
    } catch (error) {
        assert.ok(error instanceof UserError, String(error));
        return { key: error.key, message: error.message };
    }
    assert.fail(`accepted ${JSON.stringify(argv)}`);
}

describe("command line (cli/commandLine.ts)", () => {
    describe("parseFlags", () => {
        it("takes --flag value, --flag=value, a flag without a value and a repeatable flag, in order", () => {
            const { help, values } = parseFlags(["--name=a", "--tag", "x", "--dry", "--tag=y"], FLAGS, USAGE);
            assert.equal(help, false);
            assert.deepEqual(Object.fromEntries(values), { "--name": ["a"], "--tag": ["x", "y"], "--dry": [""] });
        });

        it("-h or --help anywhere wins over everything else, mistakes included", () => {
            assert.equal(parseFlags(["--bogus", "-h"], FLAGS, USAGE).help, true);
            assert.equal(parseFlags(["--help"], FLAGS, USAGE).help, true);
            // Without a --help flag it is an unknown argument like any other.
            assert.throws(() => parseFlags(["--help"], FLAGS.slice(0, 3), USAGE), (error: Error) => error.message === `unknown argument --help; ${USAGE}`);
        });

        for (const [what, argv, key, message] of [
            ["an unknown argument", ["--name", "a", "--verbose"], "--verbose", `unknown argument --verbose; ${USAGE}`],
            ["a positional argument", ["a"], "a", `unknown argument a; ${USAGE}`],
            ["a value for a flag without one", ["--name", "a", "--dry=yes"], "--dry=yes", `unknown argument --dry=yes; ${USAGE}`],
            ["a missing value at the end", ["--name"], "--name", `--name needs a value; ${USAGE}`],
            ["a flag where the value should be", ["--name", "--dry"], "--name", `--name needs a value; ${USAGE}`],
            ["an empty value", ["--name="], "--name", `--name needs a value; ${USAGE}`],
            ["a flag given twice", ["--name", "a", "--name=b"], "--name", `--name is given more than once: give each flag once; ${USAGE}`],
            ["a flag without a value given twice", ["--name", "a", "--dry", "--dry"], "--dry", `--dry is given more than once: give each flag once; ${USAGE}`],
            ["a repeatable flag with the same value twice", ["--name", "a", "--tag", "x", "--tag=x"], "--tag", `--tag x is given more than once; ${USAGE}`],
            ["a missing required flag", ["--dry"], "--name", `--name <n> is required; ${USAGE}`],
        ] as const) {
            it(`refuses ${what}, naming it`, () => {
                assert.deepEqual(refusal([...argv]), { key, message });
            });
        }
    });

    it("commandHelp lays out the about lines, usage, flags in one column, exit codes and examples", () => {
        const help = commandHelp({
            about: ["Does a thing."],
            usage: USAGE,
            flagsNote: "Flags:",
            flags: FLAGS,
            exitCodes: { 0: "fine", 2: "a usage mistake" },
            examples: ["tool --name a"],
        });
        assert.equal(
            help,
            [
                "Does a thing.",
                "",
                USAGE,
                "",
                "Flags:",
                "  --name <n>  required: the name",
                "  --tag T     a tag; repeat for more",
                "  --dry       change nothing",
                "  -h, --help  print this help",
                "",
                "Exit codes:",
                "  0  fine",
                "  2  a usage mistake",
                "",
                "Examples:",
                "  tool --name a",
                "",
            ].join("\n"),
        );
    });

    it("checkCalendarDate refuses what is not a calendar date, naming the flag", () => {
        checkCalendarDate("--as-of", undefined);
        checkCalendarDate("--as-of", "2028-02-29");
        assert.throws(
            () => checkCalendarDate("--as-of", "2026-02-30"),
            (error: unknown) => error instanceof UserError && error.key === "--as-of" && error.message === '--as-of must be a calendar date YYYY-MM-DD, got "2026-02-30"',
        );
    });

    it("a user's mistake is one line with its key; anything else is a bug", () => {
        assert.equal(oneLine("first\n  second \nthird"), "first; second; third");
        assert.deepEqual(userProblem(new UserError("--out", "a\nb")), { key: "--out", message: "a; b" });
        assert.deepEqual(userProblem(new ConfigError("location", "must be\nan Azure region")), { key: "location", message: "location must be; an Azure region" });
        assert.deepEqual(userProblem(new StackFileError("no such stack")), { key: "stack", message: "no such stack" });
        assert.equal(userProblem(new Error("bug")), undefined);
        assert.equal(userErrorLine(new StackFileError("no\nstack")), "error: no; stack\n");
        assert.equal(userErrorLine(new TypeError("bug")), undefined);
    });

    describe("runCommand: stdout drained before exit, in every command", () => {
        const root = path.resolve(__dirname, "../..");
        /**
         * Runs a command with its stdout piped into a reader that starts only once the command
         * has written (a preload marks the first write): the pipe takes 64 KiB, the rest must wait.
         */
        function piped(script: string, args: readonly string[], cwd = root): { status: number; stdout: string; stderr: string } {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "piped-"));
            try {
                const marker = path.join(dir, "written");
                const preload = path.join(dir, "mark-first-write.js");
                fs.writeFileSync(
                    preload,
                    `const fs = require("fs"); const write = process.stdout.write.bind(process.stdout);\n` +
                        `process.stdout.write = (...args) => { const done = write(...args); fs.writeFileSync(${JSON.stringify(marker)}, ""); return done; };\n`,
                );
                const quoted = [process.execPath, "-r", TS_NODE, "-r", preload, script, ...args].map((word) => `'${word}'`).join(" ");
                const reader = `(until [ -e '${marker}' ]; do sleep 0.05; done; sleep 0.5; cat)`;
                const pipeline = spawnSync("bash", ["-c", `${quoted} | ${reader}; exit \${PIPESTATUS[0]}`], {
                    cwd,
                    encoding: "utf8",
                    maxBuffer: 64 * 1024 * 1024,
                    // The project's compiler settings wherever the command runs.
                    env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
                });
                return { status: pipeline.status ?? -1, stdout: pipeline.stdout, stderr: pipeline.stderr };
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }

        it("a payload of more than 64 KiB reaches a slow pipe whole, with the command's exit code", function () {
            this.timeout(30000);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-command-"));
            try {
                const script = path.join(dir, "big.js");
                fs.writeFileSync(
                    script,
                    `const { runCommand } = require(${JSON.stringify(path.join(root, "cli", "commandLine.ts"))});\n` +
                        `runCommand("the test", () => { process.stdout.write(JSON.stringify({ items: Array.from({ length: 20000 }, (_, i) => "item " + i) }) + "\\n"); return 1; });\n`,
                );
                const { status, stdout } = piped(script, []);
                assert.ok(stdout.length > 128 * 1024, `only ${stdout.length} bytes`);
                assert.equal((JSON.parse(stdout) as { items: string[] }).items.length, 20000);
                assert.equal(status, 1);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("plan --json of a stack at the documented limits is complete, valid JSON through a pipe", function () {
            this.timeout(60000);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-limits-"));
            try {
                for (const file of ["Pulumi.yaml", "pexip-versions.yaml"]) fs.copyFileSync(path.join(root, file), path.join(dir, file));
                const stack = parseDocument(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
                const hundred = (item: (index: number) => string) => Array.from({ length: 100 }, (_, index) => item(index));
                // At most 100 addresses and 100 hostnames (README's table): the plan repeats them in several places.
                stack.setIn(["config", "vdx-teams-connector:vdx", "nodeAddresses"], hundred((index) => `198.51.100.${index}/32`));
                stack.setIn(["config", "vdx-teams-connector:vdx", "nodeFqdns"], hundred((index) => `vdx-node${index}.vdx.example`));
                stack.setIn(["config", "vdx-teams-connector:managementAddresses"], hundred((index) => `192.0.2.${index}/32`));
                fs.writeFileSync(path.join(dir, "Pulumi.limits.yaml"), stack.toString());
                const policy = ["--policy-config", path.join(root, "policy", "config.json")];
                const { status, stdout, stderr } = piped(path.join(root, "cli", "plan", "plan.ts"), ["--stack", "limits", "--json", ...policy], dir);
                assert.ok(stdout.length > 64 * 1024, `${stdout.length} bytes: cut at the pipe's 64 KiB, or a stack too small to prove it (${stderr})`);
                const report = JSON.parse(stdout) as { stack: string };
                assert.equal(report.stack, "limits");
                assert.ok(status === 0 || status === 1, `exit ${status}: ${stderr}`);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
