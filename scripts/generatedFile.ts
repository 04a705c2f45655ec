import * as fs from "fs";

/**
 * The command line of a script that writes a file derived from another: writes it, or with
 * `--check` exits 1 when the file is not what it would write (what the tests and CI check).
 */
export function writeOrCheck(file: string, derive: (current: string) => string, stale: string): void {
    const current = fs.readFileSync(file, "utf8");
    const wanted = derive(current);
    if (process.argv.includes("--check")) {
        if (current !== wanted) {
            process.stderr.write(`${stale}\n`);
            process.exit(1);
        }
    } else if (current !== wanted) {
        fs.writeFileSync(file, wanted);
        process.stdout.write(`wrote ${file}\n`);
    }
}
