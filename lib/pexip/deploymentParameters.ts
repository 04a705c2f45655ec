import { ConfigError } from "../config/configError";
import { CapacityOwner, Fact, FACTS, factVariable } from "../contract";
import { connectorNames } from "../naming";
import { BindingValue, bindArguments, Unevaluated } from "./parameterBinding";
import { DeclaredParameter, declaredParameter, ParamBlock } from "./powershellParameters";
import type { Settings } from "../config/settings";
import { Sizing } from "./sizing";
import { PlainValue, STACK_PARAMETERS, StackParameterKey } from "./stackParameters";

/**
 * The one place that turns settings into what Pexip's deployment script is run with: the
 * deployment document the driver (scripts/pexip-deployment.ps1) reads, the masked command line
 * shown to people, and the facts the policy pack checks. Pure: no Pulumi, no Azure.
 *
 * Parameter names come from a public copy of Pexip's older installation commands
 * (docs/teams-connector.md). Current versions' exact list is not public, so every name can be
 * renamed (`pexipDeployment.parameterNames`), extra parameters added (`pexipDeployment.parameters`),
 * and, for a local package, all of it is checked against the script's own param block
 * (`checkAgainstScript`) before anything is created.
 */


/** The Windows administrator's user name on the connector VMs. */
export const ADMIN_USER_NAME = "pexadmin";


/**
 * A value the driver fills in at deploy time from what it alone holds: a secret from its
 * environment, the PFX file it prepares, or the instance count.
 */
export type DriverValue =
    | { readonly from: "adminCredential"; readonly userName: string }
    | { readonly from: "appCredential"; readonly userName: string }
    | { readonly from: "pfxPath" }
    | { readonly from: "pfxPassword"; readonly as: "SecureString" | "String" }
    | { readonly from: "instanceCount" };

export type ParameterValue = PlainValue | DriverValue;

/** Where the driver gets the PFX that `pfxPath` points the script at. */
export type PfxSource =
    /** `certificate.pfxFile` on the deploying machine, with its configured password. */
    | { readonly source: "file"; readonly path: string }
    /** A certificate in a Key Vault (the party's, `certificate.keyVaultSecretId`), exported at deploy time. */
    | { readonly source: "keyVault"; readonly vaultName: string; readonly secretName: string; readonly secretVersion: string }
    /** A PFX the stack made (the dev stack's self-signed certificate), a secret in the driver's environment. */
    | { readonly source: "stack" };

/** Where the driver gets Pexip's package. */
export type PackageSource = { readonly path: string } | { readonly url: string };

/** What the driver reads from `VDX_DEPLOYMENT` (see scripts/pexip-deployment.ps1). */
export interface DeploymentDocument {
    readonly subscriptionId: string;
    readonly location: string;
    /** The dynamic resource group: created before the script runs, removed on delete. */
    readonly resourceGroup: string;
    readonly scaleSetName: string;
    /** Tags of the dynamic resource group. */
    readonly tags: Readonly<Record<string, string>>;
    readonly package: PackageSource & { readonly sha256: string; readonly deploymentScript: string };
    readonly pfx: PfxSource;
    /** The script's parameters by name, in a stable order; splatted by the driver. */
    readonly parameters: Readonly<Record<string, ParameterValue>>;
}

/** What the scaling command's driver run reads: enough to find the scale set. */
export interface ScalingDocument extends Pick<DeploymentDocument, "subscriptionId" | "resourceGroup" | "scaleSetName"> {
    /**
     * The deployment command's ID. A redeploy changes it, and so updates the scaling command,
     * which sets the capacity again: a redeploy creates the scale set with its first count.
     */
    readonly deployment: string;
}

/** One parameter and the setting it comes from, for messages that name the key to change. */
export interface ParameterEntry {
    readonly name: string;
    readonly value: ParameterValue;
    /** The configuration key that sets or names it. */
    readonly key: string;
    /**
     * False for a stack parameter under a default name Pexip's public commands do not show
     * (STACK_PARAMETERS' `confirmed`); a renamed or extra parameter is the user's own word.
     */
    readonly nameConfirmed: boolean;
}

/** IDs known only at deploy time. */
export interface DeploymentIds {
    readonly subscriptionId: string;
    readonly applicationId: string;
}

/** Stand-ins for the IDs where only names matter (the check against the script). */
export const UNKNOWN_IDS: DeploymentIds = { subscriptionId: "<subscription>", applicationId: "<application>" };

/** The HTTPS source prefixes: VDX's nodes, and the management network that gives consent (Pexip). */
export function pexipSourcePrefixes(settings: Settings): string[] {
    return [...settings.vdx.nodeAddresses, ...settings.managementAddresses];
}

