import { ResourceValidationPolicy } from "@pulumi/policy";
import { FACTS, factVariable, MAX_CALLS_PER_INSTANCE, VM_SIZES } from "../lib/contract";
import { closedConfigSchema, factOf, NO_SETTINGS, validateDeployment, wholeNumber } from "./common";

/**
 * Sizing of the connector. Each VM is wholly taken by the connector and carries at most 16
 * concurrent calls (Pexip, docs.pexip.com/admin/teams_scaling.htm; MedCom). The Pexip deployment
 * carries the instance count it creates the scale set with and the ports it was sized for
 * (lib/contract.ts), so the plan can be checked without the program.
 */

/** instances × calls per instance must cover the required concurrent ports. */
export const capacityCoversPorts: ResourceValidationPolicy = {
    name: "capacity-covers-ports",
    description: `The connector's instances must carry the required concurrent calls, at most ${MAX_CALLS_PER_INSTANCE} calls per instance.`,
    enforcementLevel: "mandatory",
    configSchema: NO_SETTINGS,
    validateResource: validateDeployment((props, args, report) => {
        const fact = (name: typeof FACTS.instanceCount | typeof FACTS.concurrentPorts | typeof FACTS.portsPerInstance) => ({
            name,
            value: wholeNumber(factOf(args.type, props, name)),
        });
        const facts = [fact(FACTS.instanceCount), fact(FACTS.concurrentPorts), fact(FACTS.portsPerInstance)];
        const missing = facts.filter((entry) => entry.value === undefined).map((entry) => factVariable(entry.name));
        if (missing.length > 0) {
            report(`The Pexip deployment lacks a whole number in ${missing.join(", ")}: cannot verify that its capacity covers the concurrent calls it is sized for.`);
            return;
        }
        const [instances, ports, calls] = facts.map((entry) => entry.value as number);
        if (calls < 1 || calls > MAX_CALLS_PER_INSTANCE) {
            report(`${factVariable(FACTS.portsPerInstance)} is ${calls}, but a Teams Connector instance carries 1 to ${MAX_CALLS_PER_INSTANCE} calls (Pexip plans with 15).`);
            return;
        }
        if (instances * calls < ports) {
            report(
                `${instances} instance(s) × ${calls} calls per instance = ${instances * calls} calls, fewer than the ${ports} concurrent ports required; ` +
                    `run at least ${Math.ceil(ports / calls)} instance(s).`,
            );
        }
    }),
};

interface VmSizeConfig {
    readonly allowedSizes: readonly string[];
}

/** Only the sizes the connector is known to run on, when the stack chooses one. */
export const vmSizeAllowed: ResourceValidationPolicy = {
    name: "vm-size-allowed",
    description: "The connector must run on a VM size it is known to run on; without vmSize, the package's own default applies.",
    enforcementLevel: "mandatory",
    configSchema: closedConfigSchema({
        allowedSizes: {
            type: "array",
            items: { type: "string", minLength: 1 },
            minItems: 1,
            default: [...VM_SIZES],
            description: "Allowed VM sizes (the list Pexip's installer is reported to use).",
        },
    }),
    validateResource: validateDeployment((props, args, report) => {
        const allowedSizes = args.getConfig<Partial<VmSizeConfig>>().allowedSizes ?? VM_SIZES;
        const size = factOf(args.type, props, FACTS.vmSize);
        if (size !== undefined && size !== "" && !allowedSizes.includes(size)) {
            report(`VM size ${size} is not allowed; use one of ${allowedSizes.join(", ")}.`);
        }
    }),
};

/** The sizing policies, in the order the pack lists them. */
export const capacityPolicies: ResourceValidationPolicy[] = [capacityCoversPorts, vmSizeAllowed];
