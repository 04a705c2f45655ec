import { createHash } from "crypto";

/** How the stand-ins log a secret: the SHA-256 of its JSON, never the value. */
export function secretDigest(value: unknown): { secretSha256: string } {
    return { secretSha256: createHash("sha256").update(JSON.stringify(value)).digest("hex") };
}
