/**
 * Lints `.github/workflows/` with actionlint and shellcheck (`npm run lint:workflows`), as the
 * GitHub Actions ecosystem does. actionlint is the pinned build of `npm run engine:build`
 * (engine/actionlint/go.mod); shellcheck comes from the system (Debian's `shellcheck`).
 * actionlint skips the run: scripts silently when shellcheck is missing, so this refuses to run
 * without it. Exit 0 clean; 1 on findings, or when either tool is missing (one line naming it).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { BUG_EXIT_CODE, CommandHelp, HELP_FLAG, positionalArguments, runCommand } from "../cli/commandLine";
import { actionlintInstall } from "./engine-build";

const ROOT = path.resolve(__dirname, "..");

const LINT_HELP: CommandHelp = {
    about: ["Lints .github/workflows/ with the pinned actionlint (npm run engine:build) and shellcheck for the run: scripts."],
    usage: "usage: npm run lint:workflows",
    flagsNote: "Flags:",
    flags: [HELP_FLAG],
    exitCodes: { 0: "the workflows are clean", 1: "findings, or actionlint or shellcheck missing (one line naming it)", 2: "a usage error; one line on stderr", [BUG_EXIT_CODE]: "a bug" },
    examples: ["npm run engine:build && npm run lint:workflows"],
};

function main(argv: readonly string[]): number {
    const args = positionalArguments(argv, LINT_HELP, { min: 0, max: 0 });
    if (typeof args === "number") return args;
    const actionlint = actionlintInstall();
    if (!actionlint.built) {
        console.error(`lint:workflows needs actionlint ${actionlint.cliVersion}: run npm run engine:build (needs Go)`);
        return 1;
    }
    const shellcheck = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
    if (shellcheck.error !== undefined || shellcheck.status !== 0) {
        console.error("lint:workflows needs shellcheck on PATH, for the run: scripts (Debian: apt-get install shellcheck)");
        return 1;
    }
    const lint = spawnSync(path.join(actionlint.binDir, "actionlint"), ["-shellcheck", "shellcheck"], { cwd: ROOT, stdio: "inherit" });
    if (lint.status !== 0) return 1;
    console.log(`workflows clean: actionlint ${actionlint.cliVersion} with shellcheck ${/version: (\S+)/.exec(shellcheck.stdout)?.[1] ?? "(unknown version)"}`);
    return 0;
}

if (require.main === module) runCommand("lint:workflows", () => main(process.argv.slice(2)));
