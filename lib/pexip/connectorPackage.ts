import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { unzipSync } from "fflate";
import { ConfigError } from "../config/configError";

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

/** The largest package file the plan reads: it is read whole, to hash and to list. */
export const MAX_PACKAGE_BYTES = 512 * 1024 * 1024;
/** The largest deployment script the plan inflates, by the size its zip entry declares (Pexip's is a few hundred KB). */
export const MAX_SCRIPT_BYTES = 4 * 1024 * 1024;

const MIB = 1024 * 1024;

/**
 * Checks a local package: the file exists and is a zip, its SHA-256 is `sha256` (given by the
 * setting `sha256Key`), and it holds `deploymentScript` (a path inside the zip, or a file name
 * found once anywhere in it). Entry paths are read as the driver's `Expand-Archive` reads them:
 * `\` is a folder separator (Windows PowerShell 5.1's `Compress-Archive` writes it), and a zip
 * with an entry outside its folder (`..`, an absolute path) or with two entries of one name (also
 * differing only in case or separator) is refused. Throws ConfigError naming the key at fault.
 */
export function inspectPackage(file: string, label: string, sha256: string, deploymentScript: string, sha256Key: string): InspectedPackage {
    let zip: Buffer;
    try {
        const size = fs.statSync(file).size;
        if (size > MAX_PACKAGE_BYTES) {
            throw new ConfigError("connectorPackage.path", `must be a package of at most ${MAX_PACKAGE_BYTES / MIB} MiB, but ${label} has ${Math.ceil(size / MIB)} MiB`, label);
        }
        zip = fs.readFileSync(file);
    } catch (error) {
        if (error instanceof ConfigError) throw error;
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

    const names: string[] = [];
    // Entries named like the script, by path; an oversized one is listed with its declared size but not inflated.
    const matches = new Map<string, Uint8Array | number>();
    try {
        // Only the script is inflated, and only up to its cap; the other entries are listed by the filter.
        const wanted = path.posix.basename(deploymentScript).toLowerCase();
        const inflated = unzipSync(zip, {
            filter: (entry) => {
                const name = entryPath(entry.name);
                names.push(name);
                if (name.endsWith("/") || path.posix.basename(name).toLowerCase() !== wanted) return false;
                matches.set(name, entry.originalSize);
                return entry.originalSize <= MAX_SCRIPT_BYTES;
            },
        });
        for (const [name, bytes] of Object.entries(inflated)) matches.set(entryPath(name), bytes);
    } catch (error) {
        throw new ConfigError("connectorPackage.path", `must be a zip file, but ${label} cannot be read as one (${(error as Error).message})`, label);
    }
    checkEntryPaths(names, label);

    const exact = [...matches.keys()].find((name) => name.toLowerCase() === deploymentScript.toLowerCase());
    // A path must match exactly; a bare file name may sit in any folder, once.
    const byName = deploymentScript.includes("/") ? [] : [...matches.keys()];
    const candidates = exact !== undefined ? [exact] : byName;
    if (candidates.length !== 1) {
        const powershell = names.filter((name) => name.toLowerCase().endsWith(".ps1"));
        const found =
            candidates.length > 1
                ? `holds ${candidates.length} files of that name (${candidates.join(", ")}): give its path inside the zip`
                : `holds no such file (PowerShell scripts in it: ${powershell.join(", ") || "none"})`;
        throw new ConfigError("connectorPackage.deploymentScript", `must name the deployment script inside ${label}, which ${found}`, deploymentScript);
    }
    const scriptPath = candidates[0];
    const script = matches.get(scriptPath)!;
    if (typeof script === "number") {
        throw new ConfigError(
            "connectorPackage.deploymentScript",
            `must name a deployment script of at most ${MAX_SCRIPT_BYTES / MIB} MiB, but ${scriptPath} in ${label} declares ${Math.ceil(script / MIB)} MiB: it is not inflated`,
            deploymentScript,
        );
    }
    return { scriptPath, scriptText: decodeScript(script) };
}

/** An entry's path with `/` between folders, as Expand-Archive reads `\` too. */
function entryPath(name: string): string {
    return name.replace(/\\/g, "/");
}

/** Refuses what Expand-Archive refuses: an entry outside the folder it extracts to, and two entries of one name. */
function checkEntryPaths(names: readonly string[], label: string): void {
    const seen = new Map<string, string>();
    for (const name of names) {
        if (/^\/|^[a-z]:/i.test(name) || name.split("/").includes("..")) {
            throw new ConfigError("connectorPackage.path", `must be a zip whose entries stay inside its folder (the driver's Expand-Archive refuses it), but ${label} holds ${JSON.stringify(name)}`, label);
        }
        const key = name.toLowerCase().replace(/\/$/, "");
        const first = seen.get(key);
        if (first !== undefined) {
            throw new ConfigError(
                "connectorPackage.path",
                `must be a zip without two entries of one name (Windows does not tell case apart; the driver would check one and run the other), but ${label} holds ${JSON.stringify(first)} and ${JSON.stringify(name)}`,
                label,
            );
        }
        seen.set(key, name);
    }
}

/** PowerShell scripts are UTF-8 (with or without BOM) or UTF-16 with a BOM. */
function decodeScript(bytes: Uint8Array): string {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
    return new TextDecoder("utf-8").decode(bytes).replace(/^\uFEFF/, "");
}
