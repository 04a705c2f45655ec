import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

/** The README against the tree and the installed packages: its tables must stay true. */
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

/**
 * The README's "Libraries, and why" table against what is installed: a row that names a version
 * must name the installed one, so that a reason tied to a version ("the current line") is not
 * left behind by an upgrade.
 */
/** `| \`name\` 4.14 (tests) | why |` → name and version ("5.x" keeps only the major). */
function versionedRows(readme: string): { library: string; version: string }[] {
    const section = readme.split("\n## Libraries, and why\n")[1]?.split("\n## ")[0] ?? "";
    return [...section.matchAll(/^\| `([^`]+)` (\d+(?:\.(?:\d+|x))*)\b/gm)].map(([, library, version]) => ({ library, version }));
}

describe("README: Libraries, and why", () => {
    const rows = versionedRows(fs.readFileSync(path.join(ROOT, "README.md"), "utf8"));

    it("has rows that name versions", () => assert.ok(rows.length >= 3, JSON.stringify(rows)));

    for (const { library, version } of rows) {
        it(`${library} ${version} is the version installed`, () => {
            const installed = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", library, "package.json"), "utf8")) as { version: string }).version;
            const wanted = version.replace(/\.x$/, "").split(".");
            assert.deepEqual(installed.split(".").slice(0, wanted.length), wanted, `README names ${library} ${version}, node_modules has ${installed}`);
        });
    }
});
