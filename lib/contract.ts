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
