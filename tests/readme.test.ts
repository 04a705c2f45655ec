/**
 * The README's "Libraries, and why" table against what is installed: a row that names a version
 * must name the installed one, so that a reason tied to a version ("the current line") is not
 * left behind by an upgrade.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

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
