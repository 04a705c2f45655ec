/**
 * What the program, the deployment driver and the policy pack must agree on. Of the program's
 * code the pack imports only this module, the calendar modules (lib/calendar.ts,
 * lib/versions/releaseCalendar.ts) and the prefix reader (lib/config/cidr.ts), so it stays a package of its
 * own; the driver (scripts/pexip-deployment.ps1) reads only the environment variables named
 * here (tested).
 */

/** Pexip's hard limit: one Teams Connector instance carries at most 16 calls. */
export const MAX_CALLS_PER_INSTANCE = 16;

/** What Pexip says to plan with per instance (docs.pexip.com/admin/teams_scaling.htm): `portsPerInstance`'s default. */
export const PLANNED_CALLS_PER_INSTANCE = 15;

/** MedCom: VDX announces a Pexip upgrade at least this many days before it switches. */
export const MEDCOM_NOTICE_DAYS = 14;

/** VM sizes the connector is known to run on, Pexip's current default first (alternatives unconfirmed). */
export const VM_SIZES = ["Standard_D4s_v5", "Standard_D4as_v5", "Standard_F4s", "Standard_F4s_v2"] as const;

/**
 * Facts about a region's connector that the policy pack checks without the private material
 * or any Azure call. Each is a tag key; on the Pexip deployment command each is also an
 * environment variable (`factVariable`), since the resources themselves are Pexip's script's.
 */
export const FACTS = {
    /** `dev` or `prod`: a tag on every taggable resource, and a variable of the deployment. */
    environment: "environment",
    /** Pexip Teams Connector version the deployment runs. */
    pexipVersion: "pexip-version",
    /** Azure region of the dynamic resource group. */
    location: "location",
    /** Instances the scale set is created with. */
    instanceCount: "instance-count",
    /** Concurrent calls the stack was sized for. */
    concurrentPorts: "concurrent-ports",
    /** Calls planned per instance. */
    portsPerInstance: "ports-per-instance",
    /** `pulumi` or `infinity`: who changes the scale set's capacity after creation. */
    capacityOwner: "capacity-owner",
    /** The VM size passed to Pexip's script; empty when the package's default applies. */
    vmSize: "vm-size",
    /** JSON list: the prefixes Pexip's script opens RDP to. */
    rdpSources: "rdp-sources",
    /** JSON list: the prefixes Pexip's script opens HTTPS (443) to; empty opens it to everyone. */
    pexipSources: "pexip-sources",
    /** Certificate facts: on the deployment, and on the Key Vault secret that holds the PFX. */
    certificateSubject: "certificate-subject",
    certificateSans: "certificate-sans",
    certificateNotAfter: "certificate-not-after",
    certificateThumbprint: "certificate-thumbprint",
    certificateKeyType: "certificate-key-type",
    certificateKeySize: "certificate-key-size",
    certificateSource: "certificate-source",
} as const;

export type Fact = (typeof FACTS)[keyof typeof FACTS];

/** The certificate's facts, wherever the certificate is used. */
export const CERTIFICATE_FACTS: readonly Fact[] = [
    FACTS.certificateSubject,
    FACTS.certificateSans,
    FACTS.certificateNotAfter,
    FACTS.certificateThumbprint,
    FACTS.certificateKeyType,
    FACTS.certificateKeySize,
    FACTS.certificateSource,
];

/** The environment variable that carries a fact on the deployment command: `VDX_PEXIP_VERSION`. */
export function factVariable(fact: Fact): string {
    return `VDX_${fact.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * The driver's actions: the check command's create (the package and its script's parameters,
 * before the old deployment goes); the deployment command's create, update (the dynamic group's
 * tags: nothing Pexip's script made) and delete; the scaling command's create and update.
 */
export const DRIVER_ACTIONS = { check: "check", deploy: "deploy", update: "update", remove: "remove", scale: "scale" } as const;

/** What the driver reads besides the instance count; the secrets are Pulumi secrets. */
export const DRIVER_VARIABLES = {
    /** The deployment document (JSON): resource groups, package, certificate source, parameters. */
    deployment: "VDX_DEPLOYMENT",
    /** Secret: the Windows administrator password. */
    adminPassword: "VDX_ADMIN_PASSWORD",
    /** Secret: the Teams application's client secret. */
    appSecret: "VDX_APP_SECRET",
    /** Secret: the password of `certificate.pfxFile`. */
    pfxPassword: "VDX_PFX_PASSWORD",
    /** Secret: a base64 PFX made by the stack (the dev stack's self-signed certificate). */
    pfx: "VDX_PFX",
} as const;

/** The driver variables that carry secrets: never logged, masked in Pexip's script's output. */
export const DRIVER_SECRET_VARIABLES: readonly string[] = [DRIVER_VARIABLES.adminPassword, DRIVER_VARIABLES.appSecret, DRIVER_VARIABLES.pfxPassword, DRIVER_VARIABLES.pfx];

/** The tag and variable values of `FACTS.capacityOwner`. */
export type CapacityOwner = "pulumi" | "infinity";
