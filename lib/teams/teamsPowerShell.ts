import { TeamsSettings } from "../config/settings";

/**
 * The Teams PowerShell that the Teams tenant's administrator runs once per tenant: it tells
 * Teams about the video interop provider (VDX's dial address and instructions page, and the
 * connector's application, whose calls then skip the lobby) and switches the video interop
 * policy on. The stack cannot do this itself: these cmdlets have no Azure resource behind
 * them and need a Teams administrator's sign-in.
 */

/**
 * Default provider name. Microsoft's cmdlet notes warn that the provider's identity must
 * match the provider of the granted policy, or invitations lack the dial-in block; the policy
 * granted here, `PexipServiceProviderEnabled`, is Pexip's. The exact matching rule is
 * unconfirmed, so use this name unless the tenant already has a working Pexip provider.
 */
export const DEFAULT_PROVIDER_NAME = "Pexip";

/** Teams' built-in video interop policy for Pexip. */
export const PEXIP_INTEROP_POLICY = "PexipServiceProviderEnabled";

/** What the script is built from. */
export interface LobbyBypassInput {
    /** Dial address, instructions page and who gets the policy. */
    readonly teams: TeamsSettings;
    /** Application (client) ID of the connector's Entra ID app (the CVI app). */
    readonly applicationId: string;
    /** Name of the video interop service provider; normally `DEFAULT_PROVIDER_NAME`. */
    readonly providerName: string;
    /** The Teams tenant to sign in to; when omitted, the administrator's home tenant. */
    readonly teamsTenantId?: string;
}

// PowerShell ends a single-quoted string at any of these, not only at the ASCII quote.
const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A PowerShell single-quoted string literal. Nothing inside is expanded (`$`, backtick and
 * `{ConfId}` stay literal); a quote is escaped by doubling it, which PowerShell also does for
 * the typographic single quotes it treats as quotes. Control characters are refused: a line
 * break in a value would be a hidden second line in the script.
 */
export function powerShellString(value: string): string {
    if (CONTROL.test(value)) throw new Error(`refusing a control character in a PowerShell value: ${JSON.stringify(value)}`);
    return `'${value.replace(SINGLE_QUOTES, (quote) => quote + quote)}'`;
}

/** The script, with every value quoted; the same input always gives the same text. */
export function lobbyBypassScript(input: LobbyBypassInput): string {
    const { teams, applicationId, providerName } = input;
    const name = powerShellString(providerName);
    const providerParameters = [
        `-TenantKey ${powerShellString(teams.tenantKey)}`,
        `-InstructionUri ${powerShellString(teams.instructionUrl)}`,
        "-AllowAppGuestJoinsAsAuthenticated $true",
        `-AadApplicationIds ${powerShellString(applicationId)}`,
    ].join(" ");
    const connect =
        input.teamsTenantId === undefined ? "Connect-MicrosoftTeams" : `Connect-MicrosoftTeams -TenantId ${powerShellString(input.teamsTenantId)}`;
    const grants =
        teams.grantTo === "global"
            ? [`Grant-CsTeamsVideoInteropServicePolicy -PolicyName ${powerShellString(PEXIP_INTEROP_POLICY)} -Global`]
            : teams.grantTo.map(
                  (user) => `Grant-CsTeamsVideoInteropServicePolicy -PolicyName ${powerShellString(PEXIP_INTEROP_POLICY)} -Identity ${powerShellString(user)}`,
              );

    return [
        "# Teams video interop for the Pexip Teams Connector (VDX).",
        "# Run by the Teams tenant administrator, with the MicrosoftTeams module installed",
        "# (Install-Module MicrosoftTeams). Running it again is safe: it updates what exists.",
        "",
        "# Stop at the first error rather than grant a policy for a provider that failed.",
        "$ErrorActionPreference = 'Stop'",
        "",
        "# Sign in to the Teams tenant as a Teams administrator.",
        connect,
        "",
        "# Look for a provider with this name, so that a second run updates it instead of failing.",
        `$provider = Get-CsVideoInteropServiceProvider | Where-Object { $_.Identity -eq ${name} -or $_.Identity -eq ${powerShellString(`Tag:${providerName}`)} }`,
        "",
        "# Register VDX as the video interop provider: the dial address (TenantKey) and the",
        "# \"Alternate VTC instructions\" link go into every meeting invitation, and calls from the",
        "# connector's application join as authenticated participants, so they skip the lobby.",
        "if ($provider) {",
        `    Set-CsVideoInteropServiceProvider -Identity ${name} ${providerParameters}`,
        "} else {",
        `    New-CsVideoInteropServiceProvider -Name ${name} ${providerParameters}`,
        "}",
        "",
        teams.grantTo === "global"
            ? "# Switch the video interop policy on for the whole tenant, so invitations carry the dial-in block."
            : "# Switch the video interop policy on for these users only, so their invitations carry the dial-in block.",
        ...grants,
        "",
        "# Teams can take some hours before new invitations show the block.",
        "Write-Host 'Video interop provider and policy are set.'",
        "",
    ].join("\n");
}
