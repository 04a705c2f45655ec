/**
 * Maintenance windows: when a redeploy (a Pexip upgrade, about 30 minutes without the region's
 * connector) may start. Pure: time zones come from `Intl` alone, no Pulumi, no clock.
 *
 * A window opens at `start` local time on each of `days` and lasts `hours` on the **wall
 * clock**: `sat 22:00` for 4 hours runs until Sunday 02:00 local time, whatever the offset does
 * in between. The hospital chose the hours by the clock on the wall (clinics open at 07:00 in
 * summer and winter alike), so the end stays where they put it; the elapsed length is one hour
 * shorter on the spring-forward night and one hour longer on the fall-back night.
 *
 * Each boundary, opening and closing alike, is **the first moment the local clock shows that
 * date and time or later**:
 *
 * - a time the clock skips (02:30 on Copenhagen's last Sunday of March, 02:00→03:00) is reached
 *   when the clock jumps: a window starting 02:30 opens at 03:00 CEST that night, and one closing
 *   at 02:30 closes at 03:00 CEST;
 * - a time the clock shows twice (02:30 on the last Sunday of October, 03:00→02:00) is its first
 *   showing, in summer time: a window starting 02:30 opens at 02:30 CEST, and one closing at 02:30
 *   closes at 02:30 CEST, before the repeated hour.
 *
 * So a window is always one unbroken stretch and never reaches past the wall-clock end. A window
 * that lies wholly in the skipped hour (`02:00` for 1 hour on that Sunday) is empty that night
 * and the next one counts. Windows that touch (`sat` and `sun` at 00:00 for 24 hours) are one;
 * every day for 24 hours is any time.
 */
import { DEFAULT_TIME_ZONE } from "../calendar";
import type { MaintenanceWindow, Weekday } from "../config/settings";
import { plural } from "../markdown";
import { WEEKDAYS } from "../config/settingsSchema";

/** An instant, and how the window's time zone shows it. */
export interface WindowTime {
    readonly instant: Date;
    /** Local wall clock, e.g. `Sunday 2026-03-29 03:00 Europe/Copenhagen (UTC+02:00)`. */
    readonly local: string;
}

/** Whether a redeploy may run at an instant, and when that changes. */
export type WindowStatus =
    /** Any time: no window is set, or it covers the whole week (every day for 24 hours). */
    | { readonly state: "always"; readonly open: true }
    | { readonly state: "open"; readonly open: true; readonly closes: WindowTime; readonly next: WindowTime }
    | { readonly state: "closed"; readonly open: false; readonly next: WindowTime };

