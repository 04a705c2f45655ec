import { ResourceValidationPolicy } from "@pulumi/policy";
import { MAX_CALLS_PER_INSTANCE, TAGS, VM_SIZES } from "../lib/contract";
import { asObject, asString, tagOf, TYPES, validateTypes, wholeNumber } from "./common";

/**
 * Sizing of the scale set. Each VM is wholly taken by the connector and carries at most 16
 * concurrent calls (Pexip, docs.pexip.com/admin/teams_scaling.htm; MedCom). The program tags
 * the scale set with the ports it was sized for, so the plan can be checked without the program.
 */


/** capacity × calls per instance must cover the required concurrent ports. */
export const capacityCoversPorts: ResourceValidationPolicy = {
    name: "capacity-covers-ports",
    description: `The scale set's instances must carry the required concurrent calls, at most ${MAX_CALLS_PER_INSTANCE} calls per instance.`,
    enforcementLevel: "mandatory",
    validateResource: validateTypes(TYPES.scaleSet, (props, _args, report) => {
        const required = wholeNumber(tagOf(props, TAGS.concurrentPorts));
        const perInstance = wholeNumber(tagOf(props, TAGS.portsPerInstance));
        const capacity = asObject(props.sku)?.capacity;

        const missing: string[] = [];
        if (required === undefined) missing.push(`a whole-number "${TAGS.concurrentPorts}" tag`);
        if (perInstance === undefined) missing.push(`a whole-number "${TAGS.portsPerInstance}" tag`);
        if (typeof capacity !== "number" || !Number.isInteger(capacity)) missing.push("a whole-number sku.capacity");
        if (missing.length > 0) {
            report(`The scale set lacks ${missing.join(", ")}: cannot verify that its capacity covers the concurrent calls it is sized for.`);
            return;
        }
        const ports = required as number;
        const calls = perInstance as number;
        const instances = capacity as number;
        if (calls < 1 || calls > MAX_CALLS_PER_INSTANCE) {
            report(`"${TAGS.portsPerInstance}" is ${calls}, but a Teams Connector instance carries 1 to ${MAX_CALLS_PER_INSTANCE} calls (Pexip plans with 15).`);
            return;
        }
        if (instances * calls < ports) {
            report(
                `Capacity ${instances} × ${calls} calls per instance = ${instances * calls} calls, fewer than the ${ports} concurrent ports required; ` +
                    `set capacity to at least ${Math.ceil(ports / calls)}.`,
            );
        }
    }),
};

interface VmSizeConfig {
    readonly allowedSizes: readonly string[];
}

/** Only the sizes the connector is known to run on. */
export const vmSizeAllowed: ResourceValidationPolicy = {
    name: "vm-size-allowed",
    description: "The scale set must use a VM size the Teams Connector is known to run on.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedSizes: {
                type: "array",
                items: { type: "string", minLength: 1 },
                minItems: 1,
                default: [...VM_SIZES],
                description: "Allowed scale set SKU names (the list Pexip's installer is reported to use).",
            },
        },
    },
    validateResource: validateTypes(TYPES.scaleSet, (props, args, report) => {
        const allowedSizes = args.getConfig<Partial<VmSizeConfig>>().allowedSizes ?? VM_SIZES;
        const size = asString(asObject(props.sku)?.name);
        if (size === undefined) {
            report(`The scale set has no sku.name: cannot verify its VM size is one of ${allowedSizes.join(", ")}.`);
        } else if (!allowedSizes.includes(size)) {
            report(`VM size ${size} is not allowed; use one of ${allowedSizes.join(", ")}.`);
        }
    }),
};

/** The sizing policies, in the order the pack lists them. */
export const capacityPolicies: ResourceValidationPolicy[] = [capacityCoversPorts, vmSizeAllowed];
