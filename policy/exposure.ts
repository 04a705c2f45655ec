import { mergeCidr, overlapCidr, parseCidr } from "cidr-tools";
import { ipVersion } from "../lib/config/cidr";

/**
 * How much of the Internet a list of source prefixes admits, decided by what the prefixes
 * cover, not by how they are spelt: `0.0.0.0/1` and `128.0.0.0/1` together are all of IPv4.
 * cidr-tools parses and merges the prefixes; this module only compares the merged size. Which
 * entries are prefixes at all is lib/config/cidr.ts's reading, the one the stack's settings use.
 */

/** Above this a source list counts as open to the Internet. */
export interface ExposureThreshold {
    /** More IPv4 addresses than this is open (default: a /16's worth). */
    readonly ipv4Addresses: number;
    /** An IPv6 prefix this short or shorter, or as many addresses as one, is open (default: /32). */
    readonly ipv6PrefixLength: number;
}

export const DEFAULT_THRESHOLD: ExposureThreshold = { ipv4Addresses: 65536, ipv6PrefixLength: 32 };

/** Config schema properties of the policies that judge exposure. */
export const THRESHOLD_SCHEMA = {
    ipv4Addresses: {
        type: "integer",
        minimum: 1,
        maximum: 4294967296,
        default: DEFAULT_THRESHOLD.ipv4Addresses,
        description: "A source list covering more IPv4 addresses than this (after merging) counts as open to the Internet.",
    },
    ipv6PrefixLength: {
        type: "integer",
        minimum: 0,
        maximum: 128,
        default: DEFAULT_THRESHOLD.ipv6PrefixLength,
        description: "A source list covering as many IPv6 addresses as a prefix of this length, or more, counts as open to the Internet.",
    },
} as const;

/** Source tags NSGs accept that mean "everyone". */
const EVERYONE = new Set(["*", "internet", "any"]);

export interface Exposure {
    /** Why the list counts as open to the Internet, said of the list ("covers …"); undefined when it does not. */
    readonly open?: string;
    /** Entries that are not address prefixes (and not an everyone tag). */
    readonly invalid: readonly string[];
    /** Pairs of entries that overlap or repeat; merged for the judgement. */
    readonly overlaps: ReadonlyArray<readonly [string, string]>;
}

/** Judges a source list; an empty list is judged by the caller (Pexip's script reads it as "everyone"). */
export function judgeExposure(prefixes: readonly string[], threshold: ExposureThreshold = DEFAULT_THRESHOLD): Exposure {
    const tags = prefixes.filter((prefix) => EVERYONE.has(prefix.trim().toLowerCase()));
    const invalid: string[] = [];
    const byVersion: Record<4 | 6, string[]> = { 4: [], 6: [] };
    for (const prefix of prefixes) {
        if (tags.includes(prefix)) continue;
        const version = ipVersion(prefix);
        if (version === undefined) invalid.push(prefix);
        else byVersion[version].push(prefix);
    }
    const overlaps: Array<[string, string]> = [];
    for (const version of [4, 6] as const) {
        const list = byVersion[version];
        list.forEach((first, index) => list.slice(index + 1).forEach((second) => overlapCidr(first, second) && overlaps.push([first, second])));
    }

    let open: string | undefined;
    if (tags.length > 0) {
        open = `names ${tags.map((tag) => `"${tag}"`).join(", ")}, which means everyone`;
    } else {
        const ipv4 = covered(byVersion[4]);
        const ipv6 = covered(byVersion[6]);
        if (isOpen(4, ipv4.addresses, threshold)) {
            open = `covers ${ipv4.addresses} IPv4 addresses once merged (${ipv4.merged.join(", ")}), more than the threshold of ${threshold.ipv4Addresses} set by ipv4Addresses`;
        } else if (isOpen(6, ipv6.addresses, threshold)) {
            open = `covers at least an IPv6 /${threshold.ipv6PrefixLength}'s worth of addresses once merged (${ipv6.merged.join(", ")}), the threshold set by ipv6PrefixLength`;
        }
    }
    return { ...(open === undefined ? {} : { open }), invalid, overlaps };
}

/** Whether that many addresses of one IP version count as open to the Internet under the threshold. */
function isOpen(version: 4 | 6, addresses: bigint, threshold: ExposureThreshold): boolean {
    return version === 4 ? addresses > BigInt(threshold.ipv4Addresses) : addresses >= 1n << BigInt(128 - threshold.ipv6PrefixLength);
}

/** Every address of each IP version: the most any source list can cover. */
const ADDRESS_SPACE = { 4: 1n << 32n, 6: 1n << 128n } as const;

/**
 * The threshold settings under which even a list covering a whole address space is not open,
 * so the address check never fires (an "everyone" tag still does), each with why.
 */
export function inertThresholds(threshold: ExposureThreshold): string[] {
    const settings = { 4: "ipv4Addresses", 6: "ipv6PrefixLength" } as const;
    return ([4, 6] as const)
        .filter((version) => !isOpen(version, ADDRESS_SPACE[version], threshold))
        .map((version) => `${settings[version]} ${threshold[settings[version]]}: even all ${ADDRESS_SPACE[version]} IPv${version} addresses would not count as open`);
}

/** The merged prefixes and the number of addresses they cover. */
function covered(prefixes: readonly string[]): { merged: string[]; addresses: bigint } {
    if (prefixes.length === 0) return { merged: [], addresses: 0n };
    const merged = mergeCidr([...prefixes]).map(String);
    const addresses = merged.reduce((sum, prefix) => {
        const parsed = parseCidr(prefix);
        return sum + parsed.end - parsed.start + 1n;
    }, 0n);
    return { merged, addresses };
}