/** One occurrence of a window, as instants (ms since the epoch): [opens, closes). */
interface WindowOccurrence {
    readonly opens: number;
    readonly closes: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Where a redeploy stands at `now` under `window`; undefined means no window: always allowed. */
export function windowStatus(window: MaintenanceWindow | undefined, now: Date): WindowStatus {
    if (window === undefined || (window.days.length === WEEKDAYS.length && window.hours === 24)) return { state: "always", open: true };
    const at = now.getTime();
    const today = Math.floor(wallClock(at, window.timeZone) / DAY) * DAY;
    // A window containing `now` opened today or yesterday (joined ones maybe earlier, but only their
    // end matters); the next opens within a week, or two when one fell wholly into a skipped hour.
    const occurrences = windowOccurrences(window, today - 2 * DAY, today + 16 * DAY);
    const time = (instant: number): WindowTime => ({ instant: new Date(instant), local: localText(instant, window.timeZone) });
    const current = occurrences.findIndex((o) => o.opens <= at && at < o.closes);
    if (current >= 0) {
        return { state: "open", open: true, closes: time(occurrences[current].closes), next: time(occurrences[current + 1].opens) };
    }
    return { state: "closed", open: false, next: time(occurrences.find((o) => o.opens > at)!.opens) };
}

/**
 * The window's occurrences whose opening day (local calendar date) lies in [fromDay, toDay),
 * both given as wall-clock days (ms of local midnight read as UTC), in order, empty ones left
 * out and touching ones joined.
 */
function windowOccurrences(window: MaintenanceWindow, fromDay: number, toDay: number): WindowOccurrence[] {
    const [hour, minute] = window.start.split(":").map(Number);
    const joined: WindowOccurrence[] = [];
    for (let day = fromDay; day < toDay; day += DAY) {
        if (!window.days.includes(weekdayOf(day))) continue;
        const start = day + hour * HOUR + minute * MINUTE;
        const opens = firstInstantShowing(start, window.timeZone);
        const closes = firstInstantShowing(start + window.hours * HOUR, window.timeZone);
        if (closes <= opens) continue;
        const last = joined[joined.length - 1];
        if (last !== undefined && opens <= last.closes) joined[joined.length - 1] = { opens: last.opens, closes };
        else joined.push({ opens, closes });
    }
    return joined;
}

/** `sat, sun 22:00 for 4 hours (Europe/Copenhagen)`. */
export function describeWindow(window: MaintenanceWindow): string {
    const days = WEEKDAYS.filter((day) => window.days.includes(day)).join(", ");
    return `${days} ${window.start} for ${plural(window.hours, "hour")} (${window.timeZone})`;
}

/** An instant as the zone's wall clock shows it: `Sunday 2026-03-29 03:00 Europe/Copenhagen (UTC+02:00)`. */
export function localText(instant: number, timeZone: string): string {
    const wall = wallClock(instant, timeZone);
    const offset = Math.round((wall - Math.floor(instant / 1000) * 1000) / MINUTE);
    const sign = offset < 0 ? "-" : "+";
    const pad = (n: number) => String(n).padStart(2, "0");
    const iso = new Date(wall).toISOString();
    const weekday = new Date(wall).toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
    return `${weekday} ${iso.slice(0, 10)} ${iso.slice(11, 16)} ${timeZone} (UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)})`;
}

/**
 * The first instant at which the zone's clock shows `wall` (a local date and time, as ms read as
 * UTC) or later: its only showing, its first of two, or the jump over it.
 */
export function firstInstantShowing(wall: number, timeZone: string): number {
    // The offsets in force a day either side; zones change offset at most once in two days.
    const before = offsetAt(wall - DAY, timeZone);
    const after = offsetAt(wall + DAY, timeZone);
    const showings = [wall - before, wall - after].filter((instant) => wallClock(instant, timeZone) === wall);
    if (showings.length > 0) return Math.min(...showings);
    // Skipped: the clock reads earlier at `wall - after` and later at `wall - before`; find the jump, to the second.
    let earlier = Math.floor((wall - after) / 1000);
    let later = Math.ceil((wall - before) / 1000);
    while (later - earlier > 1) {
        const middle = Math.floor((earlier + later) / 2);
        if (wallClock(middle * 1000, timeZone) >= wall) later = middle;
        else earlier = middle;
    }
    return later * 1000;
}

/** The first moment of a Copenhagen calendar date (YYYY-MM-DD). */
export function startOfDate(date: string): Date {
    return new Date(firstInstantShowing(Date.parse(`${date}T00:00:00Z`), DEFAULT_TIME_ZONE));
}

/** The zone's clock at an instant, to the second, as ms of that local date and time read as UTC. */
function wallClock(instant: number, timeZone: string): number {
    const parts: Record<string, number> = {};
    for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
        if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

function offsetAt(instant: number, timeZone: string): number {
    const whole = Math.floor(instant / 1000) * 1000;
    return wallClock(whole, timeZone) - whole;
}

function weekdayOf(day: number): Weekday {
    // getUTCDay counts from Sunday; WEEKDAYS from Monday.
    return WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
    let found = formatters.get(timeZone);
    if (found === undefined) {
        found = new Intl.DateTimeFormat("en-US", {
            timeZone,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
        });
        formatters.set(timeZone, found);
    }
    return found;
}
