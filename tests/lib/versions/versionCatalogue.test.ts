import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { noticeDays, shortNotice } from "../../../lib/versions/releaseCalendar";
import { comparePexipVersions, loadCatalogue, parseCatalogue, pendingVersions, versionOn, versionPolicyConfig } from "../../../lib/versions/versionCatalogue";
import { rejectsConfig } from "../../support/configErrors";

const SHA = "a".repeat(64);

/** A catalogue's text: 37.1 now, then the given entries. */
function catalogue(...later: string[]): string {
    return ["versions:", `  - version: "37.1"`, `    sha256: ${SHA}`, `    url: https://store.example/tc_v37.1.zip`, ...later].join("\n");
}

const ANNOUNCED_38 = ['  - version: "38.0"', '    announced: "2026-12-01"', '    from: "2026-12-15"'];

describe("the version catalogue (lib/versions/versionCatalogue.ts)", () => {
    it("reads the repository's pexip-versions.yaml", () => {
        const read = loadCatalogue(path.resolve(__dirname, "..", "..", ".."));
        assert.equal(read.versions[0].version, "37.1");
        assert.match(read.versions[0].sha256 ?? "", /^[0-9a-f]{64}$/);
    });

    it("says which version VDX runs on a date, and what is announced", () => {
        const read = parseCatalogue(catalogue(...ANNOUNCED_38, '  - version: "38.1"', '    announced: "2027-01-02"', '    from: "2027-01-20"'));
        assert.equal(versionOn(read, "2026-12-14").version, "37.1");
        assert.equal(versionOn(read, "2026-12-15").version, "38.0");
        assert.equal(versionOn(read, "2027-02-01").version, "38.1");
        assert.deepEqual(pendingVersions(read, "2026-12-14").map((entry) => entry.version), ["38.0", "38.1"]);
        assert.deepEqual(versionPolicyConfig(read), {
            currentVersion: "37.1",
            upgrades: [
                { version: "38.0", from: "2026-12-15", announced: "2026-12-01" },
                { version: "38.1", from: "2027-01-20", announced: "2027-01-02" },
            ],
        });
    });

    describe("refuses a broken entry, naming it", () => {
        const cases: Array<[string, string, string, string]> = [
            [
                "an unquoted version that YAML turns into a number, as written",
                catalogue("  - version: 37.10", '    announced: "2026-12-01"', '    from: "2026-12-15"'),
                "pexip-versions.yaml:versions[1].version",
                'is written 37.10 without quotes, which YAML reads as the number 37.1: write "37.10"',
            ],
            ["an entry older than the one before it", catalogue('  - version: "36.2"', '    announced: "2026-12-01"', '    from: "2026-12-15"'), "pexip-versions.yaml:versions[1].version", "must be a later Pexip version than the entry before it (37.1)"],
            ["37.9 after 37.10 (Pexip's order is by number)", catalogue('  - version: "37.10"', '    announced: "2026-12-01"', '    from: "2026-12-15"', '  - version: "37.9"', '    announced: "2026-12-16"', '    from: "2026-12-31"'), "pexip-versions.yaml:versions[2].version", "later Pexip version than the entry before it (37.10)"],
            ["a checksum of the wrong length", catalogue(...ANNOUNCED_38, "    sha256: abc"), "pexip-versions.yaml:versions[1].sha256", "64 hex digits"],
            ["a date that is not one", catalogue('  - version: "38.0"', '    announced: "2026-12-01"', '    from: "2026-02-30"'), "pexip-versions.yaml:versions[1].from", "calendar date"],
            ["an upgrade without its switch date", catalogue('  - version: "38.0"', '    announced: "2026-12-01"'), "pexip-versions.yaml:versions[1].from", "is required"],
            ["an upgrade without its notice date", catalogue('  - version: "38.0"', '    from: "2026-12-15"'), "pexip-versions.yaml:versions[1].announced", "is required"],
            ["a notice after the switch", catalogue('  - version: "38.0"', '    announced: "2026-12-20"', '    from: "2026-12-15"'), "pexip-versions.yaml:versions[1].announced", "must not be after from"],
            ["versions out of order", catalogue(...ANNOUNCED_38, '  - version: "38.1"', '    announced: "2026-11-01"', '    from: "2026-12-10"'), "pexip-versions.yaml:versions[2].from", "later than the version before's"],
            ["a version listed twice", catalogue('  - version: "37.1"', '    announced: "2026-12-01"', '    from: "2026-12-15"'), "pexip-versions.yaml:versions[1].version", "listed once"],
            ["a misspelled key", catalogue('  - version: "38.0"', '    announced: "2026-12-01"', '    from: "2026-12-15"', "    sha265: x"), "pexip-versions.yaml:versions[1].sha265", "did you mean sha256?"],
            ["a plain http location", catalogue('  - version: "38.0"', '    announced: "2026-12-01"', '    from: "2026-12-15"', "    url: http://x.example/a.zip"), "pexip-versions.yaml:versions[1].url", "https://"],
            ["a location with a SAS token", catalogue(...ANNOUNCED_38, "    url: https://x.blob.core.windows.net/p/a.zip?sv=2024&sig=abc"), "pexip-versions.yaml:versions[1].url", "stored in plain text in pexip-versions.yaml"],
            ["a location with a fragment", catalogue(...ANNOUNCED_38, "    url: https://x.example/a.zip#sig=abc"), "pexip-versions.yaml:versions[1].url", "must not carry a SAS token or credentials"],
            ["a location with a user and password", catalogue(...ANNOUNCED_38, "    url: https://deployer:hunter2@x.example/a.zip"), "pexip-versions.yaml:versions[1].url", "without a query (?), fragment (#) or user:password@"],
            ["no versions", "versions: []\n", "pexip-versions.yaml:versions", "must list VDX's versions"],
        ];
        for (const [title, text, key, fragment] of cases) {
            it(`${title} → ${key}`, () => rejectsConfig(() => parseCatalogue(text), key, fragment));
        }

        it("never reports an unquoted 37.10 as 37.1", () => {
            const error = rejectsConfig(() => parseCatalogue(catalogue("  - version: 37.10", '    announced: "2026-12-01"', '    from: "2026-12-15"')), "pexip-versions.yaml:versions[1].version");
            assert.doesNotMatch(error.message, /got 37\.1\b/);
        });

        it("shows a refused package URL without its token", () => {
            assert.throws(
                () => parseCatalogue(catalogue(...ANNOUNCED_38, "    url: https://x.blob.core.windows.net/p/a.zip?sv=2024&sig=s3cr3t")),
                (error: Error) => error.message.includes("versions[1].url") && error.message.includes("a.zip?…") && !error.message.includes("s3cr3t"),
            );
        });

        it("a missing file, naming where it looked", () => {
            rejectsConfig(() => loadCatalogue(fs.mkdtempSync("/tmp/no-catalogue-")), "pexip-versions.yaml", "is required");
        });
    });

    it("orders Pexip versions by each number: 37.1 < 37.9 < 37.10 < 38 = 38.0 < 38.0.1", () => {
        const sorted = ["38.0.1", "37.10", "38", "37.1", "37.9"].sort(comparePexipVersions);
        assert.deepEqual(sorted, ["37.1", "37.9", "37.10", "38", "38.0.1"]);
        assert.equal(comparePexipVersions("38", "38.0"), 0);
    });

    describe("MedCom's notice rule (14 days between VDX's notice and the switch)", () => {
        // The catalogue's announced entry, as the plan reads it, judged by lib/versions/releaseCalendar.ts.
        const announced = (from: string, notice = "2026-12-01") =>
            pendingVersions(parseCatalogue(catalogue('  - version: "38.0"', `    announced: "${notice}"`, `    from: "${from}"`)), "2026-01-01")[0];
        it("is kept by exactly 14 days' notice", () => {
            assert.equal(noticeDays(announced("2026-12-15")), 14);
            assert.equal(shortNotice(announced("2026-12-15")), undefined);
        });
        it("is broken by 13 days' notice, and says so", () => {
            assert.equal(shortNotice(announced("2026-12-14")), "VDX gave 13 days' notice of Pexip 38.0 (announced 2026-12-01, from 2026-12-14); MedCom's rule is 14");
        });
        it("counts calendar days across the change to winter time", () => {
            assert.equal(noticeDays(announced("2026-10-26", "2026-10-12")), 14);
        });
    });
});
