import * as path from "path";
import type { PlanProgram } from "../../../cli/plan/buildPlan";
import { plan } from "../../../cli/plan/plan";
import type { PlanReport } from "../../../cli/plan/planReport";
import type { EngineEvent, Workspace } from "./workspace";

/**
 * The offline plan and the real engine side by side, in the terms both share: resources as
 * (type, name, parent) and policy violations as (policy, enforcement, resource).
 */

/** A resource: type, name and parent URN (null at the stack's root). */
export type ResourceRow = readonly [type: string, name: string, parent: string | null];

/** A violation: policy, enforcement level and the resource as `type::name` (null for none). */
export type ViolationRow = readonly [policy: string, enforcement: string, resource: string | null];

const STACK_TYPE = "pulumi:pulumi:Stack";

/** The order every list of rows here is in. */
export function byJson(a: unknown, b: unknown): number {
    return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

function sortRows<T extends readonly unknown[]>(rows: T[]): T[] {
    return rows.sort(byJson);
}

/** The offline plan of a stack of the workspace's copy, with its policy configuration. */
export async function planOf(workspace: Workspace, stack: string, program?: PlanProgram): Promise<PlanReport> {
    const result = await plan({
        stack,
        format: "json",
        projectDir: workspace.dir,
        policyConfigFile: path.join(workspace.dir, "policy", "config.json"),
        ...(program === undefined ? {} : { program }),
    });
    if (result.report === undefined) throw new Error(`the offline plan of ${stack} failed (exit ${result.exitCode}): ${result.stdout}${result.stderr}`);
    return result.report;
}

/** The plan's resources. */
export function planResources(report: PlanReport): ResourceRow[] {
    return sortRows(report.resources.map((resource): ResourceRow => [resource.type, resource.name, resource.parent]));
}

/** The states the engine stepped over, but the stack itself and the provider resources (the plan has neither). */
function engineStates(events: readonly EngineEvent[]) {
    const states = new Map<string, { type: string; urn: string; parent?: string }>();
    for (const event of events) {
        const step = event.resourcePreEvent?.metadata;
        const state = step?.new ?? step?.old;
        if (state !== undefined && state.type !== STACK_TYPE && !state.type.startsWith("pulumi:providers:")) states.set(state.urn, state);
    }
    return [...states.values()];
}

/** The resources the engine stepped over. */
export function engineResources(events: readonly EngineEvent[]): ResourceRow[] {
    return sortRows(
        engineStates(events).map((state): ResourceRow => {
            // Resources at the stack's root are the stack's children for the engine, parentless for the mocks.
            const parent = !state.parent || state.parent.includes(`::${STACK_TYPE}::`) ? null : state.parent;
            return [state.type, state.urn.split("::").pop()!, parent];
        }),
    );
}

/** The URNs of the resources the engine stepped over. */
export function engineUrns(events: readonly EngineEvent[]): string[] {
    return engineStates(events)
        .map((state) => state.urn)
        .sort();
}

/**
 * A resource as `type::name`, from its URN. Not the URN itself: the SDK's mock monitor builds a
 * nested resource's URN from its parent's type alone, where the engine chains every ancestor's
 * (see `mockUrn`).
 */
export function resourceOf(urn: string | null | undefined): string | null {
    if (!urn) return null;
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()}::${parts.slice(3).join("::")}`;
}

/**
 * The URN the SDK's mock monitor gives a resource whose real URN is `urn`: of the ancestors'
 * types it keeps only the parent's.
 */
export function mockUrn(urn: string): string {
    const parts = urn.split("::");
    parts[2] = parts[2].split("$").slice(-2).join("$");
    return parts.join("::");
}

/** The plan's violations. */
export function planViolations(report: PlanReport): ViolationRow[] {
    return sortRows(report.policy.violations.map((violation): ViolationRow => [violation.policy, violation.enforcement, resourceOf(violation.urn)]));
}

/** The real analyzer's violations, with their messages. */
export function engineFindings(events: readonly EngineEvent[]): { row: ViolationRow; message: string }[] {
    return events.flatMap(({ policyEvent: event }) =>
        event === undefined ? [] : [{ row: [event.policyName, event.enforcementLevel, resourceOf(event.resourceUrn)] as ViolationRow, message: event.message }],
    );
}

/** The real analyzer's violations. */
export function engineViolations(events: readonly EngineEvent[]): ViolationRow[] {
    return sortRows(engineFindings(events).map((finding) => finding.row));
}