/** The parameters, each under its (possibly renamed) name; a name set to null is not passed. */
export function deploymentParameters(settings: Settings, ids: DeploymentIds, declared?: readonly DeclaredParameter[]): ParameterEntry[] {
    const names = connectorNames(settings.baseName, settings.regionCode);
    const options = settings.pexipDeployment;
    const pfxPasswordKind = declared === undefined ? undefined : declaredParameter(declared, nameOf(settings, "pfxPassword") ?? "")?.kind;
    const values: Array<[StackParameterKey, ParameterValue | undefined]> = [
        ["subscriptionId", ids.subscriptionId],
        ["resourceGroupName", names.dynamicResourceGroup],
        ["vmssName", names.scaleSet],
        ["vmAdminCredential", { from: "adminCredential", userName: ADMIN_USER_NAME }],
        ["pfxPath", { from: "pfxPath" }],
        ["pfxPassword", { from: "pfxPassword", as: pfxPasswordKind === "string" ? "String" : "SecureString" }],
        ["teamsConnectorFqdn", settings.fqdn],
        ["pexipFqdns", settings.vdx.nodeFqdns],
        ["instanceCount", { from: "instanceCount" }],
        ["appCredential", { from: "appCredential", userName: ids.applicationId }],
        ["staticResourcesResourceGroupName", names.staticResourceGroup],
        ["publicIPAddressResourceName", names.publicIp],
        ["rdpSourceAddressPrefixes", settings.managementAddresses],
        ["pexipSourceAddressPrefixes", pexipSourcePrefixes(settings)],
        ["incidentReporting", options.incidentReporting],
        ["encryption", options.diskEncryption],
        ["vmSize", settings.vmSize],
    ];
    const entries: ParameterEntry[] = [];
    const add = (entry: ParameterEntry) => {
        // PowerShell matches parameter names case-insensitively: two entries for one parameter would lose one.
        const clash = entries.find((other) => other.name.toLowerCase() === entry.name.toLowerCase());
        if (clash !== undefined) {
            const rule = clash.key.startsWith("pexipDeployment.parameterNames.")
                ? `is set by the stack (${STACK_PARAMETERS[clash.key.split(".").pop() as StackParameterKey].what}) as -${clash.name}; change that setting, or rename the stack's parameter with ${clash.key}`
                : `names -${clash.name}, which ${clash.key} already sets: each parameter may be set once`;
            throw new ConfigError(entry.key, rule, entry.name);
        }
        entries.push(entry);
    };
    for (const [key, value] of values) {
        const name = nameOf(settings, key);
        const nameConfirmed = STACK_PARAMETERS[key].confirmed || options.parameterNames[key] !== undefined;
        if (value !== undefined && name !== undefined) add({ name, value, key: `pexipDeployment.parameterNames.${key}`, nameConfirmed });
    }
    for (const [name, value] of Object.entries(options.parameters)) add({ name, value, key: `pexipDeployment.parameters.${name}`, nameConfirmed: true });
    return entries;
}

/** A stack parameter's name in this stack: renamed, the default, or undefined when set to null. */
function nameOf(settings: Settings, key: StackParameterKey): string | undefined {
    const renamed = settings.pexipDeployment.parameterNames[key];
    if (renamed === null) return undefined;
    return renamed ?? STACK_PARAMETERS[key].name;
}

/** The package and script a check refers to, for messages, and what the driver fills in. */
export interface ScriptContext {
    readonly pexipVersion: string;
    /** The script's path inside the package. */
    readonly scriptPath: string;
    /** The VM count the driver passes for `instanceCount`. */
    readonly instanceCount: number;
}

/**
 * Refuses, before anything is created, a parameter the script does not declare (by name or
 * alias), one parameter given twice under its name and an alias, a value the declared type
 * cannot take, and whatever PowerShell's binding would refuse (lib/pexip/parameterBinding.ts): a
 * mandatory parameter of the selected parameter set left out, mutually exclusive parameters, a
 * `Validate*` attribute, an empty value a mandatory parameter refuses. Messages name the setting,
 * the script's parameter and the rule. Returns what could not be judged offline, per parameter.
 */
