import type { PlanReport } from "../planReport";

/** The offline plan's `--json` output: one document for tools, with exactly the keys docs/plan.md documents. */

/** The error object of `--json` on invalid configuration. */
interface PlanErrorDocument {
    readonly error: { readonly key: string; readonly message: string };
}

/** The `--json` document: exactly the documented keys, nothing else. */
export function jsonDocument(report: PlanReport): Record<string, unknown> {
    const { cost, sizing } = report;
    return {
        stack: report.stack,
        project: report.project,
        resources: report.resources.map((resource) => ({
            type: resource.type,
            name: resource.name,
            urn: resource.urn,
            parent: resource.parent,
            protect: resource.protect,
            inputs: resource.inputs,
        })),
        sizing: {
            concurrentPorts: sizing.concurrentPorts,
            portsPerInstance: sizing.portsPerInstance,
            spareInstances: sizing.spareInstances,
            instances: sizing.instances,
        },
        cost: {
            currency: cost.currency,
            licensePerYear: cost.licensePerYear,
            vmPerYear: cost.vmPerYear,
            vms: cost.vms,
            totalPerYear: cost.totalPerYear,
            perPortPerYear: cost.perPortPerYear,
            // Only when Infinity's scheduled scaling is configured (lib/vdx/cost.ts ScheduleCost).
            ...(cost.schedule === undefined ? {} : { schedule: cost.schedule }),
        },
        deployment: report.deployment,
        policy: {
            violations: report.policy.violations.map((violation) => ({
                policy: violation.policy,
                enforcement: violation.enforcement,
                message: violation.message,
                urn: violation.urn,
            })),
            disabled: report.policy.disabled,
            downgraded: report.policy.downgraded,
            inert: report.policy.inert,
        },
        outputs: report.outputs,
        standIns: report.standIns,
        upgrades: report.upgrades,
    };
}

/** The `--json` output: one document and a newline. */
export function renderJson(report: PlanReport): string {
    return `${JSON.stringify(jsonDocument(report), null, 2)}\n`;
}

/** The `--json` output on invalid configuration. */
export function renderJsonError(key: string, message: string): string {
    const document: PlanErrorDocument = { error: { key, message } };
    return `${JSON.stringify(document, null, 2)}\n`;
}
