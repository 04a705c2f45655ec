import { isIP } from "net";

/**
 * IP address prefixes as written: one reading for the stack's settings (lib/config/settingsSchema.ts)
 * and the policy pack's exposure check (policy/exposure.ts), so the two cannot drift apart. The
 * pack imports this module, so it imports nothing but Node.
 *
 * Node's own parser (`net.isIP`) decides the address. cidr-tools, which the pack merges prefixes
 * with, reads lookalikes such as `10.0.0.0/33` or `198.51.100.300/24` as other prefixes, so it
 * cannot judge the form.
 */

const ADDRESS_AND_LENGTH = /^([^/\s]+)(?:\/(\d{1,3}))?$/;

/**
 * 4 or 6 for an address written exactly, with or without a prefix length (`198.51.100.0/24`,
 * `198.51.100.7`, `2001:db8::/48`); host bits may be set (`192.0.2.10/24`). Undefined otherwise.
 */
export function ipVersion(text: string): 4 | 6 | undefined {
    const match = ADDRESS_AND_LENGTH.exec(text);
    if (match === null) return undefined;
    const [, address, length] = match;
    const version = isIP(address);
    if (version === 0 || (length !== undefined && Number(length) > (version === 4 ? 32 : 128))) return undefined;
    return version as 4 | 6;
}

/** An IPv4 or IPv6 prefix with its length: `192.0.2.10/32`, never a bare address. */
export function isCidr(text: string): boolean {
    return text.includes("/") && ipVersion(text) !== undefined;
}
