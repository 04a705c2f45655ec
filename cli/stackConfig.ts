/**
 * What the commands add to the stack files' reading (lib/config/stackFiles.ts): configuration
 * changed for a run, and the maintenance window as the gate and the upgrade read it.
 */
import { ConfigError } from "../lib/config/configError";
import { MaintenanceWindow, parseSettings } from "../lib/config/settings";
import { REQUIRED_SETTINGS } from "../lib/config/settingsSchema";
import { loadStackConfig, StackConfig } from "../lib/config/stackFiles";
import { loadCatalogue } from "../lib/versions/versionCatalogue";

/**
 * The configuration with `changes` applied: project keys without namespace (or namespaced
 * ones), objects as JSON; `undefined` removes a key. For tests and the benchmark.
 */
export function withConfigChanges(loaded: StackConfig, changes: Readonly<Record<string, unknown>>): StackConfig {
    const config = { ...loaded.config };
    const secretKeys = [...loaded.secretKeys];
    for (const [key, value] of Object.entries(changes)) {
        const full = key.includes(":") ? key : `${loaded.project}:${key}`;
        const index = secretKeys.indexOf(full);
        if (index >= 0) secretKeys.splice(index, 1);
        if (value === undefined) delete config[full];
        else config[full] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { ...loaded, config, secretKeys };
}

/**
 * The stack's maintenance window, read as the offline plan reads the stack (cli/plan/buildPlan.ts), for the
 * deploy workflow's gate (cli/window/window.ts) and the upgrade (cli/upgrade/upgrade.ts). It
 * never decrypts, and refuses an encrypted window (or part of one); no other encrypted value bears on
 * the window: an encrypted optional setting is read as unset, so that its placeholder cannot break that setting's rule (the plan, which runs first,
 * reports on those); a required one keeps the placeholder, as in the plan.
 */
export function readWindow(projectDir: string, stack: string): MaintenanceWindow | undefined {
    const loaded = loadStackConfig(projectDir, stack);
    // Read as unset, an encrypted window would let a redeploy run at any time.
    if (loaded.secretKeys.includes(`${loaded.project}:maintenanceWindow`)) {
        throw new ConfigError(
            "maintenanceWindow",
            `is encrypted (secure) in Pulumi.${stack}.yaml, so the window cannot be judged without decrypting it: a window is no secret; write it in plain text, without secure: (pulumi config set --path without --secret), e.g. { days: [sat], start: "22:00", hours: 4 }`,
        );
    }
    const required = new Set(REQUIRED_SETTINGS.map((key) => `${loaded.project}:${key}`));
    const config = { ...loaded.config };
    for (const key of loaded.secretKeys) if (!required.has(key)) delete config[key];
    return parseSettings(config, { project: loaded.project, stack, secretKeys: loaded.secretKeys, catalogue: loadCatalogue(projectDir) }).maintenanceWindow;
}
