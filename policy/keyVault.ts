import { ResourceValidationPolicy } from "@pulumi/policy";
import { asObject, NO_SETTINGS, TYPES, validateTypes } from "./common";

/**
 * The vault holds the connector's certificate and private key. Soft delete and purge protection
 * keep a deleted vault or secret recoverable; RBAC authorisation replaces access policies. All
 * three must be set explicitly: defaults differ across API versions (2026-02-01 makes RBAC the
 * default for new vaults only).
 */

const REQUIRED_SETTINGS = ["enableSoftDelete", "enablePurgeProtection", "enableRbacAuthorization"] as const;

/** Soft delete, purge protection and RBAC, each explicitly true. */
export const keyVaultProtected: ResourceValidationPolicy = {
    name: "key-vault-protected",
    description: "The Key Vault holding the connector's certificate must have soft delete, purge protection and RBAC authorisation explicitly enabled.",
    enforcementLevel: "mandatory",
    configSchema: NO_SETTINGS,
    validateResource: validateTypes(TYPES.keyVault, (props, _args, report) => {
        const properties = asObject(props.properties) ?? {};
        const unset = REQUIRED_SETTINGS.filter((setting) => properties[setting] !== true);
        if (unset.length > 0) {
            const detail = unset.map((setting) => `${setting} is ${properties[setting] === undefined ? "not set" : String(properties[setting])}`);
            report(`${detail.join("; ")}. Set properties.${unset.join(", properties.")} to true.`);
        }
    }),
};

/** The Key Vault policies, in the order the pack lists them. */
export const keyVaultPolicies: ResourceValidationPolicy[] = [keyVaultProtected];
