import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { unzipSync } from "fflate";
import { ConfigError } from "./configError";

/**
 * Pexip's versioned Teams Connector package on the deploying machine: checked before anything
 * is created, so that a wrong download or a package without the deployment script stops the
 * run in seconds rather than in the middle of a deployment. The zip is read with fflate.
 */

/** The deployment script Pexip's package holds (docs.pexip.com, "Installing ... the Teams Connector"). */
export const DEFAULT_DEPLOYMENT_SCRIPT = "create_vmss_deployment.ps1";

/** A package file that matched its checksum and holds the deployment script. */
export interface InspectedPackage {
    /** The deployment script's path inside the zip, `/`-separated. */
    readonly scriptPath: string;
    /** The script's text. */
    readonly scriptText: string;
}

/**
 * Checks a local package: the file exists and is a zip, its SHA-256 is `sha256` (given by the
 * setting `sha256Key`), and it holds `deploymentScript` (a path inside the zip, or a file name
 * found once anywhere in it). Throws ConfigError naming the key at fault.
 */
export function inspectPackage(file: string, label: string, sha256: string, deploymentScript: string, sha256Key: string): InspectedPackage {
    let zip: Buffer;
    try {
        zip = fs.readFileSync(file);
    } catch {
        throw new ConfigError("connectorPackage.path", `must be Pexip's Teams Connector package on this machine (looked for ${file})`, label);
    }
    const actual = createHash("sha256").update(zip).digest("hex");
    if (actual !== sha256.toLowerCase()) {
        throw new ConfigError(
            sha256Key,
            `must be the SHA-256 of ${label}, which is ${actual}: the file is another package than the one named, or damaged (download it again from Pexip)`,
            sha256,
        );
    }

    let names: string[] = [];
    let entries: Record<string, Uint8Array>;
    try {
        // Only the script is inflated; the other entries are listed by the filter.
        const wanted = path.posix.basename(deploymentScript).toLowerCase();
        entries = unzipSync(zip, {
            filter: (entry) => {
                names.push(entry.name);
                return path.posix.basename(entry.name).toLowerCase() === wanted;
            },
        });
    } catch (error) {
        throw new ConfigError("connectorPackage.path", `must be a zip file, but ${label} cannot be read as one (${(error as Error).message})`, label);
    }
    names = names.filter((name) => !name.endsWith("/"));

    const exact = Object.keys(entries).find((name) => name.toLowerCase() === deploymentScript.toLowerCase());
    // A path must match exactly; a bare file name may sit in any folder, once.
    const byName = deploymentScript.includes("/") ? [] : Object.keys(entries).filter((name) => !name.endsWith("/"));
    const candidates = exact !== undefined ? [exact] : byName;
    if (candidates.length !== 1) {
        const scripts = names.filter((name) => name.toLowerCase().endsWith(".ps1"));
        const found =
            candidates.length > 1
                ? `holds ${candidates.length} files of that name (${candidates.join(", ")}): give its path inside the zip`
                : `holds no such file (PowerShell scripts in it: ${scripts.join(", ") || "none"})`;
        throw new ConfigError("connectorPackage.deploymentScript", `must name the deployment script inside ${label}, which ${found}`, deploymentScript);
    }
    const scriptPath = candidates[0];
    return { scriptPath, scriptText: decodeScript(entries[scriptPath]) };
}

/** PowerShell scripts are UTF-8 (with or without BOM) or UTF-16 with a BOM. */
function decodeScript(bytes: Uint8Array): string {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
    return new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
}
