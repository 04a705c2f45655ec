import * as assert from "node:assert/strict";
import { sizeConnector } from "../../../lib/pexip/sizing";

describe("sizeConnector", () => {
    // [concurrentPorts, instances at 16 per VM, instances at 15 per VM]
    const table: Array<[number, number, number]> = [
        [1, 1, 1],
        [15, 1, 1],
        [16, 1, 2],
        [17, 2, 2],
        [33, 3, 3],
        [160, 10, 11],
    ];

    for (const [ports, at16, at15] of table) {
        it(`needs ${at16} VMs for ${ports} ports at 16 per VM and ${at15} at 15`, () => {
            assert.equal(sizeConnector({ concurrentPorts: ports, portsPerInstance: 16, spareInstances: 0 }).instances, at16);
            assert.equal(sizeConnector({ concurrentPorts: ports, portsPerInstance: 15, spareInstances: 0 }).instances, at15);
        });
    }

    it("adds spare instances on top of what the ports need", () => {
        const sizing = sizeConnector({ concurrentPorts: 48, portsPerInstance: 16, spareInstances: 2 });
        assert.equal(sizing.requiredInstances, 3);
        assert.equal(sizing.instances, 5);
        assert.equal(sizing.plannedCapacity, 80);
    });
});
