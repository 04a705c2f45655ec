import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { DRIVER_ACTIONS, DRIVER_VARIABLES, FACTS, factVariable } from "../../lib/contract";
import type { DriverValue } from "../../lib/deploymentParameters";
import { readParameters } from "../../lib/powershellParameters";
import { skipString } from "../support/powershellStrings";

/**
 * PowerShell is not installed where the tests run, so the driver (scripts/pexip-deployment.ps1)
 * is checked as text against what the TypeScript side promises it: the environment variables it
 * reads, the value sources it fills in, its actions, and that it never prints a secret.
 */

const ROOT = path.join(__dirname, "..", "..");
const DRIVER_TEXT = fs.readFileSync(path.join(ROOT, "scripts", "pexip-deployment.ps1"), "utf8");
const CODE = withoutComments(DRIVER_TEXT);

/**
 * Every `from` of DriverValue. `satisfies` makes tsc refuse this list when the union gains or
 * loses a member; the first test checks it against the source too, since mocha does not type-check.
 */
const FROM_KINDS = {
    adminCredential: true,
    appCredential: true,
    pfxPath: true,
    pfxPassword: true,
    instanceCount: true,
} as const satisfies Record<DriverValue["from"], true>;

/** The script with `#` and `<# #>` comments blanked out (strings kept, offsets kept). */
function withoutComments(text: string): string {
    let out = "";
    let at = 0;
    while (at < text.length) {
        const end = skipString(text, at);
        if (end !== at) {
            out += text.slice(at, end);
            at = end;
        } else if (text.startsWith("<#", at)) {
            const close = text.indexOf("#>", at + 2);
            const stop = close < 0 ? text.length : close + 2;
            out += text.slice(at, stop).replace(/[^\n]/g, " ");
            at = stop;
        } else if (text[at] === "#") {
            let stop = text.indexOf("\n", at);
            if (stop < 0) stop = text.length;
            out += " ".repeat(stop - at);
            at = stop;
        } else {
            out += text[at];
            at++;
        }
    }
    return out;
}

/** The text inside the `{ }` that follows the first match of `header`. */
function blockAfter(code: string, header: RegExp): string {
    const match = header.exec(code);
    assert.ok(match !== null, `the driver has no ${header}`);
    const open = code.indexOf("{", match.index + match[0].length - 1);
    let depth = 0;
    let at = open;
    while (at < code.length) {
        const end = skipString(code, at);
        if (end !== at) {
            at = end;
            continue;
        }
        if (code[at] === "{") depth++;
        else if (code[at] === "}" && --depth === 0) return code.slice(open + 1, at);
        at++;
    }
    assert.fail(`the block after ${header} is never closed`);
}

