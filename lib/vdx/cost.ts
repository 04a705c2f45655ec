import { CostSettings, InfinityScaling, WEEKDAYS, Weekday } from "../config/settings";
import { Sizing } from "../pexip/sizing";

/**
 * What the connector costs a year, in DKK, from MedCom's indicative prices (or the stack's
 * own). Pure arithmetic: no prices are looked up anywhere.
 *
 * Conventions, so that every number can be checked by hand:
 * - A year is exactly 365 days = 8760 hours = 8760 / 168 ≈ 52.143 weeks. `vmPerYear` is the
 *   price of one VM running all 8760 hours, so one VM-hour costs `vmPerYear / 8760`, and a
 *   schedule with no windows costs exactly `minimumInstances × vmPerYear`.
 * - Money is rounded to whole DKK once, at the end, half away from zero (`Math.round` on the
 *   magnitude). Per-port figures divide the unrounded total, then round.
 * - Hours are reported to two decimals; money is always computed from the exact hours.
 */

/** Hours in the year the prices are quoted for (365 days). */
export const HOURS_PER_YEAR = 8760;
/** Hours in a week. */
export const HOURS_PER_WEEK = 168;
/** 365 days in weeks: 52.142857… */
export const WEEKS_PER_YEAR = HOURS_PER_YEAR / HOURS_PER_WEEK;

const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** The plan's cost figures: always-on, plus the scheduled alternative when Infinity scales. */
export interface CostEstimate {
    /** Every amount is in Danish kroner. */
    readonly currency: "DKK";
    /** Pexip Teams Connector licence, DKK a year. It does not depend on the VM count. */
    readonly licensePerYear: number;
    /** Price of one always-on VM, DKK a year. */
    readonly vmPerYear: number;
    /** VMs sized for the ports, spares included (`Sizing.instances`). */
    readonly vms: number;
    /** licence + vms × vmPerYear, whole DKK. */
    readonly totalPerYear: number;
    /** totalPerYear / concurrentPorts, whole DKK. */
    readonly perPortPerYear: number;
    /** Present when Infinity owns the capacity through scheduled scaling. */
    readonly schedule?: ScheduleCost;
}

/** The cost of letting Infinity run the minimum plus the scheduled extra instances. */
export interface ScheduleCost {
    /** IANA time zone the windows are read in; it does not change the hours (see `estimateCost`). */
    readonly timeZone: string;
    /** Instances Infinity keeps running at all times. */
    readonly minimumInstances: number;
    /** Most instances running at once: minimum plus every window that overlaps at that minute. */
    readonly peakInstances: number;
    /** Whether the peak reaches the sized count (`vms`); if not, the ports are never all available. */
    readonly reachesSizedInstances: boolean;
    /** One entry per configured schedule, in configuration order. */
    readonly windows: readonly ScheduleWindowCost[];
    /** VM-hours a week: minimum × 168 plus every window's extra hours. */
    readonly vmHoursPerWeek: number;
    /** vmHoursPerWeek × 8760 / 168. */
    readonly vmHoursPerYear: number;
    /** VM cost of the schedule: vmHoursPerYear × vmPerYear / 8760, whole DKK. */
    readonly vmCostPerYear: number;
    /** VM cost of running the sized count always on: vms × vmPerYear, whole DKK. */
    readonly alwaysOnVmCostPerYear: number;
    /** alwaysOnVmCostPerYear − vmCostPerYear; negative when the schedule costs more. */
    readonly savingPerYear: number;
    /** Licence (unchanged by scheduling) + vmCostPerYear, whole DKK. */
    readonly totalPerYear: number;
    /** Scheduled totalPerYear / concurrentPorts, whole DKK. */
    readonly perPortPerYear: number;
}

/** One scheduled-scaling window and the VM-hours it adds. */
export interface ScheduleWindowCost {
    /** The schedule's name from configuration. */
    readonly name: string;
    /** Days the window applies to, Monday first. */
    readonly days: readonly Weekday[];
    /** Local time the instances are asked for: `from` minus `minutesInAdvance`, `HH:MM`. */
    readonly startsAt: string;
    /** Configured start of the window, `HH:MM`. */
    readonly from: string;
    /** Configured end of the window, `HH:MM`. */
    readonly to: string;
    /** Instances added on top of the minimum during the window. */
    readonly instancesToAdd: number;
    /** Hours a day the extra instances run, start-up lead included. */
    readonly hoursPerDay: number;
    /** instancesToAdd × days × hoursPerDay. */
    readonly vmHoursPerWeek: number;
}

