import assert from "node:assert/strict";
import * as fs from "fs";
import { declaredParameter, DeclaredParameter, ParamBlockError, parsePowerShell, readParamBlock, readParameters } from "../../../lib/pexip/powershellParameters";
import { FIXTURE_SCRIPTS } from "../../support/pexipPackage";
import { REFUSED_VARIANTS, signature, SYNTAX_VARIANTS } from "../../fixtures/pexip/syntaxVariants";

/** Our own fixture scripts (not Pexip's code): a current single-app shape and an older two-app one. */
const FILES = { "single-app": FIXTURE_SCRIPTS.singleApp, "two-app": FIXTURE_SCRIPTS.twoApp } as const;
const fixture = (shape: keyof typeof FILES) => fs.readFileSync(FILES[shape], "utf8");

/** What the two-app tests compare: the parameter without its attributes. */
const pick = (parameter: DeclaredParameter) => ({
    name: parameter.name,
    mandatory: parameter.mandatory,
    kind: parameter.kind,
    type: parameter.type,
    ...(parameter.default === undefined ? {} : { default: parameter.default.text }),
});

function byName(parameters: readonly DeclaredParameter[], name: string): DeclaredParameter {
    const found = parameters.find((parameter) => parameter.name === name);
    assert.ok(found !== undefined, `no parameter ${name} among ${parameters.map((parameter) => parameter.name).join(", ")}`);
    return found;
}

async function refuses(script: string, fragment: RegExp) {
    await assert.rejects(readParameters(script), (error: unknown) => {
        assert.ok(error instanceof ParamBlockError, `expected a ParamBlockError, got ${error}`);
        assert.match(error.message, fragment);
        return true;
    });
}

describe("readParameters", () => {
    describe("the single-app fixture", () => {
        let parameters: DeclaredParameter[];
        before(async () => {
            parameters = await readParameters(fixture("single-app"));
        });

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

        it("keeps each default value's text and its value when it is a literal, and none where the script gives none", () => {
            const defaults = Object.fromEntries(parameters.filter((parameter) => parameter.default !== undefined).map((parameter) => [parameter.name, parameter.default]));
            assert.deepEqual(defaults, {
                RdpSourceAddressPrefixes: { text: "@()", literal: true, value: [] },
                PexipSourceAddressPrefixes: { text: "@()", literal: true, value: [] },
                Encryption: { text: "$true", literal: true, value: true },
                VmSize: { text: "'Standard_D4s_v5'", literal: true, value: "Standard_D4s_v5" },
                Tier: { text: "'Standard'", literal: true, value: "Standard" },
                DiskSizeGb: { text: "128", literal: true, value: 128 },
                Tags: { text: "@{ owner = 'pexip'; note = 'a, b (c)' }", literal: false },
                Notes: { text: "@'\nDeployed by Pexip's script, (not by hand), with care.\n'@", literal: true, value: "Deployed by Pexip's script, (not by hand), with care." },
            });
            assert.equal("default" in byName(parameters, "IncidentReporting"), false);
        });
    });

    describe("the two-app fixture", () => {
        let parameters: DeclaredParameter[];
        before(async () => {
            parameters = await readParameters(fixture("two-app"));
        });

        it("reads both application credentials as mandatory credentials, and no AppCredential or PfxPassword", () => {
            for (const name of ["TrustedAppCredential", "GuestAppCredential"]) {
                assert.deepEqual(pick(byName(parameters, name)), { name, mandatory: true, kind: "credential", type: "PSCredential" });
            }
            const names = parameters.map((parameter) => parameter.name.toLowerCase());
            assert.equal(names.includes("appcredential"), false);
            assert.equal(names.includes("pfxpassword"), false);
        });

        it("reads IncidentReporting and Encryption as optional [bool]s with their defaults", () => {
            assert.deepEqual(pick(byName(parameters, "IncidentReporting")), { name: "IncidentReporting", mandatory: false, kind: "bool", type: "bool", default: "$false" });
            assert.deepEqual(pick(byName(parameters, "Encryption")), { name: "Encryption", mandatory: false, kind: "bool", type: "bool", default: "$true" });
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

    describe("a corpus of PowerShell syntax variants", () => {
        for (const variant of SYNTAX_VARIANTS) {
            it(variant.name, async () => {
                const block = await readParamBlock(variant.script);
                assert.deepEqual(block.parameters.map(signature), variant.parameters);
                variant.check?.(block);
            });
        }
    });

    describe("scripts PowerShell refuses, or that cannot be read", () => {
        for (const variant of REFUSED_VARIANTS) {
            it(variant.name, () => refuses(variant.script, variant.error));
        }
    });

    describe("declaredParameter", () => {
        it("finds a parameter by its name or an alias, case-insensitively as PowerShell binds -Name", async () => {
            const declared = await readParameters("param([Alias('AppCredential', 'TrustedAppCredential')] [pscredential] $ApplicationCredential, [Alias('Pfx')] [string] $PfxPath)");
            for (const name of ["ApplicationCredential", "applicationcredential", "AppCredential", "TRUSTEDAPPCREDENTIAL"]) {
                assert.equal(declaredParameter(declared, name)?.name, "ApplicationCredential", name);
            }
            assert.equal(declaredParameter(declared, "pfx")?.name, "PfxPath");
            assert.equal(declaredParameter(declared, "GuestAppCredential"), undefined);
        });
    });

    describe("parsePowerShell", () => {
        it("returns the tree and the grammar's syntax errors with their line and column", async () => {
            const syntax = await parsePowerShell("param(\n  [string] $A = 'x\n)");
            try {
                assert.equal(syntax.tree.rootNode.type, "program");
                assert.ok(syntax.errors.length > 0);
                assert.deepEqual(
                    syntax.errors.map((error) => error.line),
                    syntax.errors.map((error) => (syntax.tree.rootNode.descendantForIndex(error.index)?.startPosition.row ?? -1) + 1),
                );
            } finally {
                syntax.tree.delete();
            }
            const clean = await parsePowerShell("param([string] $A)\nWrite-Output $A\n");
            assert.deepEqual(clean.errors, []);
            clean.tree.delete();
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
    });
});
