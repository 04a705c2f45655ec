/**
 * The project's stack files read the way the Pulumi engine merges them, without decrypting: by
 * the commands (cli/stackConfig.ts and the rest of cli/), and by the program for what only the
 * files beside its own show (a second owner of the Teams identity).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REDACTED } from "./secret";
import type { Settings } from "./settings";
import { checkStackLiterals } from "./stackLiterals";

/** Placeholder for a value encrypted in a stack file: the plan never decrypts. */
export const SECRET_PLACEHOLDER = REDACTED;

/** A stack's configuration as the Pulumi engine would hand it to the program. */
export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    /** Namespaced keys (`<project>:<key>`, `azure-native:location`); objects as JSON text. */
    readonly config: Record<string, string>;
    /** Keys whose value is (or contains) an encrypted value. */
    readonly secretKeys: string[];
}

/** A stack that cannot be read: missing file, malformed YAML, unknown project. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;
/** Pulumi stack names: letters, digits, hyphens, underscores and periods. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** 0 dev, 1 other non-production stacks, 2 prod, 3 prod-<region>. */
function rank(stack: string): number {
    if (stack === "dev") return 0;
    if (stack === "prod") return 2;
    if (stack.startsWith("prod-")) return 3;
    return 1;
}

/** Compares stacks by deploy order: dev, other test stacks, prod, then further regions. */
export function byDeployOrder(a: string, b: string): number {
    return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The stacks a project has, one `Pulumi.<stack>.yaml` each, in deploy order. */
export function listStacks(projectDir: string): string[] {
    const stacks: string[] = [];
    for (const entry of fs.readdirSync(projectDir, { withFileTypes: true })) {
        const stack = STACK_FILE.exec(entry.name)?.[1];
        if (stack === undefined || !entry.isFile()) continue;
        if (!STACK_NAME.test(stack)) {
            throw new StackFileError(`${entry.name}: "${stack}" is not a valid stack name (letters, digits, "-", "_", ".")`);
        }
        stacks.push(stack);
    }
    return stacks.sort(byDeployOrder);
}

/** Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the engine merges them. */
export function loadStackConfig(projectDir: string, stack: string): StackConfig {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"), "the project file");
    if (typeof project?.name !== "string") throw new StackFileError("Pulumi.yaml has no project name");
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        const known = listStacks(projectDir);
        throw new StackFileError(`unknown stack "${stack}": no Pulumi.${stack}.yaml (stacks here: ${known.join(", ") || "none"})`);
    }
    const stackYaml = readYaml(stackFile, `Pulumi.${stack}.yaml`) ?? {};
    // The CLI would hand the program 37.1 for an unquoted 37.10: refuse what is not read as written.
    checkStackLiterals(fs.readFileSync(stackFile, "utf8"), project.name);

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const add = (rawKey: string, value: unknown) => {
        const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
        const { clean, secret } = redactSecure(value);
        // A setting written empty (`key:`) is not set; a null inside an object is kept (parameterNames.<x>: null).
        config[key] = clean === null ? "" : typeof clean === "string" ? clean : JSON.stringify(clean);
        if (secret && !secretKeys.includes(key)) secretKeys.push(key);
    };
    // Project-level defaults first (`config: { key: { default | value } }`), then the stack's.
    // A declaration (an object) without default or value is a required key: the stack must set it.
    for (const [key, declaration] of Object.entries<any>(project.config ?? {})) {
        const value = typeof declaration === "object" && declaration !== null ? (declaration.value ?? declaration.default) : declaration;
        if (value !== undefined) add(key, value);
    }
    for (const [key, value] of Object.entries<unknown>(stackYaml.config ?? {})) add(key, value);
    return { project: project.name, stack, config, secretKeys };
}

/**
 * A production stack that owns the Teams application and bot (no identityStack) next to another
 * production stack that owns them too: two applications, and two bots with the same global name.
 * `pulumi up` (program.ts) warns with it, from the stack files beside its own, and so the plan
 * too, which runs the program. A sibling that cannot be read is its own run's to report.
 */
export function secondIdentityOwner(settings: Settings, projectDir: string): string[] {
    if (settings.environment !== "prod" || !settings.identity.owner) return [];
    let siblings: string[];
    try {
        siblings = listStacks(projectDir).filter((stack) => stack !== settings.stack);
    } catch {
        return [];
    }
    const owners = siblings.filter((stack) => {
        try {
            const { config, project } = loadStackConfig(projectDir, stack);
            return config[`${project}:environment`] === "prod" && (config[`${project}:identityStack`] ?? "") === "";
        } catch {
            return false;
        }
    });
    if (owners.length === 0) return [];
    return [
        `stack ${settings.stack} sets no identityStack, so it creates its own Teams application and bot (${settings.identity.botName}, a global name in Azure), ` +
            `as production stack ${owners.join(", ")} does too: a second application and bot for one tenant. ` +
            `If ${owners[0]} owns them, set identityStack: pulumi config set identityStack organization/${settings.project}/${owners[0]}`,
    ];
}

function readYaml(file: string, label: string): any {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch {
        throw new StackFileError(`cannot read ${label} (${file})`);
    }
    try {
        return parse(text);
    } catch (error) {
        const reason = (error as Error).message.split("\n")[0];
        throw new StackFileError(`${label} is not valid YAML: ${reason}`);
    }
}

/** Replaces `{ secure: ... }` values, at any depth, with the placeholder. */
function redactSecure(value: unknown): { clean: unknown; secret: boolean } {
    if (Array.isArray(value)) {
        const items = value.map(redactSecure);
        return { clean: items.map((item) => item.clean), secret: items.some((item) => item.secret) };
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0][0] === "secure") return { clean: SECRET_PLACEHOLDER, secret: true };
        const cleaned = entries.map(([key, inner]) => [key, redactSecure(inner)] as const);
        return {
            clean: Object.fromEntries(cleaned.map(([key, inner]) => [key, inner.clean])),
            secret: cleaned.some(([, inner]) => inner.secret),
        };
    }
    return { clean: value, secret: false };
}
