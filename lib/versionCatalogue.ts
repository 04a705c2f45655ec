import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { daysBetween, isCalendarDate } from "./calendar";
import { ConfigError } from "./configError";
import { MEDCOM_NOTICE_DAYS } from "./contract";
import { defineFormat, schemaValidator } from "./schema";

/**
 * VDX's Pexip versions, in one place: `pexip-versions.yaml` at the project's root. It says which
 * version VDX runs from which date (with the date VDX gave notice of it), and for each version
 * the Teams Connector package's SHA-256 and where the party keeps the package. Stacks name only
 * `pexipVersion`; the program, the offline plan, the version policy (policy/config.json is
 * written from this file by `npm run versions:sync`) and the upgrade routine read the rest here.
 */

/** The catalogue's file name, at the project's root. */
export const CATALOGUE_FILE = "pexip-versions.yaml";


/** One version VDX has run or announced. */
export interface CatalogueVersion {
    readonly version: string;
    /** The date of VDX's notice (YYYY-MM-DD); absent only for the version the catalogue starts with. */
    readonly announced?: string;
    /** From this date (Copenhagen) VDX runs this version; absent only for the version the catalogue starts with. */
    readonly from?: string;
    /** SHA-256 of the Teams Connector package; absent until someone has downloaded it from Pexip. */
    readonly sha256?: string;
    /** Where the party keeps the package (https), for the deployment driver. */
    readonly url?: string;
}

export interface VersionCatalogue {
    /** In the order VDX runs them: the first since before the catalogue, each later one from its date. */
    readonly versions: readonly CatalogueVersion[];
}

defineFormat("calendar-date", isCalendarDate);
const DATE = { type: "string", format: "calendar-date", rule: "must be a calendar date YYYY-MM-DD" };

const validateCatalogue = schemaValidator({
    type: "object",
    additionalProperties: false,
    required: ["versions"],
    properties: {
        versions: {
            type: "array",
            minItems: 1,
            rule: "must list VDX's versions, the one VDX runs now first",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["version"],
                properties: {
                    version: { type: "string", pattern: "^\\d+(\\.\\d+){0,2}$", rule: 'must be a Pexip version like "37.1", in quotes' },
                    announced: DATE,
                    from: DATE,
                    sha256: { type: "string", pattern: "^[0-9a-fA-F]{64}$", rule: "must be the package's SHA-256 as 64 hex digits" },
                    url: { type: "string", pattern: "^https://", rule: "must be an https:// URL where the party keeps the package" },
                },
            },
        },
    },
});

/** Reads the catalogue's text; throws ConfigError naming the entry and key at fault (`pexip-versions.yaml:versions[1].from`). */
export function parseCatalogue(text: string): VersionCatalogue {
    const fail = (key: string, rule: string, value?: unknown): never => {
        throw new ConfigError(`${CATALOGUE_FILE}:${key}`, rule, value);
    };
    let raw: unknown;
    try {
        raw = parse(text);
    } catch (error) {
        fail("", `must be valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    const [problem] = validateCatalogue(raw ?? {});
    if (problem !== undefined) fail(problem.path, problem.rule, problem.value);

    const versions = (raw as VersionCatalogue).versions.map((entry) => ({ ...entry, ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256.toLowerCase() }) }));
    versions.forEach((entry, index) => {
        const at = `versions[${index}]`;
        if (versions.findIndex((other) => other.version === entry.version) !== index) fail(`${at}.version`, "must be listed once", entry.version);
        if (index === 0) return;
        // Every version after the first is an announced upgrade: it has both dates, in order.
        if (entry.from === undefined) fail(`${at}.from`, `is required: the date VDX switches to ${entry.version}`);
        if (entry.announced === undefined) fail(`${at}.announced`, `is required: the date VDX gave notice of ${entry.version}`);
        if (entry.announced! > entry.from!) fail(`${at}.announced`, `must not be after from (${entry.from})`, entry.announced);
        const previous = versions[index - 1].from;
        if (previous !== undefined && entry.from! <= previous) fail(`${at}.from`, `must be later than the version before's (${previous}): list versions in the order VDX runs them`, entry.from);
    });
    return { versions };
}

/** Reads `pexip-versions.yaml` from a project directory. */
export function loadCatalogue(projectDir: string): VersionCatalogue {
    const file = path.join(projectDir, CATALOGUE_FILE);
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new ConfigError(CATALOGUE_FILE, `is required: VDX's Pexip versions and their packages' checksums (looked for ${file})`);
    }
    return parseCatalogue(text);
}

/** A version's entry, or undefined when the catalogue does not list it. */
export function catalogueEntry(catalogue: VersionCatalogue, version: string): CatalogueVersion | undefined {
    return catalogue.versions.find((entry) => entry.version === version);
}

/** The version VDX runs on a date (YYYY-MM-DD), and since when when an upgrade brought it. */
export function versionOn(catalogue: VersionCatalogue, date: string): CatalogueVersion {
    let inForce = catalogue.versions[0];
    for (const entry of catalogue.versions.slice(1)) if (entry.from! <= date) inForce = entry;
    return inForce;
}

/** Announced versions that are not yet in force on a date, earliest first. */
export function pendingVersions(catalogue: VersionCatalogue, date: string): CatalogueVersion[] {
    return catalogue.versions.slice(1).filter((entry) => entry.from! > date);
}

/** Days of notice VDX gave of an announced version. */
export function noticeDays(entry: CatalogueVersion): number {
    return daysBetween(entry.announced!, entry.from!);
}

/** MedCom's notice rule: each announcement short of 14 days' notice, in words. */
export function shortNotices(catalogue: VersionCatalogue): string[] {
    return catalogue.versions
        .slice(1)
        .filter((entry) => noticeDays(entry) < MEDCOM_NOTICE_DAYS)
        .map((entry) => `VDX gave ${noticeDays(entry)} days' notice of Pexip ${entry.version} (announced ${entry.announced}, from ${entry.from}); MedCom's rule is ${MEDCOM_NOTICE_DAYS}`);
}

/** The version policy's configuration (policy/config.json's entry), written from the catalogue. */
export function versionPolicyConfig(catalogue: VersionCatalogue): { currentVersion: string; upgrades: Array<{ version: string; from: string; announced: string }> } {
    return {
        currentVersion: catalogue.versions[0].version,
        upgrades: catalogue.versions.slice(1).map((entry) => ({ version: entry.version, from: entry.from!, announced: entry.announced! })),
    };
}
