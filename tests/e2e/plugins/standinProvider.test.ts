import * as assert from "node:assert/strict";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { changedKeys, forcesReplacement, outputsOf, parseUrn, redactSecrets, runCommand } from "./standinProvider";

// The stand-in provider's decisions, without an engine (npm test; the end-to-end suite runs it for real).
describe("stand-in provider plugin", () => {
    it("reads type and name from a nested resource's URN", () => {
        assert.deepEqual(parseUrn("urn:pulumi:dev::p::vdx:teams:TeamsConnector$azure-native:keyvault:Secret::vdxdevweu-teams-app-secret"), {
            type: "azure-native:keyvault:Secret",
            name: "vdxdevweu-teams-app-secret",
        });
    });

    it("replaces on azure-native's name, parent-name and location inputs, and updates the rest", () => {
        const secret = "azure-native:keyvault:Secret";
        assert.deepEqual(["secretName", "vaultName", "resourceGroupName", "tags", "properties"].filter((key) => forcesReplacement(secret, key)), [
            "secretName",
            "vaultName",
            "resourceGroupName",
        ]);
        assert.ok(forcesReplacement("azure-native:resources:ResourceGroup", "location"));
        assert.ok(forcesReplacement("azure-native:network:PublicIPAddress", "zones"));
        assert.ok(forcesReplacement("tls:index/privateKey:PrivateKey", "rsaBits"));
        assert.ok(forcesReplacement("command:local:Command", "triggers"));
        assert.ok(!forcesReplacement("command:local:Command", "create"));
    });

    it("reports changed keys, an unknown value as a change", () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        assert.deepEqual(changedKeys({ a: 1, b: { c: 2 }, gone: true }, { a: 1, b: { c: 3 }, added: "x" }), ["added", "b", "gone"]);
        assert.deepEqual(changedKeys({ a: "x" }, { a: unknown }), ["a"]);
    });

    it("answers with the mock cloud's outputs and the ARM ID as the resource's ID", () => {
        const { id, outputs } = outputsOf("azure-native:network:PublicIPAddress", "pip", { publicIpAddressName: "x-PIP", resourceGroupName: "rg" });
        assert.equal(id, "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/x-PIP");
        assert.equal(outputs.ipAddress, "203.0.113.10");
        assert.equal(outputs.id, undefined);
    });

    it("logs a secret only as the hash of its value", () => {
        const logged = redactSecrets({ properties: { value: { [rpc.specialSigKey]: rpc.specialSecretSig, value: "s3cret" } } });
        assert.doesNotMatch(JSON.stringify(logged), /s3cret/);
        assert.match((logged as any).properties.value.secretSha256, /^[0-9a-f]{64}$/);
    });

    describe("runs a command resource's command as the command provider does", () => {
        const secret = (value: string) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

        it("through its interpreter, with its environment added and secrets handed over as plain values", () => {
            const inputs = { interpreter: ["/bin/sh", "-c"], environment: { GREETING: "hello", TOKEN: secret("s3cret") } };
            assert.deepEqual(runCommand(inputs, 'echo "$GREETING $TOKEN"; echo warn >&2'), { stdout: "hello s3cret", stderr: "warn" });
        });

        it("gives update and delete the last run's stdout", () => {
            assert.equal(runCommand({}, 'echo "was: $PULUMI_COMMAND_STDOUT"', { stdout: "v1", stderr: "" }).stdout, "was: v1");
        });

        it("fails with the command's stderr on a non-zero exit", () => {
            assert.throws(() => runCommand({}, "echo broken >&2; exit 3"), /exited with status 3: broken/);
        });
    });
});
