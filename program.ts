import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { CertificateMaterial } from "./components/certificateBinding";
import { TeamsAppConsent } from "./components/teamsAppConsent";
import { TeamsBot } from "./components/teamsBot";
import { CheckedScript, TeamsConnector } from "./components/teamsConnector";
import { checkDeclaredFacts, inspectPfx } from "./lib/certificate/certificate";
import { ConfigError } from "./lib/config/configError";
import { inspectPackage } from "./lib/pexip/connectorPackage";
import { FACTS } from "./lib/contract";
import { checkAgainstScript, deploymentParameters, oneLine, UNKNOWN_IDS } from "./lib/pexip/deploymentParameters";
import { botResourceGroupName } from "./lib/naming";
import { ParamBlockError, readParamBlock } from "./lib/pexip/powershellParameters";
import { parseSettings, Settings } from "./lib/config/settings";
import { secondIdentityOwner } from "./lib/config/stackFiles";
import { sizeConnector } from "./lib/pexip/sizing";
import { checkStackLiterals } from "./lib/config/stackLiterals";
import { loadCatalogue } from "./lib/versions/versionCatalogue";
import { DEFAULT_PROVIDER_NAME, lobbyBypassScript } from "./lib/teams/teamsPowerShell";

/**
 * A broken setting as the Pulumi run reports it: a RunError (message only, no stack trace)
 * that keeps the key, so tools running the program can name it too.
 */
export class ConfigurationRunError extends pulumi.RunError {
    constructor(
        /** The configuration key at fault. */
        readonly key: string,
        message: string,
    ) {
        super(message);
    }
}

/** The SDK knows which configuration values are secrets, but declares the question internal. */
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

/**
 * Reads and validates the stack's configuration; throws `ConfigError` on the first broken rule.
 * The stack file itself is checked for values the CLI changes before the program sees them.
 */
export function readSettings(): Settings {
    const stackFile = path.join(process.cwd(), `Pulumi.${pulumi.getStack()}.yaml`);
    if (fs.existsSync(stackFile)) checkStackLiterals(fs.readFileSync(stackFile, "utf8"), pulumi.getProject());
    // With --config-file or another stack config directory the file is elsewhere: say what went unchecked.
    else pulumi.log.warn(`${path.basename(stackFile)} is not in ${process.cwd()}, so its unquoted values were not checked: the CLI reads 37.10 as "37.1", so quote version-like values`);
    const config = pulumi.runtime.allConfig();
    const secretKeys = Object.keys(config).filter((key) => runtimeConfig.isConfigSecret(key));
    const settings = parseSettings(config, { project: pulumi.getProject(), stack: pulumi.getStack(), secretKeys, catalogue: loadCatalogue(process.cwd()) });
    // Only the stack files beside this one show that another production stack owns the Teams identity.
    return { ...settings, warnings: [...settings.warnings, ...secondIdentityOwner(settings, process.cwd())] };
}

/** A checked certificate, and what the operator should hear about it. */
export interface ResolvedCertificate {
    readonly material: CertificateMaterial;
    readonly warnings: readonly string[];
}

/**
 * Opens and checks the configured certificate before anything is created: a wildcard or
 * expired PFX is refused in seconds, not after a 30-minute deployment.
 */
export function resolveCertificate(settings: Settings, now: Date, projectDir: string): ResolvedCertificate {
    const source = settings.certificate;
    switch (source.kind) {
        case "selfSigned":
            return { material: { kind: "selfSigned" }, warnings: [] };
        case "keyVaultSecret": {
            const warnings = checkDeclaredFacts(source.facts, settings.fqdn, now);
            const facts = { ...source.facts, source: "keyVaultSecret" as const };
            return { material: { kind: "existing", secretUrl: source.keyVaultSecretId, facts }, warnings };
        }
        case "pfxFile": {
            const file = path.resolve(projectDir, source.pfxFile);
            let pfx: Buffer;
            try {
                pfx = fs.readFileSync(file);
            } catch {
                throw new ConfigError("certificate.pfxFile", `must be a readable PFX file (looked for ${file})`, source.pfxFile);
            }
            const inspected = inspectPfx(pfx, source.password.reveal(), settings.fqdn, now, source.pfxFile);
            return {
                material: {
                    kind: "upload",
                    pfxFile: source.pfxFile,
                    password: pulumi.secret(source.password.reveal()),
                    pfxBase64: pulumi.secret(inspected.keyVaultValue),
                    facts: inspected.facts,
                },
                warnings: inspected.warnings,
            };
        }
    }
}

/** The package's deployment script, checked; absent for a package the driver downloads at deploy time. */
export interface ResolvedPackage {
    readonly script?: CheckedScript;
    /** What the check could not judge without PowerShell, one line per parameter and rule. */
    readonly warnings: readonly string[];
}

/**
 * Checks Pexip's package before anything is created, when it is on this machine: its checksum,
 * its deployment script, and the stack's parameters against the script's own param block. A
 * package given by URL is checked by the driver at deploy time; here only that no parameter is set twice.
 */
