import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as network from "@pulumi/azure-native/network";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { CapacityOwner, CERTIFICATE_FACTS, Fact, FACTS, factVariable } from "../lib/contract";
import {
    deploymentDocument,
    deploymentFacts,
    factEnvironment,
    redeployTriggers,
    renderCommand,
} from "../lib/pexip/deploymentParameters";
import { connectorNames } from "../lib/naming";
import type { DeclaredParameter } from "../lib/pexip/powershellParameters";
import { Settings } from "../lib/config/settings";
import { sizeConnector } from "../lib/pexip/sizing";
import { CertificateBinding, CertificateMaterial, PublishedFacts } from "./certificateBinding";
import { PexipDeployment } from "./pexipDeployment";
import { ScalingNotifications } from "./scalingNotifications";

/** The package's deployment script, as read before anything was created. */
export interface CheckedScript {
    /** Its path inside the package. */
    readonly path: string;
    /** Its declared parameters. */
    readonly parameters: readonly DeclaredParameter[];
}

export interface TeamsConnectorArgs {
    /** The region's configuration, parsed and checked. */
    readonly settings: Settings;
    /** The deployment script, when the package is on this machine and was checked; else the driver finds it. */
    readonly script?: CheckedScript;
    /** Entra tenant of the subscription (for the Key Vault). */
    readonly tenantId: pulumi.Input<string>;
    /** Subscription the stack deploys into. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Windows administrator password (a secret); generated when absent. */
    readonly adminPassword?: pulumi.Input<string>;
    /** The TLS certificate, checked. */
    readonly certificate: CertificateMaterial;
    /** The Teams application's client ID. */
    readonly applicationId: pulumi.Input<string>;
    /** The Teams application's client secret (a secret). */
    readonly appSecret: pulumi.Input<string>;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * One region's Pexip Teams Connector in Pexip's topology. The stack owns the static resource
 * group (public IP, Key Vault, the Event Hub when Infinity scales) and hands the connector
 * itself to Pexip's deployment script, which builds the dynamic resource group.
 */
export class TeamsConnector extends pulumi.ComponentResource {
    /** The address the hostname resolves to. */
    readonly publicIpAddress: pulumi.Output<string>;
    /** The public IP's Azure DNS name, the CNAME target for the hostname. */
    readonly publicIpFqdn: pulumi.Output<string>;
    /** The dynamic resource group Pexip's script deploys into. */
    readonly resourceGroupName: pulumi.Output<string>;
    /** Azure name of the scale set. */
    readonly scaleSetName: pulumi.Output<string>;
    /** Instances the scale set is created with. */
    readonly instances: number;
    /** Who changes capacity after creation. */
    readonly capacityOwner: CapacityOwner;
    /** Event Hub connection string for Infinity's `notifications_queue` (a secret), with `infinityScaling`. */
    readonly eventHubConnectionString: pulumi.Output<string> | undefined;
    /** The region's Key Vault. */
    readonly keyVaultName: pulumi.Output<string>;
    /** Facts of the certificate. */
    readonly certificateFacts: pulumi.Output<PublishedFacts>;
    /** The command the deployment runs, secrets masked. */
    readonly deploymentCommand: pulumi.Output<string>;

