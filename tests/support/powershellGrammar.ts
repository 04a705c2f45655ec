import * as path from "path";
import { Language, Parser } from "web-tree-sitter";
import type { Tree } from "web-tree-sitter";

/**
 * PowerShell's grammar (tree-sitter-powershell, WebAssembly: no native build), loaded once.
 * Kept tiny so that it can give way to the loader lib/ gets for the plan's param reader.
 */
let parser: Promise<Parser> | undefined;

function powershellParser(): Promise<Parser> {
    parser ??= (async () => {
        await Parser.init();
        const language = await Language.load(path.join(path.dirname(require.resolve("tree-sitter-powershell/package.json")), "tree-sitter-powershell.wasm"));
        return new Parser().setLanguage(language);
    })();
    return parser;
}

/** The syntax tree of a PowerShell text. */
export async function parsePowerShell(text: string): Promise<Tree> {
    const tree = (await powershellParser()).parse(text);
    if (tree === null) throw new Error("tree-sitter-powershell returned no tree");
    return tree;
}
