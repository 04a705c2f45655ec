/**
 * The hand-over files that `--out DIR` writes for the party: the request to VDX (Markdown and
 * JSON) and the Teams PowerShell for the lobby bypass; and the check that DIR can take them.
 */
import * as fs from "fs";
import * as path from "path";
import type { Settings } from "../../lib/config/settings";
import { buildVdxRequest, eventHubSecretCommand } from "../../lib/vdx/vdxRequest";
import { UserError } from "../commandLine";

/** The hand-over files `--out` writes. */
export const HAND_OVER_FILES = {
    requestMarkdown: "vdx-request.md",
    requestJson: "vdx-request.json",
    lobbyBypass: "teams-lobby-bypass.ps1",
} as const;

/** The hand-over files' names and contents. Never the Event Hub connection string. */
export function handOverFiles(settings: Settings, outputs: Record<string, unknown>, standIns: readonly string[]): Record<string, string> {
    // Facts come from the program's outputs, unless the mock cloud made them up.
    const fact = (name: string) => (typeof outputs[name] === "string" && !standIns.includes(name) ? (outputs[name] as string) : undefined);
    const publicIp = fact("publicIpAddress");
    const applicationId = fact("teamsApplicationId");
    const request = buildVdxRequest(settings, {
        ...(publicIp === undefined ? {} : { publicIp }),
        ...(applicationId === undefined ? {} : { applicationId }),
        ...(settings.infinityScaling ? { eventHubSecretCommand: eventHubSecretCommand(settings.stack) } : {}),
    });
    const files: Record<string, string> = {
        [HAND_OVER_FILES.requestMarkdown]: request.markdown,
        [HAND_OVER_FILES.requestJson]: `${JSON.stringify(request.json, null, 2)}\n`,
    };
    const script = outputs.lobbyBypassScript;
    if (typeof script === "string") {
        const standIn = typeof outputs.teamsApplicationId === "string" && applicationId === undefined ? outputs.teamsApplicationId : undefined;
        files[HAND_OVER_FILES.lobbyBypass] = standIn === undefined ? script : parameterisedScript(script, standIn, settings.stack);
    }
    return files;
}

/**
 * The Teams PowerShell with the application ID as a parameter: offline, the ID in the program's
 * output is the mock cloud's, and a script that registered it would silently break the lobby
 * bypass. PowerShell allows comments before `param`.
 */
function parameterisedScript(script: string, standInId: string, stack: string): string {
    const literal = `'${standInId.replace(/'/g, "''")}'`;
    if (!script.includes(literal)) throw new Error("the lobby bypass script does not contain the application ID where expected");
    return [
        `# Written by the offline plan for stack ${stack}. The connector's application ID exists only`,
        "# after `pulumi up`, so it is a parameter here:",
        `#   ./teams-lobby-bypass.ps1 -ApplicationId (pulumi stack output --stack ${stack} teamsApplicationId)`,
        `# After deployment, \`pulumi stack output --stack ${stack} lobbyBypassScript\` prints the same script with the ID in it.`,
        "param(",
        "    [Parameter(Mandatory = $true)]",
        "    [ValidatePattern('^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$')]",
        "    [string] $ApplicationId",
        ")",
        "",
        script.split(literal).join("$ApplicationId"),
    ].join("\n");
}

/**
 * The nearest existing directory on the way to `outDir`, and the directories to create below it,
 * outermost first. Not `mkdir -p` (`fs.mkdirSync` with `recursive`): where the kernel answers
 * ENOENT for a directory whose parent exists, as /proc and /sys do, Node creates the parent
 * again and retries the child, forever, at 100% CPU.
 */
function outDirectories(outDir: string): { existing: string; missing: string[] } {
    const missing: string[] = [];
    let existing = path.resolve(outDir);
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
        missing.unshift(existing);
        existing = path.dirname(existing);
    }
    return { existing, missing };
}

/** A problem with `--out`: a user error naming the flag and the path. */
function outProblem(outDir: string, problem: string): UserError {
    return new UserError("--out", `--out ${outDir}: ${problem}`);
}

/** A file-system error's code and meaning, without the path Node appends: "EACCES: permission denied". */
function fsReason(error: unknown): string {
    return (error as Error).message.split(",")[0];
}

/**
 * Refuses an `--out` that cannot take the hand-over files before the plan runs, and leaves
 * nothing behind: a file where a directory must be, or a directory in which nothing can be
 * created. The last is found by trying (a directory made and removed at once): access(2) says
 * yes to root everywhere and to /proc, which then refuses.
 */
export function checkOutDir(outDir: string): void {
    const { existing, missing } = outDirectories(outDir);
    if (!fs.statSync(existing).isDirectory()) {
        throw outProblem(outDir, missing.length === 0 ? "it is a file, not a directory" : `${existing} is a file, not a directory`);
    }
    try {
        fs.rmdirSync(fs.mkdtempSync(path.join(existing, ".plan-out-")));
    } catch (error) {
        throw outProblem(outDir, `nothing can be created in ${existing} (${fsReason(error)})`);
    }
}

/** Writes the hand-over files, creating `outDir` and missing parents one level at a time. */
export function writeHandOver(outDir: string, files: Record<string, string>): string[] {
    const attempt = (target: string, write: () => void): string => {
        try {
            write();
            return target;
        } catch (error) {
            throw outProblem(outDir, `cannot write ${target} (${fsReason(error)})`);
        }
    };
    for (const dir of outDirectories(outDir).missing) attempt(dir, () => fs.mkdirSync(dir));
    return Object.entries(files).map(([name, content]) => {
        const file = path.join(outDir, name);
        return attempt(file, () => fs.writeFileSync(file, content));
    });
}
