import { ConfigError } from "./lib/config/configError";
import { ConfigurationRunError, deploy, readSettings, resolveCertificate, resolvePackage } from "./program";

/** Reads and checks configuration, certificate and Pexip's package before any resource exists. */
async function checkedInput() {
    try {
        const settings = readSettings();
        const projectDir = process.cwd();
        return { settings, certificate: resolveCertificate(settings, new Date(), projectDir), pkg: await resolvePackage(settings, projectDir) };
    } catch (error) {
        // A RunError is reported without a stack trace: the message says all there is.
        if (error instanceof ConfigError) throw new ConfigurationRunError(error.key, error.message);
        throw error;
    }
}

/**
 * The Pulumi program: one region's Pexip Teams Connector. A bad setting stops the run with
 * one message naming the key and the rule.
 */
export = async () => {
    const { settings, certificate, pkg } = await checkedInput();
    return deploy(settings, certificate, pkg);
};
