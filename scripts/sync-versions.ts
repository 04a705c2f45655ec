/**
 * Writes the version policy's entry of policy/config.json from pexip-versions.yaml, so that the
 * catalogue is the one place to edit when VDX announces an upgrade:
 *
 *     npm run versions:sync            write policy/config.json
 *     npm run versions:sync -- --check exit 1 when policy/config.json differs (what the tests check)
 *
 * The file's other entries are kept as they are. A mistake in the catalogue or in
 * policy/config.json is one line naming the key, and nothing is written (scripts/generatedFile.ts).
 */
import * as path from "path";
import { runCommand, UserError } from "../cli/commandLine";
import { loadCatalogue, versionPolicyConfig } from "../lib/versions/versionCatalogue";
import { teamsConnectorMatchesVdxVersion } from "../policy/version";
import { GeneratedFile, generatedFileMain, PROCESS_IO } from "./generatedFile";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const POLICY_CONFIG_FILE = path.join(PROJECT_DIR, "policy", "config.json");

/** policy/config.json's text with the version policy's calendar taken from the catalogue. */
export function syncedPolicyConfig(text: string, projectDir: string = PROJECT_DIR): string {
    let config: Record<string, unknown>;
    try {
        config = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
        throw new UserError("policy/config.json", `policy/config.json is not valid JSON: ${(error as Error).message}; fix it, then run npm run versions:sync again`);
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        throw new UserError("policy/config.json", "policy/config.json must be a JSON object of policy names and their settings");
    }
    const name = teamsConnectorMatchesVdxVersion.name;
    const entry = typeof config[name] === "object" && config[name] !== null ? (config[name] as Record<string, unknown>) : {};
    // A check date is the plan's --as-of, never the file's: a leftover one is dropped, not kept.
    const { asOf: _leftover, ...kept } = entry;
    config[name] = { ...kept, ...versionPolicyConfig(loadCatalogue(projectDir)) };
    return `${JSON.stringify(config, null, 4)}\n`;
}

/** The script, for its command line and `--help`. */
export const SYNC_VERSIONS: GeneratedFile = {
    command: "versions:sync",
    about: [
        "Writes the version policy's calendar in policy/config.json from pexip-versions.yaml, keeping the file's",
        "other entries. README: Staying on VDX's version.",
    ],
    file: POLICY_CONFIG_FILE,
    derive: (current) => syncedPolicyConfig(current),
    stale: "policy/config.json's version calendar differs from pexip-versions.yaml: run npm run versions:sync",
};

if (require.main === module) {
    runCommand("versions:sync", () => generatedFileMain(SYNC_VERSIONS, process.argv.slice(2), PROCESS_IO));
}
