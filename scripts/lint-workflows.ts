/**
 * Lints `.github/workflows/` with actionlint and shellcheck (`npm run lint:workflows`), as the
 * GitHub Actions ecosystem does. actionlint is the pinned build of `npm run engine:build`
 * (engine/actionlint/go.mod); shellcheck comes from the system (Debian's `shellcheck`).
 * actionlint skips the run: scripts silently when shellcheck is missing, so this refuses to run
 * without it. Exit 0 clean; 1 on findings, or when either tool is missing (one line naming it).
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { actionlintInstall } from "./engine-build";

const ROOT = path.resolve(__dirname, "..");

function main(): number {
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

if (require.main === module) process.exit(main());
