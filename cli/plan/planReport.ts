import type { CostEstimate } from "../../lib/vdx/cost";

/**
 * The offline plan's report: everything the plan found, which the renderers in render/ print
 * as text, Markdown or JSON. Secrets are already replaced by `[secret]` when the report is
 * built (cli/plan/buildPlan.ts), so nothing rendered from it can leak one.
 */

/** What stands where a secret was: the same text everywhere (lib/config/secret.ts). */
export { REDACTED as SECRET_TEXT } from "../../lib/config/secret";

/** One resource as the program registered it, secrets redacted. */
export interface PlanResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Parent URN; null at the stack's root. */
    readonly parent: string | null;
    readonly protect: boolean;
    /** False for component resources. */
    readonly custom: boolean;
    readonly inputs: Record<string, unknown>;
}

/** The sizing the stack asks for (lib/pexip/sizing.ts). */
interface PlanSizing {
    readonly concurrentPorts: number;
    readonly portsPerInstance: number;
    readonly spareInstances: number;
    readonly instances: number;
    /** ceil(concurrentPorts / portsPerInstance), before spares. */
    readonly requiredInstances: number;
    /** instances × portsPerInstance. */
    readonly plannedCapacity: number;
}

/** One policy violation as the engine reports it. */
export interface PlanViolation {
    readonly policy: string;
    readonly enforcement: "advisory" | "mandatory";
    readonly message: string;
    /** The resource's URN; null for a stack policy that named none. */
    readonly urn: string | null;
}

/** Something the party does after the plan, outside Pulumi. */
export interface NextStep {
    /** Short heading: "Consent", "Lobby bypass", ... */
    readonly title: string;
    /** One or two sentences. */
    readonly text: string;
    /** A command or URL to copy, if there is one. */
    readonly command?: string;
}

/** Pexip's deployment as the stack drives it. */
export interface PlanDeployment {
    /** The dynamic resource group Pexip's script deploys into. */
    readonly resourceGroup: string;
    readonly scaleSetName: string;
    /** The deployment script, by its path in the package or its name. */
    readonly script: string;
    /** True when the parameters were checked against the script's param block (a local package). */
    readonly parametersChecked: boolean;
    /** The command the driver runs, secrets masked. */
    readonly command: string;
    /**
     * Each parameter and its value as passed, secrets masked. `nameConfirmed` is false for a
     * name neither the package's script (a local package) nor Pexip's public commands confirm.
     */
    readonly parameters: ReadonlyArray<{ readonly name: string; readonly value: string; readonly nameConfirmed: boolean }>;
    /** check, create, update, delete, redeploy and scale, each in a sentence. */
    readonly lifecycle: ReadonlyArray<{ readonly step: string; readonly what: string }>;
}

/** An upgrade VDX has announced that is not yet in force on the check date (pexip-versions.yaml). */
interface PlanUpgrade {
    readonly version: string;
    /** The date VDX switches. */
    readonly from: string;
    /** The date of VDX's notice. */
    readonly announced: string;
    /** Days from the check date to the switch. */
    readonly daysLeft: number;
    /** Days of notice VDX gave; MedCom's rule is at least 14. */
    readonly noticeDays: number;
}

/** Everything the plan found; the JSON form is a documented subset (see `renderJson`). */
export interface PlanReport {
    readonly stack: string;
    readonly project: string;
    readonly environment: string;
    readonly location: string;
    readonly fqdn: string;
    readonly pexipVersion: string;
    /** Resources in registration order. */
    readonly resources: readonly PlanResource[];
    readonly sizing: PlanSizing;
    readonly cost: CostEstimate;
    readonly policy: {
        readonly violations: readonly PlanViolation[];
        /** The date the version policy checked against (YYYY-MM-DD). */
        readonly checkDate: string;
        /** The policy configuration file that was applied. */
        readonly configFile: string;
        /** Policies the configuration disables (`"disabled"`, per policy or through `all`): nothing checked them. */
        readonly disabled: readonly string[];
        /** Mandatory policies the configuration sets to advisory: their violations no longer fail the plan. */
        readonly downgraded: readonly string[];
        /** Settings set past the point where their policy's check can fire: `<policy>.<setting> <value>: why`. */
        readonly inert: readonly string[];
        /** How many policies the pack has, disabled ones included. */
        readonly packSize: number;
    };
    readonly deployment: PlanDeployment;
    /** VDX's announced upgrades on the check date, earliest first. */
    readonly upgrades: readonly PlanUpgrade[];
    /** Stack outputs, secrets redacted. */
    readonly outputs: Record<string, unknown>;
    /** Outputs whose values the mock cloud made up (addresses, IDs): real only after `pulumi up`. */
    readonly standIns: readonly string[];
    readonly nextSteps: readonly NextStep[];
    /** What the program logged (pulumi.log) and what the plan could not check. */
    readonly warnings: readonly string[];
}

/** True when a mandatory violation makes the plan fail (exit 1). */
export function hasMandatoryViolation(report: PlanReport): boolean {
    return report.policy.violations.some((violation) => violation.enforcement === "mandatory");
}

/** The part of a URN after the last `::`: the resource's name. */
export function urnName(urn: string | null): string {
    return urn === null ? "(stack)" : urn.slice(urn.lastIndexOf("::") + 2);
}

/** The last type of a URN's type chain: the resource's own type. */
export function urnType(urn: string): string {
    const chain = urn.split("::")[2] ?? "";
    return chain.slice(chain.lastIndexOf("$") + 1);
}
