import { CannotRun, Finding } from "./check";

/**
 * The infinity check, through Infinity's management status API with a read-only account.
 *
 * Field names are those of Pexip's own Go SDK (github.com/pexip/go-infinity-sdk, commit
 * 67af711): the API prefix `/api/admin/` (client.go), the endpoint `status/v1/teamsnode/`
 * (status/teamsnode.go), the `TeamsNode` object's `name`, `scaleset_id`, `state` and
 * `heartbeat_time` (status/models.go), list pages as `{meta: {next}, objects}` (status/models.go,
 * `Meta`), and times as `2006-01-02T15:04:05[.000000][Z07:00]`, UTC when the zone is left out
 * (util/infinity_time.go).
 *
 * Not confirmed there, so settings rather than guesses: the SDK types `state` as free text with
 * no list of values, so the spelling of a working node's state is --infinity-active-state; and
 * the SDK has no `teamsnodedsc` model at all, so the DSC view (`status/v1/teamsnodedsc/` with
 * `failing_resources`, as the issue names them) is read only with --infinity-dsc, where the
 * Infinity version serves it.
 */

export const INFINITY_API_PREFIX = "/api/admin/";
export const TEAMS_NODE_STATUS = "status/v1/teamsnode/";
export const TEAMS_NODE_DSC_STATUS = "status/v1/teamsnodedsc/";

export interface InfinityOptions {
    /** The management node's address, `https://host[:port]`. */
    readonly url: string;
    readonly user: string;
    readonly password: string;
    /** The environment variable the user and password came from, to name when Infinity refuses them. */
    readonly credentialsVariables: string;
    /** How Infinity spells a working Teams node's `state`. */
    readonly activeState: string;
    readonly heartbeatMinutes: number;
    /** Read `status/v1/teamsnodedsc/` as well. */
    readonly dsc: boolean;
    readonly now: Date;
}

/** A Teams node as status/v1/teamsnode/ lists it (the fields this check reads). */
interface TeamsNode {
    readonly name?: string;
    readonly scaleset_id?: string;
    readonly state?: string | null;
    readonly heartbeat_time?: string | null;
}

/** A DSC status object: `failing_resources` is what the issue names; anything else is shown as it is. */
interface TeamsNodeDsc {
    readonly name?: string;
    readonly scaleset_id?: string;
    readonly failing_resources?: unknown;
}

/** Infinity's time: ISO without a zone means UTC (the SDK parses it so). */
function infinityTime(text: string): number {
    return Date.parse(/[Zz]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
}

/** Whether Infinity's `scaleset_id` names this scale set: its name, or an ARM ID ending in it. */
function isScaleSet(id: string | undefined, scaleSetName: string): boolean {
    if (id === undefined) return false;
    const lower = id.toLowerCase();
    const name = scaleSetName.toLowerCase();
    return lower === name || lower.endsWith(`/virtualmachinescalesets/${name}`);
}

/** Every object of a status list, following `meta.next`. Undefined when Infinity does not serve the list (404). */
async function listAll<T>(options: InfinityOptions, endpoint: string): Promise<T[] | undefined> {
    const base = new URL(INFINITY_API_PREFIX, options.url);
    let next: URL | undefined = new URL(endpoint, base);
    const objects: T[] = [];
    const authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString("base64")}`;
    while (next !== undefined) {
        let response: Response;
        try {
            response = await fetch(next, { headers: { authorization, accept: "application/json" }, signal: AbortSignal.timeout(10_000) });
        } catch (error) {
            throw new CannotRun(`Infinity at ${base.origin} could not be reached: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
        }
        if (response.status === 401 || response.status === 403) {
            throw new CannotRun(`Infinity refused the account (HTTP ${response.status}): check ${options.credentialsVariables}`);
        }
        if (response.status === 404) return undefined;
        if (!response.ok) throw new CannotRun(`Infinity answered HTTP ${response.status} for ${next.pathname}`);
        const page = (await response.json()) as { meta?: { next?: string | null }; objects?: T[] };
        objects.push(...(page.objects ?? []));
        next = page.meta?.next ? new URL(page.meta.next, base) : undefined;
    }
    return objects;
}

export async function checkInfinity(scaleSetName: string, expectedNodes: number, options: InfinityOptions): Promise<Finding> {
    const listed = await listAll<TeamsNode>(options, TEAMS_NODE_STATUS);
    if (listed === undefined) throw new CannotRun(`Infinity at ${new URL(options.url).origin} does not serve ${INFINITY_API_PREFIX}${TEAMS_NODE_STATUS}`);
    const nodes = listed.filter((node) => isScaleSet(node.scaleset_id, scaleSetName));
    const oldest = options.now.getTime() - options.heartbeatMinutes * 60_000;
    const problems: string[] = [];
    const inactive = nodes.filter((node) => node.state !== options.activeState).map((node) => `${node.name} (${node.state ?? "no state"})`);
    if (inactive.length > 0) problems.push(`not ${options.activeState}: ${inactive.join(", ")}`);
    const stale = nodes
        .filter((node) => !node.heartbeat_time || !(infinityTime(node.heartbeat_time) >= oldest))
        .map((node) => `${node.name} (${node.heartbeat_time ?? "never"})`);
    if (stale.length > 0) problems.push(`no heartbeat in ${options.heartbeatMinutes} minutes: ${stale.join(", ")}`);
    if (nodes.length !== expectedNodes) problems.push(`Infinity sees ${nodes.length} Teams nodes of this scale set, Azure runs ${expectedNodes}`);

    let dscNote = `DSC not read (--infinity-dsc not given)`;
    if (options.dsc) {
        const dsc = await listAll<TeamsNodeDsc>(options, TEAMS_NODE_DSC_STATUS);
        if (dsc === undefined) {
            dscNote = `DSC not read: this Infinity does not serve ${TEAMS_NODE_DSC_STATUS}`;
        } else {
            const names = new Set(nodes.map((node) => node.name));
            const failing = dsc
                .filter((entry) => isScaleSet(entry.scaleset_id, scaleSetName) || names.has(entry.name))
                .filter((entry) => Array.isArray(entry.failing_resources) ? entry.failing_resources.length > 0 : Boolean(entry.failing_resources))
                .map((entry) => `${entry.name} (${JSON.stringify(entry.failing_resources)})`);
            if (failing.length > 0) problems.push(`DSC failing resources: ${failing.join(", ")}`);
            dscNote = failing.length > 0 ? "DSC failing" : "DSC without failing resources";
        }
    }
    const measured = `${nodes.length} Teams nodes of ${scaleSetName}, ${nodes.length - inactive.length} ${options.activeState}; ${dscNote}`;
    const figures = { infinityNodes: nodes.length };
    if (problems.length > 0) {
        return { verdict: "fail", measured: `${measured}: ${problems.join("; ")}`, expected: `${expectedNodes} nodes ${options.activeState}, heartbeat within ${options.heartbeatMinutes} minutes`, figures };
    }
    // Without the DSC view a failed configuration is invisible: `measured` says so by name.
    return { verdict: "pass", measured, figures };
}
