/**
 * Builds the real Pulumi engine for the end-to-end tests from Go modules (`npm run engine:build`):
 * the CLI (`engine/go.mod`) and the Node.js language host (`engine/langhost/go.mod`), both pinned
 * in committed go.mod/go.sum files. The binaries go to a cache directory outside the repository,
 * keyed by those files, so a second run with the same pins does nothing:
 *
 *     ${XDG_CACHE_HOME:-~/.cache}/vdx-teams-connector/engine/<cli version>-<hash of the pins>/bin
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

const BINARIES: readonly Binary[] = [
    { file: "pulumi", moduleDir: ENGINE, pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", versionOf: "github.com/pulumi/pulumi/pkg/v3" },
    {
        file: "pulumi-language-nodejs",
        moduleDir: path.join(ENGINE, "langhost"),
        pkg: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
        versionOf: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
    },
];

/** The Go release engine/go.mod asks for (its `go` line): with GOTOOLCHAIN=local no other is fetched. */
function requiredGo(): string {
    return /^go (\S+)$/m.exec(fs.readFileSync(path.join(ENGINE, "go.mod"), "utf8"))?.[1] ?? "(engine/go.mod's go line)";
}

/** Where the binaries of the current pins live, and whether they are there. */
export interface EngineInstall {
    readonly binDir: string;
    /** The CLI's version, as pinned in engine/go.mod. */
    readonly cliVersion: string;
    readonly built: boolean;
}

/** The version a go.mod pins for a module. */
function pinnedVersion(moduleDir: string, modulePath: string): string {
    const goMod = fs.readFileSync(path.join(moduleDir, "go.mod"), "utf8");
    const match = new RegExp(`^\\s*${modulePath.replace(/[.]/g, "\\.")} (v\\S+)`, "m").exec(goMod);
    if (match === null) throw new Error(`${path.relative(ROOT, moduleDir)}/go.mod pins no version of ${modulePath}`);
    return match[1];
}

/** The cache directory for the current pins (computed without Go, so the tests can find it). */
export function engineInstall(): EngineInstall {
    const cliVersion = pinnedVersion(ENGINE, BINARIES[0].versionOf);
    const pins = createHash("sha256");
    for (const binary of BINARIES) {
        for (const file of ["go.mod", "go.sum"]) pins.update(fs.readFileSync(path.join(binary.moduleDir, file)));
        pins.update(ldflags(binary));
    }
    const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
    const binDir = path.join(cache, "vdx-teams-connector", "engine", `${cliVersion}-${pins.digest("hex").slice(0, 12)}`, "bin");
    const built = BINARIES.every((binary) => fs.existsSync(path.join(binDir, binary.file)));
    return { binDir, cliVersion, built };
}

function ldflags(binary: Binary): string {
    const version = pinnedVersion(binary.moduleDir, binary.versionOf);
    // -s -w: no symbol tables; the version is what `pulumi version` and GetPluginInfo report.
    return `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;
}

function megabytes(file: string): string {
    return `${(fs.statSync(file).size / 1024 / 1024).toFixed(1)} MB`;
}

function main(): number {
    const install = engineInstall();
    if (install.built) {
        const sizes = BINARIES.map((binary) => `${binary.file} ${megabytes(path.join(install.binDir, binary.file))}`).join(", ");
        console.log(`engine cached: ${install.binDir} (${sizes}); nothing to build`);
        return 0;
    }
    const go = spawnSync("go", ["version"], { encoding: "utf8" });
    if (go.error !== undefined || go.status !== 0) {
        console.error(`engine:build needs Go ${requiredGo()} or newer on PATH (the go command was not found)`);
        return 1;
    }
    console.log(`building Pulumi ${install.cliVersion} and its Node.js language host with ${go.stdout.trim()} into ${install.binDir}`);
    // Built beside the final directory and renamed into place, so an interrupted build never looks cached.
    const staging = `${install.binDir}.partial-${process.pid}`;
    fs.mkdirSync(staging, { recursive: true });
    const started = Date.now();
    for (const binary of BINARIES) {
        const start = Date.now();
        const output = path.join(staging, binary.file);
        const build = spawnSync("go", ["build", "-trimpath", "-ldflags", ldflags(binary), "-o", output, binary.pkg], {
            cwd: binary.moduleDir,
            stdio: "inherit",
            // Exactly what go.mod/go.sum pin: never edit them, never consult another Go toolchain.
            env: { ...process.env, GOFLAGS: `${process.env.GOFLAGS ?? ""} -mod=readonly`.trim(), GOTOOLCHAIN: "local" },
        });
        if (build.status !== 0) {
            fs.rmSync(staging, { recursive: true, force: true });
            console.error(`engine:build: go build ${binary.pkg} failed`);
            return 1;
        }
        console.log(`built ${binary.file} (${pinnedVersion(binary.moduleDir, binary.versionOf)}) in ${((Date.now() - start) / 1000).toFixed(0)} s, ${megabytes(output)}`);
    }
    fs.rmSync(install.binDir, { recursive: true, force: true });
    fs.renameSync(staging, install.binDir);
    console.log(`engine built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${install.binDir}`);
    return 0;
}

if (require.main === module) process.exit(main());
