import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

/** The Layout table's rows: the paths its first column names, and the row's description. */
function layoutRows(): Array<{ paths: string[]; what: string }> {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = /^## Layout\n([\s\S]*?)^## /m.exec(readme)?.[1];
    assert.ok(section !== undefined, "README.md has no Layout section");
    return [...section.matchAll(/^\| (.+?) \| (.+) \|$/gm)].map(([, cell, what]) => ({ paths: [...cell.matchAll(/`([^`]+)`/g)].map(([, name]) => name), what }));
}

function layoutPaths(): string[] {
    return layoutRows().flatMap((row) => row.paths);
}

/** The folders a newcomer must find in the table: the top level's and lib/'s and cli/'s. */
function folders(under: string): string[] {
    return fs
        .readdirSync(path.join(ROOT, under), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
        .map((entry) => `${path.posix.join(under, entry.name)}/`.replace(/^\.\//, ""));
}

describe("README.md's Layout table", () => {
    it("names only paths that exist", () => {
        const missing = layoutPaths().filter((name) => !fs.existsSync(path.join(ROOT, name)));
        assert.deepEqual(missing, []);
    });

    it("names every top-level folder and every room of lib/ and cli/", () => {
        const named = new Set(layoutPaths());
        const unnamed = [...folders("."), ...folders("lib"), ...folders("cli")].filter((folder) => !named.has(folder));
        assert.deepEqual(unnamed, []);
    });

    it("leaves no module at lib/'s top but the shared contract and the leaves it names", () => {
        const libRow = layoutRows().find((row) => row.paths.includes("lib/"));
        assert.ok(libRow !== undefined, "no row for lib/");
        const named = new Set([...libRow.what.matchAll(/`([^`]+\.ts)`/g)].map(([, name]) => name));
        const loose = fs.readdirSync(path.join(ROOT, "lib")).filter((name) => name.endsWith(".ts") && !named.has(name));
        assert.deepEqual(loose, []);
    });
});
