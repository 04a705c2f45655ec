import assert from "node:assert/strict";
import * as fs from "fs";
import { declaredParameter, DeclaredParameter, ParamBlockError, readParameters } from "../../lib/powershellParameters";
import { FIXTURE_SCRIPTS } from "../support/pexipPackage";

/** Our own fixture scripts (not Pexip's code): a current single-app shape and an older two-app one. */
const FILES = { "single-app": FIXTURE_SCRIPTS.singleApp, "two-app": FIXTURE_SCRIPTS.twoApp } as const;
const fixture = (shape: keyof typeof FILES) => fs.readFileSync(FILES[shape], "utf8");

function byName(parameters: readonly DeclaredParameter[], name: string): DeclaredParameter {
    const found = parameters.find((parameter) => parameter.name === name);
    assert.ok(found !== undefined, `no parameter ${name} among ${parameters.map((parameter) => parameter.name).join(", ")}`);
    return found;
}

function refuses(script: string, fragment: RegExp) {
    assert.throws(
        () => readParameters(script),
        (error: unknown) => {
            assert.ok(error instanceof ParamBlockError, `expected a ParamBlockError, got ${error}`);
            assert.match(error.message, fragment);
            return true;
        },
    );
}

describe("readParameters", () => {
    describe("the single-app fixture", () => {
        const parameters = readParameters(fixture("single-app"));

        it("reads every parameter's name, in order, despite comments, strings and a here-string", () => {
            assert.deepEqual(
                parameters.map((parameter) => parameter.name),
                [
                    "SubscriptionId",
                    "ResourceGroupName",
                    "VmssName",
                    "VMAdminCredential",
                    "PfxPath",
                    "PfxPassword",
                    "TeamsConnectorFqdn",
                    "PexipFqdns",
                    "instanceCount",
                    "AppCredential",
                    "StaticResourcesResourceGroupName",
                    "PublicIPAddressResourceName",
                    "RdpSourceAddressPrefixes",
                    "PexipSourceAddressPrefixes",
                    "IncidentReporting",
                    "Encryption",
                    "VmSize",
                    "Tier",
                    "DiskSizeGb",
                    "Tags",
                    "Untyped",
                    "Notes",
                ],
            );
        });

        it("reads Mandatory however it is written, and Mandatory = $false and no [Parameter()] as optional", () => {
            assert.equal(byName(parameters, "SubscriptionId").mandatory, true, "[Parameter(Mandatory)]");
            assert.equal(byName(parameters, "ResourceGroupName").mandatory, true, "[Parameter(Mandatory = $true)]");
            assert.equal(byName(parameters, "VmssName").mandatory, true, "[Parameter(Mandatory=$True, HelpMessage = ...)]");
            assert.equal(byName(parameters, "PfxPassword").mandatory, false, "[Parameter(Mandatory = $false)]");
            assert.equal(byName(parameters, "IncidentReporting").mandatory, false, "no [Parameter()]");
            assert.equal(byName(parameters, "Tier").mandatory, false, "[Parameter(HelpMessage = ...)]");
            assert.deepEqual(
                parameters.filter((parameter) => parameter.mandatory).map((parameter) => parameter.name),
                [
                    "SubscriptionId",
                    "ResourceGroupName",
                    "VmssName",
                    "VMAdminCredential",
                    "PfxPath",
                    "TeamsConnectorFqdn",
                    "PexipFqdns",
                    "instanceCount",
                    "AppCredential",
                    "StaticResourcesResourceGroupName",
                    "PublicIPAddressResourceName",
                ],
            );
        });

        it("reads each type's kind, and the type as written", () => {
            const kinds = Object.fromEntries(parameters.map((parameter) => [parameter.name, [parameter.kind, parameter.type]]));
            assert.deepEqual(kinds, {
                SubscriptionId: ["string", "string"],
                ResourceGroupName: ["string", "string"],
                VmssName: ["string", "string"],
                VMAdminCredential: ["credential", "pscredential"],
                PfxPath: ["string", "string"],
                PfxPassword: ["securestring", "securestring"],
                TeamsConnectorFqdn: ["string", "string"],
                PexipFqdns: ["array", "string[]"],
                instanceCount: ["integer", "int"],
                // [System.Management.Automation.Credential()] is an attribute, not the type.
                AppCredential: ["credential", "System.Management.Automation.PSCredential"],
                StaticResourcesResourceGroupName: ["string", "string"],
                PublicIPAddressResourceName: ["string", "string"],
                RdpSourceAddressPrefixes: ["array", "string[]"],
                PexipSourceAddressPrefixes: ["array", "string[]"],
                IncidentReporting: ["switch", "switch"],
                Encryption: ["bool", "bool"],
                VmSize: ["string", "string"],
                Tier: ["string", "string"],
                DiskSizeGb: ["integer", "int"],
                Tags: ["other", "hashtable"],
                Untyped: ["other", ""],
                Notes: ["string", "string"],
            });
        });

        it("keeps each default value's text, and none where the script gives none", () => {
            const defaults = Object.fromEntries(parameters.filter((parameter) => parameter.defaultText !== undefined).map((parameter) => [parameter.name, parameter.defaultText]));
            assert.deepEqual(defaults, {
                RdpSourceAddressPrefixes: "@()",
                PexipSourceAddressPrefixes: "@()",
                Encryption: "$true",
                VmSize: "'Standard_D4s_v5'",
                Tier: "'Standard'",
                DiskSizeGb: "128",
                Tags: "@{ owner = 'pexip'; note = 'a, b (c)' }",
                Notes: "@'\nDeployed by Pexip's script, (not by hand), with care.\n'@",
            });
            assert.equal("defaultText" in byName(parameters, "IncidentReporting"), false);
        });
    });

    describe("the two-app fixture", () => {
        const parameters = readParameters(fixture("two-app"));

        it("reads both application credentials as mandatory credentials, and no AppCredential or PfxPassword", () => {
            for (const name of ["TrustedAppCredential", "GuestAppCredential"]) {
                assert.deepEqual(byName(parameters, name), { name, mandatory: true, kind: "credential", type: "PSCredential" });
            }
            const names = parameters.map((parameter) => parameter.name.toLowerCase());
            assert.equal(names.includes("appcredential"), false);
            assert.equal(names.includes("pfxpassword"), false);
        });

        it("reads IncidentReporting and Encryption as optional [bool]s with their defaults", () => {
            assert.deepEqual(byName(parameters, "IncidentReporting"), { name: "IncidentReporting", mandatory: false, kind: "bool", type: "bool", defaultText: "$false" });
            assert.deepEqual(byName(parameters, "Encryption"), { name: "Encryption", mandatory: false, kind: "bool", type: "bool", defaultText: "$true" });
        });

        it("reads the 16 parameters of Pexip's older public commands", () => {
            assert.deepEqual(
                parameters.map((parameter) => parameter.name),
                [
                    "SubscriptionId",
                    "ResourceGroupName",
                    "VmssName",
                    "VMAdminCredential",
                    "PfxPath",
                    "TeamsConnectorFqdn",
                    "PexipFqdns",
                    "instanceCount",
                    "TrustedAppCredential",
                    "GuestAppCredential",
                    "StaticResourcesResourceGroupName",
                    "PublicIPAddressResourceName",
                    "IncidentReporting",
                    "Encryption",
                    "RdpSourceAddressPrefixes",
                    "PexipSourceAddressPrefixes",
                ],
            );
        });
    });

    describe("comments", () => {
        it("reads a param block that holds only a comment as no parameters", () => {
            assert.deepEqual(readParameters("param(\n    # none\n)\n"), []);
        });

        it("understands a block comment inside [Parameter()] and drops a comment after a default", () => {
            const [first, last] = readParameters("param(\n    [Parameter(Mandatory = $true <# always #>)] [string] $A,\n    [string] $B = 'y' # last\n)");
            assert.equal(first.mandatory, true);
            assert.equal(last.defaultText, "'y'");
        });
    });

    describe("types", () => {
        it("recognises full .NET type names and the other spellings of each kind", () => {
            const parameters = readParameters(
                "param([System.String] $A, [Int32] $B, [System.Int64] $C, [long] $C2, [uint32] $C3, [System.Boolean] $D, [boolean] $D2," +
                    " [System.Management.Automation.SwitchParameter] $E, [System.Security.SecureString] $F, [Security.SecureString] $F2," +
                    " [System.Collections.Generic.List[string]] $G, [int[]] $H, [object] $I, [double] $J," +
                    " [System.Management.Automation.PSCredential] $K, [PSCredential] $K2, [STRING] $L)",
            );
            assert.deepEqual(
                parameters.map((parameter) => `${parameter.name}:${parameter.kind}`),
                [
                    "A:string",
                    "B:integer",
                    "C:integer",
                    "C2:integer",
                    "C3:integer",
                    "D:bool",
                    "D2:bool",
                    "E:switch",
                    "F:securestring",
                    "F2:securestring",
                    "G:array",
                    "H:array",
                    "I:other",
                    "J:other",
                    "K:credential",
                    "K2:credential",
                    "L:string",
                ],
            );
        });

        it("treats validation attributes, bare or with arguments, as attributes and not as the type", () => {
            const [parameter] = readParameters(
                "param([Parameter(Mandatory)] [ValidateNotNullOrEmpty] [AllowNull()] [ValidateScript({ $_ -match '^(a|b)$' })] [Alias('X', 'Y')] [string] $Name)",
            );
            assert.deepEqual(parameter, { name: "Name", mandatory: true, kind: "string", type: "string", aliases: ["X", "Y"] });
        });

        it("reads an untyped parameter as kind other with an empty type", () => {
            assert.deepEqual(readParameters("param($A = 5)"), [{ name: "A", mandatory: false, kind: "other", type: "", defaultText: "5" }]);
        });
    });

    describe("aliases", () => {
        const declared = readParameters(
            "param(\n" +
                "    [Parameter(Mandatory)] [Alias('AppCredential', \"TrustedAppCredential\")] [pscredential] $ApplicationCredential,\n" +
                "    [System.Management.Automation.AliasAttribute('Pfx')] [Alias('it''s')] [string] $PfxPath,\n" +
                "    [Alias()] [string] $Plain\n" +
                ")",
        );

        it("reads every [Alias()] however it is spelled and quoted, and leaves aliases out where there are none", () => {
            assert.deepEqual(
                declared.map((parameter) => [parameter.name, parameter.aliases]),
                [
                    ["ApplicationCredential", ["AppCredential", "TrustedAppCredential"]],
                    ["PfxPath", ["Pfx", "it's"]],
                    ["Plain", undefined],
                ],
            );
        });

        it("finds a parameter by its name or an alias, case-insensitively as PowerShell binds -Name", () => {
            for (const name of ["ApplicationCredential", "applicationcredential", "AppCredential", "TRUSTEDAPPCREDENTIAL"]) {
                assert.equal(declaredParameter(declared, name)?.name, "ApplicationCredential", name);
            }
            assert.equal(declaredParameter(declared, "pfx")?.name, "PfxPath");
            assert.equal(declaredParameter(declared, "GuestAppCredential"), undefined);
        });

        it("refuses an alias PowerShell would compute", () => {
            refuses("param([Alias($name)] [string] $A)", /cannot read the alias \$name/);
            refuses('param([Alias("App$suffix")] [string] $A)', /cannot read the alias/);
        });
    });

    describe("Mandatory", () => {
        it("accepts Mandatory = 1 and refuses Mandatory = 0", () => {
            const parameters = readParameters("param([Parameter(Mandatory = 1)] [string] $A, [Parameter(Mandatory = 0)] [string] $B)");
            assert.deepEqual(
                parameters.map((parameter) => parameter.mandatory),
                [true, false],
            );
        });

        it("is mandatory only when every parameter set that declares the parameter makes it so", () => {
            const parameters = readParameters(
                "param([Parameter(Mandatory, ParameterSetName='A')] [Parameter(ParameterSetName='B')] [string] $OnlyInA," +
                    " [Parameter(Mandatory, ParameterSetName='A')] [Parameter(Mandatory, ParameterSetName='B')] [string] $InBoth)",
            );
            assert.deepEqual(
                parameters.map((parameter) => [parameter.name, parameter.mandatory]),
                [
                    ["OnlyInA", false],
                    ["InBoth", true],
                ],
            );
        });

        it("does not take a HelpMessage that says Mandatory for the Mandatory argument", () => {
            const [parameter] = readParameters("param([Parameter(HelpMessage = 'Mandatory')] [string] $A)");
            assert.equal(parameter.mandatory, false);
        });

        it("is case-insensitive, like PowerShell", () => {
            const [parameter] = readParameters("PARAM([parameter(MANDATORY = $TRUE)] [STRING] $A)");
            assert.equal(parameter.mandatory, true);
        });
    });

    describe("comments and strings", () => {
        it("skips what stands before the param block: #Requires, comments, using lines and script attributes", () => {
            const script =
                "#Requires -Version 7.0\n<# help, with a ( #>\nusing namespace System.Text\n[CmdletBinding(DefaultParameterSetName = 'a,(b')]\n[OutputType([string])]\nparam([string] $A)";
            assert.deepEqual(readParameters(script), [{ name: "A", mandatory: false, kind: "string", type: "string" }]);
        });

        it("does not split at commas, or close at parentheses, inside comments and strings", () => {
            const script = [
                "param(",
                "    # a comment, with a comma, an apostrophe (don't) and a (",
                "    [Parameter(HelpMessage = 'it''s, (fine')] [string] $A,",
                '    [Parameter(HelpMessage = "say `"hi`", (ok"")")] [string] $B,',
                "    <# a block comment, with ) and ' #>",
                "    [string] $C = (Get-Date).ToString('yyyy, MM'),",
                "    [int] $D = 3",
                ")",
            ].join("\n");
            assert.deepEqual(
                readParameters(script).map((parameter) => [parameter.name, parameter.defaultText]),
                [
                    ["A", undefined],
                    ["B", undefined],
                    ["C", "(Get-Date).ToString('yyyy, MM')"],
                    ["D", "3"],
                ],
            );
        });

        it("reads single- and double-quoted here-strings, with LF and with CRLF line ends", () => {
            const lf = readParameters('param(\n [string] $A = @"\nx, (y $(1)\n"@,\n [int] $B\n)');
            assert.deepEqual(
                lf.map((parameter) => parameter.name),
                ["A", "B"],
            );
            assert.equal(lf[0].defaultText, '@"\nx, (y $(1)\n"@');
            const crlf = readParameters("param(\r\n [string] $A = @'\r\nx, (y\r\n'@\r\n, [int] $B\r\n)");
            assert.deepEqual(
                crlf.map((parameter) => parameter.name),
                ["A", "B"],
            );
            assert.equal(crlf[0].defaultText, "@'\r\nx, (y\r\n'@");
        });

        it("ends a here-string only at a closing quote at the start of a line", () => {
            const parameters = readParameters("param([string] $A = @'\nx\n  '@ still inside, )\n'@, [int] $B)");
            assert.deepEqual(
                parameters.map((parameter) => parameter.name),
                ["A", "B"],
            );
        });

        it("reads ${braced} and scoped variable names", () => {
            assert.deepEqual(
                readParameters("param([string] ${My Var}, [int] $script:Count)").map((parameter) => parameter.name),
                ["My Var", "Count"],
            );
        });

        it("reads an empty param block as no parameters", () => {
            assert.deepEqual(readParameters("param()"), []);
            assert.deepEqual(readParameters("[CmdletBinding()]\nparam (\n)\n"), []);
        });
    });

    describe("encoding", () => {
        it("the fixtures are written without a byte-order mark", () => {
            for (const shape of ["single-app", "two-app"] as const) {
                const bytes = fs.readFileSync(FILES[shape]);
                assert.notDeepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], shape);
                assert.notDeepEqual([...bytes.subarray(0, 2)], [0xff, 0xfe], shape);
            }
        });

        it("reads a script whose text still begins with a byte-order mark", () => {
            assert.deepEqual(readParameters(`\uFEFF${fixture("single-app")}`), readParameters(fixture("single-app")));
        });
    });

    describe("scripts it cannot read", () => {
        it("refuses a script without a param block", () => {
            refuses("Write-Host 'hello'\n", /does not begin with a param/);
            refuses("", /does not begin with a param/);
        });

        it("refuses a param block that comes after other statements, or one inside a function only", () => {
            refuses("Write-Host 'hi'\nparam([string] $A)", /does not begin with a param/);
            refuses("function f { param($x) }\n", /does not begin with a param/);
        });

        it("does not take a word that begins with param for the keyword", () => {
            refuses("parameters = 1\n", /does not begin with a param/);
        });

        it("refuses param without a parenthesis", () => {
            refuses("param\n$A", /not followed by \(/);
        });

        it("refuses an unclosed param block", () => {
            refuses("param(\n    [string] $A,\n    [int] $B\n", /never closed/);
            refuses("[CmdletBinding()]\nparam(\n    [Parameter(Mandatory)] [string] $A\n", /never closed/);
        });

        it("refuses an unclosed string, here-string, comment or attribute", () => {
            refuses("param([string] $A = 'x)", /quoted string is never closed/);
            refuses("param([string] $A = @'\nx)\n", /here-string is never closed/);
            refuses("<# never closed\nparam([string] $A)", /comment is never closed/);
            refuses("param([Parameter(Mandatory) [string] $A)", /unbalanced|never closed/);
        });

        it("refuses a parameter without a variable", () => {
            refuses("param([string] A)", /cannot read the parameter/);
        });
    });
});
