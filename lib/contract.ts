/**
 * What the program and the policy pack must agree on. The pack imports only this module
 * from the program's code, so it stays a package of its own.
 */

/** Pexip's hard limit: one Teams Connector instance carries at most 16 calls. */
export const MAX_CALLS_PER_INSTANCE = 16;

/** VM sizes the connector is known to run on, Pexip's current default first (alternatives unconfirmed). */
export const VM_SIZES = ["Standard_D4s_v5", "Standard_D4as_v5", "Standard_F4s", "Standard_F4s_v2"] as const;

/**
 * Tag keys the program writes and the policy pack reads. They are the contract between the
 * two: the pack checks a plan without the private material or any Azure call, from these.
 */
export const TAGS = {
    /** Pexip Teams Connector version installed on the scale set. */
    pexipVersion: "pexip-version",
    /** Concurrent calls the stack was sized for. */
    concurrentPorts: "concurrent-ports",
    /** Calls planned per instance. */
    portsPerInstance: "ports-per-instance",
    /** `pulumi` or `infinity`: who changes the scale set's capacity after creation. */
    capacityOwner: "capacity-owner",
    /** `dev` or `prod`. */
    environment: "environment",
    /** Certificate facts, on the Key Vault secret that holds the PFX. */
    certificateSubject: "certificate-subject",
    certificateSans: "certificate-sans",
    certificateNotAfter: "certificate-not-after",
    certificateThumbprint: "certificate-thumbprint",
    certificateKeyType: "certificate-key-type",
    certificateKeySize: "certificate-key-size",
    certificateSource: "certificate-source",
} as const;
