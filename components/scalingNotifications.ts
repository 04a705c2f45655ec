import * as pulumi from "@pulumi/pulumi";
import * as eventhub from "@pulumi/azure-native/eventhub";

export interface ScalingNotificationsArgs {
    /** The static resource group: the hub and its key survive redeploys, so Infinity's configuration stays valid. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region. */
    readonly location: string;
    /** Globally unique namespace name. */
    readonly namespaceName: string;
    /** The event hub's name. */
    readonly eventHubName: string;
    /** The shared access policy's name, which Pexip Infinity looks up. */
    readonly accessPolicyName: string;
    /** Protect the namespace against deletion (production): its key is in Infinity's configuration. */
    readonly protect: boolean;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * The Event Hub through which Pexip Infinity learns of the connector's instances and runs its
 * minimum instance count and scheduled scaling (`infinityScaling`). Infinity is given the
 * connection string as the Teams Connector's `notifications_queue`.
 */
export class ScalingNotifications extends pulumi.ComponentResource {
    /** Connection string for Infinity's `notifications_queue` (a secret). */
    readonly connectionString: pulumi.Output<string>;

    constructor(name: string, args: ScalingNotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:ScalingNotifications", name, {}, opts);
        const namespace = new eventhub.Namespace(
            `${name}-ns`,
            {
                namespaceName: args.namespaceName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                sku: { name: "Standard", tier: "Standard", capacity: 1 },
                minimumTlsVersion: "1.2",
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        const hub = new eventhub.EventHub(
            `${name}-hub`,
            {
                eventHubName: args.eventHubName,
                namespaceName: namespace.name,
                resourceGroupName: args.resourceGroupName,
                partitionCount: 1,
                messageRetentionInDays: 1,
            },
            { parent: this },
        );
        const accessPolicy = new eventhub.EventHubAuthorizationRule(
            `${name}-policy`,
            {
                authorizationRuleName: args.accessPolicyName,
                eventHubName: hub.name,
                namespaceName: namespace.name,
                resourceGroupName: args.resourceGroupName,
                rights: ["Listen", "Send"],
            },
            { parent: this },
        );
        const keys = eventhub.listEventHubKeysOutput(
            {
                authorizationRuleName: accessPolicy.name,
                eventHubName: hub.name,
                namespaceName: namespace.name,
                resourceGroupName: args.resourceGroupName,
            },
            { parent: this },
        );

        this.connectionString = pulumi.secret(keys.primaryConnectionString);
        this.registerOutputs({ connectionString: this.connectionString });
    }
}
