import * as assert from "node:assert/strict";
import { TeamsSettings } from "../../../lib/config/settings";
import { DEFAULT_PROVIDER_NAME, lobbyBypassScript, powerShellString } from "../../../lib/teams/teamsPowerShell";
import { testSettings } from "../../support/settings";

const APP_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const QUOTE = "['\u2018\u2019\u201A\u201B]";
// A PowerShell single-quoted string: any single-quote character opens and closes it; two in a row are one.
const SINGLE_QUOTED = new RegExp(`${QUOTE}(?:[^'\u2018\u2019\u201A\u201B]|${QUOTE}${QUOTE})*${QUOTE}`, "g");

function teams(overrides: Partial<TeamsSettings> = {}): TeamsSettings {
    return { ...testSettings().teams!, ...overrides };
}

function lines(script: string, start: string): string[] {
    return script
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith(start));
}

describe("powerShellString", () => {
    it("wraps a value in single quotes, so nothing in it is expanded", () => {
        assert.equal(powerShellString("conf={ConfId}&w $env:PATH `n"), "'conf={ConfId}&w $env:PATH `n'");
    });

    it("doubles ASCII and typographic single quotes", () => {
        assert.equal(powerShellString("O'Brien"), "'O''Brien'");
        assert.equal(powerShellString("it\u2019s"), "'it\u2019\u2019s'");
        assert.equal(powerShellString("\u2018a\u201Ab\u201B"), "'\u2018\u2018a\u201A\u201Ab\u201B\u201B'");
    });

    it("refuses line breaks and other control characters", () => {
        assert.throws(() => powerShellString("a\nRemove-Item C:\\"), /control character/);
        assert.throws(() => powerShellString("a\rb"), /control character/);
        assert.throws(() => powerShellString("a\u0000b"), /control character/);
    });
});

describe("lobbyBypassScript", () => {
    const script = lobbyBypassScript({ teams: teams(), applicationId: APP_ID, providerName: DEFAULT_PROVIDER_NAME });

    it("signs in to Teams first and stops at the first error", () => {
        const commands = script.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
        assert.equal(commands[0], "$ErrorActionPreference = 'Stop'");
        assert.equal(commands[1], "Connect-MicrosoftTeams");
    });

    it("signs in to a named tenant when given", () => {
        const named = lobbyBypassScript({ teams: teams(), applicationId: APP_ID, providerName: "Pexip", teamsTenantId: "11111111-2222-3333-4444-555555555555" });
        assert.deepEqual(lines(named, "Connect-MicrosoftTeams"), ["Connect-MicrosoftTeams -TenantId '11111111-2222-3333-4444-555555555555'"]);
    });

    it("updates an existing provider and creates a missing one, with the configured values", () => {
        const parameters =
            "-TenantKey 'teams@vdx.example' -InstructionUri 'https://node1.vdx.example/teams/?conf={ConfId}&ivr=teams&d=vdx.example&prefix=88&w' " +
            `-AllowAppGuestJoinsAsAuthenticated $true -AadApplicationIds '${APP_ID}'`;
        assert.match(script, /^\$provider = Get-CsVideoInteropServiceProvider \| Where-Object \{ \$_\.Identity -eq 'Pexip' -or \$_\.Identity -eq 'Tag:Pexip' \}$/m);
        assert.deepEqual(lines(script, "Set-CsVideoInteropServiceProvider"), [`Set-CsVideoInteropServiceProvider -Identity 'Pexip' ${parameters}`]);
        assert.deepEqual(lines(script, "New-CsVideoInteropServiceProvider"), [`New-CsVideoInteropServiceProvider -Name 'Pexip' ${parameters}`]);
        // Set before New inside one if/else.
        assert.ok(script.indexOf("if ($provider) {") < script.indexOf("Set-Cs"));
        assert.ok(script.indexOf("} else {") < script.indexOf("New-Cs"));
    });

    it("grants the Pexip interop policy tenant-wide for grantTo global", () => {
        assert.deepEqual(lines(script, "Grant-"), ["Grant-CsTeamsVideoInteropServicePolicy -PolicyName 'PexipServiceProviderEnabled' -Global"]);
    });

    it("grants the policy user by user otherwise", () => {
        const perUser = lobbyBypassScript({
            teams: teams({ grantTo: ["anna@region.dk", "o'neil@region.dk"] }),
            applicationId: APP_ID,
            providerName: "Pexip",
        });
        assert.deepEqual(lines(perUser, "Grant-"), [
            "Grant-CsTeamsVideoInteropServicePolicy -PolicyName 'PexipServiceProviderEnabled' -Identity 'anna@region.dk'",
            "Grant-CsTeamsVideoInteropServicePolicy -PolicyName 'PexipServiceProviderEnabled' -Identity 'o''neil@region.dk'",
        ]);
        assert.doesNotMatch(perUser, /-Global/);
    });

    it("explains each step in an English comment", () => {
        for (const step of ["Connect-MicrosoftTeams", "$provider = ", "if ($provider)", "Grant-"]) {
            const all = script.split("\n");
            const index = all.findIndex((line) => line.startsWith(step));
            assert.ok(all[index - 1].startsWith("#"), `no comment before ${step}`);
        }
    });

    it("keeps hostile values inside their quotes", () => {
        const hostile = "x'; Remove-Item -Recurse C:\\; '";
        const text = lobbyBypassScript({
            teams: teams({ tenantKey: hostile, instructionUrl: `https://a.example/${hostile}`, grantTo: [`u${hostile}@a.dk`] }),
            applicationId: hostile,
            providerName: `P\u2019${hostile}`,
        });
        // With every quoted string taken out, no command from the values is left.
        for (const line of text.split("\n").filter((line) => !line.startsWith("#"))) {
            assert.doesNotMatch(line.replace(SINGLE_QUOTED, "''"), /Remove-Item/, line);
        }
    });

    it("gives the same text for the same input", () => {
        assert.equal(lobbyBypassScript({ teams: teams(), applicationId: APP_ID, providerName: DEFAULT_PROVIDER_NAME }), script);
        assert.ok(script.endsWith("\n"));
    });
});
