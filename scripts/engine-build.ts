/**
 * Builds the Go tools the checks need from Go modules (`npm run engine:build`), each pinned in
 * committed go.mod/go.sum files: the real Pulumi engine for the end-to-end tests, that is the CLI
 * (`engine/go.mod`) and the Node.js language host (`engine/langhost/go.mod`), and actionlint for
 * the workflows (`engine/actionlint/go.mod`, run by `npm run lint:workflows`). The binaries go to
 * a cache directory outside the repository, one per tool set, keyed by its pins, so a second run
 * with the same pins does nothing:
 *
 *     ${XDG_CACHE_HOME:-~/.cache}/vdx-teams-connector/engine/<cli version>-<hash of the pins>/bin
 *     ${XDG_CACHE_HOME:-~/.cache}/vdx-teams-connector/actionlint/<version>-<hash of the pins>/bin
 *
 * Exit 0 built or cached (stdout says which, with build time and sizes); 1 when Go is missing
 * (one line) or a build fails. The command provider is not built: its module is not served at
 * any version matching @pulumi/command (see tests/e2e/README.md), so a stand-in plays it.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BUG_EXIT_CODE, CommandHelp, HELP_FLAG, positionalArguments, runCommand } from "../cli/commandLine";

const ROOT = path.resolve(__dirname, "..");
const ENGINE = path.join(ROOT, "engine");

/** One binary: the module directory that pins it, its package, and the version it reports. */
interface Binary {
    readonly file: string;
    readonly moduleDir: string;
    readonly pkg: string;
    /** The module whose pinned version is stamped into the binary (`pulumi version`, plugin info). */
    readonly versionOf: string;
}

/** Binaries cached together in one directory, named after the first one's version. */
interface ToolSet {
    readonly name: string;
    readonly binaries: readonly Binary[];
    /** The variable, in the package named by versionOf, that the binary reports as its version. */
    readonly versionVariable: string;
}

