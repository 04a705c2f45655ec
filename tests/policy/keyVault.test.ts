import * as assert from "node:assert/strict";
import { check, keyVault, of, violation } from "./fixtures";

describe("policy: Key Vault", () => {
    const policy = "key-vault-protected";

    it("accepts soft delete, purge protection and RBAC all explicitly true", async () => {
        assert.deepEqual(of(await check([keyVault()]), policy), []);
    });

    it("rejects each protection that is off or left to the default", async () => {
        const vault = keyVault({ enableSoftDelete: undefined, enablePurgeProtection: false });
        assert.deepEqual(of(await check([vault]), policy), [
            violation(
                policy,
                "mandatory",
                vault,
                "enableSoftDelete is not set; enablePurgeProtection is false. Set properties.enableSoftDelete, properties.enablePurgeProtection to true.",
            ),
        ]);
    });

    it("rejects a vault relying on access policies", async () => {
        const vault = keyVault({ enableRbacAuthorization: false });
        assert.deepEqual(of(await check([vault]), policy), [
            violation(policy, "mandatory", vault, "enableRbacAuthorization is false. Set properties.enableRbacAuthorization to true."),
        ]);
    });
});
