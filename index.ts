import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./lib/configError";
import { deploy, readSettings, resolveCertificate } from "./program";

/**
 * The Pulumi program: one region's Pexip Teams Connector. Configuration is read and checked
 * first, so a bad setting stops the run with one message before any resource exists.
 */
export = async () => {
    let settings, certificate;
    try {
        settings = readSettings();
        certificate = resolveCertificate(settings, new Date(), process.cwd());
    } catch (error) {
        // A RunError is reported without a stack trace: the message says all there is.
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
    return deploy(settings, certificate);
};