    constructor(name: string, args: TeamsConnectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:TeamsConnector", name, {}, opts);
        const { settings, tags } = args;
        const { location } = settings;
        const names = connectorNames(settings.baseName, settings.regionCode);
        const sizing = sizeConnector(settings.sizing);
        const capacityOwner: CapacityOwner = settings.infinityScaling ? "infinity" : "pulumi";
        const protect = settings.environment === "prod";
        const staticOpts = { parent: this, protect };

        // Static: only names, the region, zones and the DNS label go in, so resizing or upgrading never touches it.
        const staticGroup = new resources.ResourceGroup(`${name}-static-rg`, { resourceGroupName: names.staticResourceGroup, location, tags }, staticOpts);
        const publicIp = new network.PublicIPAddress(
            `${name}-pip`,
            {
                // Pexip's script finds and reuses the address by this name.
                publicIpAddressName: names.publicIp,
                resourceGroupName: staticGroup.name,
                location,
                sku: { name: "Standard", tier: "Regional" },
                publicIPAllocationMethod: "Static",
                publicIPAddressVersion: "IPv4",
                zones: [...settings.zones],
                dnsSettings: { domainNameLabel: settings.domainNameLabel },
                tags,
            },
            staticOpts,
        );
        const binding = new CertificateBinding(
            `${name}-certificate`,
            {
                resourceGroupName: staticGroup.name,
                location,
                tenantId: args.tenantId,
                vaultName: names.keyVault,
                fqdn: settings.fqdn,
                certificate: args.certificate,
                protect,
                tags,
            },
            { parent: this },
        );
        const adminPassword =
            args.adminPassword ??
            new random.RandomPassword(
                `${name}-admin-password`,
                { length: 24, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2, overrideSpecial: "!#%*-_=+?" },
                { parent: this },
            ).result;
        // Kept in the vault so that an operator can fetch them (RDP, Pexip support); never stack outputs.
        for (const [secretName, value] of [
            ["windows-admin-password", adminPassword],
            ["teams-app-secret", args.appSecret],
        ] as const) {
            new keyvault.Secret(
                `${name}-${secretName}`,
                { secretName, vaultName: binding.vaultName, resourceGroupName: staticGroup.name, properties: { value: pulumi.secret(value) }, tags },
                { parent: this },
            );
        }
        const notifications = settings.infinityScaling
            ? new ScalingNotifications(
                  `${name}-eventhub`,
                  {
                      resourceGroupName: staticGroup.name,
                      location,
                      namespaceName: names.eventHubNamespace,
                      eventHubName: names.eventHub,
                      accessPolicyName: names.eventHubAccessPolicy,
                      protect,
                      tags,
                  },
                  { parent: this },
              )
            : undefined;

        const declared = args.script?.parameters;
        const ids = pulumi.all([args.subscriptionId, args.applicationId]).apply(([subscriptionId, applicationId]) => ({ subscriptionId, applicationId }));
        const document = ids.apply((value) => deploymentDocument(settings, value, binding.deploymentPfx.source, tags, args.script?.path, declared));
        const certificateFact = (fact: Fact) => binding.factValues.apply((values) => values[fact]);
        const facts: Record<string, pulumi.Input<string>> = factEnvironment(deploymentFacts(settings, sizing, capacityOwner));
        for (const fact of CERTIFICATE_FACTS) facts[factVariable(fact)] = certificateFact(fact);
        const deployment = new PexipDeployment(
            `${name}-deployment`,
            {
                document,
                instanceCount: sizing.instances,
                capacityOwner,
                facts,
                triggers: pulumi
                    .all([document, certificateFact(FACTS.certificateThumbprint)])
                    .apply(([value, thumbprint]) => redeployTriggers(value, settings.pexipVersion, thumbprint)),
                adminPassword,
                appSecret: args.appSecret,
                pfxPassword: binding.deploymentPfx.password,
                pfx: binding.deploymentPfx.pfx,
                dependsOn: [staticGroup, publicIp],
            },
            { parent: this },
        );

        this.publicIpAddress = publicIp.ipAddress.apply((address) => address ?? "");
        this.publicIpFqdn = publicIp.dnsSettings.apply((dns) => dns?.fqdn ?? "");
        this.resourceGroupName = deployment.resourceGroupName;
        this.scaleSetName = deployment.scaleSetName;
        this.instances = sizing.instances;
        this.capacityOwner = capacityOwner;
        this.eventHubConnectionString = notifications?.connectionString;
        this.keyVaultName = binding.vaultName;
        this.certificateFacts = binding.facts;
        this.deploymentCommand = document.apply((value) => renderCommand(value, sizing.instances, declared));
        this.registerOutputs({
            publicIpAddress: this.publicIpAddress,
            publicIpFqdn: this.publicIpFqdn,
            resourceGroupName: this.resourceGroupName,
            scaleSetName: this.scaleSetName,
            instances: this.instances,
            capacityOwner: this.capacityOwner,
            eventHubConnectionString: this.eventHubConnectionString,
            keyVaultName: this.keyVaultName,
            certificateFacts: this.certificateFacts,
            deploymentCommand: this.deploymentCommand,
        });
    }
}
