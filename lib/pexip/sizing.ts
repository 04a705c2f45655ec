/**
 * Instances one scale set holds with a single placement group (Azure's scale set limits), which
 * bounds the sizing: ports, spares and Infinity's scheduled additions together stay within it.
 */
export const MAX_INSTANCES = 100;

export interface SizingInput {
    /** Concurrent calls (ports) the party needs into Teams meetings. */
    readonly concurrentPorts: number;
    /** Calls planned per VM, 1–16. */
    readonly portsPerInstance: number;
    /** VMs added on top of what the ports need, for resilience and rolling upgrades. */
    readonly spareInstances: number;
}

export interface Sizing extends SizingInput {
    /** VMs the ports need: ceil(concurrentPorts / portsPerInstance). */
    readonly requiredInstances: number;
    /** VMs to run: requiredInstances + spareInstances. */
    readonly instances: number;
    /** Calls the instances can carry at the planned load. */
    readonly plannedCapacity: number;
}

/**
 * Number of VMs for a port requirement. Each VM is wholly taken by the connector.
 * The input is validated where configuration is parsed (`lib/config/settings.ts`).
 */
export function sizeConnector(input: SizingInput): Sizing {
    const { concurrentPorts, portsPerInstance, spareInstances } = input;
    const requiredInstances = Math.ceil(concurrentPorts / portsPerInstance);
    const instances = requiredInstances + spareInstances;
    return { ...input, requiredInstances, instances, plannedCapacity: instances * portsPerInstance };
}
