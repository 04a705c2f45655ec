import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/identity";
import { CannotRun, Finding } from "./check";
import { DeployedStack } from "./stackOutputs";

/**
 * The azure check, read-only: the stack's scale set exists in the dynamic resource group and
 * has provisioned, its capacity is what the stack sized (or at least Infinity's minimum where
 * Infinity scales it), and every instance has provisioned and runs. Through Microsoft's
 * `@azure/arm-compute`, so API versions, paging and retries are the SDK's.
 */

export interface AzureOptions {
    readonly credential: TokenCredential;
    /** Resource Manager's address; default Azure's public cloud. */
    readonly endpoint?: string;
    /** PEM roots the client trusts for `endpoint` besides Node's (a private or test endpoint). */
    readonly extraCa?: string;
}

/** One scale-set instance as the check judges it. */
export interface InstanceState {
    readonly name: string;
    readonly provisioningState: string;
    /** The `PowerState/...` status code; "unknown" when the instance view has none. */
    readonly powerState: string;
}

const RUNNING = "PowerState/running";

/** An SDK error as a CannotRun that names what failed; undefined for "not found". */
function cannotRun(error: unknown, what: string): CannotRun | undefined {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return undefined;
    const name = (error as Error).name ?? "";
    if (status === 401 || status === 403 || /Credential|Authentication/.test(name)) {
        return new CannotRun(`Azure refused ${what} (${status ?? name}): sign in with a reader role on the dynamic resource group (DefaultAzureCredential; docs/operations.md)`);
    }
    return new CannotRun(`reading ${what} from Azure failed: ${(error as Error).message.split("\n")[0]}`);
}

export async function checkAzure(stack: DeployedStack, options: AzureOptions): Promise<Finding> {
    const client = new ComputeManagementClient(options.credential, stack.subscriptionId, {
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.extraCa === undefined ? {} : { tlsOptions: { ca: options.extraCa } }),
        retryOptions: { maxRetries: 1 },
    });
    const { dynamicResourceGroup: group, scaleSetName: name } = stack;
    const where = `scale set ${name} in ${group}`;
    let scaleSet;
    try {
        scaleSet = await client.virtualMachineScaleSets.get(group, name);
    } catch (error) {
        const problem = cannotRun(error, where);
        if (problem !== undefined) throw problem;
        return { verdict: "fail", measured: `${where} does not exist`, expected: `${where}, Succeeded`, figures: { instancesSeen: 0, instancesSized: stack.instances } };
    }
    const instances: InstanceState[] = [];
    try {
        for await (const vm of client.virtualMachineScaleSetVMs.list(group, name, { expand: "instanceView" })) {
            const power = vm.instanceView?.statuses?.find((status) => status.code?.startsWith("PowerState/"))?.code;
            instances.push({ name: vm.name ?? vm.instanceId ?? "?", provisioningState: vm.provisioningState ?? "unknown", powerState: power ?? "unknown" });
        }
    } catch (error) {
        throw cannotRun(error, `the instances of ${where}`) ?? new CannotRun(`${where} disappeared while its instances were read`);
    }
    return judgeScaleSet(stack, { provisioningState: scaleSet.provisioningState ?? "unknown", capacity: scaleSet.sku?.capacity ?? 0 }, instances);
}

/** The verdict on what Azure reported. */
export function judgeScaleSet(stack: DeployedStack, scaleSet: { provisioningState: string; capacity: number }, instances: readonly InstanceState[]): Finding {
    const healthy = instances.filter((vm) => vm.provisioningState === "Succeeded" && vm.powerState === RUNNING);
    const unhealthy = instances.filter((vm) => !healthy.includes(vm)).map((vm) => `${vm.name} (${vm.provisioningState}, ${vm.powerState})`);
    const problems: string[] = [];
    if (scaleSet.provisioningState !== "Succeeded") problems.push(`the scale set is ${scaleSet.provisioningState}, not Succeeded`);
    const sized =
        stack.capacityOwner === "pulumi"
            ? { ok: scaleSet.capacity === stack.instances, rule: `${stack.instances}, as the stack sized it` }
            : { ok: scaleSet.capacity >= (stack.infinityMinimumInstances ?? 0), rule: `at least Infinity's minimum ${stack.infinityMinimumInstances}` };
    if (!sized.ok) problems.push(`capacity is ${scaleSet.capacity}, not ${sized.rule}`);
    if (unhealthy.length > 0) problems.push(`not running: ${unhealthy.join(", ")}`);
    if (instances.length < scaleSet.capacity) problems.push(`${scaleSet.capacity - instances.length} of the capacity ${scaleSet.capacity} have no instance yet`);
    const measured = `${healthy.length} of ${instances.length} instances Succeeded and running; capacity ${scaleSet.capacity}`;
    const figures = { instancesSeen: healthy.length, instancesSized: stack.capacityOwner === "pulumi" ? stack.instances : scaleSet.capacity };
    return problems.length === 0
        ? { verdict: "pass", measured, figures }
        : { verdict: "fail", measured: `${measured}: ${problems.join("; ")}`, expected: `capacity ${sized.rule}, every instance Succeeded and ${RUNNING}`, figures };
}
