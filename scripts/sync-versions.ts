/**
 * Writes the version policy's entry of policy/config.json from pexip-versions.yaml, so that the
 * catalogue is the one place to edit when VDX announces an upgrade:
 *
 *     npm run versions:sync            write policy/config.json
 *     npm run versions:sync -- --check exit 1 when policy/config.json differs (what the tests check)
 *
 * The file's other entries are kept as they are.
 */
import * as path from "path";
import { loadCatalogue, versionPolicyConfig } from "../lib/versionCatalogue";
import { teamsConnectorMatchesVdxVersion } from "../policy/version";
import { writeOrCheck } from "./generatedFile";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const POLICY_CONFIG_FILE = path.join(PROJECT_DIR, "policy", "config.json");

/** policy/config.json's text with the version policy's calendar taken from the catalogue. */
export function syncedPolicyConfig(text: string, projectDir: string = PROJECT_DIR): string {
    const config = JSON.parse(text) as Record<string, unknown>;
    const name = teamsConnectorMatchesVdxVersion.name;
    const entry = typeof config[name] === "object" && config[name] !== null ? (config[name] as Record<string, unknown>) : {};
    // A check date is the plan's --as-of, never the file's: a leftover one is dropped, not kept.
    const { asOf: _leftover, ...kept } = entry;
    config[name] = { ...kept, ...versionPolicyConfig(loadCatalogue(projectDir)) };
    return `${JSON.stringify(config, null, 4)}\n`;
}

if (require.main === module) {
    writeOrCheck(POLICY_CONFIG_FILE, (current) => syncedPolicyConfig(current), "policy/config.json's version calendar differs from pexip-versions.yaml: run npm run versions:sync");
}
