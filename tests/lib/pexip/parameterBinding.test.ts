import assert from "node:assert/strict";
import { bindArguments } from "../../../lib/pexip/parameterBinding";
import { readParamBlock } from "../../../lib/pexip/powershellParameters";
import { BINDING_CASES } from "../../fixtures/pexip/bindingCases";

describe("bindArguments (PowerShell's binding rules, offline)", () => {
    for (const bindingCase of BINDING_CASES) {
        it(bindingCase.name, async () => {
            const verdict = bindArguments(await readParamBlock(bindingCase.script), bindingCase.arguments);
            if (bindingCase.expected.binds) {
                assert.ok(verdict.binds, verdict.binds ? "" : `refused by ${verdict.rule}: ${verdict.reason}`);
                assert.deepEqual(
                    verdict.unevaluated.map(({ parameter, rule }) => ({ parameter, rule })),
                    bindingCase.expected.unevaluated ?? [],
                );
                // Each rule it could not judge says why, for the plan's warning.
                for (const rule of verdict.unevaluated) assert.notEqual(rule.why, "");
            } else {
                assert.ok(!verdict.binds, "binds");
                assert.deepEqual({ parameter: verdict.parameter, rule: verdict.rule }, { parameter: bindingCase.expected.parameter, rule: bindingCase.expected.rule });
                assert.notEqual(verdict.reason, "");
            }
        });
    }

    it("never puts a secret's value in a verdict", async () => {
        const block = await readParamBlock("param([ValidateSet('a')] [securestring] $PfxPassword, [ValidatePattern('^x$')] [pscredential] $AppCredential)");
        const verdict = bindArguments(block, { PfxPassword: { secret: "securestring" }, AppCredential: { secret: "credential" } });
        assert.ok(verdict.binds);
        assert.deepEqual(
            verdict.unevaluated.map((rule) => rule.parameter),
            ["PfxPassword", "AppCredential"],
        );
        assert.ok(verdict.unevaluated.every((rule) => /secret/.test(rule.why)));
    });

    it("names the parameter set it selects: the default one when several fit", async () => {
        const block = await readParamBlock("[CmdletBinding(DefaultParameterSetName = 'B')]\nparam([Parameter(ParameterSetName = 'A')] $X, [Parameter(ParameterSetName = 'B')] $Y, $Common)");
        const verdict = bindArguments(block, { Common: 1 });
        assert.ok(verdict.binds && verdict.parameterSet === "B");
        const chosen = bindArguments(block, { X: 1 });
        assert.ok(chosen.binds && chosen.parameterSet === "A");
    });
});
