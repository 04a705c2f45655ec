import { ConfigError } from "./lib/configError";
import { ConfigurationRunError, deploy, readSettings, resolveCertificate } from "./program";

/** Reads and checks configuration and certificate before any resource exists. */
function checkedInput() {
    try {
        const settings = readSettings();
        return { settings, certificate: resolveCertificate(settings, new Date(), process.cwd()) };
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
    const { settings, certificate } = checkedInput();
    return deploy(settings, certificate);
};
