import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Policies, PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    analyzePolicies,
    loadPolicyConfig,
    POLICY_CONFIG_PATH,
    PolicyConfigError,
    PolicyEngineResource,
    reconcilePolicyConfig,
    runPolicies,
    withCheckDate,
} from "../../../cli/plan/policyEngine";
import { POLICIES } from "../../../policy/policies";

/** Policies written for the runner's own tests; the pack's policies are tested in tests/policy. */
const BUCKET = "test:index:Bucket";
const PACK = { name: "test-pack", version: "1.2.3" };
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

const bucket = (name: string, inputs: Record<string, unknown>, extra: Partial<PolicyEngineResource> = {}): PolicyEngineResource => ({
    type: BUCKET,
    name,
    urn: `urn:pulumi:dev::test::${BUCKET}::${name}`,
    inputs,
    ...extra,
});

/** Reports the `size` input when it exceeds the configured limit. */
const sizeLimit: ResourceValidationPolicy = {
    name: "size-limit",
    description: "Buckets must stay small.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { limit: { type: "integer", minimum: 1, default: 10 }, note: { type: "string" } }, required: ["limit"] },
    validateResource: (args, report) => {
        const { limit } = args.getConfig<{ limit: number }>();
        if (typeof args.props.size === "number" && args.props.size > limit) report(`size ${args.props.size} exceeds ${limit}`);
    },
};

const run = (policies: Policies, resources: PolicyEngineResource[], config = {}) => runPolicies(policies, resources, config, { pack: PACK });

