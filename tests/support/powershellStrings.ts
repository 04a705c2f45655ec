/**
 * The end of a PowerShell string literal, for tests that lex scripts/pexip-deployment.ps1 as text.
 * The program reads PowerShell with the grammar (lib/powershellParameters.ts's parsePowerShell),
 * which these text tests can move to; until then they keep this small lexer.
 */

/** The index after a PowerShell string literal (quoted or here-string) that starts at `index`, or `index` when none starts there. */
export function skipString(text: string, index: number): number {
    const here = /^@(['"])\r?\n/.exec(text.slice(index, index + 4));
    if (here !== null) {
        const close = new RegExp(`\\r?\\n${here[1]}@`, "g");
        close.lastIndex = index + 2;
        const found = close.exec(text);
        if (found === null) throw new Error("a here-string is never closed");
        return found.index + found[0].length;
    }
    const quote = text[index];
    if (quote === "'") {
        // '' is an escaped quote inside a single-quoted string.
        let at = index + 1;
        for (;;) {
            const end = text.indexOf("'", at);
            if (end < 0) throw new Error("a quoted string is never closed");
            if (text[end + 1] === "'") at = end + 2;
            else return end + 1;
        }
    }
    if (quote === '"') {
        let at = index + 1;
        while (at < text.length) {
            if (text[at] === "`") at += 2;
            else if (text[at] === '"' && text[at + 1] === '"') at += 2;
            else if (text[at] === '"') return at + 1;
            else at++;
        }
        throw new Error("a quoted string is never closed");
    }
    return index;
}
