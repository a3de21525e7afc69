import { dynamoTransitionLog } from "#shared/adapters/dynamodb/funnel-queries";
import { FunnelQuery, readFunnel } from "#shared/application/funnel";
import { issueSummary } from "#shared/edge/schema-issues";
import { funnelText } from "./funnel-table";
import { openLocalTable, parseFlags } from "./local-table";

const USAGE = "npm run funnel -- [--from yyyy-mm-dd] [--to yyyy-mm-dd] [--by source|campaign|month]";

/** `npm run funnel`: the funnel report of the local table, as a text table. */
async function main(): Promise<void> {
  const query = FunnelQuery.safeParse(parseFlags(process.argv.slice(2), ["from", "to", "by"], USAGE));
  if (!query.success) throw new Error(`${issueSummary(query.error.issues)}\nusage: ${USAGE}`);
  const table = await openLocalTable();
  try {
    const view = await readFunnel({ log: dynamoTransitionLog(table), clock: () => new Date() })(query.data);
    console.log(`(${table.describe})\n`);
    console.log(funnelText(view));
  } finally {
    await table.close();
  }
}

main().catch((error: unknown) => {
  console.error(`funnel: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
