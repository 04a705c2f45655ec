import { promises as dns } from "node:dns";
import { CannotRun, Finding } from "./check";
import { DeployedStack } from "./stackOutputs";

/**
 * The dns check: the connector's FQDN must resolve through a CNAME to the stack's
 * `publicIpFqdn`, or through an A record to `publicIpAddress`. Anything else fails and says
 * what it found.
 */

/** Where to ask: `host` or `host:port` each; empty means the machine's resolvers. */
export interface DnsOptions {
    readonly servers: readonly string[];
    readonly timeoutMs?: number;
}

/** Answers that mean "the name has no such record", not "the resolver could not be asked". */
const NO_RECORD: ReadonlySet<string> = new Set([dns.NODATA, dns.NOTFOUND]);

/** A name as DNS compares it: lower case, no trailing dot. */
function dnsName(name: string): string {
    return name.toLowerCase().replace(/\.$/, "");
}

export async function checkDns(stack: Pick<DeployedStack, "fqdn" | "publicIpFqdn" | "publicIpAddress">, options: DnsOptions): Promise<Finding> {
    const resolver = new dns.Resolver({ timeout: options.timeoutMs ?? 3000, tries: 2 });
    if (options.servers.length > 0) resolver.setServers([...options.servers]);
    const ask = async <T>(query: () => Promise<T[]>): Promise<T[]> => {
        try {
            return await query();
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code ?? "";
            if (NO_RECORD.has(code)) return [];
            throw new CannotRun(`resolving ${stack.fqdn} failed (${code || (error as Error).message})${options.servers.length > 0 ? ` at ${options.servers.join(", ")}` : ""}`);
        }
    };
    const expected = `CNAME ${stack.publicIpFqdn} or A ${stack.publicIpAddress}`;
    const cnames = (await ask(() => resolver.resolveCname(stack.fqdn))).map(dnsName);
    if (cnames.length > 0) {
        const found = `CNAME ${cnames.join(", ")}`;
        return cnames.includes(dnsName(stack.publicIpFqdn)) ? { verdict: "pass", measured: found } : { verdict: "fail", measured: found, expected };
    }
    const addresses = await ask(() => resolver.resolve4(stack.fqdn));
    if (addresses.length === 0) return { verdict: "fail", measured: `${stack.fqdn} has no CNAME and no A record`, expected };
    const found = `A ${addresses.join(", ")}`;
    return addresses.length === 1 && addresses[0] === stack.publicIpAddress ? { verdict: "pass", measured: found } : { verdict: "fail", measured: found, expected };
}
