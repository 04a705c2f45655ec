import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import type { Node, Tree } from "web-tree-sitter";
import { DRIVER_COMMAND } from "../../components/pexipDeployment";
import { DRIVER_ACTIONS, DRIVER_SECRET_VARIABLES, DRIVER_VARIABLES, FACTS, factVariable } from "../../lib/contract";
import type { DriverValue } from "../../lib/pexip/deploymentParameters";
import { parsePowerShell } from "../../lib/pexip/powershellParameters";
import { BINDING_CASES } from "../fixtures/pexip/bindingCases";

/**
 * PowerShell is not installed where the tests run, so the driver (scripts/pexip-deployment.ps1)
 * is read with a real PowerShell grammar (tree-sitter-powershell) and checked against what the
 * TypeScript side promises it and against each defect of issue 20 (the numbers below) and the
 * binding check of issue 18: the environment variables it reads, the value sources it fills in,
 * its actions, Pexip's session, and that it never prints a secret.
 */

const ROOT = path.join(__dirname, "..", "..");
const DRIVER_TEXT = fs.readFileSync(path.join(ROOT, "scripts", "pexip-deployment.ps1"), "utf8");

/**
 * Every `from` of DriverValue. `satisfies` makes tsc refuse this list when the union gains or
 * loses a member; a test checks it against the source too, since mocha does not type-check.
 */
const FROM_KINDS = {
    adminCredential: true,
    appCredential: true,
    pfxPath: true,
    pfxPassword: true,
    instanceCount: true,
} as const satisfies Record<DriverValue["from"], true>;

const sorted = (values: Iterable<string>) => [...values].sort();
const lower = (text: string) => text.toLowerCase();

/** Nodes of a tree where the grammar found a syntax error, with their line. */
/** The driver's syntax tree, by the same grammar and loader as the plan's param reader. */
async function syntaxTree(text: string): Promise<Tree> {
    return (await parsePowerShell(text)).tree;
}

function syntaxErrors(tree: Tree): string[] {
    const found: string[] = [];
    const walk = (node: Node) => {
        if (node.isError || node.isMissing) found.push(`line ${node.startPosition.row + 1}: ${JSON.stringify(node.text.slice(0, 80))}`);
        for (const child of node.children) if (child !== null) walk(child);
    };
    walk(tree.rootNode);
    return found;
}

/** A node's text with its comments blanked out (offsets kept). */
function code(node: Node): string {
    let text = node.text;
    for (const comment of node.descendantsOfType("comment")) {
        if (comment === null) continue;
        const from = comment.startIndex - node.startIndex;
        text = text.slice(0, from) + comment.text.replace(/[^\n]/g, " ") + text.slice(from + comment.text.length);
    }
    return text;
}

const nodes = (node: Node, type: string): Node[] => node.descendantsOfType(type).filter((found): found is Node => found !== null);

/** One command invocation: its name and its arguments' text. */
interface Command {
    readonly name: string;
    readonly elements: string;
    readonly node: Node;
}

function commands(node: Node): Command[] {
    return nodes(node, "command").map((command) => ({
        name: command.childForFieldName("command_name")?.text ?? "",
        elements: command.childForFieldName("command_elements")?.text ?? "",
        node: command,
    }));
}

/** A PowerShell text read with the grammar: its functions, switches and commands. */
class Script {
    readonly functions = new Map<string, Node>();

    constructor(readonly tree: Tree) {
        for (const statement of nodes(tree.rootNode, "function_statement")) {
            const name = statement.namedChildren.find((child) => child?.type === "function_name")?.text ?? "";
            this.functions.set(lower(name), statement);
        }
    }

    get root(): Node {
        return this.tree.rootNode;
    }

    function(name: string): Node {
        const found = this.functions.get(lower(name));
        assert.ok(found !== undefined, `the script has no function ${name}`);
        return found;
    }

