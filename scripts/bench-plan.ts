/**
 * Benchmark of the offline plan (`npm run bench [-- --runs N]`; `npm run bench -- --help` says
 * what it does and measures nothing). One run measures:
 *
 * - `plan --stack dev --json` as a child process, N times: median wall time and peak memory,
 *   run as `npm run plan` runs it (`ts-node --swc cli/plan/plan.ts`), and N times more through
 *   `npm run --silent plan` itself, which adds npm's own start-up;
 * - the bare `node -e 'require("@pulumi/azure-native/compute")'`, N times, and the ratio;
 * - ten regions' worth of resources against one: a child process that plans a stack with a
 *   program deploying K regions in one evaluation (program.ts's `deploy` once per region,
 *   ~30 resources each, all through the mock runtime, the policy pack and the renderers), for
 *   K = 1 and K = 10, N times each, as a fresh process and warm (second plan in a process);
 *   on dev (self-signed certificates, made with node-forge under the mocks) and prod (Key
 *   Vault certificates). The residency policy is given the ten regions.
 *
 * Peak memory is the child's maximum resident set size (for `npm run`, its largest process,
 * the plan): from `/usr/bin/time -v` when it exists, else reported by the child itself
 * (`process.resourceUsage().maxRSS`) into the file named by PLAN_MAX_RSS_FILE, which
 * cli/plan/plan.ts and the child mode below both honour.
 *
 * Targets (reported, not asserted): dev median < 3 s and < 2.5× the bare require; 10 regions
 * < 2× one region; peak memory < 400 MB.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { commandHelp, Flag, HELP_FLAG, parseFlags, UserError, userErrorLine } from "../cli/commandLine";
import type { PlanProgram } from "../cli/plan/buildPlan";
import type { Settings } from "../lib/config/settings";

const ROOT = path.resolve(__dirname, "..");
/** How package.json's `plan` and `bench` scripts run TypeScript: ts-node with SWC transpiling. */
const TS_NODE_SWC = [require.resolve("ts-node/dist/bin"), "--swc"];
const GNU_TIME = "/usr/bin/time";

/** Ten regions, each with its own short code; the first is the dev stack's own. */
const REGIONS: readonly { readonly location: string; readonly code: string }[] = [
    { location: "westeurope", code: "weu" },
    { location: "northeurope", code: "neu" },
    { location: "swedencentral", code: "sdc" },
    { location: "germanywestcentral", code: "gwc" },
    { location: "francecentral", code: "frc" },
    { location: "norwayeast", code: "noe" },
    { location: "switzerlandnorth", code: "szn" },
    { location: "italynorth", code: "itn" },
    { location: "polandcentral", code: "plc" },
    { location: "spaincentral", code: "spc" },
];

/** The stacks the ten-region measurement runs on: self-signed certificates (dev), Key Vault ones (prod). */
const REGION_STACKS = ["dev", "prod"] as const;

/** One child process: wall time in ms, peak RSS in MB, exit code, stdout. */
interface Sample {
    readonly ms: number;
    readonly rssMb: number | undefined;
    readonly exitCode: number | null;
    readonly stdout: string;
}

