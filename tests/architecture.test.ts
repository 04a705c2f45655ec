import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";

/** docs/architecture.md's direction of imports, checked over every module of the program's rooms. */
const ROOT = path.resolve(__dirname, "..");

function modules(room: string): string[] {
    const full = path.join(ROOT, room);
    if (fs.statSync(full).isFile()) return [room];
    return fs.readdirSync(full, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts")).map((name) => path.posix.join(room, name.split(path.sep).join("/")));
}

/** The repository paths a module's relative imports point at. */
function importsOf(module: string): string[] {
    const source = fs.readFileSync(path.join(ROOT, module), "utf8");
    return [...source.matchAll(/(?:from|import|require\()\s*"(\.{1,2}\/[^"]+)"/g)].map(([, specifier]) => path.posix.normalize(path.posix.join(path.posix.dirname(module), specifier)));
}

describe("the direction of imports (docs/architecture.md)", () => {
    const rules: Array<{ rooms: string[]; never: string[] }> = [
        { rooms: ["index.ts", "program.ts", "components", "lib"], never: ["cli/", "scripts/", "tests/", "policy/"] },
        { rooms: ["lib"], never: ["components/", "program", "index"] },
    ];
    for (const { rooms, never } of rules) {
        it(`${rooms.join(", ")} import nothing from ${never.join(", ")}`, () => {
            const wrong = rooms.flatMap(modules).flatMap((module) => importsOf(module).filter((target) => never.some((room) => target.startsWith(room))).map((target) => `${module} → ${target}`));
            assert.deepEqual(wrong, []);
        });
    }
});