describe("cli/plan/policyEngine", () => {
    describe("configuration", () => {
        it("applies configSchema defaults", async () => {
            assert.deepEqual(await run([sizeLimit], [bucket("b", { size: 11 })]), [
                { policy: "size-limit", enforcement: "mandatory", message: "Buckets must stay small.\nsize 11 exceeds 10", urn: bucket("b", {}).urn },
            ]);
        });

        it("lets configuration properties override defaults", async () => {
            assert.deepEqual(await run([sizeLimit], [bucket("b", { size: 11 })], { "size-limit": { limit: 20 } }), []);
        });

        it("overrides enforcement levels: all, then per policy; disabled skips", async () => {
            const resources = [bucket("b", { size: 11 })];
            assert.equal((await run([sizeLimit], resources, { all: "advisory" }))[0].enforcement, "advisory");
            assert.equal((await run([sizeLimit], resources, { all: "advisory", "size-limit": "mandatory" }))[0].enforcement, "mandatory");
            assert.equal((await run([sizeLimit], resources, { "size-limit": { enforcementLevel: "advisory", limit: 5 } }))[0].enforcement, "advisory");
            assert.deepEqual(await run([sizeLimit], resources, { "size-limit": "disabled" }), []);
            assert.deepEqual(await run([sizeLimit], resources, { all: "disabled" }), []);
        });

        it("reports remediate as mandatory, like the analyzer", async () => {
            assert.equal((await run([sizeLimit], [bucket("b", { size: 11 })], { "size-limit": "remediate" }))[0].enforcement, "mandatory");
        });

        it("uses the pack's level for a policy that declares none", async () => {
            const { enforcementLevel: _ignored, ...undeclared } = sizeLimit;
            const violations = await runPolicies([undeclared], [bucket("b", { size: 11 })], {}, { pack: PACK, packEnforcementLevel: "mandatory" });
            assert.equal(violations[0].enforcement, "mandatory");
            assert.equal((await run([undeclared], [bucket("b", { size: 11 })]))[0].enforcement, "advisory");
        });

        it("refuses configuration that breaks the schema or the format, listing every problem", async () => {
            await assert.rejects(run([sizeLimit], [], { "size-limit": { limit: 0, note: 3 } }), (error: unknown) => {
                assert.ok(error instanceof PolicyConfigError);
                assert.deepEqual(error.problems, ["size-limit: limit must be a whole number ≥ 1, got 0", "size-limit: note must be text, got 3"]);
                return true;
            });
            await assert.rejects(run([sizeLimit], [], { "size-limit": "strict" }), /"strict" is not a valid enforcement level/);
            await assert.rejects(run([sizeLimit], [], { "size-limit": { enforcementLevel: 1 } }), /1 is not a valid enforcement level/);
            await assert.rejects(run([sizeLimit], [], { "size-limit": 5 } as never), /must be an enforcement level or an object/);
        });

        it("refuses an entry for a policy the pack does not have, which the engine would carry unread; all stays accepted", () => {
            assert.throws(
                () => reconcilePolicyConfig([sizeLimit], { "size-limt": "disabled", "no-such-policy": { anything: true } }),
                (error: unknown) => {
                    assert.ok(error instanceof PolicyConfigError);
                    assert.deepEqual(error.problems, [
                        "size-limt is not a policy of this pack; did you mean size-limit?",
                        "no-such-policy is not a policy of this pack (known: size-limit, all)",
                    ]);
                    return true;
                },
            );
            assert.doesNotThrow(() => reconcilePolicyConfig([sizeLimit], { all: "advisory" }));
        });

        it("honours a config schema's additionalProperties, which the engine never receives", async () => {
            const closed: ResourceValidationPolicy = { ...sizeLimit, configSchema: { ...sizeLimit.configSchema!, additionalProperties: false } as PolicyConfigSchema };
            await assert.rejects(run([closed], [], { "size-limit": { limt: 5 } }), (error: unknown) => {
                assert.ok(error instanceof PolicyConfigError);
                assert.deepEqual(error.problems, ["size-limit: limt is not a setting of this policy; did you mean limit?"]);
                return true;
            });
            // Without it, as in the engine, an undeclared property passes.
            assert.deepEqual(await run([sizeLimit], [bucket("b", { size: 11 })], { "size-limit": { limt: 20 } }), [
                { policy: "size-limit", enforcement: "mandatory", message: "Buckets must stay small.\nsize 11 exceeds 10", urn: bucket("b", {}).urn },
            ]);
        });

        it("loads policy/config.json and rejects a malformed file", () => {
            assert.equal(typeof loadPolicyConfig(), "object");
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "config.json");
            fs.writeFileSync(file, `{"all": "sometimes"}`);
            assert.throws(() => loadPolicyConfig(file), /all: "sometimes" is not a valid enforcement level/);
            fs.writeFileSync(file, "[1, 2]");
            assert.throws(() => loadPolicyConfig(file), /must be a JSON object of policy names/);
            fs.rmSync(path.dirname(file), { recursive: true });
        });

        it("refuses a check date (asOf) in a configuration file, as the shipped one must never carry: it is the plan's --as-of", () => {
            const shipped = JSON.parse(fs.readFileSync(POLICY_CONFIG_PATH, "utf8")) as Record<string, unknown>;
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-")), "config.json");
            const version = shipped["teams-connector-matches-vdx-version"] as Record<string, unknown>;
            fs.writeFileSync(file, JSON.stringify({ ...shipped, "teams-connector-matches-vdx-version": { ...version, asOf: "2026-01-01" } }));
            assert.throws(
                () => loadPolicyConfig(file),
                (error: Error) =>
                    error instanceof PolicyConfigError &&
                    error.message ===
                        "policy pack configuration is invalid: teams-connector-matches-vdx-version: asOf is not a setting of a policy configuration file, " +
                            "where it would freeze the check date for every later run: remove it, and give the plan --as-of YYYY-MM-DD for one run",
            );
            fs.rmSync(path.dirname(file), { recursive: true });
        });

        it("withCheckDate sets asOf on every date-dependent policy and keeps their levels", () => {
            const config = withCheckDate(POLICIES, { "certificate-not-expiring": "disabled" }, "2026-01-01");
            assert.deepEqual(config, {
                "teams-connector-matches-vdx-version": { asOf: "2026-01-01" },
                "certificate-not-expired": { asOf: "2026-01-01" },
                "certificate-not-expiring": { enforcementLevel: "disabled", asOf: "2026-01-01" },
            });
        });
    });

    describe("analysis", () => {
        it("prefixes each message with the description, and gives the description alone for an empty report", async () => {
            const policy: ResourceValidationPolicy = {
                name: "p",
                description: "Describes.",
                enforcementLevel: "advisory",
                validateResource: (_args, report) => {
                    report("");
                    report("detail", "urn:ignored");
                },
            };
            const target = bucket("b", {});
            assert.deepEqual(await run([policy], [target]), [
                { policy: "p", enforcement: "advisory", message: "Describes.", urn: target.urn },
                { policy: "p", enforcement: "advisory", message: "Describes.\ndetail", urn: target.urn },
            ]);
        });

        it("honours notApplicable: no violation, and the reason is recorded", async () => {
            const policy: ResourceValidationPolicy = {
                name: "p",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: (args, report) => {
                    if (args.props.kind !== "target") args.notApplicable("not a target");
                    report("hit");
                },
            };
            const analysis = await analyzePolicies([policy], [bucket("a", { kind: "other" }), bucket("b", { kind: "target" })], {}, { pack: PACK });
            assert.deepEqual(analysis.violations.map((entry) => entry.urn), [bucket("b", {}).urn]);
            assert.deepEqual(analysis.notApplicable, [{ policy: "p", reason: "not a target", urn: bucket("a", {}).urn }]);
        });

        it("turns an unknown value into the analyzer's advisory 'can't run' message", async () => {
            const policy: ResourceValidationPolicy = {
                name: "reads-name",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: (args, report) => report(String((args.props.tags as Record<string, unknown>).owner)),
            };
            const target = bucket("b", { tags: { owner: UNKNOWN_STRING } });
            assert.deepEqual(await run([policy], [target]), [
                {
                    policy: "reads-name",
                    enforcement: "advisory",
                    message: "can't run policy 'reads-name' from policy pack 'test-pack@v1.2.3' during preview: string value at .tags.owner can't be known during preview",
                    urn: target.urn,
                },
            ]);
        });

        it("handles unknown values in the real pack the same way", async () => {
            const deployment: PolicyEngineResource = {
                type: "command:local:Command",
                name: "deploy",
                urn: "urn:pulumi:dev::p::command:local:Command::deploy",
                inputs: { create: "deploy", delete: "remove", environment: { VDX_PEXIP_VERSION: UNKNOWN_STRING, VDX_ENVIRONMENT: "dev" } },
            };
            const violations = (await runPolicies(POLICIES, [deployment], loadPolicyConfig())).filter((entry) => entry.policy === "teams-connector-matches-vdx-version");
            assert.deepEqual(violations, [
                {
                    policy: "teams-connector-matches-vdx-version",
                    enforcement: "advisory",
                    message:
                        "can't run policy 'teams-connector-matches-vdx-version' from policy pack 'vdx-teams-connector@v0.1.0' during preview: string value at .environment.VDX_PEXIP_VERSION can't be known during preview",
                    urn: deployment.urn,
                },
            ]);
        });

        it("awaits async validations", async () => {
            const policy: ResourceValidationPolicy = {
                name: "slow",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: async (_args, report) => {
                    await new Promise((resolve) => setTimeout(resolve, 5));
                    report("late");
                },
            };
            assert.equal((await run([policy], [bucket("b", {})])).length, 1);
        });

        it("runs every validation of a list, each on fresh props", async () => {
            const seen: unknown[] = [];
            const policy: ResourceValidationPolicy = {
                name: "list",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: [
                    (args) => {
                        seen.push(args.props.size);
                        (args.props as Record<string, unknown>).size = 99;
                    },
                    (args) => void seen.push(args.props.size),
                ],
            };
            await run([policy], [bucket("b", { size: 1 })]);
            assert.deepEqual(seen, [1, 1]);
        });

        it("gives isType/asType by __pulumiType, and skips other types for a typed validation", async () => {
            const Bucket = { __pulumiType: BUCKET };
            const Other = { __pulumiType: "test:index:Other" };
            const results: unknown[] = [];
            const typed = Object.assign(
                (args: { isType(c: unknown): boolean; asType(c: unknown): unknown }) => void results.push([args.isType(Bucket), args.isType(Other), args.asType(Other)]),
                { __pulumiType: BUCKET },
            );
            const policy = { name: "typed", description: "d", enforcementLevel: "mandatory", validateResource: typed } as unknown as ResourceValidationPolicy;
            const other: PolicyEngineResource = { type: "test:index:Other", name: "o", urn: "urn:o", inputs: {} };
            const analysis = await analyzePolicies([policy], [bucket("b", {}), other], {}, { pack: PACK });
            assert.deepEqual(results, [[true, false, undefined]]);
            assert.deepEqual(analysis.notApplicable, [{ policy: "typed", reason: `Policy only applies to resources of type '${BUCKET}'`, urn: "urn:o" }]);
        });

        it("unwraps secrets and drops undefined and internal keys, as the wire does", async () => {
            let props: Record<string, unknown> = {};
            const policy: ResourceValidationPolicy = {
                name: "peek",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: (args) => void (props = JSON.parse(JSON.stringify(args.props)) as Record<string, unknown>),
            };
            await run([policy], [bucket("b", { password: SECRET("hunter2"), gone: undefined, __defaults: [], nested: { list: [1, undefined] } })]);
            assert.deepEqual(props, { password: "hunter2", nested: { list: [1, null] } });
        });

        it("honours a violation object's own enforcement level (server.js makeReportViolationFun)", async () => {
            const policy: ResourceValidationPolicy = {
                name: "mixed",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: (_args, report) => (report as unknown as (v: object) => void)({ message: "d\nheads-up", enforcementLevel: "advisory" }),
            };
            assert.deepEqual(await run([policy], [bucket("b", {})]), [{ policy: "mixed", enforcement: "advisory", message: "d\nheads-up", urn: bucket("b", {}).urn }]);
        });

        it("fails the run when a validation throws anything else", async () => {
            const policy: ResourceValidationPolicy = {
                name: "broken",
                description: "d",
                enforcementLevel: "mandatory",
                validateResource: () => {
                    throw new Error("boom");
                },
            };
            await assert.rejects(run([policy], [bucket("b", {})]), /Error validating resource with policy 'broken' from policy pack 'test-pack@v1\.2\.3': boom/);
        });

        it("runs a stack policy once over all resources, with parents linked and its own URNs", async () => {
            let calls = 0;
            let seen: PolicyResource[] = [];
            const policy: StackValidationPolicy = {
                name: "stack",
                description: "Stack rule.",
                enforcementLevel: "advisory",
                validateStack: (args, report) => {
                    calls++;
                    seen = args.resources;
                    report("whole stack");
                    report("one resource", args.resources[1].urn);
                },
            };
            const parent = bucket("parent", { size: 1 });
            const child = bucket("child", { size: 2 }, { parent: parent.urn, outputs: { size: 3 } });
            const violations = await run([sizeLimit, policy], [parent, child]);
            assert.equal(calls, 1);
            assert.deepEqual(seen.map((entry) => [entry.name, entry.props.size, entry.parent?.name]), [["parent", 1, undefined], ["child", 3, "parent"]]);
            assert.deepEqual(violations, [
                { policy: "stack", enforcement: "advisory", message: "Stack rule.\nwhole stack", urn: undefined },
                { policy: "stack", enforcement: "advisory", message: "Stack rule.\none resource", urn: child.urn },
            ]);
        });

        it("takes resources as the mock runtime records them: {type, name, urn, inputs}", async () => {
            const recorded = { type: BUCKET, name: "b", urn: "urn:pulumi:dev::test::test:index:Bucket::b", inputs: { size: 12 }, custom: true, id: "b_id" };
            assert.equal((await run([sizeLimit], [recorded])).length, 1);
        });
    });
});