export function checkAgainstScript(entries: readonly ParameterEntry[], block: ParamBlock, context: ScriptContext): Unevaluated[] {
    const declared = block.parameters;
    const script = `${context.scriptPath} of the Pexip ${context.pexipVersion} package`;
    const given = new Map<DeclaredParameter, ParameterEntry>();
    for (const entry of entries) {
        const parameter = declaredParameter(declared, entry.name);
        if (parameter === undefined) {
            const known = declared.map((candidate) => candidate.name).join(", ");
            throw new ConfigError(entry.key, `names -${entry.name}, which ${script} does not declare (it declares: ${known})`, entry.name);
        }
        const twice = given.get(parameter);
        if (twice !== undefined) {
            throw new ConfigError(entry.key, `names -${entry.name}, which ${script} declares as an alias of -${parameter.name}, already set by ${twice.key}: each parameter may be set once`, entry.name);
        }
        given.set(parameter, entry);
        const problem = typeProblem(entry.value, parameter);
        if (problem !== undefined) throw new ConfigError(entry.key, `gives -${parameter.name} ${problem}, but ${script} declares it [${parameter.type}]`, entry.name);
    }
    const verdict = bindArguments(block, Object.fromEntries(entries.map((entry) => [entry.name, bindingValue(entry.value, context.instanceCount)])));
    if (verdict.binds) return [...verdict.unevaluated];
    const parameter = declared.find((candidate) => candidate.name === verdict.parameter);
    const entry = parameter === undefined ? undefined : given.get(parameter);
    if (verdict.rule === "parameter set") {
        throw new ConfigError(entry?.key ?? "pexipDeployment.parameters", `sets parameters that ${script} cannot bind together: ${verdict.reason}`);
    }
    if (entry === undefined) {
        // Credentials and passwords come only from the stack's own secrets, never from plain settings.
        const secret = parameter?.kind === "credential" || parameter?.kind === "securestring";
        const how = secret
            ? `it takes a secret the stack does not pass: point a parameter the stack sets at it with pexipDeployment.parameterNames, or this package's version is not one the stack supports`
            : `add it to pexipDeployment.parameters, or point a parameter the stack sets at it with pexipDeployment.parameterNames`;
        throw new ConfigError(`pexipDeployment.parameters.${verdict.parameter}`, `is required: ${script} declares -${verdict.parameter} ${verdict.reason.replace(/, and not given$/, "")} and the stack does not set it; ${how}`);
    }
    // A value the driver fills in (a secret, a path) is never shown.
    const shown = isDriverValue(entry.value) ? undefined : entry.value;
    throw new ConfigError(entry.key, `gives -${verdict.parameter} a value that ${script} refuses by ${oneLine(verdict.rule)}: ${verdict.reason}`, shown);
}

/** What PowerShell is given for a parameter: the driver's secrets by their type only. */
function bindingValue(value: ParameterValue, instanceCount: number): BindingValue {
    if (!isDriverValue(value)) return value;
    switch (value.from) {
        case "adminCredential":
        case "appCredential":
            return { secret: "credential" };
        case "pfxPassword":
            return { secret: value.as === "String" ? "string" : "securestring" };
        case "instanceCount":
            return instanceCount;
        case "pfxPath":
            return { opaque: "the PFX file's path" };
    }
}

