import { dateIn, DEFAULT_TIME_ZONE } from "../calendar";
import { VersionCatalogue, versionOn } from "../versions/versionCatalogue";
import { Finding } from "./check";

/**
 * The version check: the stack runs the Pexip version VDX runs on the check date (Copenhagen),
 * by the release calendar's own rule (lib/versions/releaseCalendar.ts's upgradeInForce, through the
 * catalogue), the one the version policy applies before a deployment.
 */
export function checkVersion(pexipVersion: string, catalogue: VersionCatalogue, now: Date): Finding {
    const today = dateIn(now, DEFAULT_TIME_ZONE);
    const vdx = versionOn(catalogue, today);
    const since = vdx.from === undefined ? "" : ` since ${vdx.from}`;
    const figures = { pexipVersion, vdxVersion: vdx.version };
    return pexipVersion === vdx.version
        ? { verdict: "pass", measured: `Pexip ${pexipVersion}, VDX's version${since}`, figures }
        : { verdict: "fail", measured: `Pexip ${pexipVersion}, but VDX runs ${vdx.version}${since} (check date ${today}): npm run upgrade -- --to ${vdx.version}`, expected: vdx.version, figures };
}
