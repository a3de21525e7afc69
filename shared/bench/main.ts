import { loadavg } from "node:os";
import { relative } from "node:path";
import { benchCalibration } from "./calibration";
import { benchCapacity } from "./capacity";
import { benchColdStart } from "./coldstart";
import { costPerMillion } from "./cost";
import { type BenchEngine, startBenchEngine } from "./dynamodb";
import { benchInit } from "./init";
import { describeMachine } from "./machine";
import { report } from "./report";
import { benchRescore } from "./rescore";
import { type BenchResults, type Measured, RESULTS_FILE, readResults, writeResults } from "./results";
import { benchScoring } from "./scoring";
import { benchSequential } from "./sequential";
import { benchThroughput } from "./throughput";

/**
 * `npm run bench [-- name…]`: scoring, init (or bundle), coldstart, capacity, throughput, sequential, rescore,
 * calibration, cost; none runs them all.
 * Writes bench/results.json (sections not run keep their previous figures) and prints the tables.
 * DYNAMODB_ENDPOINT points capacity and throughput at another engine than an in-memory DynamoDB Local.
 */
const NAMES = [
  "scoring",
  "init",
  "coldstart",
  "capacity",
  "throughput",
  "sequential",
  "rescore",
  "calibration",
  "cost",
] as const;
type Name = (typeof NAMES)[number];
const ALIASES: Record<string, Name> = { bundle: "init" };
const USAGE = `usage: npm run bench [-- ${NAMES.join(" | ")} | bundle …]   (no name: all)`;

async function main(): Promise<void> {
  // The SDK warns once that Node 20 support ends; the benchmark runs on what the machine has.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const asked = process.argv.slice(2).map((name) => ALIASES[name] ?? name);
  const unknown = asked.filter((name) => !(NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(", ")}\n${USAGE}`);
    process.exit(2);
  }
  const selected = new Set<Name>(asked.length > 0 ? (asked as Name[]) : NAMES);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  const previous = await readResults();
  const measured: BenchResults = {};
  const stamp = <Result>(result: Result): Measured<Result> => ({
    measuredAt: new Date().toISOString(),
    machine,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    result,
  });

  // CPU-bound figures first, before the DynamoDB engine runs.
  if (selected.has("scoring")) measured.scoring = stamp(await benchScoring(progress));
  if (selected.has("init")) measured.init = stamp(await benchInit(progress));

  // Cost needs units and handler time: from this run, else from the last results, else measured now.
  const needCapacity = selected.has("capacity") || (selected.has("cost") && !previous.capacity);
  const needThroughput = selected.has("throughput") || (selected.has("cost") && !previous.throughput);
  // A fresh engine per benchmark: DynamoDB Local slows down with everything an earlier one left in it
  // (the capacity run's 20,000 items and their stream records made the next run's floor ten times slower).
  const onEngine = async <Result>(run: (engine: BenchEngine) => Promise<Result>): Promise<Result> => {
    const engine = await startBenchEngine(progress);
    try {
      return await run(engine);
    } finally {
      await engine.stop();
    }
  };
  if (selected.has("coldstart")) {
    measured.coldstart = stamp(await onEngine((engine) => benchColdStart(engine, progress)));
  }
  if (needCapacity) {
    measured.capacity = stamp(
      await onEngine((engine) => {
        progress("capacity: recording units per webhook…");
        return benchCapacity(engine.endpoint, engine.description, progress);
      }),
    );
  }
  if (needThroughput) {
    measured.throughput = stamp(
      await onEngine((engine) => benchThroughput(engine.endpoint, engine.description, progress)),
    );
  }
  if (selected.has("sequential")) {
    measured.sequential = stamp(await onEngine((engine) => benchSequential(engine.endpoint, progress)));
  }
  if (selected.has("rescore")) {
    measured.rescore = stamp(await onEngine((engine) => benchRescore(engine.endpoint, progress)));
  }
  if (selected.has("calibration")) {
    measured.calibration = stamp(await onEngine((engine) => benchCalibration(engine.endpoint, progress)));
  }
  if (selected.has("cost")) {
    const capacity = measured.capacity ?? previous.capacity;
    const throughput = measured.throughput ?? previous.throughput;
    if (!capacity || !throughput) throw new Error("cost needs the capacity and throughput figures");
    if (!measured.capacity || !measured.throughput) {
      progress(
        `cost: from the capacity (${capacity.measuredAt}) and throughput (${throughput.measuredAt}) figures on file`,
      );
    }
    measured.cost = stamp(costPerMillion(capacity.result, throughput.result));
  }

  const results = await writeResults(previous, measured);
  const ran = Object.keys(measured);
  process.stdout.write(report(results, ran));
  process.stdout.write(`\nwritten to ${relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE}\n`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