/** An attribute as written, on one line and short enough for a message. */
export function oneLine(text: string): string {
    const flat = text.replace(/\s+/g, " ");
    return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

/** Why a value does not fit a declared type, or undefined when it fits (or the type is not known). */
function typeProblem(value: ParameterValue, parameter: DeclaredParameter): string | undefined {
    const kind = parameter.kind;
    if (isDriverValue(value)) {
        if (value.from === "adminCredential" || value.from === "appCredential") return kind === "credential" || kind === "other" ? undefined : "a credential";
        if (value.from === "instanceCount") return kind === "integer" || kind === "other" ? undefined : "a whole number";
        if (value.from === "pfxPassword") return ["securestring", "string", "other"].includes(kind) ? undefined : "a password";
        return kind === "string" || kind === "other" ? undefined : "a file path";
    }
    if (Array.isArray(value)) return kind === "array" || kind === "other" ? undefined : "a list";
    if (typeof value === "boolean") return kind === "switch" || kind === "bool" || kind === "other" ? undefined : "true or false";
    if (kind === "switch" || kind === "bool" || kind === "credential" || kind === "securestring") return `a ${typeof value}`;
    if (kind === "integer" && (typeof value !== "number" || !Number.isInteger(value))) return `a ${typeof value}`;
    return undefined;
}

export function isDriverValue(value: ParameterValue): value is DriverValue {
    return typeof value === "object" && !Array.isArray(value);
}

/** The document the driver deploys from. */
export function deploymentDocument(
    settings: Settings,
    ids: DeploymentIds,
    pfx: PfxSource,
    tags: Readonly<Record<string, string>>,
    scriptPath?: string,
    declared?: readonly DeclaredParameter[],
): DeploymentDocument {
    const names = connectorNames(settings.baseName, settings.regionCode);
    const pkg = settings.connectorPackage;
    return {
        subscriptionId: ids.subscriptionId,
        location: settings.location,
        resourceGroup: names.dynamicResourceGroup,
        scaleSetName: names.scaleSet,
        tags,
        package: {
            ...(pkg.source.kind === "path" ? { path: pkg.source.path } : { url: pkg.source.url }),
            sha256: pkg.sha256,
            deploymentScript: scriptPath ?? pkg.deploymentScript,
        },
        pfx,
        parameters: Object.fromEntries(deploymentParameters(settings, ids, declared).map((entry) => [entry.name, entry.value])),
    };
}

/** The scaling command's document, for the deployment with this ID. */
export function scalingDocument(document: DeploymentDocument, deployment: string): ScalingDocument {
    return { subscriptionId: document.subscriptionId, resourceGroup: document.resourceGroup, scaleSetName: document.scaleSetName, deployment };
}

/**
 * The deployment as a PowerShell command line, secrets masked: what the driver runs, for the
 * plan and the stack outputs.
 */
export function renderCommand(document: DeploymentDocument, instanceCount: number, declared?: readonly DeclaredParameter[]): string {
    const script = document.package.deploymentScript.split("/").pop() as string;
    return [`& ./${script}`, ...renderParameters(document, instanceCount, declared).map((parameter) => parameter.argument)].join(" ");
}

/**
 * Each parameter as a command-line argument, secrets masked. Switches and booleans follow the
 * script's declaration when it is known (`-Name` for a switch, `-Name $true` for a bool);
 * `-Name:$true` suits both otherwise.
 */
export function renderParameters(
    document: DeploymentDocument,
    instanceCount: number,
    declared?: readonly DeclaredParameter[],
): Array<{ name: string; argument: string }> {
    return Object.entries(document.parameters).map(([name, value]) => {
        const kind = declared === undefined ? undefined : declaredParameter(declared, name)?.kind;
        if (typeof value !== "boolean") return { name, argument: `-${name} ${renderValue(value, document.pfx, instanceCount)}` };
        if (kind === "switch") return { name, argument: value ? `-${name}` : `-${name}:$false` };
        return { name, argument: kind === "bool" ? `-${name} $${value}` : `-${name}:$${value}` };
    });
}

function renderValue(value: ParameterValue, pfx: PfxSource, instanceCount: number): string {
    if (typeof value === "string") return quote(value);
    if (typeof value === "number") return String(value);
    if (Array.isArray(value)) return value.length === 0 ? "@()" : value.map(quote).join(",");
    const driven = value as DriverValue;
    switch (driven.from) {
        case "adminCredential":
        case "appCredential":
            return `<PSCredential ${quote(driven.userName)} [secret]>`;
        case "pfxPath":
            return pfx.source === "file" ? quote(pfx.path) : `<temporary PFX from ${pfx.source === "keyVault" ? `Key Vault ${pfx.vaultName}` : "the stack"}>`;
        case "pfxPassword":
            return `<${driven.as} [secret]>`;
        case "instanceCount":
            return String(instanceCount);
    }
    return "";
}

/** A PowerShell single-quoted string. */
function quote(text: string): string {
    return `'${text.replace(/'/g, "''")}'`;
}

/**
 * What makes a redeploy, readable in a preview's diff: everything Pexip's script is given or
 * runs from, and the certificate. Left out on purpose: where the package is fetched from (its
 * checksum says whether it is the same package; the script by its file name, since a local
 * package gives its path inside the zip), where the PFX comes from (its thumbprint says whether
 * it is the same certificate) and the tags; changing those leaves the connector running.
 *
 * The shape is a contract with every deployed stack: a key added, renamed or removed here
 * changes every stack's triggers, and so redeploys every region once at its next `pulumi up`.
 */
export function redeployTriggers(document: DeploymentDocument, pexipVersion: string, certificateThumbprint: string): Record<string, unknown> {
    return {
        pexipVersion,
        packageSha256: document.package.sha256,
        deploymentScript: document.package.deploymentScript.split("/").pop(),
        certificateThumbprint,
        subscriptionId: document.subscriptionId,
        location: document.location,
        resourceGroup: document.resourceGroup,
        scaleSetName: document.scaleSetName,
        parameters: document.parameters,
    };
}

/** The facts the policy pack reads, except the certificate's (added where the certificate is known). */
export function deploymentFacts(settings: Settings, sizing: Sizing, capacityOwner: CapacityOwner): Partial<Record<Fact, string>> {
    return {
        [FACTS.environment]: settings.environment,
        [FACTS.pexipVersion]: settings.pexipVersion,
        [FACTS.location]: settings.location,
        [FACTS.instanceCount]: String(sizing.instances),
        [FACTS.concurrentPorts]: String(sizing.concurrentPorts),
        [FACTS.portsPerInstance]: String(sizing.portsPerInstance),
        [FACTS.capacityOwner]: capacityOwner,
        [FACTS.vmSize]: settings.vmSize ?? "",
        [FACTS.rdpSources]: JSON.stringify(settings.managementAddresses),
        [FACTS.pexipSources]: JSON.stringify(pexipSourcePrefixes(settings)),
    };
}

/** Facts as the deployment command's environment variables. */
export function factEnvironment(facts: Partial<Record<Fact, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(facts).map(([fact, value]) => [factVariable(fact as Fact), value as string]));
}
