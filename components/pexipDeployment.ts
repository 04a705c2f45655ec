import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { CapacityOwner, DRIVER_ACTIONS, DRIVER_VARIABLES, FACTS, factVariable } from "../lib/contract";
import { DeploymentDocument, scalingDocument } from "../lib/pexip/deploymentParameters";

/**
 * The driver every command runs: PowerShell 7.2 or later with the script from this repository, its path
 * relative to the project so that a checkout elsewhere (CI, another operator) changes nothing.
 */
export const DRIVER_COMMAND = ["pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-File", "scripts/pexip-deployment.ps1"];

export interface PexipDeploymentArgs {
    /** What the driver deploys: resource groups, package, PFX source and the script's parameters. */
    readonly document: pulumi.Input<DeploymentDocument>;
    /** Instances to create the scale set with, and to keep it at while Pulumi owns capacity. */
    readonly instanceCount: number;
    /** `pulumi`: a scaling command resizes in place; `infinity`: Infinity's scheduled scaling does. */
    readonly capacityOwner: CapacityOwner;
    /** Facts for the policy pack by variable name (lib/contract.ts), the certificate's and the instance count (read by the driver) included. */
    readonly facts: Readonly<Record<string, pulumi.Input<string>>>;
    /** What makes a redeploy, readable in a preview's diff (`redeployTriggers`); the secrets are added here. */
    readonly triggers: pulumi.Input<Record<string, unknown>>;
    /** The Windows administrator password (a secret). */
    readonly adminPassword: pulumi.Input<string>;
    /** The Teams application's client secret (a secret). */
    readonly appSecret: pulumi.Input<string>;
    /** The password of a PFX file on the deploying machine (a secret), for `certificate.pfxFile`. */
    readonly pfxPassword?: pulumi.Input<string>;
    /** A base64 PFX the stack made (a secret), for the self-signed dev certificate. */
    readonly pfx?: pulumi.Input<string>;
    /** What must exist before Pexip's script runs: the static resource group and the public IP it reuses. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * The connector itself, the way Pexip supports it: the package's deployment script creates the
 * scale set, load balancer and NSG in the dynamic resource group, driven by Pulumi.
 *
 * - check (first): the driver reads, without writing, what create will need (the package and
 *   its checksum, the PFX, the stack's parameters bound by PowerShell to the script's param
 *   block), so a problem fails the update before the old deployment is removed;
 * - create: the driver creates the dynamic group and runs the script;
 * - delete: the driver removes the dynamic group (the static one stays);
 * - a change to a trigger (what the script is given, the certificate, the secrets) replaces
 *   it, delete first: Pexip's upgrade and redeploy procedure. Any other change (tags, the
 *   capacity facts of a resize) updates it in place: the driver sets the dynamic group's tags
 *   and the connector keeps running;
 * - a resize is the scaling command's, which sets the capacity in place (also when it is
 *   created, so taking capacity over from Infinity sets it at once); there is none when
 *   Infinity owns capacity.
 */
export class PexipDeployment extends pulumi.ComponentResource {
    /** The dynamic resource group Pexip's script deploys into. */
    readonly resourceGroupName: pulumi.Output<string>;
    /** The scale set Pexip's script creates. */
    readonly scaleSetName: pulumi.Output<string>;
    /** The instances the scale set is kept at (or created with, when Infinity owns capacity). */
    readonly instanceCount: number;

    constructor(name: string, args: PexipDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:PexipDeployment", name, {}, opts);
        const document = pulumi.output(args.document);
        const documentJson = document.apply((value) => JSON.stringify(value));
        const secrets: Record<string, pulumi.Input<string>> = {
            [DRIVER_VARIABLES.adminPassword]: pulumi.secret(args.adminPassword),
            [DRIVER_VARIABLES.appSecret]: pulumi.secret(args.appSecret),
        };
        if (args.pfxPassword !== undefined) secrets[DRIVER_VARIABLES.pfxPassword] = pulumi.secret(args.pfxPassword);
        if (args.pfx !== undefined) secrets[DRIVER_VARIABLES.pfx] = pulumi.secret(args.pfx);
        // A new password or client secret must reach the VMs, which only a redeploy does. Hashed
        // as well as secret, so that even a copy that lost its secret marking shows no secret.
        const secretsDigest = pulumi.secret(
            pulumi.all([args.adminPassword, args.appSecret]).apply((values) => createHash("sha256").update(JSON.stringify(values)).digest("hex")),
        );

        const instanceCountVariable = factVariable(FACTS.instanceCount);
        // The command provider replaces a command when its triggers change, and runs create again on any other change.
        // The check binds the real instance count to the script's parameters (a ValidateRange judges it), so a resize
        // runs it again: ignoring the count would have the engine replace the check with its old value at a redeploy.
        const check = new local.Command(
            `${name}-check`,
            {
                interpreter: DRIVER_COMMAND,
                create: DRIVER_ACTIONS.check,
                environment: { [DRIVER_VARIABLES.deployment]: documentJson, [instanceCountVariable]: String(args.instanceCount) },
                triggers: [args.triggers],
            },
            { parent: this, dependsOn: args.dependsOn, replaceOnChanges: ["triggers[*]"] },
        );
        const deployment = new local.Command(
            `${name}-deploy`,
            {
                interpreter: DRIVER_COMMAND,
                create: DRIVER_ACTIONS.deploy,
                update: DRIVER_ACTIONS.update,
                delete: DRIVER_ACTIONS.remove,
                // Each value its own input, so that only the secrets are secret and the facts stay readable.
                environment: { ...args.facts, [DRIVER_VARIABLES.deployment]: documentJson, ...secrets },
                triggers: [args.triggers, secretsDigest],
            },
            {
                parent: this,
                dependsOn: [...args.dependsOn, check],
                deleteBeforeReplace: true,
                // Said here too, not only by the SDK: a version bump must never become a tag update.
                // A resize changes only facts, no trigger: an update in place, so that a later
                // redeploy creates the scale set with the current count (ignored inputs would keep the old one).
                replaceOnChanges: ["triggers[*]"],
            },
        );

        if (args.capacityOwner === "pulumi") {
            new local.Command(
                `${name}-scale`,
                {
                    interpreter: DRIVER_COMMAND,
                    // On create too: when Pulumi takes capacity over from Infinity, the scale set holds whatever Infinity left.
                    create: DRIVER_ACTIONS.scale,
                    update: DRIVER_ACTIONS.scale,
                    // Updated, never replaced: no triggers; the deployment's ID is in the document.
                    environment: {
                        [DRIVER_VARIABLES.deployment]: pulumi.all([document, deployment.id]).apply(([value, id]) => JSON.stringify(scalingDocument(value, id))),
                        [instanceCountVariable]: String(args.instanceCount),
                    },
                },
                { parent: this, dependsOn: [deployment] },
            );
        }

        this.resourceGroupName = document.resourceGroup;
        this.scaleSetName = document.scaleSetName;
        this.instanceCount = args.instanceCount;
        this.registerOutputs({ resourceGroupName: this.resourceGroupName, scaleSetName: this.scaleSetName, instanceCount: this.instanceCount });
    }
}