/**
 * Yearly cost of the sized connector, and of Infinity's scheduled scaling when configured.
 *
 * The schedule model: `minimumInstances` run all week; each window adds `instancesToAdd`
 * from `from − minutesInAdvance` (instances take up to 20 minutes to start, so Infinity asks
 * for them early and they are paid for from then) until `to`, on each listed day. Windows
 * are taken to add up when they overlap (unconfirmed how Infinity combines overlapping
 * policies). A lead time that reaches back past midnight runs on the previous day.
 * Daylight-saving changes are ignored: the two switch days cancel out over a year, except
 * for a window that covers the switch hour itself (an hour a year at most).
 */
export function estimateCost(sizing: Sizing, cost: CostSettings, scaling?: InfinityScaling): CostEstimate {
    const vms = sizing.instances;
    const total = cost.licensePerYear + vms * cost.vmPerYear;
    const estimate: CostEstimate = {
        currency: "DKK",
        licensePerYear: cost.licensePerYear,
        vmPerYear: cost.vmPerYear,
        vms,
        totalPerYear: roundMoney(total),
        perPortPerYear: roundMoney(total / sizing.concurrentPorts),
    };
    if (scaling === undefined) return estimate;
    return { ...estimate, schedule: scheduleCost(sizing, cost, scaling) };
}

function scheduleCost(sizing: Sizing, cost: CostSettings, scaling: InfinityScaling): ScheduleCost {
    // Extra instances per minute of the week (Monday 00:00 = 0); overlaps add up.
    const extra = new Array<number>(MINUTES_PER_WEEK).fill(0);
    const windows = scaling.schedules.map((schedule): ScheduleWindowCost => {
        const from = minutesOfDay(schedule.from);
        const to = minutesOfDay(schedule.to);
        const start = from - schedule.minutesInAdvance;
        for (const day of schedule.days) {
            const dayStart = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY;
            for (let minute = dayStart + start; minute < dayStart + to; minute++) {
                extra[(minute + MINUTES_PER_WEEK) % MINUTES_PER_WEEK] += schedule.instancesToAdd;
            }
        }
        const hoursPerDay = (to - start) / 60;
        return {
            name: schedule.name,
            // Monday first, whatever order configuration gave, so the output is stable.
            days: WEEKDAYS.filter((day) => schedule.days.includes(day)),
            startsAt: formatMinutes(start),
            from: schedule.from,
            to: schedule.to,
            instancesToAdd: schedule.instancesToAdd,
            hoursPerDay: roundHours(hoursPerDay),
            vmHoursPerWeek: roundHours(schedule.instancesToAdd * schedule.days.length * hoursPerDay),
        };
    });

    const extraMinutes = extra.reduce((sum, value) => sum + value, 0);
    const vmHoursPerWeek = scaling.minimumInstances * HOURS_PER_WEEK + extraMinutes / 60;
    const vmHoursPerYear = vmHoursPerWeek * WEEKS_PER_YEAR;
    // vmHoursPerYear / 8760 = vmHoursPerWeek / 168: the shorter form adds no rounding error.
    const vmCost = (vmHoursPerWeek * cost.vmPerYear) / HOURS_PER_WEEK;
    const alwaysOnVmCost = sizing.instances * cost.vmPerYear;
    const total = cost.licensePerYear + vmCost;
    const peakInstances = scaling.minimumInstances + Math.max(0, ...extra);
    return {
        timeZone: scaling.timeZone,
        minimumInstances: scaling.minimumInstances,
        peakInstances,
        reachesSizedInstances: peakInstances >= sizing.instances,
        windows,
        vmHoursPerWeek: roundHours(vmHoursPerWeek),
        vmHoursPerYear: roundHours(vmHoursPerYear),
        vmCostPerYear: roundMoney(vmCost),
        alwaysOnVmCostPerYear: roundMoney(alwaysOnVmCost),
        savingPerYear: roundMoney(alwaysOnVmCost - vmCost),
        totalPerYear: roundMoney(total),
        perPortPerYear: roundMoney(total / sizing.concurrentPorts),
    };
}

/** `HH:MM` (seconds, if present, are ignored) to minutes after midnight. */
function minutesOfDay(time: string): number {
    const [hours, minutes] = time.split(":").map(Number);
    return hours * 60 + minutes;
}

/** Minutes after midnight to `HH:MM`, wrapping a negative lead onto the previous day. */
function formatMinutes(minutes: number): string {
    const wrapped = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const pad = (value: number) => String(value).padStart(2, "0");
    return `${pad(Math.floor(wrapped / 60))}:${pad(wrapped % 60)}`;
}

/** Whole DKK, half away from zero; never `-0`. Floating-point noise is removed first. */
function roundMoney(amount: number): number {
    const clean = Number(amount.toFixed(6));
    const rounded = Math.sign(clean) * Math.round(Math.abs(clean));
    return rounded === 0 ? 0 : rounded;
}

/** Two decimals; floating-point noise (14234.999…) is removed first. */
function roundHours(hours: number): number {
    return Math.round(Number(hours.toFixed(6)) * 100) / 100;
}
