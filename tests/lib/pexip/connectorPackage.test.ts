import assert from "node:assert/strict";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Zip, ZipPassThrough } from "fflate";
import { DEFAULT_DEPLOYMENT_SCRIPT, inspectPackage, MAX_PACKAGE_BYTES, MAX_SCRIPT_BYTES } from "../../../lib/pexip/connectorPackage";
import { readParameters } from "../../../lib/pexip/powershellParameters";
import { rejectsConfig } from "../../support/configErrors";
import { FIXTURE_SCRIPTS, pexipPackage, utf8, writeZip } from "../../support/pexipPackage";

/** Our own fixture script (not Pexip's code); the zips are built here, in a temporary folder. */
const SCRIPT_TEXT = fs.readFileSync(FIXTURE_SCRIPTS.singleApp, "utf8");
/** Where the checksum comes from, for messages: the catalogue entry of the package's version. */
const SHA_KEY = "pexip-versions.yaml:versions[0].sha256";
const FOLDER = "pexip_teams_connector_v37.1";
const LABEL = "pexip_teams_connector_v37.1.zip";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("inspectPackage", () => {
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "connector-package-"));
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const zip = (name: string, files: Record<string, Uint8Array>) => {
        const { file, sha256: sha } = writeZip(dir, name, files);
        return { file, sha };
    };
    const fixture = (name = LABEL) => {
        const { file, sha256: sha } = pexipPackage(dir, name, SCRIPT_TEXT, FOLDER);
        return { file, sha };
    };

    it("finds the deployment script by its file name in the package's versioned folder, and returns its text", async () => {
        const { file, sha } = fixture();
        const inspected = inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY);
        assert.equal(inspected.scriptPath, `${FOLDER}/create_vmss_deployment.ps1`);
        assert.equal(inspected.scriptText, SCRIPT_TEXT);
        assert.equal((await readParameters(inspected.scriptText)).length, 22);
    });

    it("finds the script by its path inside the package", () => {
        const { file, sha } = fixture("by-path.zip");
        const inspected = inspectPackage(file, LABEL, sha, `${FOLDER}/create_vmss_deployment.ps1`, SHA_KEY);
        assert.equal(inspected.scriptPath, `${FOLDER}/create_vmss_deployment.ps1`);
    });

    it("matches the script's name and the checksum regardless of case", () => {
        const { file, sha } = fixture("case.zip");
        const inspected = inspectPackage(file, LABEL, sha.toUpperCase(), "Create_VMSS_Deployment.PS1", SHA_KEY);
        assert.equal(inspected.scriptPath, `${FOLDER}/create_vmss_deployment.ps1`);
    });

    it("finds a script at the package's root", () => {
        const { file, sha } = zip("root.zip", { [DEFAULT_DEPLOYMENT_SCRIPT]: utf8(SCRIPT_TEXT) });
        assert.equal(inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY).scriptPath, DEFAULT_DEPLOYMENT_SCRIPT);
    });

    it("refuses a wrong SHA-256 and names the file's actual one", () => {
        const { file, sha } = fixture("wrong-sha.zip");
        const wrong = "a".repeat(64);
        const error = rejectsConfig(() => inspectPackage(file, LABEL, wrong, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), SHA_KEY, LABEL, sha, "download it again");
        assert.equal(error.given, wrong);
    });

    it("refuses a package without the deployment script, listing the PowerShell scripts it has", () => {
        const { file, sha } = zip("no-script.zip", {
            [`${FOLDER}/install_teams_connector.ps1`]: utf8("param()\n"),
            [`${FOLDER}/create_vmss_deployment_DSCConfig.ps1`]: utf8("Configuration X {}\n"),
            [`${FOLDER}/readme.txt`]: utf8("no script here\n"),
        });
        const error = rejectsConfig(
            () => inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY),
            "connectorPackage.deploymentScript",
            LABEL,
            `${FOLDER}/install_teams_connector.ps1`,
            `${FOLDER}/create_vmss_deployment_DSCConfig.ps1`,
        );
        assert.ok(!error.message.includes("readme.txt"), error.message);
        assert.equal(error.given, DEFAULT_DEPLOYMENT_SCRIPT);
    });

    it("says so when the package holds no PowerShell script at all", () => {
        const { file, sha } = zip("empty-ish.zip", { "readme.txt": utf8("nothing\n") });
        rejectsConfig(() => inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.deploymentScript", "none");
    });

    it("refuses an explicit path that the package does not hold, even when a script of that name is elsewhere", () => {
        const { file, sha } = fixture("wrong-path.zip");
        rejectsConfig(
            () => inspectPackage(file, LABEL, sha, "scripts/create_vmss_deployment.ps1", SHA_KEY),
            "connectorPackage.deploymentScript",
            "holds no such file",
            `${FOLDER}/create_vmss_deployment.ps1`,
        );
    });

    it("refuses a file name found twice as ambiguous, naming both and asking for the path", () => {
        const { file, sha } = zip("two.zip", {
            [`${FOLDER}/create_vmss_deployment.ps1`]: utf8(SCRIPT_TEXT),
            [`old/${FOLDER}/create_vmss_deployment.ps1`]: utf8(SCRIPT_TEXT),
        });
        rejectsConfig(
            () => inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY),
            "connectorPackage.deploymentScript",
            "2 files of that name",
            `${FOLDER}/create_vmss_deployment.ps1`,
            `old/${FOLDER}/create_vmss_deployment.ps1`,
            "give its path inside the zip",
        );
        // Given by path, the same package is fine.
        assert.equal(inspectPackage(file, LABEL, sha, `old/${FOLDER}/create_vmss_deployment.ps1`, SHA_KEY).scriptPath, `old/${FOLDER}/create_vmss_deployment.ps1`);
    });

    it("refuses a missing file under connectorPackage.path, naming where it looked", () => {
        const missing = path.join(dir, "not-there.zip");
        const error = rejectsConfig(() => inspectPackage(missing, LABEL, "0".repeat(64), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.path", missing);
        assert.equal(error.given, LABEL);
    });

    it("refuses a file that is not a zip under connectorPackage.path, after its checksum matched", () => {
        const file = path.join(dir, "not-a-zip.zip");
        const bytes = utf8("<html>Sign in to download</html>\n");
        fs.writeFileSync(file, bytes);
        rejectsConfig(() => inspectPackage(file, LABEL, sha256(bytes), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.path", "must be a zip file", LABEL);
    });

    it("checks the checksum before anything else: a non-zip with the wrong checksum is a checksum error", () => {
        const file = path.join(dir, "not-a-zip-either.zip");
        fs.writeFileSync(file, "not a zip");
        rejectsConfig(() => inspectPackage(file, LABEL, "b".repeat(64), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), SHA_KEY, sha256(utf8("not a zip")));
    });

    it("decodes a UTF-16LE script with a byte-order mark", async () => {
        const utf16 = new Uint8Array(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SCRIPT_TEXT, "utf16le")]));
        const { file, sha } = zip("utf16.zip", { [`${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: utf16 });
        const inspected = inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY);
        assert.equal(inspected.scriptText, SCRIPT_TEXT);
        assert.deepEqual(await readParameters(inspected.scriptText), await readParameters(SCRIPT_TEXT));
    });

    it("decodes a UTF-8 script with a byte-order mark without the mark", () => {
        const bom = new Uint8Array(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SCRIPT_TEXT, "utf8")]));
        const { file, sha } = zip("utf8-bom.zip", { [`${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: bom });
        assert.equal(inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY).scriptText, SCRIPT_TEXT);
    });

    it("decodes a UTF-16BE script with a byte-order mark", () => {
        const le = Buffer.from(SCRIPT_TEXT, "utf16le");
        const be = Buffer.alloc(le.length);
        for (let at = 0; at < le.length; at += 2) {
            be[at] = le[at + 1];
            be[at + 1] = le[at];
        }
        const { file, sha } = zip("utf16be.zip", { [`${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: new Uint8Array(Buffer.concat([Buffer.from([0xfe, 0xff]), be])) });
        assert.equal(inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY).scriptText, SCRIPT_TEXT);
    });

    describe("entry paths, as the driver's Expand-Archive reads them", () => {
        const SCRIPT = `${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`;

        it("names a backslash entry, as Windows PowerShell 5.1's Compress-Archive writes it, with /", () => {
            const { file, sha } = zip("backslash.zip", { [`${FOLDER}\\${DEFAULT_DEPLOYMENT_SCRIPT}`]: utf8(SCRIPT_TEXT) });
            assert.equal(inspectPackage(file, LABEL, sha, SCRIPT, SHA_KEY).scriptPath, SCRIPT);
            assert.equal(inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY).scriptText, SCRIPT_TEXT);
        });

        it("refuses an entry with a .. segment or an absolute path, whichever file it is", () => {
            for (const evil of ["../evil.ps1", `${FOLDER}/../../evil.txt`, "..\\evil.txt", "/etc/evil.txt", "\\evil.txt", "C:/evil.txt", "c:\\evil.txt"]) {
                const { file, sha } = zip(`evil-${sha256(utf8(evil)).slice(0, 8)}.zip`, { [SCRIPT]: utf8(SCRIPT_TEXT), [evil]: utf8("x") });
                rejectsConfig(() => inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.path", "entries stay inside its folder", JSON.stringify(evil.replace(/\\/g, "/")));
            }
        });

        it("refuses two entries of one name: exactly, by case, or by separator", () => {
            const twice = new Promise<Uint8Array>((resolve, reject) => {
                const chunks: Uint8Array[] = [];
                const archive = new Zip((error, chunk, final) => {
                    if (error) return reject(error);
                    chunks.push(chunk);
                    if (final) resolve(new Uint8Array(Buffer.concat(chunks)));
                });
                for (const text of [SCRIPT_TEXT, "param()\n"]) {
                    const entry = new ZipPassThrough(SCRIPT);
                    archive.add(entry);
                    entry.push(utf8(text), true);
                }
                archive.end();
            });
            return twice.then((bytes) => {
                const file = path.join(dir, "twice.zip");
                fs.writeFileSync(file, bytes);
                rejectsConfig(() => inspectPackage(file, LABEL, sha256(bytes), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.path", "two entries of one name");
                for (const [name, other] of [
                    [SCRIPT, SCRIPT.toUpperCase()],
                    [SCRIPT, SCRIPT.replace("/", "\\")],
                ]) {
                    const { file: clash, sha } = zip(`clash-${sha256(utf8(other)).slice(0, 8)}.zip`, { [name]: utf8(SCRIPT_TEXT), [other]: utf8("param()\n") });
                    rejectsConfig(() => inspectPackage(clash, LABEL, sha, SCRIPT, SHA_KEY), "connectorPackage.path", "two entries of one name", JSON.stringify(other.replace(/\\/g, "/")));
                }
            });
        });
    });

    describe("size caps", () => {
        it("refuses a script larger than the cap by its declared size, without inflating it", () => {
            const big = `param([string] $A)\n${"# padding\n".repeat(Math.ceil(MAX_SCRIPT_BYTES / 10) + 1)}`;
            const { file, sha } = zip("big-script.zip", { [`${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: utf8(big) });
            rejectsConfig(() => inspectPackage(file, LABEL, sha, DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.deploymentScript", `at most ${MAX_SCRIPT_BYTES / 1024 / 1024} MiB`, "5 MiB");
        });

        it("trusts no more than the declared size: a small entry that declares 100 MiB is refused at once", () => {
            const { file } = zip("lying.zip", { [`${FOLDER}/${DEFAULT_DEPLOYMENT_SCRIPT}`]: utf8(SCRIPT_TEXT) });
            const bytes = fs.readFileSync(file);
            // The central directory's uncompressed size (offset 24 of its entry), which fflate reads.
            const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
            bytes.writeUInt32LE(100 * 1024 * 1024, central + 24);
            fs.writeFileSync(file, bytes);
            rejectsConfig(() => inspectPackage(file, LABEL, sha256(bytes), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.deploymentScript", "declares 100 MiB");
        });

        it("refuses a package file larger than the cap before reading it", () => {
            const file = path.join(dir, "huge.zip");
            // Sparse: no disk is written.
            fs.writeFileSync(file, "");
            fs.truncateSync(file, MAX_PACKAGE_BYTES + 1);
            rejectsConfig(() => inspectPackage(file, LABEL, "0".repeat(64), DEFAULT_DEPLOYMENT_SCRIPT, SHA_KEY), "connectorPackage.path", `at most ${MAX_PACKAGE_BYTES / 1024 / 1024} MiB`);
            fs.rmSync(file);
        });
    });
});
