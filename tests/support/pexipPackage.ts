import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { zipSync } from "fflate";
import { DEFAULT_DEPLOYMENT_SCRIPT } from "../../lib/pexip/connectorPackage";

/**
 * Packages shaped like Pexip's Teams Connector zip, built in a test's temporary folder around
 * our own fixture scripts (tests/fixtures/pexip: written for these tests, not Pexip's code).
 */

/** The fixture deployment scripts: a current single-app shape and an older two-app one. */
export const FIXTURE_SCRIPTS = {
    singleApp: path.join(__dirname, "..", "fixtures", "pexip", "single-app", DEFAULT_DEPLOYMENT_SCRIPT),
    twoApp: path.join(__dirname, "..", "fixtures", "pexip", "two-app", DEFAULT_DEPLOYMENT_SCRIPT),
} as const;

export const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** Writes a zip of `files` into `dir` and gives its path and SHA-256. */
export function writeZip(dir: string, name: string, files: Record<string, Uint8Array>): { file: string; sha256: string } {
    const bytes = zipSync(files);
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return { file, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** A package like Pexip's: the deployment script in a versioned folder, beside its other files. */
export function pexipPackage(dir: string, name: string, script: string, folder = "pexip_teams_connector_v37.1") {
    return writeZip(dir, name, {
        // Folder entries, as zip tools write them.
        [`${folder}/`]: new Uint8Array(0),
        [`${folder}/PexTeamsCviApplication/`]: new Uint8Array(0),
        [`${folder}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: utf8(script),
        [`${folder}/create_vmss_deployment_DSCConfig.ps1`]: utf8("Configuration PexipTeamsConnector {}\n"),
        [`${folder}/PexTeamsCviApplication/PexTeamsCviApplication.psm1`]: utf8("function New-PexTeamsCviApplication {}\n"),
        [`${folder}/readme.txt`]: utf8("Test fixture package, not Pexip's.\n"),
    });
}
