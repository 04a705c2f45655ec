import { ConnectorPackage } from "./settings";

/**
 * The PowerShell the scale set's Custom Script Extension runs on every VM: refuse a package
 * whose SHA-256 differs, unpack it under its version, run Pexip's installer. The package's
 * file name is checked to safe characters where configuration is parsed.
 */
export function installCommand(pkg: ConnectorPackage, version: string): string {
    const packageFile = new URL(pkg.url).pathname.split("/").pop() as string;
    const target = `C:\\Pexip\\TeamsConnector\\${version}`;
    const script = [
        "$ErrorActionPreference = 'Stop'",
        `if ((Get-FileHash -Algorithm SHA256 -Path '${packageFile}').Hash -ne '${pkg.sha256.toUpperCase()}') { throw 'Teams Connector package checksum mismatch' }`,
        `Expand-Archive -Force -Path '${packageFile}' -DestinationPath '${target}'`,
        `& '${target}\\${pkg.installScript}'`,
    ].join("; ");
    return `powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "${script}"`;
}
