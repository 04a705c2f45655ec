import type { Settings } from "../../lib/config/settings";
import { DRIVER_ACTIONS, DRIVER_VARIABLES, FACTS, factVariable } from "../../lib/contract";
import { connectorNames } from "../../lib/naming";
import { deploymentParameters, DeploymentDocument, renderParameters, UNKNOWN_IDS } from "../../lib/pexip/deploymentParameters";
import type { ResolvedPackage } from "../../program";
import type { RegisteredResource } from "./mockRuntime";
import type { PlanDeployment } from "./planReport";

/** What Pexip's deployment script is run with, and how the stack carries out Pexip's procedures. */
export function deploymentSummary(settings: Settings, pkg: ResolvedPackage, resources: readonly RegisteredResource[], outputs: Record<string, unknown>): PlanDeployment {
    const command = resources.find((resource) => resource.type === "command:local:Command" && resource.inputs.create === DRIVER_ACTIONS.deploy);
    const text = (command?.inputs.environment as Record<string, unknown> | undefined)?.[DRIVER_VARIABLES.deployment];
    if (typeof text !== "string") throw new Error("the program registered no Pexip deployment command with its deployment document");
    const document = JSON.parse(text) as DeploymentDocument;
    const names = connectorNames(settings.baseName, settings.regionCode);
    const script = document.package.deploymentScript;
    const declared = pkg.script?.parameters;
    const checked = declared !== undefined;
    // The script's own param block confirms every name; without it, only Pexip's public commands and the user's settings do.
    const unconfirmed = new Set(checked ? [] : deploymentParameters(settings, UNKNOWN_IDS).filter((entry) => !entry.nameConfirmed).map((entry) => entry.name));
    return {
        resourceGroup: document.resourceGroup,
        scaleSetName: document.scaleSetName,
        script,
        parametersChecked: checked,
        command: typeof outputs.deploymentCommand === "string" ? outputs.deploymentCommand : "",
        parameters: renderParameters(document, Number(outputs.instances), declared).map(({ name, argument }) => ({
            name,
            value: argument.slice(name.length + 2) || "(switch)",
            nameConfirmed: !unconfirmed.has(name),
        })),
        lifecycle: [
            {
                step: "check",
                what: `first, the driver fetches the Pexip ${settings.pexipVersion} package, verifies its checksum and checks the parameters below against ${script}'s param block; a failure stops the update before anything is removed`,
            },
            {
                step: "create",
                what: `the driver creates ${document.resourceGroup} and runs ${script} with the parameters below`,
            },
            {
                step: "update",
                what:
                    `any change that does not redeploy (tags, a resize's capacity facts such as ${factVariable(FACTS.instanceCount)}, where the package or the PFX comes from) ` +
                    `updates the deployment in place: the driver only sets ${document.resourceGroup}'s tags; the connector keeps running`,
            },
            {
                step: "delete",
                what: `the driver removes ${document.resourceGroup} (Remove-AzResourceGroup -Force); ${names.staticResourceGroup} with the public IP and the Key Vault stays`,
            },
            {
                step: "redeploy",
                what:
                    "delete, then create, when anything the script is given changes (the Pexip version, the package checksum, a parameter or its name), " +
                    "the certificate thumbprint, the administrator password or the application's client secret: the region's connector is down meanwhile (Pexip's upgrade procedure)",
            },
            {
                step: "scale",
                what: settings.infinityScaling
                    ? `Pexip Infinity owns capacity after creation (Event Hub, scheduled scaling); the scale set is created with ${outputs.instances} instance(s)`
                    : `a change of concurrentPorts, portsPerInstance or spareInstances sets ${document.scaleSetName}'s capacity in place (Update-AzVmss -SkuCapacity), no redeploy`,
            },
        ],
    };
}
