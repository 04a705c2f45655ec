import * as assert from "node:assert/strict";
import { checkStackLiterals } from "../../../lib/config/stackLiterals";
import { rejectsConfig } from "../../support/configErrors";

/** A stack file with one value of the project's, written as given. */
const stackFile = (key: string, written: string) => `config:\n  azure-native:location: westeurope\n  vdx-teams-connector:${key}: ${written}\n`;

describe("stack values read as written (lib/config/stackLiterals.ts)", () => {
    // What the Pulumi CLI v3.274.1 built here handed a program for each unquoted literal.
    const changed: Array<[written: string, read: string]> = [
        ["37.10", "37.1"],
        ["0x10", "16"],
        ["1e9", "1000000000"],
        ["1_000", "1000"],
        ["017", "15"],
        ["+5", "5"],
        ["1.0", "1"],
        ["010", "8"],
    ];
    for (const [written, read] of changed) {
        it(`refuses ${written} unquoted, which the CLI would hand over as ${read}, and says to quote it`, () => {
            rejectsConfig(() => checkStackLiterals(stackFile("pexipVersion", written), "vdx-teams-connector"), "pexipVersion", `is written ${written} without quotes`, `"${read}"`, `write "${written}"`);
        });
    }

    it("refuses an unquoted integer too large to read exactly", () => {
        rejectsConfig(() => checkStackLiterals(stackFile("concurrentPorts", "12345678901234567890"), "vdx-teams-connector"), "concurrentPorts", "a number too large to read exactly", 'write "12345678901234567890"');
    });

    for (const written of ['"37.10"', "'0x10'", "37.1", "48", "-5", "0", "37.1.2", "teamsconn.example.dk", "[1, 2, 3]"]) {
        it(`takes ${written} as it stands`, () => {
            assert.doesNotThrow(() => checkStackLiterals(stackFile("pexipVersion", written), "vdx-teams-connector"));
        });
    }

    it("looks inside objects and lists, naming the nested key", () => {
        const text = "config:\n  vdx-teams-connector:cost:\n    licensePerYear: 1e4\n  vdx-teams-connector:zones: [1, 0x2]\n";
        rejectsConfig(() => checkStackLiterals(text, "vdx-teams-connector"), "cost.licensePerYear", "YAML reads as the number 10000");
        rejectsConfig(() => checkStackLiterals("config:\n  vdx-teams-connector:zones: [1, 0x2]\n", "vdx-teams-connector"), "zones[1]", "the number 2");
    });

    it("names keys of other namespaces in full", () => {
        rejectsConfig(() => checkStackLiterals("config:\n  azure-native:subscriptionId: 1e5\n", "vdx-teams-connector"), "azure-native:subscriptionId", "the number 100000");
    });
});