const PULUMI_ENGINE: ToolSet = {
    name: "engine",
    binaries: [
        { file: "pulumi", moduleDir: ENGINE, pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", versionOf: "github.com/pulumi/pulumi/pkg/v3" },
        {
            file: "pulumi-language-nodejs",
            moduleDir: path.join(ENGINE, "langhost"),
            pkg: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
            versionOf: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
        },
    ],
    // What `pulumi version` and GetPluginInfo report.
    versionVariable: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
};

const ACTIONLINT: ToolSet = {
    name: "actionlint",
    binaries: [
        { file: "actionlint", moduleDir: path.join(ENGINE, "actionlint"), pkg: "github.com/rhysd/actionlint/cmd/actionlint", versionOf: "github.com/rhysd/actionlint" },
    ],
    versionVariable: "github.com/rhysd/actionlint.version",
};

/** The Go release engine/go.mod asks for (its `go` line): with GOTOOLCHAIN=local no other is fetched. */
function requiredGo(): string {
    return /^go (\S+)$/m.exec(fs.readFileSync(path.join(ENGINE, "go.mod"), "utf8"))?.[1] ?? "(engine/go.mod's go line)";
}

/** Where the binaries of the current pins live, and whether they are there. */
export interface ToolInstall {
    readonly binDir: string;
    /** The first binary's version, as its go.mod pins it (the CLI's, for the engine). */
    readonly cliVersion: string;
    readonly built: boolean;
}

/** Where the real Pulumi engine of the current pins lives (computed without Go, so the tests can find it). */
export function engineInstall(): ToolInstall {
    return toolInstall(PULUMI_ENGINE);
}

/** Where actionlint of the current pins lives. */
export function actionlintInstall(): ToolInstall {
    return toolInstall(ACTIONLINT);
}

/** The version a go.mod pins for a module. */
function pinnedVersion(moduleDir: string, modulePath: string): string {
    const goMod = fs.readFileSync(path.join(moduleDir, "go.mod"), "utf8");
    const match = new RegExp(`^\\s*${modulePath.replace(/[.]/g, "\\.")} (v\\S+)`, "m").exec(goMod);
    if (match === null) throw new Error(`${path.relative(ROOT, moduleDir)}/go.mod pins no version of ${modulePath}`);
    return match[1];
}

/** The cache directory for a tool set's current pins. */
function toolInstall(tools: ToolSet): ToolInstall {
    const [first] = tools.binaries;
    const cliVersion = pinnedVersion(first.moduleDir, first.versionOf);
    const pins = createHash("sha256");
    for (const binary of tools.binaries) {
        for (const file of ["go.mod", "go.sum"]) pins.update(fs.readFileSync(path.join(binary.moduleDir, file)));
        pins.update(ldflags(tools, binary));
    }
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    const binDir = path.join(cache, "vdx-teams-connector", tools.name, `${cliVersion}-${pins.digest("hex").slice(0, 12)}`, "bin");
    const built = tools.binaries.every((binary) => fs.existsSync(path.join(binDir, binary.file)));
    return { binDir, cliVersion, built };
}

function ldflags(tools: ToolSet, binary: Binary): string {
    // -s -w: no symbol tables; the version stamped is the one the binary reports.
    return `-s -w -X ${tools.versionVariable}=${pinnedVersion(binary.moduleDir, binary.versionOf)}`;
}

function megabytes(file: string): string {
    return `${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB`;
}

/** Builds a tool set unless its current pins are cached; false when Go is missing or a build fails. */
function build(tools: ToolSet): boolean {
    const install = toolInstall(tools);
    if (install.built) {
        const sizes = tools.binaries.map((binary) => `${binary.file} ${megabytes(path.join(install.binDir, binary.file))}`).join(", ");
        console.log(`${tools.name} cached: ${install.binDir} (${sizes}); nothing to build`);
        return true;
    }
    const go = spawnSync("go", ["version"], { encoding: "utf8" });
    if (go.error !== undefined || go.status !== 0) {
        console.error(`engine:build needs Go ${requiredGo()} or newer on PATH (the go command was not found)`);
        return false;
    }
    console.log(`building ${tools.binaries.map((binary) => binary.file).join(" and ")} (${install.cliVersion}) with ${go.stdout.trim()} into ${install.binDir}`);
    // Built beside the final directory and renamed into place, so an interrupted build never looks cached.
    const staging = `${install.binDir}.partial-${process.pid}`;
    fs.mkdirSync(staging, { recursive: true });
    const started = Date.now();
    for (const binary of tools.binaries) {
        const start = Date.now();
        const output = path.join(staging, binary.file);
        const goBuild = spawnSync("go", ["build", "-trimpath", "-ldflags", ldflags(tools, binary), "-o", output, binary.pkg], {
            cwd: binary.moduleDir,
            stdio: "inherit",
            // Exactly what go.mod/go.sum pin: never edit them, never consult another Go toolchain.
            env: { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ""} -mod=readonly`.trim(), GOTOOLCHAIN: "local" },
        });
        if (goBuild.status !== 0) {
            fs.rmSync(staging, { recursive: true, force: true });
            console.error(`engine:build: go build ${binary.pkg} failed`);
            return false;
        }
        console.log(`built ${binary.file} (${pinnedVersion(binary.moduleDir, binary.versionOf)}) in ${((Date.now() - start) / 1000).toFixed(0)} s, ${megabytes(output)}`);
    }
    fs.rmSync(install.binDir, { recursive: true, force: true });
    fs.renameSync(staging, install.binDir);
    console.log(`${tools.name} built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${install.binDir}`);
    return true;
}

const ENGINE_BUILD_HELP: CommandHelp = {
    about: [
        "Builds the real Pulumi engine (CLI and Node.js language host) for the end-to-end tests, and actionlint for the",
        "workflow lint, from the Go modules pinned in engine/, into ${XDG_CACHE_HOME:-~/.cache}/vdx-teams-connector, keyed by",
        "the pins: a second run with the same pins builds nothing. Needs Go (engine/go.mod's go line). tests/e2e/README.md.",
    ],
    usage: "usage: npm run engine:build",
    flagsNote: "Flags:",
    flags: [HELP_FLAG],
    exitCodes: { 0: "built, or cached (stdout says which)", 1: "Go is missing (one line), or a build failed", 2: "a usage error; one line on stderr", [BUG_EXIT_CODE]: "a bug" },
    examples: ["npm run engine:build && npm run test:e2e"],
};

function main(argv: readonly string[]): number {
    const args = positionalArguments(argv, ENGINE_BUILD_HELP, { min: 0, max: 0 });
    if (typeof args === "number") return args;
    return [PULUMI_ENGINE, ACTIONLINT].every(build) ? 0 : 1;
}

if (require.main === module) runCommand("engine:build", () => main(process.argv.slice(2)));
