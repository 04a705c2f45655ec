import { ResourceValidationPolicy } from "@pulumi/policy";
import { FACTS, factVariable } from "../lib/contract";
import { pendingUpgrades, ReleaseCalendar, shortNotice, upgradeDateProblem, upgradeInForce } from "../lib/versions/releaseCalendar";
import { CHECK_DATE_SCHEMA, CheckDateConfig, checkDate, closedConfigSchema, DATE_PATTERN, daysBetween, factOf, reportAdvisory, validateDeployment } from "./common";

/**
 * The connector must run exactly VDX's Pexip version: a Teams Connector on another version than
 * the Infinity platform breaks calls (Pexip release notes, "How to upgrade"; MedCom). VDX gives
 * parties at least 14 days' notice of an upgrade. The release calendar is this policy's
 * configuration in policy/config.json, written from pexip-versions.yaml (npm run versions:sync),
 * so an announcement is one edit of the catalogue.
 */

/** A Pexip version like `37.1`. Versions compare as text: `37.1` is not `37`. */
const VERSION_PATTERN = "^\\d+(\\.\\d+){0,2}$";

/** VDX's release calendar, as configured. */
export interface VdxReleaseConfig extends ReleaseCalendar, CheckDateConfig {
    /** Report announced upgrades that are not yet in force (advisory). */
    readonly announceUpgrades: boolean;
}

const POLICY_NAME = "teams-connector-matches-vdx-version";

/**
 * Dates and order that a JSON schema cannot express. A broken calendar is a configuration
 * error, so it throws (the engine stops with it) instead of reporting on each scale set.
 */
function checkCalendar(config: VdxReleaseConfig): void {
    if (typeof config.currentVersion !== "string") {
        throw new Error(`${POLICY_NAME}: currentVersion is not configured; run with --policy-pack-config policy/config.json`);
    }
    config.upgrades.forEach((upgrade, index) => {
        const previous = config.upgrades[index - 1]?.from;
        switch (upgradeDateProblem(upgrade, previous)) {
            case "from-not-a-date":
                throw new Error(`${POLICY_NAME}: upgrade to ${upgrade.version} has from "${upgrade.from}", which is not a calendar date YYYY-MM-DD`);
            case "announced-not-a-date":
            case "announced-after-from":
                throw new Error(`${POLICY_NAME}: upgrade to ${upgrade.version} has announced "${upgrade.announced}", which is not a calendar date on or before from (${upgrade.from})`);
            case "not-after-previous":
                throw new Error(`${POLICY_NAME}: upgrades must be listed in date order with one per date (${previous} then ${upgrade.from})`);
        }
    });
}

/** The version VDX runs on a date, and since when if an upgrade brought it. */
export function vdxVersionOn(calendar: ReleaseCalendar, date: string): { version: string; since?: string } {
    const upgrade = upgradeInForce(calendar, date);
    return upgrade === undefined ? { version: calendar.currentVersion } : { version: upgrade.version, since: upgrade.from };
}

const description =
    "The Teams Connector must run the Pexip version VDX runs on the check date: a connector on another version than VDX's platform breaks calls.";

/** Mandatory on a mismatch; advisory while an announced upgrade is not yet in force. */
export const teamsConnectorMatchesVdxVersion: ResourceValidationPolicy = {
    name: POLICY_NAME,
    description,
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema(
        {
            currentVersion: {
                type: "string",
                pattern: VERSION_PATTERN,
                description: "The Pexip version VDX runs before any upgrade listed in upgrades, like 37.1.",
            },
            upgrades: {
                type: "array",
                default: [],
                description: "Upgrades VDX has announced: from the date `from` (Copenhagen) VDX runs `version`; `announced` is the date of VDX's notice. Written from pexip-versions.yaml by npm run versions:sync.",
                items: {
                    type: "object",
                    additionalProperties: false,
                    required: ["version", "from"],
                    properties: {
                        version: { type: "string", pattern: VERSION_PATTERN },
                        from: { type: "string", pattern: DATE_PATTERN },
                        announced: { type: "string", pattern: DATE_PATTERN },
                    },
                },
            },
            announceUpgrades: {
                type: "boolean",
                default: true,
                description: "Report an announced upgrade that is not yet in force, as an advisory.",
            },
            ...CHECK_DATE_SCHEMA,
        },
        ["currentVersion"],
    ),
    validateResource: validateDeployment((props, args, report) => {
        const configured = args.getConfig<Partial<VdxReleaseConfig>>();
        // The engine fills in the schema defaults; these only guard a runtime that does not.
        const config: VdxReleaseConfig = { upgrades: [], announceUpgrades: true, ...configured } as VdxReleaseConfig;
        checkCalendar(config);
        const today = checkDate(POLICY_NAME, config);
        const inForce = vdxVersionOn(config, today);
        const since = inForce.since === undefined ? "" : ` since ${inForce.since}`;

        const version = factOf(args.type, props, FACTS.pexipVersion);
        if (version === undefined) {
            report(`The Pexip deployment has no ${factVariable(FACTS.pexipVersion)}: cannot verify that it runs VDX's Pexip version ${inForce.version}.`);
        } else if (version !== inForce.version) {
            const early = pendingUpgrades(config, today).find((upgrade) => upgrade.version === version);
            const reason = early === undefined ? "" : ` VDX moves to ${version} only on ${early.from}: deploying it earlier breaks calls too.`;
            report(`The Pexip deployment runs Pexip ${version}, but VDX runs ${inForce.version}${since} (check date ${today}).${reason} Set pexipVersion to ${inForce.version}.`);
        }

        if (!config.announceUpgrades) return;
        for (const upgrade of pendingUpgrades(config, today)) {
            reportAdvisory(
                report,
                description,
                `VDX has announced Pexip ${upgrade.version} from ${upgrade.from} (in ${daysBetween(today, upgrade.from)} day(s)). ` +
                    `Keep ${inForce.version} until then; on ${upgrade.from} set pexipVersion to ${upgrade.version} and deploy: from that day this policy requires it.`,
            );
            const notice = shortNotice(upgrade);
            if (notice !== undefined) reportAdvisory(report, description, `${notice}.`);
        }
    }),
};

/** The version policies, in the order the pack lists them. */
export const versionPolicies: ResourceValidationPolicy[] = [teamsConnectorMatchesVdxVersion];