    /** The clauses of the switch over `condition`, by label (quotes removed). */
    switchClauses(condition: string): Map<string, Node> {
        const statement = nodes(this.root, "switch_statement").find((candidate) => candidate.namedChildren[0]?.text === `(${condition})`);
        assert.ok(statement !== undefined, `the script has no switch (${condition})`);
        const clauses = new Map<string, Node>();
        for (const clause of nodes(statement, "switch_clause")) {
            const label = clause.namedChildren[0]?.text.replace(/^['"]|['"]$/g, "") ?? "";
            clauses.set(label, clause.namedChildren[1] as Node);
        }
        return clauses;
    }

    /** The functions of this script a node calls, directly or through other functions. */
    calledFunctions(node: Node, seen = new Set<string>()): Set<string> {
        for (const command of commands(node)) {
            const name = lower(command.name);
            if (this.functions.has(name) && !seen.has(name)) {
                seen.add(name);
                this.calledFunctions(this.functions.get(name) as Node, seen);
            }
        }
        return seen;
    }

    /** The commands a node runs, itself or through the functions it calls. */
    reachableCommands(node: Node): Command[] {
        return [node, ...[...this.calledFunctions(node)].map((name) => this.functions.get(name) as Node)].flatMap(commands);
    }
}

/** The body of a single-quoted here-string assigned to `$name`. */
function hereString(script: Script, name: string): string {
    const assignment = nodes(script.root, "assignment_expression").find((candidate) => candidate.text.startsWith(`$${name} = @'`));
    assert.ok(assignment !== undefined, `no $${name} = @'...'@`);
    const text = nodes(assignment, "verbatim_here_string_characters")[0].text;
    return text.replace(/^@'\r?\n/, "").replace(/\r?\n'@$/, "");
}

const PATH_COMMANDS = ["Push-Location", "Set-Location", "Test-Path", "Resolve-Path", "Get-ChildItem", "Remove-Item", "Get-FileHash", "Expand-Archive", "Add-Content", "Get-Item", "Split-Path", "Get-Content", "Set-Content", "Copy-Item", "Move-Item"];
// Set-AzContext and New-AzStorageContext only select or describe, in this process.
const CHANGES_AZURE = /^(New|Remove|Set|Update)-Az(?!Context$|StorageContext$)|^Remove-DynamicGroup$|^Invoke-PexipScript$|^Merge-DynamicGroupTags$/i;

describe("scripts/pexip-deployment.ps1 (the deployment driver)", () => {
    let driver: Script;
    let session: Script;
    let sessionText: string;
    let driverCode: string;

    before(async () => {
        driver = new Script(await syntaxTree(DRIVER_TEXT));
        driverCode = code(driver.root);
        sessionText = hereString(driver, "pexipSession");
        session = new Script(await syntaxTree(sessionText));
    });

    describe("syntax", () => {
        it("parses without a syntax error, and so does the text Pexip's session runs", () => {
            assert.deepEqual(syntaxErrors(driver.tree), []);
            assert.deepEqual(syntaxErrors(session.tree), []);
        });

        it("the grammar finds syntax errors (the test above can fail)", async () => {
            assert.notDeepEqual(syntaxErrors(await syntaxTree("function f( { if ($x { }")), []);
        });
    });

    describe("environment", () => {
        it("reads exactly the contract's driver variables and the instance count, nothing else", () => {
            const read = new Set([...driverCode.matchAll(/\$\{?env:([A-Za-z_][A-Za-z0-9_]*)/gi)].map((match) => match[1]));
            assert.deepEqual(sorted(read), sorted(new Set([...Object.values(DRIVER_VARIABLES), factVariable(FACTS.instanceCount)])));
        });

        it("reads the environment only through $env:, where the test above sees it", () => {
            const all = [...driverCode.matchAll(/env:/gi)].length;
            const viaVariable = [...driverCode.matchAll(/\$\{?env:/gi)].length;
            assert.equal(all, viaVariable, "env: drive used other than as $env:NAME");
            assert.doesNotMatch(driverCode, /GetEnvironmentVariable|Environment\]::GetEnvironmentVariables/i);
        });
    });

    describe("value sources", () => {
        it("knows every `from` of DriverValue in lib/pexip/deploymentParameters.ts", () => {
            const source = fs.readFileSync(path.join(ROOT, "lib", "pexip", "deploymentParameters.ts"), "utf8");
            const union = /export type DriverValue =([\s\S]*?);\s*\n/.exec(source);
            assert.ok(union !== null, "no DriverValue union in lib/pexip/deploymentParameters.ts");
            const kinds = [...union[1].matchAll(/from:\s*"(\w+)"/g)].map((match) => match[1]);
            assert.deepEqual(sorted(kinds), sorted(Object.keys(FROM_KINDS)));
        });

        it("fills in every value source in one switch, and throws on any other", () => {
            const clauses = driver.switchClauses("$value.from");
            assert.deepEqual(sorted([...clauses.keys()].filter((label) => label !== "default")), sorted(Object.keys(FROM_KINDS)));
            assert.match(clauses.get("default")?.text ?? "", /^\{\s*throw\b/);
            assert.ok(driver.function("ConvertTo-ScriptArguments").text.includes("switch ($value.from)"), "the value sources are filled outside ConvertTo-ScriptArguments");
        });

        it("fills each credential from its own secret, in Pexip's session, and the check from placeholders with the same keys", () => {
            const clauses = driver.switchClauses("$value.from");
            assert.match(clauses.get("adminCredential")?.text ?? "", /\[pscredential\]::new\(\$value\.userName, \(ConvertTo-SecureText \$Values\.adminPassword\)\)/);
            assert.match(clauses.get("appCredential")?.text ?? "", /\[pscredential\]::new\(\$value\.userName, \(ConvertTo-SecureText \$Values\.appSecret\)\)/);
            const hash = (node: Node, variable: string) => {
                const assignment = nodes(node, "assignment_expression").find((candidate) => candidate.text.startsWith(`$${variable} = @{`));
                assert.ok(assignment !== undefined, `no $${variable} = @{ }`);
                return new Map(nodes(assignment, "hash_entry").map((entry) => [entry.namedChildren[0]?.text ?? "", entry.namedChildren.at(-1)?.text ?? ""]));
            };
            const real = hash(session.root, "values");
            assert.deepEqual(Object.fromEntries(real), {
                adminPassword: `$env:${DRIVER_VARIABLES.adminPassword}`,
                appSecret: `$env:${DRIVER_VARIABLES.appSecret}`,
                pfxPath: "$PfxPath",
                pfxPassword: `$env:${DRIVER_VARIABLES.pfxPassword}`,
                instanceCount: `$env:${factVariable(FACTS.instanceCount)}`,
            });
            const placeholders = hash(driver.function("Assert-Parameters"), "placeholders");
            assert.deepEqual(sorted(placeholders.keys()), sorted(real.keys()));
            // Secrets are not in the check's environment: placeholders, typed by the same ConvertTo-ScriptArguments.
            for (const secret of ["adminPassword", "appSecret", "pfxPassword"]) assert.doesNotMatch(placeholders.get(secret) ?? "", /\$env:/);
            assert.equal(placeholders.get("instanceCount"), "Get-InstanceCount");
            assert.match(driver.function("Assert-Parameters").text, /ConvertTo-ScriptArguments \$document\.parameters \$placeholders/);
            assert.match(sessionText, /ConvertTo-ScriptArguments \(\$env:VDX_DEPLOYMENT \| ConvertFrom-Json\)\.parameters \$values/);
        });

        it("(2) binds the PFX password as the script declares it, read from its syntax tree, for any package, and never trusts the document's `as`", () => {
            const decide = driver.function("Test-PfxPasswordIsString").text;
            assert.match(decide, /Find-DeclaredParameter \$ast \$property\.Name/);
            assert.match(decide, /\.StaticType -eq \[string\]/);
            assert.doesNotMatch(driverCode, /\.as\b/);
            const clause = driver.switchClauses("$value.from").get("pfxPassword")?.text ?? "";
            assert.match(clause, /if \(\$PfxPasswordAsString\) \{ \[string\] \$Values\.pfxPassword \} else \{ ConvertTo-SecureText \$Values\.pfxPassword \}/);
            // Both the check and deploy decide from the script: no package source is special.
            assert.match(driver.function("Assert-Parameters").text, /\(Test-PfxPasswordIsString \$ast\)/);
            assert.match(driver.switchClauses("$Action").get("deploy")?.text ?? "", /Invoke-PexipScript \$package\.Script \$pfx \(Test-PfxPasswordIsString \$package\.Ast\)/);
            assert.match(driver.function("Invoke-PexipScript").text, /if \(\$pfxPasswordAsString\) \{ \$sessionArguments \+= '-PfxPasswordAsString' \}/);
            assert.doesNotMatch(driverCode, /package\.PSObject\.Properties\.Name -notcontains 'url'[^\n]*SecureString/);
        });

        it("(3) makes an empty password an empty SecureString, never ConvertTo-SecureString '' (the settings refuse an empty file password; see tests/lib/config/settings.test.ts)", () => {
            const convert = driver.function("ConvertTo-SecureText").text;
            assert.match(convert, /if \(\$Text\.Length -eq 0\) \{ return \[securestring\]::new\(\) \}[\s\S]*ConvertTo-SecureString -String \$Text/);
            const conversions = commands(driver.root).filter((command) => command.name === "ConvertTo-SecureString");
            assert.equal(conversions.length, 1, "ConvertTo-SecureString outside ConvertTo-SecureText");
            assert.match(driver.function("Get-FilePfxPassword").text, /if \(\$null -eq \$password\) \{\s*throw "VDX_PFX_PASSWORD is not set/);
        });
    });

    describe("actions", () => {
        it("takes exactly the contract's actions as its only, mandatory parameter", () => {
            const block = nodes(driver.root, "param_block")[0];
            const parameters = nodes(block.namedChildren.find((child) => child?.type === "parameter_list") as Node, "script_parameter").filter((parameter) => parameter.parent?.type === "parameter_list");
            assert.deepEqual(parameters.map((parameter) => nodes(parameter, "variable").at(-1)?.text), ["$Action"]);
            assert.match(parameters[0].text, /\[Parameter\(Mandatory = \$true\)\]/);
            const validateSet = /\[ValidateSet\(([^)]*)\)\]/.exec(parameters[0].text);
            assert.ok(validateSet !== null, "no ValidateSet on $Action");
            assert.deepEqual(sorted([...validateSet[1].matchAll(/'([^']*)'/g)].map((match) => match[1])), sorted(Object.values(DRIVER_ACTIONS)));
        });

        it("handles each action in its switch", () => {
            assert.deepEqual(sorted(driver.switchClauses("$Action").keys()), sorted(Object.values(DRIVER_ACTIONS)));
        });

        const action = (name: string) => driver.switchClauses("$Action").get(name) as Node;

        it("(6) check reads, without writing, what deploy needs: the package and its checksum, the PFX, the instance count, the parameters bound by PowerShell", () => {
            const check = action(DRIVER_ACTIONS.check);
            const reached = driver.calledFunctions(check);
            for (const needed of ["Get-PackageScript", "Read-Script", "Assert-Parameters", "Test-ParameterBinding", "Assert-Pfx", "Get-PfxSecret", "Get-InstanceCount"]) {
                assert.ok(reached.has(lower(needed)), `check does not reach ${needed}`);
            }
            assert.deepEqual(driver.reachableCommands(check).filter((command) => CHANGES_AZURE.test(command.name)).map((command) => command.name), []);
            // The Key Vault PFX: read (Get permission), and its content type checked.
            const secret = driver.function("Get-PfxSecret").text;
            assert.match(secret, /Get-AzKeyVaultSecret -VaultName \$document\.pfx\.vaultName -Name \$document\.pfx\.secretName -Version \$document\.pfx\.secretVersion/);
            assert.match(secret, /if \(\$secret\.ContentType -ne 'application\/x-pkcs12'\) \{\s*throw/);
            assert.match(driver.function("Get-PackageScript").text, /Get-FileHash -Algorithm SHA256[\s\S]*if \(\$hash -ne \$document\.package\.sha256\.ToUpperInvariant\(\)\) \{\s*throw/);
            // Deploy reads the Key Vault PFX through the same checked function.
            assert.ok(driver.calledFunctions(driver.function("Get-Pfx")).has("get-pfxsecret"));
        });

        it("its parameter check refuses an undeclared name and one given twice, with the settings to change", () => {
            const check = driver.function("Assert-Parameters").text;
            assert.match(check, /does not declare -\$name/);
            assert.match(check, /Group-Object[\s\S]*twice, by its name and an alias/);
        });

        it("deploy checks everything before it removes or creates anything", () => {
            const deploy = action(DRIVER_ACTIONS.deploy);
            const names = commands(deploy).map((command) => command.name);
            const firstChange = names.findIndex((name) => CHANGES_AZURE.test(name));
            assert.ok(names.indexOf("Assert-Deployable") >= 0 && names.indexOf("Assert-Deployable") < firstChange, names.join(", "));
            assert.ok(names.indexOf("Get-Pfx") < firstChange, "the PFX is prepared after the old group is removed");
        });

        it("(4) remove counts only a group missing from the listing as gone: every lookup or removal error fails the step", () => {
            const remove = action(DRIVER_ACTIONS.remove);
            const reached = driver.reachableCommands(remove);
            const lookups = reached.filter((command) => command.name === "Get-AzResourceGroup");
            assert.equal(lookups.length, 1);
            // The whole listing, so that absence is a name not in it, never an error read as "not found".
            assert.doesNotMatch(lookups[0].elements, /-Name\b/);
            assert.match(lookups[0].elements, /-ErrorAction Stop/);
            assert.match(reached.find((command) => command.name === "Remove-AzResourceGroup")?.elements ?? "", /-ErrorAction Stop/);
            const texts = [remove, ...[...driver.calledFunctions(remove)].map((name) => driver.function(name))].map((node) => code(node));
            for (const text of texts) assert.doesNotMatch(text, /SilentlyContinue|-ErrorAction Ignore|\btry\b|\btrap\b/);
            assert.match(driver.function("Test-DynamicGroup").text, /Where-Object \{ \$_\.ResourceGroupName -eq \$document\.resourceGroup \}/);
        });

        it("(9) update merges the tags into the group's, never replacing them; nothing else", () => {
            const azure = driver.reachableCommands(action(DRIVER_ACTIONS.update)).filter((command) => /-Az/.test(command.name));
            assert.deepEqual(azure.map((command) => command.name), ["Get-AzResourceGroup", "Update-AzTag"]);
            assert.match(azure[1].elements, /-ResourceId \$group\.ResourceId -Tag \(Get-Tags\) -Operation Merge/);
            assert.ok(!commands(driver.root).some((command) => command.name === "Set-AzResourceGroup"), "Set-AzResourceGroup -Tag replaces every tag");
        });

        it("(7) scale sets only the capacity, from a count refused unless a whole number of at least 1", () => {
            const scale = action(DRIVER_ACTIONS.scale);
            assert.match(scale.text, /Update-AzVmss -ResourceGroupName \$document\.resourceGroup -VMScaleSetName \$document\.scaleSetName -SkuCapacity \(Get-InstanceCount\)/);
            // No model read back and written whole: that PUT would carry everything Pexip's script set.
            assert.doesNotMatch(scale.text, /Get-AzVmss|-VirtualMachineScaleSet\b/);
            const count = driver.function("Get-InstanceCount").text;
            assert.match(count, /\[int\]::TryParse\(\$text, \[Globalization\.NumberStyles\]::None/);
            assert.match(count, /if \(-not \$isNumber -or \$count -lt 1\) \{\s*throw/);
            // The old defect: an unset or empty variable cast to [int] is 0.
            assert.doesNotMatch(driverCode, /\[int\]\s*\$env:/i);
        });

        it("deletes what it wrote (the package, a PFX, Pexip's session) whatever happens", () => {
            const main = nodes(driver.root, "try_statement").at(-1) as Node;
            assert.match(main.text, /\}\s*finally\s*\{\s*foreach \(\$item in \$temporary\) \{ Remove-Item -LiteralPath \$item -Recurse -Force/);
            assert.match(driver.function("New-TemporaryFolder").text, /\$temporary\.Add/);
            assert.doesNotMatch(driverCode, /GetTempFileName|Join-Path \(\[IO\.Path\]::GetTempPath\(\)\)[^\n]*\.(zip|pfx|ps1)/);
        });
    });

    describe("Pexip's script, in a fresh session (1, 5)", () => {
        it("(1) runs it in a child pwsh process, the running pwsh, without profile or prompts, never in the driver's runspace", () => {
            const invoke = driver.function("Invoke-PexipScript").text;
            assert.match(invoke, /\$pwsh = \[Environment\]::ProcessPath/);
            assert.match(invoke, /\$sessionArguments = @\('-NoLogo', '-NoProfile', '-NonInteractive', '-File', \$session, '-Script', \$script,/);
            assert.match(invoke, /& \$pwsh @sessionArguments 2>&1 \|/);
            // Nothing of the package is invoked in the driver itself, nor in a runspace sharing its assemblies.
            const invoked = nodes(driver.root, "command").filter((command) => command.text.startsWith("&")).map((command) => command.childForFieldName("command_name")?.text ?? command.text.split(/\s/)[1]);
            assert.deepEqual(invoked.filter((name) => /script/i.test(name)), []);
            assert.doesNotMatch(driverCode.replace(sessionText, ""), /runspacefactory|\[powershell\]::Create|Import-Module/i);
        });

        it("(1) the session runs Pexip's script in its own scope with PowerShell's defaults, outside any try, with none of the driver's functions left", () => {
            const call = commands(session.root).find((command) => command.node.text.startsWith("& $Script"));
            assert.ok(call !== undefined, "the session does not run & $Script");
            assert.equal(call.node.text, "& $Script @arguments");
            for (let node: Node | null = call.node; node !== null; node = node.parent) assert.notEqual(node.type, "try_statement");
            assert.doesNotMatch(sessionText, /Set-StrictMode|\$ErrorActionPreference|\btrap\b|\btry\b/);
            // The driver's helpers go before Pexip's script runs; only they are shipped to the session.
            const shipped = /foreach \(\$name in ([^)]*)\)/.exec(driver.function("Invoke-PexipScript").text);
            assert.ok(shipped !== null);
            const names = [...shipped[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
            const used = commands(session.root).map((command) => command.name).filter((name) => driver.functions.has(lower(name)));
            assert.deepEqual(sorted(new Set(used)), ["ConvertTo-ScriptArguments"]);
            assert.ok(names.includes("ConvertTo-ScriptArguments") && names.includes("ConvertTo-SecureText"));
            const removal = sessionText.indexOf("Remove-Item -LiteralPath 'Function:ConvertTo-ScriptArguments', 'Function:ConvertTo-SecureText'");
            assert.ok(removal >= 0 && removal < sessionText.indexOf("& $Script"));
            assert.match(sessionText, /Set-Location -LiteralPath \(\[IO\.Path\]::GetDirectoryName\(\$Script\)\)/);
        });

        it("(1) loads the Az versions the package's #Requires asks for before Az.Accounts is used, and the operator's saved context on the stack's subscription for that process only", () => {
            const order = ["Import-Module -FullyQualifiedName $module -ErrorAction Stop", "Disable-AzContextAutosave -Scope Process -ErrorAction Stop", "Set-AzContext -Subscription $SubscriptionId -ErrorAction Stop", "& $Script"];
            const at = order.map((text) => sessionText.indexOf(text));
            assert.ok(at.every((index, i) => index >= 0 && (i === 0 || index > at[i - 1])), JSON.stringify(at));
            assert.match(sessionText, /\.ScriptRequirements[\s\S]*foreach \(\$module in \$requirements\.RequiredModules\)/);
            // No context or token written to a file by the driver.
            assert.doesNotMatch(DRIVER_TEXT, /Save-AzContext|Import-AzContext|Enable-AzContextAutosave/);
        });

        it("(5) fails on the script's exit status or a terminating error, and a native command's leftover exit code is only a warning", () => {
            const call = sessionText.indexOf("& $Script @arguments");
            assert.match(sessionText.slice(call), /^& \$Script @arguments\r?\n\$scriptSucceeded = \$\?\r?\n/);
            assert.match(sessionText, /if \(-not \$scriptSucceeded -and \$LASTEXITCODE -ne 0\) \{ exit \$LASTEXITCODE \}/);
            assert.match(sessionText, /if \(\$LASTEXITCODE -ne 0\) \{ Write-Warning "A native command in Pexip's script exited with \$LASTEXITCODE; the script carried on and ended normally\." \}\r?\nexit 0\s*$/);
            const invoke = driver.function("Invoke-PexipScript").text;
            assert.match(invoke, /\}\r?\n\s*\$exitCode = \$LASTEXITCODE/);
            assert.match(invoke, /if \(\$exitCode -ne 0\) \{\s*throw/);
            // Errors the script only writes do not stop it: the scale set it was to create must be there, provisioned.
            const afterRun = invoke.slice(invoke.indexOf("$exitCode = $LASTEXITCODE"));
            assert.match(afterRun, /Get-AzVmss -ResourceGroupName \$document\.resourceGroup -VMScaleSetName \$document\.scaleSetName/);
            assert.match(afterRun, /ProvisioningState -ne 'Succeeded'\) \{[\s\S]*throw/);
        });

        it("the session's preamble stops on its own errors, so Pexip's script never runs on the wrong subscription", () => {
            const preamble = session.root.text.slice(0, sessionText.indexOf("& $Script"));
            for (const command of commands(session.root).filter((found) => /-Az|^Import-Module$|^Set-Location$/.test(found.name) && found.node.startIndex < preamble.length)) {
                if (command.name !== "Set-Location") assert.match(command.elements, /-ErrorAction Stop/, command.name);
            }
        });
    });

    describe("secrets", () => {
        const OUTPUT = /\b(Write-Host|Write-Output|Write-Verbose|Write-Information|Write-Warning|Write-Debug|Write-Error|Write-Progress|Out-Host|Out-Default|Out-File|Set-Content|Add-Content|echo|throw)\b/i;
        const SECRET_VALUE = /\$\{?env:|\$password\b|\$pfx\.Password\b|\$base64\b|\$secret\.SecretValue|\$Values\.|\$values\b|\$arguments\b/i;

        it("never writes an environment variable, a password or an argument to output, except Pexip's script's masked lines", () => {
            for (const text of [driverCode, code(session.root)]) {
                const offending = text.split("\n").filter((line) => OUTPUT.test(line) && SECRET_VALUE.test(line));
                assert.deepEqual(offending, []);
            }
        });

        it("never expands an environment variable inside a double-quoted string", () => {
            for (const script of [driver, session]) {
                assert.deepEqual(nodes(script.root, "expandable_string_literal").map((node) => node.text).filter((text) => /\$\{?env:/i.test(text)), []);
            }
        });

        it("passes secrets to Pexip's session by the environment only, never its command line", () => {
            const invoke = driver.function("Invoke-PexipScript").text;
            const line = /\$sessionArguments = @\(([^)]*)\)/.exec(invoke)?.[1] ?? "";
            assert.doesNotMatch(line, /password|env:|secret/i);
            assert.match(invoke, /\$env:VDX_PFX_PASSWORD = \$pfx\.Password\r?\n\s*\$secrets = Get-SecretValues/);
        });

        it("(9) masks, in Pexip's script's output and its log, every value of each VDX_ secret variable and each line of it", () => {
            const values = driver.function("Get-SecretValues");
            const read = new Set([...values.text.matchAll(/\$env:([A-Z_]+)/g)].map((match) => match[1]));
            assert.deepEqual(sorted(read), sorted(DRIVER_SECRET_VARIABLES));
            assert.match(values.text, /\$value\r?\n\s*\$value -split '\\r\?\\n' \| Where-Object \{ \$_ \}/);
            // Longest first, so that a value is masked whole before any line of it.
            assert.match(values.text, /Select-Object -Unique \| Sort-Object -Property Length -Descending/);
            assert.match(driver.function("Hide-Secrets").text, /foreach \(\$secret in \$secrets\) \{ \$line = \$line\.Replace\(\$secret, '\[secret\]', \[StringComparison\]::Ordinal\) \}/);
            const invoke = driver.function("Invoke-PexipScript").text;
            assert.match(
                invoke,
                /& \$pwsh @sessionArguments 2>&1 \| ForEach-Object \{\s*\$line = Hide-Secrets \(\[string\] \$_\) \$secrets\s*Add-Content -LiteralPath \$log -Value \$line\s*\$line \| Out-Host\s*\}/,
            );
            assert.match(invoke, /Write-Host "Pexip's script's output, secrets masked, is kept in \$log"/);
        });

        it("does not record or trace what it runs", () => {
            assert.doesNotMatch(driverCode + sessionText, /Start-Transcript|Set-PSDebug/i);
        });
    });

    describe("keys, paths (8, 9)", () => {
        it("(8) imports the PFX with an ephemeral key set where the OS can, and disposes every certificate in finally", () => {
            const pfx = driver.function("Get-Pfx");
            assert.match(pfx.text, /if \(-not \$IsMacOS\) \{ \$flags = \$flags -bor \[Security\.Cryptography\.X509Certificates\.X509KeyStorageFlags\]::EphemeralKeySet \}/);
            const attempt = nodes(pfx, "try_statement")[0];
            assert.ok(attempt !== undefined, "no try/finally in Get-Pfx");
            assert.match(attempt.text, /^try \{\s*\$certificates\.Import\(\[Convert\]::FromBase64String\(\$base64\), \$null, \$flags\)[\s\S]*\.Export\(/);
            assert.match(nodes(attempt, "finally_clause")[0]?.text ?? "", /foreach \(\$certificate in \$certificates\) \{ \$certificate\.Dispose\(\) \}/);
        });

        it("(9) names every path that is not a pattern with -LiteralPath", () => {
            for (const script of [driver, session]) {
                for (const command of commands(script.root).filter((found) => PATH_COMMANDS.includes(found.name))) {
                    assert.match(command.elements, /(^|\s)-LiteralPath\b/, `${command.name}${command.elements}`);
                    assert.doesNotMatch(command.elements, /(^|\s)-Path\b/, `${command.name}${command.elements}`);
                }
            }
            assert.doesNotMatch(driverCode, /Push-Location|Split-Path/);
        });
    });

    describe("the binding check (issue 18)", () => {
        it("binds in a -NonInteractive pwsh, where a missing mandatory parameter is an error, not a prompt", () => {
            assert.ok(DRIVER_COMMAND.includes("-NonInteractive"));
        });

        it("binds a script block of the param block alone: namespaces, the param block's attributes, each parameter whole; never the body, a module or a dynamicparam block", () => {
            const bind = driver.function("Test-ParameterBinding").text;
            assert.match(bind, /\$ast\.UsingStatements \| Where-Object \{ \$_\.UsingStatementKind -eq 'Namespace' \}/);
            assert.match(bind, /@\(\$paramBlock\.Attributes \| ForEach-Object \{ \$_\.Extent\.Text \}\)/);
            assert.match(bind, /'param\(' \+ \(@\(\$paramBlock\.Parameters \| ForEach-Object \{ \$_\.Extent\.Text \}\) -join ",`n"\) \+ '\)'/);
            assert.match(bind, /\$binder = \[scriptblock\]::Create\(\$text\)/);
            assert.match(bind, /& \$binder @arguments/);
            assert.doesNotMatch(bind, /BeginBlock|ProcessBlock|EndBlock|DynamicParamBlock|\$ast\.Extent|ScriptBlock\.Invoke|Invoke-Expression|& \$script|\. \$script/i);
        });

        it("judges the binding under PowerShell's defaults, as Pexip's session will", () => {
            const bind = driver.function("Test-ParameterBinding").text;
            assert.match(bind, /& \{\s*Set-StrictMode -Off\s*\$ErrorActionPreference = 'Continue'\s*& \$binder @arguments\s*\} \| Out-Null/);
        });

        it("reports each refusal PowerShell makes as one line naming the parameter; anything else as one line too", () => {
            const bind = driver.function("Test-ParameterBinding");
            const catches = nodes(bind, "catch_clause");
            assert.equal(catches.length, 2);
            // ParameterBindingException covers a missing mandatory parameter, an unknown one, an ambiguous parameter
            // set, and (ParameterBindingValidationException, ...ArgumentTransformationException) Validate* and type failures.
            assert.equal(nodes(catches[0], "catch_type_list")[0]?.text, "[Management.Automation.ParameterBindingException]");
            assert.match(catches[0].text, /\$_\.Exception\.ParameterName/);
            assert.match(catches[0].text, /throw "\$script refuses \$parameter as PowerShell binds the stack's parameters: \$\(\(\$_\.Exception\.Message -split '\\r\?\\n' \| Where-Object \{ \$_ \}\) -join ' '\)"/);
            assert.equal(nodes(catches[1], "catch_type_list").length, 0);
            assert.match(catches[1].text, /throw "PowerShell cannot bind[^"]*-join ' '\)"/);
        });

        /**
         * Param blocks with each rule PowerShell enforces when it binds, and what it does with the
         * stack's arguments. PowerShell cannot run here, so each row asserts that what the driver
         * binds (the pieces Test-ParameterBinding takes, read with the grammar) carries the rule
         * and none of the script's body, which would otherwise run.
         */
        /** What Test-ParameterBinding makes of a script: its param block's attributes and each parameter whole, in param(). */
        async function binderText(script: string): Promise<string> {
            const tree = await syntaxTree(script);
            assert.deepEqual(syntaxErrors(tree), []);
            const block = nodes(tree.rootNode, "param_block")[0];
            const attributes = block.namedChildren.filter((child): child is Node => child?.type === "attribute_list").map((list) => list.text);
            const list = block.namedChildren.find((child) => child?.type === "parameter_list") as Node;
            const parameters = list.namedChildren.filter((child): child is Node => child?.type === "script_parameter").map((parameter) => parameter.text);
            return [...attributes, `param(${parameters.join(",\n")})`].join("\n");
        }

        // The offline check's table (tests/lib/pexip/parameterBinding.test.ts runs it there): PowerShell is
        // handed every attribute a case's verdict rests on, and nothing of the script's body.
        for (const { name, script, expected } of BINDING_CASES) {
            it(`gives PowerShell what it judges for: ${name}`, async () => {
                const body = "\nRemove-AzResourceGroup -Name everything -Force\n";
                const binder = await binderText(script + body);
                const block = script.slice(script.search(/\[CmdletBinding|param\s*\(/i));
                for (const attribute of block.match(/\[(?:CmdletBinding|Parameter|Validate\w+|Allow\w+|Alias)\([^\]]*\)\]/gi) ?? []) assert.ok(binder.includes(attribute), `${attribute} is not handed to PowerShell`);
                if (!expected.binds && expected.rule.startsWith("[")) assert.ok(binder.includes(expected.rule), `${expected.rule} is not handed to PowerShell`);
                assert.doesNotMatch(binder, /Remove-AzResourceGroup/);
                // The grammar wants a statement after a param block; PowerShell does not.
                assert.deepEqual(syntaxErrors(await syntaxTree(`${binder}\n$null`)), []);
            });
        }
    });
});
