import * as assert from "node:assert/strict";
import { noticeDays, pendingUpgrades, shortNotice, upgradeDateProblem, upgradeInForce } from "../../../lib/versions/releaseCalendar";

const CALENDAR = {
    currentVersion: "37.1",
    upgrades: [
        { version: "38.0", announced: "2026-12-01", from: "2026-12-15" },
        { version: "38.1", announced: "2027-01-10", from: "2027-01-20" },
    ],
};

describe("VDX's release calendar (lib/versions/releaseCalendar.ts)", () => {
    describe("which upgrade is in force on a date", () => {
        it("none before the first upgrade's date: VDX still runs the current version", () => {
            assert.equal(upgradeInForce(CALENDAR, "2026-12-14"), undefined);
        });

        it("an upgrade from its own date on, until the next one's", () => {
            assert.equal(upgradeInForce(CALENDAR, "2026-12-15")?.version, "38.0");
            assert.equal(upgradeInForce(CALENDAR, "2027-01-19")?.version, "38.0");
            assert.equal(upgradeInForce(CALENDAR, "2027-01-20")?.version, "38.1");
            assert.equal(upgradeInForce(CALENDAR, "2030-01-01")?.version, "38.1");
        });

        it("none in a calendar without upgrades", () => {
            assert.equal(upgradeInForce({ upgrades: [] }, "2026-12-15"), undefined);
        });
    });

    it("lists the upgrades still to come, earliest first, and no longer one on its date", () => {
        assert.deepEqual(pendingUpgrades(CALENDAR, "2026-12-14").map((upgrade) => upgrade.version), ["38.0", "38.1"]);
        assert.deepEqual(pendingUpgrades(CALENDAR, "2026-12-15").map((upgrade) => upgrade.version), ["38.1"]);
        assert.deepEqual(pendingUpgrades(CALENDAR, "2027-01-20"), []);
    });

    describe("MedCom's notice rule (14 days between VDX's notice and the switch)", () => {
        it("counts calendar days, across the change to winter time too", () => {
            assert.equal(noticeDays({ version: "38.0", announced: "2026-12-01", from: "2026-12-15" }), 14);
            assert.equal(noticeDays({ version: "38.0", announced: "2026-10-12", from: "2026-10-26" }), 14);
        });

        it("is kept by 14 days' notice", () => {
            assert.equal(shortNotice({ version: "38.0", announced: "2026-12-01", from: "2026-12-15" }), undefined);
        });

        it("says by how much 13 days' notice falls short", () => {
            assert.equal(
                shortNotice({ version: "38.0", announced: "2026-12-01", from: "2026-12-14" }),
                "VDX gave 13 days' notice of Pexip 38.0 (announced 2026-12-01, from 2026-12-14); MedCom's rule is 14",
            );
        });

        it("cannot be judged without the notice's date", () => {
            assert.equal(shortNotice({ version: "38.0", from: "2026-12-14" }), undefined);
        });
    });

    describe("the dates of an upgrade", () => {
        const cases: Array<[string, { version: string; from: string; announced?: string }, string | undefined, ReturnType<typeof upgradeDateProblem>]> = [
            ["announced before from, after the version before", { version: "38.0", announced: "2026-12-01", from: "2026-12-15" }, "2026-06-01", undefined],
            ["announced on the day it takes over", { version: "38.0", announced: "2026-12-15", from: "2026-12-15" }, undefined, undefined],
            ["the first upgrade, with no date before it", { version: "38.0", from: "2026-12-15" }, undefined, undefined],
            ["from that is no calendar date", { version: "38.0", from: "2026-02-30" }, undefined, "from-not-a-date"],
            ["announced that is no calendar date", { version: "38.0", announced: "01-12-2026", from: "2026-12-15" }, undefined, "announced-not-a-date"],
            ["announced after from", { version: "38.0", announced: "2026-12-16", from: "2026-12-15" }, undefined, "announced-after-from"],
            ["on the same date as the version before", { version: "38.1", from: "2026-12-15" }, "2026-12-15", "not-after-previous"],
            ["before the version before", { version: "38.1", from: "2026-12-10" }, "2026-12-15", "not-after-previous"],
        ];
        for (const [title, upgrade, previousFrom, problem] of cases) {
            it(`${title}: ${problem ?? "fine"}`, () => assert.equal(upgradeDateProblem(upgrade, previousFrom), problem));
        }
    });
});
