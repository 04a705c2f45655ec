/**
 * Writes Pulumi.yaml's `config:` block from lib/config/settingsSchema.ts, so that `pulumi config` and
 * the Pulumi CLI know every setting (type where Pulumi has one, description, default):
 *
 *     npm run config:declare            write Pulumi.yaml
 *     npm run config:declare -- --check exit 1 when Pulumi.yaml differs (what the tests check)
 *
 * The rest of Pulumi.yaml, comments included, is kept as it is (the yaml package's Document API).
 */
import * as path from "path";
import { parseDocument } from "yaml";
import { SETTINGS } from "../lib/config/settingsSchema";
import { runCommand } from "../cli/commandLine";
import { GeneratedFile, generatedFileMain, PROCESS_IO } from "./generatedFile";

export const PROJECT_FILE = path.resolve(__dirname, "..", "Pulumi.yaml");

/** The `config:` block: one declaration per setting, in the schema's order. */
export function configBlock(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(
        Object.entries(SETTINGS).map(([key, setting]) => [
            key,
            {
                type: setting.pulumiType,
                ...(setting.items === undefined ? {} : { items: { type: setting.items } }),
                description: setting.description,
                ...(setting.default === undefined ? {} : { default: setting.default }),
            },
        ]),
    );
}

/** Pulumi.yaml's text with the `config:` block replaced. */
export function declaredProjectFile(text: string): string {
    const document = parseDocument(text);
    document.set("config", document.createNode(configBlock()));
    return document.toString({ lineWidth: 0 });
}

/** The script, for its command line and `--help`. */
export const DECLARE_CONFIG: GeneratedFile = {
    command: "config:declare",
    about: ["Writes Pulumi.yaml's config: block from lib/config/settingsSchema.ts, keeping the rest of the file as it is."],
    file: PROJECT_FILE,
    derive: declaredProjectFile,
    stale: "Pulumi.yaml's config block differs from lib/config/settingsSchema.ts: run npm run config:declare",
};

if (require.main === module) {
    runCommand("config:declare", () => generatedFileMain(DECLARE_CONFIG, process.argv.slice(2), PROCESS_IO));
}
