/**
 * Calendar dates as VDX uses them: `YYYY-MM-DD`, in Copenhagen unless a zone is given. Shared by
 * the program, the tools and the policy pack, which may import this module, lib/versions/releaseCalendar.ts,
 * lib/contract.ts and lib/config/cidr.ts.
 */

/** `YYYY-MM-DD`. */
export const DATE_PATTERN = "^\\d{4}-\\d{2}-\\d{2}$";

/** VDX is Danish: "today" and announced dates are Copenhagen dates. */
export const DEFAULT_TIME_ZONE = "Europe/Copenhagen";

/** True for a real calendar date written `YYYY-MM-DD` (rejects 2026-02-30). */
export function isCalendarDate(text: string): boolean {
    if (!new RegExp(DATE_PATTERN).test(text)) return false;
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function dateIn(instant: Date, timeZone: string): string {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(instant);
    const part = (type: string): string => parts.find((entry) => entry.type === type)?.value ?? "";
    return `${part("year")}-${part("month")}-${part("day")}`;
}

/** Whole days from one `YYYY-MM-DD` date to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
    const day = 24 * 60 * 60 * 1000;
    return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / day);
}
