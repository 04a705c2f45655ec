/**
 * Derives the CI stack matrix from the stack files at the repository root.
 *
 * Every `Pulumi.<stack>.yaml` is one stack; nothing else lists them, so adding a region is
 * adding its stack file. Deploy order: `dev`, any other non-production stack, `prod`, then
 * the `prod-<region>` stacks by name. Workflows deploy in that order, one at a time.
 *
 *     ts-node --transpile-only scripts/stack-matrix.ts [--dir DIR] [--only STACK]
 *
 * prints `{"stack":["dev","prod",...]}` on one line. `--only` narrows the matrix to one
 * existing stack (a manual deploy); an empty value means all. Exit 1, with the reason on
 * stderr, when no stack file exists, a file name is not a valid stack name, or `--only`
 * names no stack; exit 2 on an unknown argument.
 */
import { listStacks } from "../lib/config/stackFiles";
import * as path from "node:path";

/** The matrix as GitHub Actions reads it with `fromJSON`. */
export interface StackMatrix {
    readonly stack: readonly string[];
}

/** The matrix for `dir`, narrowed to `only` when given. */
export function stackMatrix(dir: string, only?: string): StackMatrix {
    const stacks = listStacks(dir);
    if (stacks.length === 0) {
        throw new Error(`no Pulumi.<stack>.yaml file in ${dir}`);
    }
    if (only !== undefined && only !== "") {
        if (!stacks.includes(only)) {
            throw new Error(`stack "${only}" has no Pulumi.${only}.yaml; stacks: ${stacks.join(", ")}`);
        }
        return { stack: [only] };
    }
    return { stack: stacks };
}

function main(argv: readonly string[]): number {
    let dir = path.resolve(__dirname, "..");
    let only: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        if ((flag === "--dir" || flag === "--only") && value !== undefined) {
            if (flag === "--dir") dir = path.resolve(value);
            else only = value;
            i++;
        } else {
            process.stderr.write(`usage: stack-matrix [--dir DIR] [--only STACK] (unexpected "${flag}")\n`);
            return 2;
        }
    }
    try {
        process.stdout.write(`${JSON.stringify(stackMatrix(dir, only))}\n`);
        return 0;
    } catch (error) {
        process.stderr.write(`stack-matrix: ${(error as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