export async function resolvePackage(settings: Settings, projectDir: string): Promise<ResolvedPackage> {
    const pkg = settings.connectorPackage;
    if (pkg.source.kind === "url") {
        // The names the stack passes are known now; only the package's own check waits for the driver (the plan says so).
        deploymentParameters(settings, UNKNOWN_IDS);
        return { warnings: [] };
    }
    const inspected = inspectPackage(path.resolve(projectDir, pkg.source.path), pkg.source.path, pkg.sha256, pkg.deploymentScript, pkg.sha256Key);
    let block;
    try {
        block = await readParamBlock(inspected.scriptText);
    } catch (error) {
        if (!(error instanceof ParamBlockError)) throw error;
        throw new ConfigError("connectorPackage.deploymentScript", `must be a script whose param(...) block can be read, but ${error.message}`, inspected.scriptPath);
    }
    const context = { pexipVersion: settings.pexipVersion, scriptPath: inspected.scriptPath, instanceCount: sizeConnector(settings.sizing).instances };
    const unevaluated = checkAgainstScript(deploymentParameters(settings, UNKNOWN_IDS, block.parameters), block, context);
    // Never passed silently: the driver's check binds the arguments in PowerShell itself.
    const warnings = unevaluated.map(
        (rule) => `-${rule.parameter} of ${inspected.scriptPath}: ${oneLine(rule.rule)} is not evaluated before deployment (${rule.why}); left to the driver's check, which binds the arguments in PowerShell`,
    );
    return { script: { path: inspected.scriptPath, parameters: block.parameters }, warnings };
}

/** The tenant-wide pieces a region needs, created here or read from the owning stack. */
function teamsIdentity(settings: Settings, applicationTenantId: pulumi.Input<string>, tags: Record<string, string>) {
    const { identity } = settings;
    if (!identity.owner) {
        const owner = new pulumi.StackReference(identity.identityStack);
        return {
            applicationId: owner.requireOutput("teamsApplicationId") as pulumi.Output<string>,
            appSecret: owner.requireOutput("teamsAppSecret") as pulumi.Output<string>,
            outputs: { identityStack: identity.identityStack },
        };
    }
    const app = new TeamsAppConsent(`${settings.baseName}-teams`, {
        displayName: `${settings.baseName} Pexip Teams Connector`,
        consent: identity.consent,
        teamsTenantId: settings.teamsTenantId,
        consentRedirectUri: identity.consentRedirectUri,
    });
    const bot = new TeamsBot(`${settings.baseName}-bot`, {
        resourceGroupName: botResourceGroupName(settings.baseName),
        location: settings.location,
        botName: identity.botName,
        applicationId: app.applicationId,
        applicationTenantId,
        messagingEndpoint: identity.botEndpoint,
        callingWebhook: identity.botCallingWebhook,
        tags,
    });
    return {
        applicationId: app.applicationId,
        appSecret: app.appSecret,
        outputs: {
            consent: identity.consent,
            adminConsentUrl: app.adminConsentUrl,
            consentGrantedPermissions: app.grantedPermissions,
            teamsAppSecret: app.appSecret,
            botName: bot.botName,
        },
    };
}

/** Creates one region's connector (and, on the owning stack, the tenant-wide pieces). */
export function deploy(settings: Settings, certificate: ResolvedCertificate, pkg: ResolvedPackage) {
    [...settings.warnings, ...certificate.warnings, ...pkg.warnings].forEach((warning) => pulumi.log.warn(warning));
    const tags = {
        [FACTS.environment]: settings.environment,
        application: "pexip-teams-connector",
        "pulumi-project": settings.project,
        "pulumi-stack": settings.stack,
    };
    const client = authorization.getClientConfigOutput();
    const identity = teamsIdentity(settings, client.tenantId, tags);

    const connector = new TeamsConnector(`${settings.baseName}${settings.regionCode}`, {
        settings,
        script: pkg.script,
        tenantId: client.tenantId,
        subscriptionId: client.subscriptionId,
        adminPassword: settings.adminPassword && pulumi.secret(settings.adminPassword.reveal()),
        certificate: certificate.material,
        applicationId: identity.applicationId,
        appSecret: identity.appSecret,
        tags,
    });

    return {
        fqdn: settings.fqdn,
        location: settings.location,
        subscriptionId: client.subscriptionId,
        publicIpAddress: connector.publicIpAddress,
        publicIpFqdn: connector.publicIpFqdn,
        dnsRecord: pulumi.interpolate`${settings.fqdn}. IN CNAME ${connector.publicIpFqdn}.`,
        dynamicResourceGroup: connector.resourceGroupName,
        scaleSetName: connector.scaleSetName,
        instances: connector.instances,
        capacityOwner: connector.capacityOwner,
        infinityMinimumInstances: settings.infinityScaling?.minimumInstances,
        pexipVersion: settings.pexipVersion,
        deploymentCommand: connector.deploymentCommand,
        keyVaultName: connector.keyVaultName,
        certificate: connector.certificateFacts,
        eventHubConnectionString: connector.eventHubConnectionString,
        teamsApplicationId: identity.applicationId,
        ...identity.outputs,
        lobbyBypassScript: settings.teams
            ? identity.applicationId.apply((applicationId) =>
                  lobbyBypassScript({
                      teams: settings.teams!,
                      applicationId,
                      providerName: DEFAULT_PROVIDER_NAME,
                      teamsTenantId: settings.teamsTenantId,
                  }),
              )
            : undefined,
    };
}
