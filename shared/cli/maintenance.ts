import { sweepInstant, sweepSummary } from "#shared/application/maintenance";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { loadEngine } from "#shared/runtime/scoring-model";
import { DEFAULT_MAX_WRU } from "#shared/runtime/work-queue";
import { driveRun } from "./drive-run";
import { openLocalTable, parseFlags } from "./local-table";
import { formatMoves, formatRate } from "./model-store";

const USAGE =
  "npm run maintenance -- [--as-of <ISO instant, not in the future>] [--max-wru <units per second>] [--workers <n>]";

/**
 * `npm run maintenance`: the daily sweep over the local table, as a run worked by local workers (the
 * same run the scheduled sweep puts on the work queue in AWS), with its summary printed.
 */
async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ["as-of", "max-wru", "workers"], USAGE);
  const asOf = flags["as-of"] === undefined ? undefined : new Date(flags["as-of"]);
  if (asOf && Number.isNaN(asOf.getTime())) throw new Error(`--as-of is not a date\nusage: ${USAGE}`);
  // What the sweep writes carries this instant: a future one would date leads after the events still to come.
  if (asOf && asOf.getTime() > Date.now()) throw new Error("--as-of must not be in the future");
  const maxWru = Number(flags["max-wru"] ?? DEFAULT_MAX_WRU);
  const workers = Number(flags.workers ?? 4);
  if (!(maxWru > 0) || !Number.isInteger(workers) || workers < 1) throw new Error(`usage: ${USAGE}`);
  const engine = loadEngine();
  const table = await openLocalTable();
  try {
    console.log(`sweeping ${table.describe} with model ${engine.modelVersion}`);
    const driven = await driveRun(
      { kind: "sweep", model: runModelOf(engine), asOf: asOf ?? sweepInstant(new Date()), maxWru },
      {
        table,
        engine,
        known: [],
        aws: false,
        workers,
        onStart: (run, created) => {
          if (!created) console.log(`the sweep of ${run.asOf} is under way or done: run ${run.runId}`);
        },
        onProgress: () => {},
      },
    );
    const { asOf: at, complete, ...counts } = sweepSummary(driven.progress);
    console.log(`as of ${at}${complete ? "" : " (incomplete)"}:`);
    for (const [name, count] of Object.entries(counts)) console.log(`  ${name.padEnd(12)} ${count}`);
    console.log(formatMoves(driven.progress, "alerted as the model's rules say"));
    console.log(formatRate(driven));
  } finally {
    await table.close();
  }
}

main().catch((error: unknown) => {
  console.error(`maintenance: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
