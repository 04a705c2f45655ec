import * as fs from "fs";
import * as path from "path";
import { Policies } from "@pulumi/policy";
import { capacityPolicies } from "./capacity";
import { certificatePolicies } from "./certificates";
import { withClosedConfig } from "./common";
import { keyVaultPolicies } from "./keyVault";
import { networkInertSettings, networkPolicies } from "./network";
import { residencyPolicies } from "./residency";
import { taggingPolicies } from "./tagging";
import { versionPolicies } from "./version";

/**
 * The pack's policies. Tests and tools import this module; only index.ts constructs the
 * PolicyPack, because constructing it starts the analyzer's gRPC server.
 */

/** The policy pack's name, as `pulumi preview` reports it. */
export const PACK_NAME = "vdx-teams-connector";

/** Name and version as the analyzer states them in its messages (`<name>@v<version>`). */
export const PACK: { readonly name: string; readonly version: string } = {
    name: PACK_NAME,
    // PolicyPack reads the version from package.json in the pack's directory; so does this.
    version: (JSON.parse(fs.readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }).version,
};

/** Every policy of the pack, grouped by domain, each refusing a setting it does not declare. */
export const POLICIES: Policies = [
    ...versionPolicies,
    ...certificatePolicies,
    ...capacityPolicies,
    ...networkPolicies,
    ...keyVaultPolicies,
    ...residencyPolicies,
    ...taggingPolicies,
].map(withClosedConfig);

/**
 * A policy's settings (reconciled, defaults included) that switch its check off: a threshold set
 * past the point where the check can fire. Each is "<setting> <value>: why"; none for most policies.
 */
export function inertSettings(policy: string, properties: Record<string, unknown>): string[] {
    return INERT_SETTINGS[policy]?.(properties) ?? [];
}

const INERT_SETTINGS: Readonly<Record<string, (properties: Record<string, unknown>) => string[]>> = { ...networkInertSettings };
