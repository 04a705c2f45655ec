/** Text helpers shared by the reports people read (the plan, the upgrade pull request). */

/** "1 day", "2 days". */
export function plural(count: number, one: string, many = `${one}s`): string {
    return `${count} ${count === 1 ? one : many}`;
}

/** Inline code that survives any backticks in the text: a fence one backtick longer than any run inside, as GFM wants. */
export function mdCode(text: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
    return `${fence}${pad}${text}${pad}${fence}`;
}

/** Plain text in Markdown: no HTML can open. */
export function mdText(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Plain text in a GFM table cell: no HTML, and no pipe that would split the cell. */
export function mdCell(text: string): string {
    return mdText(text).replace(/\|/g, "\\|");
}
