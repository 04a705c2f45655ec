/**
 * Runs one mocha test file N times in a row in one process, stopping at the first failure
 * (`npm run test:repeat -- <times> <file> [grep]`): the check that a test with random inputs
 * is not flaky, such as the non-ASCII PFX password test (1000 runs). Not part of `npm test`.
 * Exit 0 when every run passed; 1 naming the failing run and test.
 */
import Mocha from "mocha";
import * as path from "path";

/** Prints failures only: a thousand runs of dots say nothing. */
class FailuresOnly extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.on("fail", (test, error) => console.error(`failed: ${test.fullTitle()}\n${error instanceof Error ? error.stack : String(error)}`));
    }
}

async function main(): Promise<number> {
    const [times, file, grep] = process.argv.slice(2);
    const runs = Number(times);
    if (!Number.isInteger(runs) || runs < 1 || file === undefined) {
        console.error("usage: npm run test:repeat -- <times> <test file> [grep]");
        return 1;
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

main().then((code) => process.exit(code));
