import { daysBetween, isCalendarDate } from "../calendar";
import { MEDCOM_NOTICE_DAYS } from "../contract";

/**
 * VDX's release calendar: the version VDX runs before any announced upgrade, then each upgrade
 * from its date. The version catalogue (lib/versions/versionCatalogue.ts) and the version policy
 * (policy/version.ts) both answer from it, so it imports only what the policy pack may import.
 */

/** An announced upgrade: from `from` (a Copenhagen date) VDX runs `version`; VDX gave notice on `announced`. */
export interface Upgrade {
    readonly version: string;
    readonly from: string;
    readonly announced?: string;
}

/** VDX's release calendar, as the version policy is configured with it. */
export interface ReleaseCalendar<T extends Upgrade = Upgrade> {
    /** The version VDX runs before any of the upgrades. */
    readonly currentVersion: string;
    /** In date order, one per date. */
    readonly upgrades: readonly T[];
}

/** The latest upgrade in force on a date (YYYY-MM-DD); undefined while VDX still runs `currentVersion`. */
export function upgradeInForce<T extends Upgrade>(calendar: Pick<ReleaseCalendar<T>, "upgrades">, date: string): T | undefined {
    return calendar.upgrades.filter((upgrade) => upgrade.from <= date).at(-1);
}

/** Announced upgrades that are not yet in force on a date, earliest first. */
export function pendingUpgrades<T extends Upgrade>(calendar: Pick<ReleaseCalendar<T>, "upgrades">, date: string): T[] {
    return calendar.upgrades.filter((upgrade) => upgrade.from > date);
}

/** Days between VDX's notice of an upgrade and the switch. */
export function noticeDays(upgrade: Upgrade & { readonly announced: string }): number {
    return daysBetween(upgrade.announced, upgrade.from);
}

/** MedCom's notice rule, when VDX gave an upgrade fewer than 14 days' notice: the shortfall in words. */
export function shortNotice(upgrade: Upgrade): string | undefined {
    const { announced } = upgrade;
    if (announced === undefined) return undefined;
    const days = noticeDays({ ...upgrade, announced });
    if (days >= MEDCOM_NOTICE_DAYS) return undefined;
    return `VDX gave ${days} days' notice of Pexip ${upgrade.version} (announced ${announced}, from ${upgrade.from}); MedCom's rule is ${MEDCOM_NOTICE_DAYS}`;
}

/** How an upgrade's dates can be wrong; each reader of the calendar words it for its own file. */
type UpgradeDateProblem = "from-not-a-date" | "announced-not-a-date" | "announced-after-from" | "not-after-previous";

/** The first thing wrong with an upgrade's dates, given the date the version before it took over (if any). */
export function upgradeDateProblem(upgrade: Upgrade, previousFrom: string | undefined): UpgradeDateProblem | undefined {
    if (!isCalendarDate(upgrade.from)) return "from-not-a-date";
    if (upgrade.announced !== undefined && !isCalendarDate(upgrade.announced)) return "announced-not-a-date";
    if (upgrade.announced !== undefined && upgrade.announced > upgrade.from) return "announced-after-from";
    if (previousFrom !== undefined && upgrade.from <= previousFrom) return "not-after-previous";
    return undefined;
}
