import * as path from "path";
import type { Settings } from "../../lib/config/settings";
import { eventHubSecretCommand } from "../../lib/vdx/vdxRequest";
import { HAND_OVER_FILES } from "./handover";
import type { NextStep } from "./planReport";

/** What the party does after the plan, outside Pulumi: consent, the lobby bypass, the VDX request and DNS. */
export function nextSteps(settings: Settings, outputs: Record<string, unknown>, outDir: string | undefined): NextStep[] {
    const stack = settings.stack;
    const output = (name: string) => `pulumi stack output --stack ${stack} ${name}`;
    const written = (file: string) => (outDir === undefined ? `--out DIR writes it as ${file}` : `written to ${path.join(outDir, file)}`);
    const steps: NextStep[] = [];

    const identity = settings.identity;
    if (!identity.owner) {
        steps.push({
            title: "Consent",
            text: `the Teams application, its admin consent and the bot are tenant-wide and belong to ${identity.identityStack}; nothing to consent here.`,
        });
    } else if (identity.consent === "grant") {
        const count = typeof outputs.consentGrantedPermissions === "number" ? outputs.consentGrantedPermissions : 0;
        steps.push({
            title: "Consent",
            text: `granted in code: the stack assigns the ${count} Microsoft Graph application permission(s) to the connector's application, so the identity running \`pulumi up\` must be allowed to grant application permissions (e.g. Privileged Role Administrator). No admin-consent link is needed.`,
        });
    } else {
        steps.push({
            title: "Consent",
            text: `after \`pulumi up\`, the Teams tenant's administrator opens the admin-consent URL (tenant ${settings.teamsTenantId}) and accepts the connector's Microsoft Graph application permissions; the URL carries the application ID, known only after deployment:`,
            command: output("adminConsentUrl"),
        });
    }

    if (typeof outputs.lobbyBypassScript === "string") {
        steps.push({
            title: "Lobby bypass",
            text: `a Teams administrator runs the Teams PowerShell once per tenant (video interop provider ${settings.teams?.tenantKey} and policy; the connector's calls then skip the lobby). It is the stack output lobbyBypassScript; ${written(HAND_OVER_FILES.lobbyBypass)}:`,
            command: output("lobbyBypassScript"),
        });
    } else {
        steps.push({
            title: "Lobby bypass",
            text: "not configured: set `teams` (tenantKey, prefix) in the stack to get the Teams PowerShell for the invitation block and lobby bypass.",
        });
    }

    const request = `send the VDX supplier the request to register the connector (${written(HAND_OVER_FILES.requestMarkdown)} in Danish and English, and the Pexip management API payloads in ${HAND_OVER_FILES.requestJson})`;
    steps.push(
        settings.infinityScaling
            ? {
                  title: "VDX request",
                  text: `${request}. The Event Hub connection string is never in them: send it by a secure channel, printed with:`,
                  command: eventHubSecretCommand(stack),
              }
            : { title: "VDX request", text: `${request}.` },
    );
    steps.push({
        title: "DNS",
        text: `point ${settings.fqdn} at the connector's static public IP: a CNAME to its Azure DNS name ${outputs.publicIpFqdn}, as Pexip suggests (or an A record to the address \`pulumi up\` allocates):`,
        command: output("dnsRecord"),
    });
    return steps;
}