/** The labels of a switch block's clauses (`'name' { … }`, `default { … }`), in order. */
function switchLabels(block: string): string[] {
    const labels: string[] = [];
    let depth = 0;
    let at = 0;
    while (at < block.length) {
        if (depth === 0) {
            const clause = /^\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_][\w-]*))\s*\{/.exec(block.slice(at));
            if (clause !== null) {
                labels.push(clause[1] ?? clause[2] ?? clause[3]);
                at += clause[0].length;
                depth = 1;
                continue;
            }
        }
        const end = skipString(block, at);
        if (end !== at) {
            at = end;
            continue;
        }
        if (block[at] === "{") depth++;
        else if (block[at] === "}") depth--;
        at++;
    }
    return labels;
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe("scripts/pexip-deployment.ps1 (the deployment driver)", () => {
    describe("environment", () => {
        it("reads exactly the contract's driver variables and the instance count, nothing else", () => {
            const read = new Set([...CODE.matchAll(/\$\{?env:([A-Za-z_][A-Za-z0-9_]*)/gi)].map((match) => match[1]));
            assert.deepEqual(sorted(read), sorted(new Set([...Object.values(DRIVER_VARIABLES), factVariable(FACTS.instanceCount)])));
        });

        it("reads the environment only through $env:, where the test above sees it", () => {
            const all = [...CODE.matchAll(/env:/gi)].length;
            const viaVariable = [...CODE.matchAll(/\$\{?env:/gi)].length;
            assert.equal(all, viaVariable, "env: drive used other than as $env:NAME");
            assert.doesNotMatch(CODE, /GetEnvironmentVariable|Environment\]::GetEnvironmentVariables/i);
        });
    });

    describe("value sources", () => {
        it("knows every `from` of DriverValue in lib/deploymentParameters.ts", () => {
            const source = fs.readFileSync(path.join(ROOT, "lib", "deploymentParameters.ts"), "utf8");
            const union = /export type DriverValue =([\s\S]*?);\s*\n/.exec(source);
            assert.ok(union !== null, "no DriverValue union in lib/deploymentParameters.ts");
            const kinds = [...union[1].matchAll(/from:\s*"(\w+)"/g)].map((match) => match[1]);
            assert.deepEqual(sorted(kinds), sorted(Object.keys(FROM_KINDS)));
        });

        it("fills in every value source in its switch, and throws on any other", () => {
            const block = blockAfter(CODE, /switch\s*\(\s*\$value\.from\s*\)\s*\{/i);
            const labels = switchLabels(block);
            assert.deepEqual(sorted(labels.filter((label) => label.toLowerCase() !== "default")), sorted(Object.keys(FROM_KINDS)));
            assert.ok(labels.some((label) => label.toLowerCase() === "default"), "no default clause");
            const fallback = blockAfter(block, /\bdefault\s*\{/i);
            assert.match(fallback, /^\s*throw\b/);
        });

        it("fills each credential from its own secret", () => {
            const block = blockAfter(CODE, /switch\s*\(\s*\$value\.from\s*\)\s*\{/i);
            assert.match(blockAfter(block, /'adminCredential'\s*\{/), new RegExp(`\\$env:${DRIVER_VARIABLES.adminPassword}\\b`));
            assert.match(blockAfter(block, /'appCredential'\s*\{/), new RegExp(`\\$env:${DRIVER_VARIABLES.appSecret}\\b`));
            assert.match(blockAfter(block, /'instanceCount'\s*\{/), new RegExp(`\\$env:${factVariable(FACTS.instanceCount)}\\b`));
        });
    });

    describe("actions", () => {
        it("takes exactly the contract's actions as its only, mandatory parameter", async () => {
            const parameters = (await readParameters(DRIVER_TEXT)).map(({ name, mandatory, kind, type }) => ({ name, mandatory, kind, type }));
            assert.deepEqual(parameters, [{ name: "Action", mandatory: true, kind: "string", type: "string" }]);
            const validateSet = /\[ValidateSet\(([^)]*)\)\]\s*\[string\]\s*\$Action\b/i.exec(CODE);
            assert.ok(validateSet !== null, "no ValidateSet on $Action");
            const allowed = [...validateSet[1].matchAll(/'([^']*)'|"([^"]*)"/g)].map((match) => match[1] ?? match[2]);
            assert.deepEqual(sorted(allowed), sorted(Object.values(DRIVER_ACTIONS)));
        });

        it("handles each action in its switch", () => {
            const labels = switchLabels(blockAfter(CODE, /switch\s*\(\s*\$Action\s*\)\s*\{/i));
            assert.deepEqual(sorted(labels), sorted(Object.values(DRIVER_ACTIONS)));
        });

        const actionBlock = (action: string) => blockAfter(blockAfter(CODE, /switch\s*\(\s*\$Action\s*\)\s*\{/i), new RegExp(`'${action}'\\s*\\{`));
        const CHANGES_AZURE = /\b(New|Remove|Set|Update)-Az\w+|Remove-DynamicGroup|Invoke-PexipScript/i;

        it("check only reads: it fetches and verifies the package and checks the parameters", () => {
            const check = actionBlock(DRIVER_ACTIONS.check);
            assert.match(check, /Get-Package/);
            assert.match(check, /Assert-Parameters/);
            assert.doesNotMatch(check, CHANGES_AZURE);
        });

        it("its parameter check refuses what the plan's refuses (lib/deploymentParameters.ts): an undeclared name, one given twice, a missing mandatory one", () => {
            const check = blockAfter(CODE, /function Assert-Parameters\([^)]*\)\s*\{/i);
            assert.match(check, /does not declare -\$name/);
            assert.match(check, /Group-Object[\s\S]*twice, by its name and an alias/);
            // Mandatory only when every [Parameter()] of it says so, as lib/powershellParameters.ts reads it.
            assert.match(check, /\$sets -gt 0 -and \$mandatorySets -eq \$sets/);
            assert.match(check, /declares -\$\(\$missing -join ', -'\) mandatory/);
        });

        it("deploy checks the package before it removes or creates anything", () => {
            const deploy = actionBlock(DRIVER_ACTIONS.deploy);
            const first = (pattern: RegExp) => deploy.search(pattern);
            assert.ok(first(/Get-Package/) >= 0 && first(/Assert-Parameters/) >= 0);
            assert.ok(first(/Get-Package/) < first(CHANGES_AZURE) && first(/Assert-Parameters/) < first(CHANGES_AZURE), deploy);
        });

        it("update touches only the dynamic group's tags, and scale only the capacity", () => {
            assert.deepEqual([...actionBlock(DRIVER_ACTIONS.update).matchAll(/\b\w+-Az\w+/g)].map((match) => match[0]), ["Set-AzResourceGroup"]);
            assert.match(actionBlock(DRIVER_ACTIONS.update), /-Tag\b/);
            const scale = actionBlock(DRIVER_ACTIONS.scale);
            assert.match(scale, /Update-AzVmss\b[^\n]*-SkuCapacity/);
            // No model read back and written whole: that PUT would carry everything Pexip's script set.
            assert.doesNotMatch(scale, /Get-AzVmss|-VirtualMachineScaleSet\b/);
        });

        it("runs Pexip's script with PowerShell's defaults, and fails when it fails", () => {
            const invoke = blockAfter(CODE, /function Invoke-PexipScript[^{]*\{/);
            assert.match(invoke, /Set-StrictMode -Off/);
            assert.match(invoke, /\$ErrorActionPreference = 'Continue'/);
            assert.match(invoke, /\$LASTEXITCODE -ne 0/);
            assert.match(invoke, /\bthrow\b/);
            // Errors the script only writes do not stop it: the scale set it was to create must be there, provisioned.
            const afterScript = invoke.slice(invoke.indexOf("Pop-Location"));
            assert.match(afterScript, /Get-AzVmss -ResourceGroupName \$document\.resourceGroup -VMScaleSetName \$document\.scaleSetName/);
            assert.match(afterScript, /ProvisioningState -ne 'Succeeded'/);
            assert.match(afterScript, /\bthrow\b/);
        });

        it("deletes what it wrote (the package, a PFX) whatever happens", () => {
            assert.match(CODE, /\}\s*finally\s*\{\s*foreach \(\$item in \$temporary\) \{ Remove-Item -LiteralPath \$item -Recurse -Force/);
            assert.match(blockAfter(CODE, /function New-TemporaryFolder[^{]*\{/), /\$temporary\.Add/);
            assert.doesNotMatch(CODE, /GetTempFileName|Join-Path \(\[IO\.Path\]::GetTempPath\(\)\)[^\n]*\.(zip|pfx)/);
        });
    });

    describe("secrets", () => {
        const OUTPUT = /\b(Write-Host|Write-Output|Write-Verbose|Write-Information|Write-Warning|Write-Debug|Write-Error|Write-Progress|Out-Host|Out-Default|Out-File|Set-Content|Add-Content|echo|throw)\b/i;

        it("never writes an environment variable, or a password, to output", () => {
            const offending = CODE.split("\n").filter((line) => OUTPUT.test(line) && /\$\{?env:|password|\$base64/i.test(line));
            assert.deepEqual(offending, []);
        });

        it("never expands an environment variable inside a double-quoted string", () => {
            const strings = [...CODE.matchAll(/"(?:`.|""|[^"`])*"/g)].map((match) => match[0]);
            assert.deepEqual(
                strings.filter((text) => /\$\{?env:/i.test(text)),
                [],
            );
        });

        it("does not record or trace what it runs", () => {
            assert.doesNotMatch(CODE, /Start-Transcript|Set-PSDebug/i);
        });
    });

    it("the text checks see code, not comments", () => {
        // Guards the helpers above: comments are blanked, strings and offsets kept.
        assert.equal(withoutComments("a # $env:X\nb <# $env:Y #> c '#' \"#\""), "a         \nb              c '#' \"#\"");
        assert.deepEqual(switchLabels(" 'a' { if ($x) { 1 } } \"b\" { 2 }\n default { throw 'x {' } "), ["a", "b", "default"]);
    });
});
