import * as assert from "node:assert/strict";
import { describeWindow, firstInstantShowing, localText, windowStatus, WindowStatus } from "../../../lib/versions/maintenanceWindow";
import type { MaintenanceWindow, Weekday } from "../../../lib/config/settings";

const HOUR = 3_600_000;

function window(days: Weekday[], start: string, hours: number, timeZone = "Europe/Copenhagen"): MaintenanceWindow {
    return { days, start, hours, timeZone };
}

function at(iso: string, w: MaintenanceWindow | undefined): WindowStatus {
    return windowStatus(w, new Date(iso));
}

/** The status as UTC instants, for compact comparisons. */
function instants(status: WindowStatus): { open: boolean; closes?: string; next?: string } {
    const utc = (date: Date) => date.toISOString().replace(".000Z", "Z");
    if (status.state === "always") return { open: true };
    if (status.state === "open") return { open: true, closes: utc(status.closes.instant), next: utc(status.next.instant) };
    return { open: false, next: utc(status.next.instant) };
}

describe("maintenance windows (lib/versions/maintenanceWindow.ts)", () => {
    describe("without a window", () => {
        it("is always open, with nothing to close or wait for", () => {
            for (const iso of ["2026-03-29T01:30:00Z", "2026-10-25T01:30:00Z", "2026-07-01T12:00:00Z"]) {
                assert.deepEqual(at(iso, undefined), { state: "always", open: true });
            }
        });
    });

    describe("an ordinary week (Copenhagen in winter, UTC+01:00)", () => {
        const saturdayNight = window(["sat"], "22:00", 4);

        it("opens at the start on the wall clock, not a second earlier", () => {
            assert.deepEqual(instants(at("2026-01-10T20:59:59Z", saturdayNight)), { open: false, next: "2026-01-10T21:00:00Z" });
            assert.deepEqual(instants(at("2026-01-10T21:00:00Z", saturdayNight)), {
                open: true,
                closes: "2026-01-11T01:00:00Z",
                next: "2026-01-17T21:00:00Z",
            });
        });

        it("crosses midnight: Saturday 22:00 for 4 hours is open on Sunday at 01:00 and closed at 02:00", () => {
            const sundayOne = at("2026-01-11T00:00:00Z", saturdayNight);
            assert.equal(sundayOne.state, "open");
            assert.equal(sundayOne.state === "open" && sundayOne.closes.local, "Sunday 2026-01-11 02:00 Europe/Copenhagen (UTC+01:00)");
            assert.deepEqual(instants(at("2026-01-11T01:00:00Z", saturdayNight)), { open: false, next: "2026-01-17T21:00:00Z" });
        });

        it("answers the next window across the week's end, from Sunday to Monday and from one Monday to the next", () => {
            const mondayMorning = window(["mon"], "05:00", 2);
            // Sunday 2026-01-11 12:00 local: tomorrow.
            assert.deepEqual(instants(at("2026-01-11T11:00:00Z", mondayMorning)), { open: false, next: "2026-01-12T04:00:00Z" });
            // Monday 07:00 local, just closed: a week on.
            const closed = at("2026-01-12T06:00:00Z", mondayMorning);
            assert.deepEqual(instants(closed), { open: false, next: "2026-01-19T04:00:00Z" });
            assert.equal(closed.state === "closed" && closed.next.local, "Monday 2026-01-19 05:00 Europe/Copenhagen (UTC+01:00)");
            // Across the year's end too.
            assert.deepEqual(instants(at("2026-12-29T12:00:00Z", window(["fri"], "01:00", 1))), { open: false, next: "2027-01-01T00:00:00Z" });
        });

        it("takes the nearest of several days", () => {
            const twice = window(["thu", "mon"], "22:00", 2);
            assert.deepEqual(instants(at("2026-01-13T12:00:00Z", twice)), { open: false, next: "2026-01-15T21:00:00Z" });
            assert.deepEqual(instants(at("2026-01-16T12:00:00Z", twice)), { open: false, next: "2026-01-19T21:00:00Z" });
            // Open Thursday night: the next one is Monday's.
            assert.deepEqual(instants(at("2026-01-15T22:30:00Z", twice)), { open: true, closes: "2026-01-15T23:00:00Z", next: "2026-01-19T21:00:00Z" });
        });

        it("joins windows that touch: Saturday and Sunday for 24 hours from 00:00 close on Monday 00:00", () => {
            const weekend = window(["sat", "sun"], "00:00", 24);
            assert.deepEqual(instants(at("2026-01-10T10:00:00Z", weekend)), { open: true, closes: "2026-01-11T23:00:00Z", next: "2026-01-16T23:00:00Z" });
            assert.deepEqual(instants(at("2026-01-11T22:59:59Z", weekend)), { open: true, closes: "2026-01-11T23:00:00Z", next: "2026-01-16T23:00:00Z" });
        });

        it("every day for 24 hours is any time, without a closing to announce", () => {
            const everyDay = window(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "06:00", 24);
            for (const iso of ["2026-01-14T03:00:00Z", "2026-03-29T01:30:00Z", "2026-10-25T01:30:00Z"]) {
                assert.deepEqual(at(iso, everyDay), { state: "always", open: true }, iso);
            }
        });
    });

    describe("Copenhagen springs forward on the last Sunday of March (2026-03-29, 02:00 CET → 03:00 CEST)", () => {
        it("a start the clock skips (02:30) opens when the clock jumps, at 03:00 CEST; the end stays on the wall clock", () => {
            const skipped = window(["sun"], "02:30", 2);
            assert.deepEqual(instants(at("2026-03-29T00:59:59Z", skipped)), { open: false, next: "2026-03-29T01:00:00Z" });
            const open = at("2026-03-29T01:00:00Z", skipped);
            assert.deepEqual(instants(open), { open: true, closes: "2026-03-29T02:30:00Z", next: "2026-04-05T00:30:00Z" });
            assert.equal(open.state === "open" && open.closes.local, "Sunday 2026-03-29 04:30 Europe/Copenhagen (UTC+02:00)");
            const before = at("2026-03-28T12:00:00Z", skipped);
            assert.equal(before.state === "closed" && before.next.local, "Sunday 2026-03-29 03:00 Europe/Copenhagen (UTC+02:00)");
        });

        it("a window wholly inside the skipped hour (02:00 for 1 hour) is empty that night: the next week's counts", () => {
            const lost = window(["sun"], "02:00", 1);
            assert.deepEqual(instants(at("2026-03-28T12:00:00Z", lost)), { open: false, next: "2026-04-05T00:00:00Z" });
            // A week earlier it was an ordinary hour.
            assert.deepEqual(instants(at("2026-03-22T01:30:00Z", lost)), { open: true, closes: "2026-03-22T02:00:00Z", next: "2026-04-05T00:00:00Z" });
        });

        it("a window spanning the change lasts its hours on the wall clock: Saturday 23:00 for 4 hours is 3 hours long", () => {
            const spanning = window(["sat"], "23:00", 4);
            const status = at("2026-03-28T22:00:00Z", spanning);
            assert.deepEqual(instants(status), { open: true, closes: "2026-03-29T01:00:00Z", next: "2026-04-04T21:00:00Z" });
            assert.equal(status.state === "open" && status.closes.local, "Sunday 2026-03-29 03:00 Europe/Copenhagen (UTC+02:00)");
            // 01:30 CET, the last half hour before the jump: still open.
            assert.equal(at("2026-03-29T00:30:00Z", spanning).open, true);
            assert.equal(at("2026-03-29T01:00:00Z", spanning).open, false);
            // 01:00 for 4 hours: 01:00 CET to 05:00 CEST.
            const early = at("2026-03-29T00:00:00Z", window(["sun"], "01:00", 4));
            assert.equal(early.state === "open" && early.closes.instant.getTime() - Date.parse("2026-03-29T00:00:00Z"), 3 * HOUR);
        });

        it("the next window after the change is in summer time", () => {
            const status = at("2026-03-27T12:00:00Z", window(["mon"], "06:00", 1));
            assert.equal(status.state === "closed" && status.next.local, "Monday 2026-03-30 06:00 Europe/Copenhagen (UTC+02:00)");
            assert.deepEqual(instants(status), { open: false, next: "2026-03-30T04:00:00Z" });
        });
    });

    describe("Copenhagen falls back on the last Sunday of October (2026-10-25, 03:00 CEST → 02:00 CET)", () => {
        it("a start the clock shows twice (02:30) is its first showing, in summer time; the repeated hour stays inside", () => {
            const twice = window(["sun"], "02:30", 2);
            assert.deepEqual(instants(at("2026-10-25T00:29:59Z", twice)), { open: false, next: "2026-10-25T00:30:00Z" });
            const open = at("2026-10-25T00:30:00Z", twice);
            assert.deepEqual(instants(open), { open: true, closes: "2026-10-25T03:30:00Z", next: "2026-11-01T01:30:00Z" });
            assert.equal(open.state === "open" && open.closes.local, "Sunday 2026-10-25 04:30 Europe/Copenhagen (UTC+01:00)");
            // 02:15 CET, the clock's second pass: still open (3 hours elapse in all).
            assert.equal(at("2026-10-25T01:15:00Z", twice).open, true);
        });

        it("an end the clock shows twice is its first showing: Saturday 23:00 for 3 hours closes at 02:00 CEST", () => {
            const spanning = window(["sat"], "23:00", 3);
            assert.deepEqual(instants(at("2026-10-24T21:00:00Z", spanning)), { open: true, closes: "2026-10-25T00:00:00Z", next: "2026-10-31T22:00:00Z" });
            // 02:30 CEST and 02:30 CET: closed, the next Saturday is in winter time.
            for (const iso of ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"]) {
                const closed = at(iso, spanning);
                assert.equal(closed.state === "closed" && closed.next.local, "Saturday 2026-10-31 23:00 Europe/Copenhagen (UTC+01:00)", iso);
            }
        });

        it("a window spanning the change lasts its hours on the wall clock: Sunday 00:00 for 24 hours is 25 hours long", () => {
            const status = at("2026-10-24T22:00:00Z", window(["sun"], "00:00", 24));
            assert.deepEqual(instants(status), { open: true, closes: "2026-10-25T23:00:00Z", next: "2026-10-31T23:00:00Z" });
        });
    });

    describe("any IANA zone, through Intl", () => {
        it("New York springs forward on 2026-03-08 (02:00 EST → 03:00 EDT)", () => {
            const status = at("2026-03-07T12:00:00Z", window(["sun"], "02:30", 1, "America/New_York"));
            assert.deepEqual(instants(status), { open: false, next: "2026-03-08T07:00:00Z" });
            assert.equal(status.state === "closed" && status.next.local, "Sunday 2026-03-08 03:00 America/New_York (UTC-04:00)");
        });

        it("Sydney falls back in April and springs forward in October", () => {
            const sydney = window(["sun"], "02:30", 1, "Australia/Sydney");
            // 2026-04-05 03:00 AEDT → 02:00 AEST: the first 02:30 is daylight time's.
            assert.deepEqual(instants(at("2026-04-04T00:00:00Z", sydney)), { open: false, next: "2026-04-04T15:30:00Z" });
            // 2026-10-04 02:00 AEST → 03:00 AEDT: opens at the jump.
            assert.deepEqual(instants(at("2026-10-03T00:00:00Z", sydney)), { open: false, next: "2026-10-03T16:00:00Z" });
        });

        it("Lord Howe Island moves by half an hour, and Kolkata not at all", () => {
            const lordHowe = at("2026-10-03T00:00:00Z", window(["sun"], "02:00", 1, "Australia/Lord_Howe"));
            assert.equal(lordHowe.state === "closed" && lordHowe.next.local, "Sunday 2026-10-04 02:30 Australia/Lord_Howe (UTC+11:00)");
            const kolkata = at("2026-01-01T00:00:00Z", window(["thu"], "22:00", 2, "Asia/Kolkata"));
            assert.equal(kolkata.state === "closed" && kolkata.next.local, "Thursday 2026-01-01 22:00 Asia/Kolkata (UTC+05:30)");
        });
    });

    describe("the building blocks", () => {
        it("firstInstantShowing: the only showing, the first of two, or the jump over it", () => {
            const copenhagen = (wall: string) => new Date(firstInstantShowing(Date.parse(`${wall}Z`), "Europe/Copenhagen")).toISOString();
            assert.equal(copenhagen("2026-01-10T22:00:00"), "2026-01-10T21:00:00.000Z");
            assert.equal(copenhagen("2026-03-29T02:00:00"), "2026-03-29T01:00:00.000Z");
            assert.equal(copenhagen("2026-03-29T02:59:00"), "2026-03-29T01:00:00.000Z");
            assert.equal(copenhagen("2026-03-29T03:00:00"), "2026-03-29T01:00:00.000Z");
            assert.equal(copenhagen("2026-10-25T02:00:00"), "2026-10-25T00:00:00.000Z");
            assert.equal(copenhagen("2026-10-25T02:59:00"), "2026-10-25T00:59:00.000Z");
            assert.equal(copenhagen("2026-10-25T03:00:00"), "2026-10-25T02:00:00.000Z");
        });

        it("localText names the weekday, the zone and the offset in force", () => {
            assert.equal(localText(Date.parse("2026-10-25T00:30:00Z"), "Europe/Copenhagen"), "Sunday 2026-10-25 02:30 Europe/Copenhagen (UTC+02:00)");
            assert.equal(localText(Date.parse("2026-10-25T01:30:00Z"), "Europe/Copenhagen"), "Sunday 2026-10-25 02:30 Europe/Copenhagen (UTC+01:00)");
            assert.equal(localText(Date.parse("2026-01-01T00:00:00Z"), "UTC"), "Thursday 2026-01-01 00:00 UTC (UTC+00:00)");
        });

        it("describeWindow lists the days in week order", () => {
            assert.equal(describeWindow(window(["sun", "sat"], "22:00", 4)), "sat, sun 22:00 for 4 hours (Europe/Copenhagen)");
            assert.equal(describeWindow(window(["mon"], "05:00", 1, "UTC")), "mon 05:00 for 1 hour (UTC)");
        });
    });
});
