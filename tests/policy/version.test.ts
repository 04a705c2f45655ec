import * as assert from "node:assert/strict";
import { PolicyConfigError } from "../../cli/plan/policyEngine";
import { dateIn, daysBetween } from "../../policy/common";
import { pendingUpgrades } from "../../lib/versions/releaseCalendar";
import { vdxVersionOn } from "../../policy/version";
import { PACK } from "../../policy/policies";
import { check, named, notApplicable, of, pexipDeployment, scalingCommand, testConfig, UNKNOWN_STRING, violation } from "./fixtures";

const policy = "teams-connector-matches-vdx-version";

/** MedCom's notice: VDX moves from 37.1 to 38.1 on 2026-03-16 (an example calendar). */
const announced = (asOf: string) =>
    testConfig({ [policy]: { currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-03-16" }], asOf } });

const notice = (days: number, inForce: string) =>
    `VDX has announced Pexip 38.1 from 2026-03-16 (in ${days} day(s)). ` +
    `Keep ${inForce} until then; on 2026-03-16 set pexipVersion to 38.1 and deploy: from that day this policy requires it.`;

describe("policy: version", () => {
    describe("teams-connector-matches-vdx-version", () => {
        it("accepts the shipped VDX version, with no announcement", async () => {
            assert.deepEqual(of(await check([pexipDeployment()]), policy), []);
        });

        it("ignores the scaling command, which carries no version", async () => {
            const scaling = scalingCommand();
            assert.deepEqual(of(await check([scaling]), policy), []);
            assert.deepEqual(await notApplicable([scaling], policy), { [scaling.name]: "Not the Pexip deployment" });
            // Nor does an announced upgrade reach it.
            assert.deepEqual(of(await check([scaling], announced("2026-03-02")), policy), []);
        });

        it("rejects another version; versions compare exactly (37 is not 37.1)", async () => {
            const deployment = pexipDeployment({ VDX_PEXIP_VERSION: "37" });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "The Pexip deployment runs Pexip 37, but VDX runs 37.1 (check date 2026-03-02). Set pexipVersion to 37.1."),
            ]);
        });

        it("rejects a deployment without VDX_PEXIP_VERSION: cannot verify", async () => {
            const deployment = pexipDeployment({ VDX_PEXIP_VERSION: undefined });
            assert.deepEqual(of(await check([deployment]), policy), [
                violation(policy, "mandatory", deployment, "The Pexip deployment has no VDX_PEXIP_VERSION: cannot verify that it runs VDX's Pexip version 37.1."),
            ]);
        });

        it("cannot run during a preview that does not know the version yet: an advisory, not a violation", async () => {
            const deployment = pexipDeployment({ VDX_PEXIP_VERSION: UNKNOWN_STRING });
            const found = of(await check([deployment]), policy);
            assert.deepEqual(found.map((entry) => [entry.enforcement, entry.urn]), [["advisory", deployment.urn]]);
            const prefix = `can't run policy '${policy}' from policy pack '${PACK.name}@v${PACK.version}' during preview: `;
            assert.ok(found[0].message.startsWith(prefix), found[0].message);
        });

        describe("an announced upgrade", () => {
            it("before its date: the current version is required, and an advisory names the new version and date", async () => {
                const deployment = pexipDeployment();
                assert.deepEqual(of(await check([deployment], announced("2026-03-02")), policy), [
                    violation(policy, "advisory", deployment, notice(14, "37.1")),
                ]);
            });

            it("before its date: deploying the new version early is rejected", async () => {
                const deployment = pexipDeployment({ VDX_PEXIP_VERSION: "38.1" });
                assert.deepEqual(of(await check([deployment], announced("2026-03-15")), policy), [
                    violation(
                        policy,
                        "mandatory",
                        deployment,
                        "The Pexip deployment runs Pexip 38.1, but VDX runs 37.1 (check date 2026-03-15). VDX moves to 38.1 only on 2026-03-16: deploying it earlier breaks calls too. Set pexipVersion to 37.1.",
                    ),
                    violation(policy, "advisory", deployment, notice(1, "37.1")),
                ]);
            });

            it("on its date: the new version is required and the advisory is gone", async () => {
                const old = pexipDeployment();
                const upgraded = named(pexipDeployment({ VDX_PEXIP_VERSION: "38.1" }), "upgraded");
                assert.deepEqual(of(await check([old, upgraded], announced("2026-03-16")), policy), [
                    violation(policy, "mandatory", old, "The Pexip deployment runs Pexip 37.1, but VDX runs 38.1 since 2026-03-16 (check date 2026-03-16). Set pexipVersion to 38.1."),
                ]);
            });

            it("after its date: the new version stays required", async () => {
                const upgraded = pexipDeployment({ VDX_PEXIP_VERSION: "38.1" });
                assert.deepEqual(of(await check([upgraded], announced("2026-04-01")), policy), []);
                const old = pexipDeployment();
                assert.equal(of(await check([old], announced("2026-04-01")), policy)[0].enforcement, "mandatory");
            });

            it("keeps the advisory at advisory even when the configuration says all: mandatory", async () => {
                const violations = await check([pexipDeployment()], { ...announced("2026-03-02"), all: "mandatory" });
                assert.deepEqual(of(violations, policy).map((entry) => entry.enforcement), ["advisory"]);
            });

            it("adds MedCom's notice rule as an advisory when VDX gave fewer than 14 days' notice", async () => {
                const withNotice = (announcedOn: string) =>
                    testConfig({ [policy]: { currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-03-16", announced: announcedOn }], asOf: "2026-03-10" } });
                const deployment = pexipDeployment();
                assert.deepEqual(of(await check([deployment], withNotice("2026-03-02")), policy), [violation(policy, "advisory", deployment, notice(6, "37.1"))]);
                assert.deepEqual(of(await check([deployment], withNotice("2026-03-03")), policy), [
                    violation(policy, "advisory", deployment, notice(6, "37.1")),
                    violation(policy, "advisory", deployment, "VDX gave 13 days' notice of Pexip 38.1 (announced 2026-03-03, from 2026-03-16); MedCom's rule is 14."),
                ]);
            });

            it("leaves the advisory out when announceUpgrades is false", async () => {
                const config = testConfig({ [policy]: { currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-03-16" }], announceUpgrades: false } });
                assert.deepEqual(of(await check([pexipDeployment()], config), policy), []);
            });

            it("uses today's Copenhagen date without asOf", async () => {
                const config = testConfig({ [policy]: { currentVersion: "36.0", upgrades: [{ version: "37.1", from: "2000-01-01" }, { version: "99.0", from: "2999-01-01" }] } });
                delete (config[policy] as { asOf?: string }).asOf;
                const deployment = pexipDeployment();
                const today = dateIn(new Date(), "Europe/Copenhagen");
                const text =
                    `VDX has announced Pexip 99.0 from 2999-01-01 (in ${daysBetween(today, "2999-01-01")} day(s)). ` +
                    "Keep 37.1 until then; on 2999-01-01 set pexipVersion to 99.0 and deploy: from that day this policy requires it.";
                assert.deepEqual(of(await check([deployment], config), policy), [violation(policy, "advisory", deployment, text)]);
            });
        });

        describe("configuration", () => {
            const configWith = (entry: Record<string, unknown>) => ({ [policy]: entry });

            it("requires currentVersion", async () => {
                await assert.rejects(check([pexipDeployment()], configWith({})), (error: unknown) => {
                    assert.ok(error instanceof PolicyConfigError);
                    assert.deepEqual(error.problems, [`${policy}: currentVersion is required`]);
                    return true;
                });
            });

            it("validates the shape of versions, dates and upgrades", async () => {
                const bad = configWith({ currentVersion: "v37", upgrades: [{ version: "38.1", from: "16-03-2026" }, { version: "39", when: "2026-06-01" }], asOf: "today" });
                await assert.rejects(check([pexipDeployment()], bad), (error: unknown) => {
                    assert.ok(error instanceof PolicyConfigError);
                    assert.deepEqual([...error.problems].sort(), [
                        `${policy}: asOf must match ^\\d{4}-\\d{2}-\\d{2}$, got "today"`,
                        `${policy}: currentVersion must match ^\\d+(\\.\\d+){0,2}$, got "v37"`,
                        `${policy}: upgrades[0].from must match ^\\d{4}-\\d{2}-\\d{2}$, got "16-03-2026"`,
                        `${policy}: upgrades[1].from is required`,
                        `${policy}: upgrades[1].when is not a key of upgrades[1] (known: version, from, announced)`,
                    ]);
                    return true;
                });
            });

            it("rejects impossible dates and upgrades out of order", async () => {
                await assert.rejects(
                    check([pexipDeployment()], configWith({ currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-02-30" }] })),
                    /upgrade to 38\.1 has from "2026-02-30", which is not a calendar date/,
                );
                await assert.rejects(
                    check([pexipDeployment()], configWith({ currentVersion: "37.1", upgrades: [{ version: "39", from: "2026-06-01" }, { version: "38.1", from: "2026-03-16" }] })),
                    /upgrades must be listed in date order with one per date \(2026-06-01 then 2026-03-16\)/,
                );
            });
        });
    });

    it("resolves the version in force and the pending upgrades by date", () => {
        const calendar = { currentVersion: "37.1", upgrades: [{ version: "38.1", from: "2026-03-16" }, { version: "39.0", from: "2026-06-01" }] };
        assert.deepEqual(vdxVersionOn(calendar, "2026-03-15"), { version: "37.1" });
        assert.deepEqual(vdxVersionOn(calendar, "2026-03-16"), { version: "38.1", since: "2026-03-16" });
        assert.deepEqual(vdxVersionOn(calendar, "2026-07-01"), { version: "39.0", since: "2026-06-01" });
        assert.deepEqual(pendingUpgrades(calendar, "2026-03-16").map((upgrade) => upgrade.version), ["39.0"]);
    });
});
