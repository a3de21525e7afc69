import { dynamoStageIndex } from "../adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "../adapters/dynamodb/lead-store";
import { dynamoSlaBreachLog } from "../adapters/dynamodb/sla-breaches";
import { runMaintenance } from "../application/maintenance";
import { loadEngine } from "../runtime/engine";
import { openLocalTable, parseFlags } from "./local-table";

const USAGE = "npm run maintenance -- [--as-of <ISO instant, not in the future>]";

/** `npm run maintenance`: the daily sweep, run once over the local table, with its progress printed. */
async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ["as-of"], USAGE);
  const asOf = flags["as-of"] === undefined ? undefined : new Date(flags["as-of"]);
  if (asOf && Number.isNaN(asOf.getTime())) throw new Error(`--as-of is not a date\nusage: ${USAGE}`);
  // What the sweep writes carries this instant: a future one would date leads after the events still to come.
  if (asOf && asOf.getTime() > Date.now()) throw new Error("--as-of must not be in the future");
  const engine = loadEngine();
  const table = await openLocalTable();
  try {
    console.log(`sweeping ${table.describe} with model ${engine.modelVersion}`);
    const summary = await runMaintenance({
      index: dynamoStageIndex(table),
      store: dynamoLeadStore(table),
      engine,
      breaches: dynamoSlaBreachLog(table),
      clock: () => new Date(),
      progress: (message, fields) => {
        const where = fields.stage === undefined ? "" : ` ${fields.stage}/${fields.shard}: ${fields.leads} leads`;
        console.log(`${message}${where}`);
      },
    })(asOf ? { asOf } : {});
    const { asOf: at, complete, ...counts } = summary;
    console.log(`as of ${at}${complete ? "" : " (incomplete)"}:`);
    for (const [name, count] of Object.entries(counts)) console.log(`  ${name.padEnd(12)} ${count}`);
  } finally {
    await table.close();
  }
}

main().catch((error: unknown) => {
  console.error(`maintenance: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
