import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as botservice from "@pulumi/azure-native/botservice";

export interface TeamsBotArgs {
    /** Name of the bot's own resource group (`<baseName>-TeamsBotChan-RG`). */
    readonly resourceGroupName: string;
    /** Region of that resource group; the bot itself is global. */
    readonly location: string;
    /** Globally unique bot name. */
    readonly botName: string;
    /** The connector application's client ID. */
    readonly applicationId: pulumi.Input<string>;
    /** The application's home tenant (single-tenant bots are bound to it). */
    readonly applicationTenantId: pulumi.Input<string>;
    /**
     * The bot's messaging endpoint on the connector (Bot Framework activities), the Azure
     * Bot's `endpoint`. An https URL.
     */
    readonly messagingEndpoint: string;
    /**
     * The Teams channel's calling webhook on the connector, where Teams posts incoming call
     * notifications. Microsoft keeps it apart from the messaging endpoint. An https URL.
     */
    readonly callingWebhook: string;
    /** Tags for every resource. */
    readonly tags: Record<string, string>;
}

/**
 * The Azure Bot registration with the Microsoft Teams channel: once per tenant, in its own
 * resource group, shared by every region.
 */
export class TeamsBot extends pulumi.ComponentResource {
    /** The bot's Azure name. */
    readonly botName: pulumi.Output<string>;

    constructor(name: string, args: TeamsBotArgs, opts?: pulumi.ComponentResourceOptions) {
        super("vdx:teams:TeamsBot", name, {}, opts);

        const group = new resources.ResourceGroup(
            `${name}-rg`,
            { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
            { parent: this },
        );
        const bot = new botservice.Bot(
            `${name}-registration`,
            {
                resourceName: args.botName,
                resourceGroupName: group.name,
                location: "global",
                kind: "azurebot",
                sku: { name: "S1" },
                properties: {
                    displayName: args.botName,
                    endpoint: args.messagingEndpoint,
                    // New multi-tenant bots are no longer allowed.
                    msaAppType: "SingleTenant",
                    msaAppId: args.applicationId,
                    msaAppTenantId: args.applicationTenantId,
                },
                tags: args.tags,
            },
            { parent: this },
        );
        new botservice.Channel(
            `${name}-teams-channel`,
            {
                channelName: "MsTeamsChannel",
                resourceName: bot.name,
                resourceGroupName: group.name,
                location: "global",
                properties: {
                    channelName: "MsTeamsChannel",
                    // A calling bot's Teams channel has calling enabled and its own "Webhook (for
                    // calling)", the URL for all incoming calls; the messaging endpoint is the bot's.
                    // https://learn.microsoft.com/en-us/microsoftteams/platform/bots/calls-and-meetings/registering-calling-bot
                    // https://learn.microsoft.com/en-us/microsoftteams/platform/bots/calls-and-meetings/call-notifications
                    properties: { isEnabled: true, enableCalling: true, callingWebhook: args.callingWebhook },
                },
                tags: args.tags,
            },
            { parent: this },
        );

        this.botName = bot.name;
        this.registerOutputs({ botName: this.botName });
    }
}
