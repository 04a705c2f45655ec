/**
 * Runs one mocha test file N times in a row in one process, stopping at the first failure
 * (`npm run test:repeat -- <times> <file> [grep]`): the check that a test with random inputs
 * is not flaky, such as the non-ASCII PFX password test (1000 runs). Not part of `npm test`.
 * Exit codes: REPEAT_HELP.
 */
import Mocha from "mocha";
import * as path from "path";
import { BUG_EXIT_CODE, CommandHelp, HELP_FLAG, positionalArguments, runCommand } from "../cli/commandLine";

const USAGE = "usage: npm run test:repeat -- <times> <test file> [grep]";

const REPEAT_HELP: CommandHelp = {
    about: ["Runs one mocha test file <times> times in a row in one process, stopping at the first failure: is a test with random inputs flaky?"],
    usage: USAGE,
    flagsNote: "Flags:",
    flags: [HELP_FLAG],
    exitCodes: { 0: "every run passed", 1: "a run failed (named, with the test), or no test matched", 2: "a usage error; one line on stderr", [BUG_EXIT_CODE]: "a bug" },
    examples: ['npm run test:repeat -- 1000 tests/lib/certificate/certificate.test.ts "Danish letters"'],
};

/** Prints failures only: a thousand runs of dots say nothing. */
class FailuresOnly extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.on("fail", (test, error) => console.error(`failed: ${test.fullTitle()}\n${error instanceof Error ? error.stack : String(error)}`));
    }
}

async function main(argv: readonly string[]): Promise<number> {
    const args = positionalArguments(argv, REPEAT_HELP, { min: 2, max: 3 });
    if (typeof args === "number") return args;
    const [times, file, grep] = args;
    const runs = Number(times);
    if (!Number.isInteger(runs) || runs < 1) {
        process.stderr.write(`error: <times> must be a whole number of at least 1, got "${times}"; ${USAGE}\n`);
        return 2;
    }
    const spec = path.resolve(file);
    const started = Date.now();
    let tests = 0;
    for (let run = 1; run <= runs; run++) {
        // A fresh mocha each run, which loads the file again (dispose unloads it), so that the
        // tests are defined again. No timeout: this asks whether the test passes, not how fast.
        const mocha = new Mocha({ reporter: FailuresOnly, timeout: 0, grep });
        mocha.addFile(spec);
        const failures = await new Promise<number>((resolve) => {
            const runner = mocha.run(resolve);
            runner.on("test end", () => tests++);
        });
        // Unloads the file and releases the runner's process listeners, which would pile up.
        mocha.dispose();
        if (failures > 0) {
            console.error(`run ${run} of ${runs} failed`);
            return 1;
        }
        if (run % 100 === 0) console.log(`${run} runs passed`);
    }
    if (tests === 0) {
        console.error(`no test of ${file} matched${grep === undefined ? "" : ` "${grep}"`}`);
        return 1;
    }
    console.log(`${runs} runs in a row passed (${tests} tests) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
}

runCommand("test:repeat", () => main(process.argv.slice(2)));
