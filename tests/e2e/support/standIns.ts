import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

/**
 * The stand-in plugins (tests/e2e/plugins) compiled to JavaScript once per test run. The engine
 * starts every provider plugin for every preview and update, and the recording pwsh for every
 * command; under ts-node each start compiled the TypeScript again, which took most of the suite's time.
 */

const ROOT = path.resolve(__dirname, "../../..");

/** What the launchers in plugins/bin run, from the repository's root. */
const ENTRIES = ["tests/e2e/plugins/standinProvider.ts", "tests/e2e/plugins/recordingPwsh.ts"];

let built: string | undefined;

/**
 * The directory holding the compiled stand-ins in the repository's layout (node_modules linked),
 * as `E2E_STANDIN_BUILD` tells the launchers. Compiled on the first call, removed when the process exits.
 */
export function standInBuild(): string {
    if (built === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vdx-e2e-standins-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        compile(ENTRIES.map((entry) => path.join(ROOT, entry)), dir);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
        built = dir;
    }
    return built;
}

/**
 * Transpiles `entries` and every project module their JavaScript requires (type-only imports
 * vanish in the output and are not followed) with the project's compiler options, into `outDir`.
 * Types are not checked here: `npm test` runs tsc over these files.
 */
function compile(entries: readonly string[], outDir: string): void {
    const { options } = ts.convertCompilerOptionsFromJson(JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")).compilerOptions, ROOT);
    const pending = [...entries];
    const done = new Set<string>();
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
        if (done.has(file)) continue;
        done.add(file);
        const target = path.join(outDir, path.relative(ROOT, file));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (file.endsWith(".json")) {
            fs.copyFileSync(file, target);
            continue;
        }
        const { outputText } = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: options, fileName: file });
        fs.writeFileSync(target.replace(/\.ts$/, ".js"), outputText);
        for (const { fileName } of ts.preProcessFile(outputText, true, true).importedFiles) {
            if (fileName.startsWith(".")) pending.push(projectModule(path.resolve(path.dirname(file), fileName)));
        }
    }
}

/** The file a relative require names: a TypeScript module, its folder's index, or a JSON file. */
function projectModule(base: string): string {
    const found = [base, `${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
    if (found === undefined) throw new Error(`the stand-ins require ${base}, which is no TypeScript or JSON file of the project`);
    return found;
}
