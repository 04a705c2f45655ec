import * as assert from "node:assert/strict";
import { parseCatalogue } from "../../../lib/versions/versionCatalogue";
import { checkVersion } from "../../../lib/verify/version";

describe("verify: the version check, by the release calendar's rule", () => {
    const catalogue = parseCatalogue(["versions:", '  - version: "37.1"', '  - version: "38.0"', "    announced: 2026-05-01", "    from: 2026-06-01"].join("\n"));

    it("passes VDX's version on the check date (Copenhagen), and fails the next one before its date", () => {
        const before = new Date("2026-05-31T21:30:00Z"); // 23:30 in Copenhagen, still 31 May
        assert.equal(checkVersion("37.1", catalogue, before).verdict, "pass");
        const early = checkVersion("38.0", catalogue, before);
        assert.equal(early.verdict, "fail");
        assert.equal(early.measured, "Pexip 38.0, but VDX runs 37.1 (check date 2026-05-31): npm run upgrade -- --to 37.1");
    });

    it("from the upgrade's date the old version fails, naming the date VDX switched", () => {
        const after = new Date("2026-05-31T22:30:00Z"); // 00:30 on 1 June in Copenhagen
        assert.equal(checkVersion("38.0", catalogue, after).measured, "Pexip 38.0, VDX's version since 2026-06-01");
        assert.match(checkVersion("37.1", catalogue, after).measured, /but VDX runs 38\.0 since 2026-06-01/);
    });
});