/** Runs `program args` (default program: this node) once as a child process. */
function measure(args: readonly string[], program: string = process.execPath): Sample {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
    const timeFile = path.join(scratch, "time.txt");
    const rssFile = path.join(scratch, "rss.txt");
    const useTime = fs.existsSync(GNU_TIME);
    const command = useTime ? GNU_TIME : program;
    const commandArgs = useTime ? ["-v", "-o", timeFile, program, ...args] : [...args];
    const started = process.hrtime.bigint();
    const result = spawnSync(command, commandArgs, {
        cwd: ROOT,
        env: { ...process.env, PLAN_MAX_RSS_FILE: rssFile },
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    let rssKb: number | undefined;
    if (useTime && fs.existsSync(timeFile)) {
        const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(timeFile, "utf8"));
        rssKb = match ? Number(match[1]) : undefined;
    }
    if (rssKb === undefined && fs.existsSync(rssFile)) rssKb = Number(fs.readFileSync(rssFile, "utf8"));
    fs.rmSync(scratch, { recursive: true, force: true });
    if (result.error) throw result.error;
    return { ms, rssMb: rssKb === undefined ? undefined : rssKb / 1024, exitCode: result.status, stdout: result.stdout };
}

function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function max(values: readonly (number | undefined)[]): number | undefined {
    const known = values.filter((value): value is number => value !== undefined);
    return known.length === 0 ? undefined : Math.max(...known);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (mb: number | undefined) => (mb === undefined ? "n/a" : `${mb.toFixed(0)} MB`);

/** A program that deploys `count` regions of the stack's configuration in one evaluation. */
export function regionsProgram(count: number): PlanProgram {
    return async () => {
        // Loaded on use (cli/plan/plan.ts has loaded it already), so that the benchmark's parent
        // process, which only starts children, never loads the SDK.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program: typeof import("../program") = require("../program");
        const base = program.readSettings();
        let first: Record<string, unknown> | undefined;
        for (const [index, region] of REGIONS.slice(0, count).entries()) {
            // A base name per region keeps the tenant-wide pieces' names (app, bot) unique too.
            const baseName = `${base.baseName.slice(0, 8)}${index}`;
            const fqdn = `teamsconn-${region.code}.${base.fqdn.split(".").slice(1).join(".")}`;
            // A certificate kept in Key Vault declares its names: each region's hostname.
            const certificate: Settings["certificate"] =
                base.certificate.kind === "keyVaultSecret"
                    ? { ...base.certificate, facts: { ...base.certificate.facts, subject: fqdn, sans: [fqdn] } }
                    : base.certificate;
            const settings: Settings = {
                ...base,
                baseName,
                regionCode: region.code,
                location: region.location,
                fqdn,
                certificate,
                identity: base.identity.owner
                    ? {
                          ...base.identity,
                          botName: `${baseName}-teams-bot`,
                          botEndpoint: `https://${fqdn}/api/messages`,
                          botCallingWebhook: `https://${fqdn}/api/calling`,
                          consentRedirectUri: `https://${fqdn}/adminconsent`,
                      }
                    : base.identity,
            };
            const outputs = program.deploy(settings, program.resolveCertificate(settings, new Date(), process.cwd()), await program.resolvePackage(settings, process.cwd()));
            first ??= outputs;
        }
        return first;
    };
}

/**
 * Child mode: plans the dev stack with `regions` regions and prints the timing. With `warm`,
 * plans twice and reports the second, when every module is loaded.
 */
async function child(stack: string, regions: number, policyConfigFile: string, warm: boolean): Promise<void> {
    // Loaded on use, like `program` above.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { plan }: typeof import("../cli/plan/plan") = require("../cli/plan/plan");
    let ms = 0;
    let resources = 0;
    let exitCode = 0;
    for (let run = 0; run < (warm ? 2 : 1); run++) {
        const started = process.hrtime.bigint();
        const result = await plan({ stack, format: "json", program: regionsProgram(regions), policyConfigFile });
        ms = Number(process.hrtime.bigint() - started) / 1e6;
        resources = result.report?.resources.length ?? 0;
        exitCode = result.exitCode;
    }
    const rssFile = process.env.PLAN_MAX_RSS_FILE;
    if (rssFile) fs.writeFileSync(rssFile, `${process.resourceUsage().maxRSS}\n`);
    process.stdout.write(`${JSON.stringify({ regions, resources, exitCode, ms })}\n`);
}

/** The repository's policy configuration, with the ten regions allowed by eu-data-residency. */
function tenRegionPolicyConfig(): string {
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config.json"), "utf8")) as Record<string, unknown>;
    const residency = typeof config["eu-data-residency"] === "object" ? (config["eu-data-residency"] as Record<string, unknown>) : {};
    config["eu-data-residency"] = { ...residency, allowedLocations: REGIONS.map((region) => region.location) };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-policy-")), "config.json");
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
}

/** How many times each measurement runs: the default, and the bounds `--runs` accepts. */
export const RUNS = { default: 5, min: 1, max: 50 } as const;

const BENCH_USAGE = "usage: npm run bench [-- --runs N]";

const BENCH_FLAGS: readonly Flag[] = [
    { name: "--runs", value: "N", meaning: `runs of each measurement, a whole number ${RUNS.min}–${RUNS.max}; default ${RUNS.default}` },
    { ...HELP_FLAG, meaning: "print this help and exit 0; nothing is measured" },
];

/** What `npm run bench -- --help` prints. */
export const BENCH_HELP = commandHelp({
    about: [
        "The offline plan's benchmark (docs/plan.md#benchmark): the dev plan as a child process, N times through",
        "ts-node and N times through `npm run --silent plan`; the bare require of @pulumi/azure-native/compute, N",
        "times; and 1 against 10 regions in one evaluation, on dev and prod, N times each, fresh and warm. Medians",
        "and peak memory against the targets, as a table on stdout; progress on stderr. It takes minutes: 11 × N",
        "child processes.",
    ],
    usage: BENCH_USAGE,
    flagsNote: "Flags (each at most once; --runs=N works too):",
    flags: BENCH_FLAGS,
    exitCodes: { 0: "measured (targets are reported, not asserted)", 1: "a measurement failed", 2: "a usage mistake; one line on stderr" },
    examples: ["npm run bench", "npm run bench -- --runs 3"],
});

/** Parses the benchmark's own arguments (not `--child`'s) with the commands' parser; throws UserError. */
export function parseBenchArguments(argv: readonly string[]): { readonly help: true } | { readonly runs: number } {
    const { help, values } = parseFlags(argv, BENCH_FLAGS, BENCH_USAGE);
    if (help) return { help: true };
    const runs = values.get("--runs")?.[0];
    if (runs === undefined) return { runs: RUNS.default };
    const count = /^\d+$/.test(runs) ? Number(runs) : NaN;
    if (!(count >= RUNS.min && count <= RUNS.max)) throw new UserError("--runs", `--runs must be a whole number ${RUNS.min}–${RUNS.max}, got "${runs}"; ${BENCH_USAGE}`);
    return { runs: count };
}

async function main(argv: readonly string[]): Promise<void> {
    const option = (name: string) => {
        const index = argv.indexOf(name);
        return index >= 0 ? argv[index + 1] : undefined;
    };
    if (argv.includes("--child")) {
        return child(option("--stack") ?? "dev", Number(option("--regions") ?? "1"), option("--policy-config") ?? path.join(ROOT, "policy", "config.json"), argv.includes("--warm"));
    }
    const parsed = parseBenchArguments(argv);
    if ("help" in parsed) {
        process.stdout.write(BENCH_HELP);
        return;
    }
    const { runs } = parsed;

    const planArgs = ["--stack", "dev", "--json"];
    const log = (text: string) => process.stderr.write(`${text}\n`);

    log(`plan --stack dev --json (ts-node --swc) × ${runs} ...`);
    const plans = Array.from({ length: runs }, () => measure([...TS_NODE_SWC, "cli/plan/plan.ts", ...planArgs]));
    log(`npm run --silent plan -- --stack dev --json × ${runs} ...`);
    const npmPlans = Array.from({ length: runs }, () => measure(["run", "--silent", "plan", "--", ...planArgs], "npm"));
    for (const sample of [...plans, ...npmPlans]) {
        if (sample.exitCode !== 0) log(`warning: plan --stack dev exited with ${sample.exitCode}`);
        JSON.parse(sample.stdout); // one JSON document, or this throws
    }
    log(`bare require × ${runs} ...`);
    const bare = Array.from({ length: runs }, () => measure(["-e", 'require("@pulumi/azure-native/compute")']));

    const policyConfig = tenRegionPolicyConfig();
    const regionRun = (stack: string, regions: number, warm = false) => {
        const args = [...TS_NODE_SWC, "scripts/bench-plan.ts", "--child", "--stack", stack, "--regions", String(regions), "--policy-config", policyConfig];
        const sample = measure(warm ? [...args, "--warm"] : args);
        const detail = JSON.parse(sample.stdout) as { resources: number; exitCode: number; ms: number };
        if (sample.exitCode !== 0 || detail.exitCode !== 0) {
            throw new Error(`bench child for ${stack} × ${regions} region(s) failed: exit ${sample.exitCode}, plan exit ${detail.exitCode}`);
        }
        return { ...sample, detail };
    };
    const scaling = REGION_STACKS.map((stack) => {
        log(`${stack}: 1 region and 10 regions in one evaluation × ${runs}, cold and warm ...`);
        const one = Array.from({ length: runs }, () => regionRun(stack, 1));
        const ten = Array.from({ length: runs }, () => regionRun(stack, 10));
        const oneWarm = median(Array.from({ length: runs }, () => regionRun(stack, 1, true).detail.ms));
        const tenWarm = median(Array.from({ length: runs }, () => regionRun(stack, 10, true).detail.ms));
        return { stack, one, ten, oneWarm, tenWarm };
    });
    fs.rmSync(path.dirname(policyConfig), { recursive: true, force: true });

    const planMs = median(plans.map((sample) => sample.ms));
    const npmMs = median(npmPlans.map((sample) => sample.ms));
    const bareMs = median(bare.map((sample) => sample.ms));
    const rssOf = (samples: readonly Sample[]) => megabytes(max(samples.map((sample) => sample.rssMb)));
    const rows: [string, string, string, string][] = [
        ["measurement", "median", "peak RSS", "target"],
        [`plan --stack dev --json, ts-node --swc (${runs} runs)`, seconds(planMs), rssOf(plans), "< 3 s"],
        [`same through npm run --silent plan (${runs} runs)`, seconds(npmMs), rssOf(npmPlans), ""],
        [`bare require azure-native/compute (${runs} runs)`, seconds(bareMs), rssOf(bare), ""],
        ["ratio plan / bare", `${(planMs / bareMs).toFixed(2)}×`, "", "< 2.5×"],
        ["ratio npm run plan / bare", `${(npmMs / bareMs).toFixed(2)}×`, "", ""],
    ];
    for (const { stack, one, ten, oneWarm, tenWarm } of scaling) {
        const oneMs = median(one.map((sample) => sample.ms));
        const tenMs = median(ten.map((sample) => sample.ms));
        rows.push(
            [`${stack}: 1 region, ${one[0].detail.resources} resources (process)`, seconds(oneMs), rssOf(one), ""],
            [`${stack}: 10 regions, ${ten[0].detail.resources} resources (process)`, seconds(tenMs), rssOf(ten), "< 400 MB"],
            [`${stack}: ratio 10 regions / 1 region (process)`, `${(tenMs / oneMs).toFixed(2)}×`, "", "< 2×"],
            [`${stack}: warm plan() in process, 1 → 10 regions`, `${seconds(oneWarm)} → ${seconds(tenWarm)}`, "", ""],
        );
    }
    const peak = max([...plans, ...npmPlans, ...scaling.flatMap(({ one, ten }) => [...one, ...ten])].map((sample) => sample.rssMb));
    rows.push(["peak memory of any plan child", megabytes(peak), "", "< 400 MB"]);
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    const line = (row: readonly string[]) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
    const method = fs.existsSync(GNU_TIME) ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS";
    process.stdout.write(
        [
            line(rows[0]),
            line(widths.map((width) => "-".repeat(width))),
            ...rows.slice(1).map(line),
            "",
            `${os.cpus().length} CPU(s), load average ${os.loadavg().map((load) => load.toFixed(2)).join(" ")}, node ${process.version}; peak RSS by ${method}`,
            "",
        ].join("\n"),
    );
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error) => {
        const usageMistake = userErrorLine(error);
        if (usageMistake !== undefined) {
            process.stderr.write(usageMistake);
            process.exitCode = 2;
            return;
        }
        process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
        process.exitCode = 1;
    });
}
