import * as assert from "node:assert/strict";
import { estimateCost, HOURS_PER_YEAR, WEEKS_PER_YEAR } from "../../../lib/vdx/cost";
import { DEFAULT_COST, InfinityScaling, ScalingSchedule } from "../../../lib/config/settings";
import { sizeConnector } from "../../../lib/pexip/sizing";

function sized(concurrentPorts: number, portsPerInstance: number, spareInstances = 0) {
    return sizeConnector({ concurrentPorts, portsPerInstance, spareInstances });
}

function schedule(overrides: Partial<ScalingSchedule> = {}): ScalingSchedule {
    return { name: "office hours", days: ["mon", "tue", "wed", "thu", "fri"], from: "07:00", to: "17:00", instancesToAdd: 2, minutesInAdvance: 30, ...overrides };
}

function scaling(schedules: readonly ScalingSchedule[], minimumInstances = 1): InfinityScaling {
    return { minimumInstances, timeZone: "Europe/Copenhagen", schedules };
}

describe("estimateCost", () => {
    describe("always on, MedCom's prices (licence 15,000, VM 25,000 DKK a year)", () => {
        // [ports, ports per instance, VMs, total, per port (rounded half up)]
        const table: [number, number, number, number, number][] = [
            [1, 16, 1, 40000, 40000],
            [16, 16, 1, 40000, 2500],
            [17, 16, 2, 65000, 3824], // 3823.53
            [33, 16, 3, 90000, 2727], // 2727.27
            [48, 16, 3, 90000, 1875],
            [160, 16, 10, 265000, 1656], // 1656.25
            [1, 15, 1, 40000, 40000],
            [16, 15, 2, 65000, 4063], // 4062.5: half rounds up
            [17, 15, 2, 65000, 3824],
            [33, 15, 3, 90000, 2727],
            [48, 15, 4, 115000, 2396], // 2395.83
            [160, 15, 11, 290000, 1813], // 1812.5
        ];
        for (const [ports, perInstance, vms, total, perPort] of table) {
            it(`${ports} ports at ${perInstance} per instance: ${vms} VMs, ${total} DKK, ${perPort} DKK a port`, () => {
                assert.deepEqual(estimateCost(sized(ports, perInstance), DEFAULT_COST), {
                    currency: "DKK",
                    licensePerYear: 15000,
                    vmPerYear: 25000,
                    vms,
                    totalPerYear: total,
                    perPortPerYear: perPort,
                });
            });
        }
    });

    it("counts spare instances as paid VMs", () => {
        const estimate = estimateCost(sized(48, 15, 1), DEFAULT_COST);
        assert.equal(estimate.vms, 5);
        assert.equal(estimate.totalPerYear, 140000);
        assert.equal(estimate.perPortPerYear, 2917); // 2916.67
    });

    it("uses the stack's own prices", () => {
        const estimate = estimateCost(sized(33, 16), { licensePerYear: 12000, vmPerYear: 18500 });
        assert.equal(estimate.licensePerYear, 12000);
        assert.equal(estimate.vmPerYear, 18500);
        assert.equal(estimate.totalPerYear, 67500);
        assert.equal(estimate.perPortPerYear, 2045); // 2045.45
    });

    it("rounds fractional prices to whole DKK, half away from zero", () => {
        const estimate = estimateCost(sized(3, 16), { licensePerYear: 0, vmPerYear: 24999.5 });
        assert.equal(estimate.totalPerYear, 25000);
        assert.equal(estimate.perPortPerYear, 8333); // 8333.17
    });

    it("has no schedule without an Infinity scaling profile", () => {
        assert.equal("schedule" in estimateCost(sized(48, 16), DEFAULT_COST), false);
    });

    describe("Infinity scheduled scaling", () => {
        it("a 365-day year is 8760 hours, 52.143 weeks", () => {
            assert.equal(HOURS_PER_YEAR, 8760);
            assert.equal(WEEKS_PER_YEAR.toFixed(3), "52.143");
        });

        it("prices a hand-computed week: 1 always on, +2 on weekdays 06:30–17:00", () => {
            // Week: 1 × 168 h + 2 × 5 days × 10.5 h (07:00–17:00 plus 30 min lead) = 273 VM-hours.
            // Year: 273 × 8760 / 168 = 14235 VM-hours; cost 14235 × 25000 / 8760 = 40625 DKK.
            // Always on, 48 ports at 16 = 3 VMs: 75000 DKK, so the schedule saves 34375 DKK.
            const estimate = estimateCost(sized(48, 16), DEFAULT_COST, scaling([schedule()]));
            assert.deepEqual(estimate.schedule, {
                timeZone: "Europe/Copenhagen",
                minimumInstances: 1,
                peakInstances: 3,
                reachesSizedInstances: true,
                windows: [
                    {
                        name: "office hours",
                        days: ["mon", "tue", "wed", "thu", "fri"],
                        startsAt: "06:30",
                        from: "07:00",
                        to: "17:00",
                        instancesToAdd: 2,
                        hoursPerDay: 10.5,
                        vmHoursPerWeek: 105,
                    },
                ],
                vmHoursPerWeek: 273,
                vmHoursPerYear: 14235,
                vmCostPerYear: 40625,
                alwaysOnVmCostPerYear: 75000,
                savingPerYear: 34375,
                totalPerYear: 55625,
                perPortPerYear: 1159, // 55625 / 48 = 1158.85
            });
            // The always-on figures are unchanged beside it.
            assert.equal(estimate.totalPerYear, 90000);
        });

        it("keeps the licence whole: the schedule only changes the VM cost", () => {
            const { schedule: cost } = estimateCost(sized(160, 15), DEFAULT_COST, scaling([schedule({ instancesToAdd: 9 })], 2));
            assert.ok(cost);
            assert.equal(cost.totalPerYear - cost.vmCostPerYear, DEFAULT_COST.licensePerYear);
        });

        it("adds overlapping windows and reports the peak", () => {
            const estimate = estimateCost(
                sized(48, 16),
                DEFAULT_COST,
                scaling([
                    schedule(),
                    schedule({ name: "saturday", days: ["sat"], from: "10:00", to: "14:00", instancesToAdd: 1, minutesInAdvance: 0 }),
                    schedule({ name: "monday lunch", days: ["mon"], from: "12:00", to: "13:00", instancesToAdd: 3, minutesInAdvance: 0 }),
                ]),
            );
            const cost = estimate.schedule!;
            // 273 + 1 × 4 h + 3 × 1 h = 280 VM-hours a week.
            assert.equal(cost.vmHoursPerWeek, 280);
            assert.equal(cost.vmHoursPerYear, 14600);
            assert.equal(cost.vmCostPerYear, 41667); // 280 × 25000 / 168 = 41666.67
            assert.equal(cost.savingPerYear, 33333); // 75000 − 41666.67
            assert.equal(cost.peakInstances, 6); // 1 + 2 + 3 on Monday 12:00–13:00
            assert.deepEqual(
                cost.windows.map((window) => window.vmHoursPerWeek),
                [105, 4, 3],
            );
        });

        it("with no windows costs exactly the minimum always on", () => {
            const cost = estimateCost(sized(48, 16), DEFAULT_COST, scaling([], 2)).schedule!;
            assert.equal(cost.vmHoursPerYear, 2 * 8760);
            assert.equal(cost.vmCostPerYear, 50000);
            assert.equal(cost.savingPerYear, 25000);
            assert.equal(cost.peakInstances, 2);
            assert.equal(cost.reachesSizedInstances, false);
        });

        it("shows a negative saving when the schedule runs more than the sized count", () => {
            // 16 ports = 1 VM. Schedule: 1 always + 1 more 08:00–16:00 on weekdays = 208 VM-hours a week.
            const cost = estimateCost(
                sized(16, 16),
                DEFAULT_COST,
                scaling([schedule({ from: "08:00", to: "16:00", instancesToAdd: 1, minutesInAdvance: 0 })]),
            ).schedule!;
            assert.equal(cost.vmHoursPerWeek, 208);
            assert.equal(cost.vmCostPerYear, 30952); // 30952.38
            assert.equal(cost.alwaysOnVmCostPerYear, 25000);
            assert.equal(cost.savingPerYear, -5952);
        });

        it("runs a lead time that crosses midnight on the day before", () => {
            const cost = estimateCost(
                sized(16, 16),
                DEFAULT_COST,
                scaling([schedule({ days: ["mon"], from: "00:10", to: "01:00", instancesToAdd: 1, minutesInAdvance: 30 })]),
            ).schedule!;
            assert.equal(cost.windows[0].startsAt, "23:40");
            assert.equal(cost.windows[0].hoursPerDay, 1.33);
            assert.equal(cost.vmHoursPerWeek, 169.33);
            assert.equal(cost.peakInstances, 2);
        });

        it("lists a window's days Monday first, whatever the configured order", () => {
            const cost = estimateCost(sized(16, 16), DEFAULT_COST, scaling([schedule({ days: ["sun", "fri", "mon"] })])).schedule!;
            assert.deepEqual(cost.windows[0].days, ["mon", "fri", "sun"]);
        });
    });
});
