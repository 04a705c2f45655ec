import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { isCalendarDate } from "../calendar";
import { ConfigError } from "../config/configError";
import { pendingUpgrades, ReleaseCalendar, Upgrade, upgradeDateProblem, upgradeInForce } from "./releaseCalendar";
import { defineFormat, packageUrlSchema, schemaValidator } from "../config/schema";
import { writtenText } from "../config/stackLiterals";

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

/** An entry after the first: parseCatalogue has checked that it has both dates. */
type AnnouncedVersion = CatalogueVersion & { readonly from: string; readonly announced: string };

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
                    url: packageUrlSchema(CATALOGUE_FILE),
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
    const document = parseDocument(text, { keepSourceTokens: true });
    if (document.errors.length > 0) fail("", `must be valid YAML: ${document.errors[0].message.split("\n")[0]}`);
    // An unquoted 37.10 is the number 37.1: name it as written, so that the fix is to quote it.
    const entries = document.get("versions", true);
    if (isSeq(entries)) {
        entries.items.forEach((item, index) => {
            const node = isMap(item) ? item.get("version", true) : undefined;
            if (isScalar(node) && typeof node.value === "number") {
                const written = writtenText(node);
                fail(`versions[${index}].version`, `is written ${written} without quotes, which YAML reads as the number ${node.value}: write "${written}"`);
            }
        });
    }
    const raw: unknown = document.toJS();
    const [problem] = validateCatalogue(raw ?? {});
    if (problem !== undefined) fail(problem.path, problem.rule, problem.value);

    const versions = (raw as VersionCatalogue).versions.map((entry) => ({ ...entry, ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256.toLowerCase() }) }));
    versions.forEach((entry, index) => {
        const at = `versions[${index}]`;
        if (versions.findIndex((other) => other.version === entry.version) !== index) fail(`${at}.version`, "must be listed once", entry.version);
        if (index === 0) return;
        // VDX only moves forward: an older entry would make the upgrade pull request a downgrade.
        const before = versions[index - 1].version;
        if (comparePexipVersions(entry.version, before) <= 0) {
            fail(`${at}.version`, `must be a later Pexip version than the entry before it (${before}): list versions in the order VDX runs them, oldest first`, entry.version);
        }
        // Every version after the first is an announced upgrade: it has both dates, in order.
        if (entry.from === undefined) fail(`${at}.from`, `is required: the date VDX switches to ${entry.version}`);
        if (entry.announced === undefined) fail(`${at}.announced`, `is required: the date VDX gave notice of ${entry.version}`);
        // The schema has checked the dates' form; what is left is their order.
        const previous = versions[index - 1].from;
        const problem = upgradeDateProblem(entry as AnnouncedVersion, previous);
        if (problem === "announced-after-from") fail(`${at}.announced`, `must not be after from (${entry.from})`, entry.announced);
        if (problem === "not-after-previous") fail(`${at}.from`, `must be later than the version before's (${previous}): list versions in the order VDX runs them`, entry.from);
    });
    return { versions };
}

/**
 * Pexip's version order: by each dot-separated number, a missing one counting as 0
 * (`37.1` < `37.10` < `38` = `38.0`). Negative when `a` is older than `b`, 0 when equal.
 */
export function comparePexipVersions(a: string, b: string): number {
    const [left, right] = [a, b].map((version) => version.split(".").map(Number));
    for (let index = 0; index < Math.max(left.length, right.length); index++) {
        const difference = (left[index] ?? 0) - (right[index] ?? 0);
        if (difference !== 0) return difference;
    }
    return 0;
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

/** The catalogue as VDX's release calendar: the first version, then the announced ones. */
function releaseCalendar(catalogue: VersionCatalogue): ReleaseCalendar<AnnouncedVersion> {
    const [current, ...announced] = catalogue.versions;
    return { currentVersion: current.version, upgrades: announced as AnnouncedVersion[] };
}

/** The version VDX runs on a date (YYYY-MM-DD), and since when when an upgrade brought it. */
export function versionOn(catalogue: VersionCatalogue, date: string): CatalogueVersion {
    return upgradeInForce(releaseCalendar(catalogue), date) ?? catalogue.versions[0];
}

/** Announced versions that are not yet in force on a date, earliest first. */
export function pendingVersions(catalogue: VersionCatalogue, date: string): AnnouncedVersion[] {
    return pendingUpgrades(releaseCalendar(catalogue), date);
}

/** The version policy's configuration (policy/config.json's entry), written from the catalogue. */
export function versionPolicyConfig(catalogue: VersionCatalogue): ReleaseCalendar<Required<Upgrade>> {
    const { currentVersion, upgrades } = releaseCalendar(catalogue);
    return { currentVersion, upgrades: upgrades.map(({ version, from, announced }) => ({ version, from, announced })) };
}
