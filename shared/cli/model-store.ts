import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoStageIndex } from "../adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "../adapters/dynamodb/lead-store";
import { readModelFile } from "../adapters/model-file";
import { type ModelPreview, previewModel } from "../application/preview-model";
import { type RescoreCounts, rescoreLeads } from "../application/rescore-leads";
import { countStoredLeads, type WalkPosition } from "../application/stored-leads";
import { createEngine } from "../domain/model/engine";
import { STAGES } from "../domain/stages";
import { loadEngine, modelPath } from "../runtime/engine";
import { openLocalTable } from "./local-table";

/**
 * preview and rescore run against the table `npm start` uses (see local-table.ts: DYNAMODB_ENDPOINT,
 * or DynamoDB Local on RIPEN_DATA_DIR); `--aws` uses the AWS account, region and TABLE_NAME of the
 * environment instead.
 */
interface Table {
  client: DynamoDBClient;
  tableName: string;
  describe: string;
  close(): Promise<void>;
}

export async function openTable(flags: ReadonlySet<string>): Promise<Table> {
  if (!flags.has("--aws")) return openLocalTable();
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error("--aws needs TABLE_NAME (the table of the deployed stack)");
  const { dynamodbClient } = await import("../runtime/aws-clients");
  const client = dynamodbClient();
  return { client, tableName, describe: `table ${tableName} in AWS`, close: async () => client.destroy() };
}

export async function runStoreCommand(command: "preview" | "rescore", args: readonly string[]): Promise<number> {
  const flags = new Set(args.filter((arg) => arg.startsWith("--")));
  const [file] = args.filter((arg) => !arg.startsWith("--"));
  if (command === "preview" && !file) {
    console.error("usage: npm run model -- preview <candidate model file> [--aws]");
    return 2;
  }
  // Both models are checked before anything touches the table.
  const current = loadEngine();
  const candidate = file ? createEngine(readModelFile(resolve(file))) : current;
  const table = await openTable(flags);
  console.log(`Reading ${table.describe}`);
  try {
    const store = dynamoLeadStore(table);
    const index = dynamoStageIndex(table);
    const clock = () => new Date();
    if (command === "preview") {
      console.log(formatPreview(await previewModel({ index, store, current, candidate, clock })()));
      return 0;
    }
    return await rescore(index, store, candidate, clock);
  } finally {
    await table.close();
  }
}

async function rescore(
  index: ReturnType<typeof dynamoStageIndex>,
  store: ReturnType<typeof dynamoLeadStore>,
  engine: ReturnType<typeof loadEngine>,
  clock: () => Date,
): Promise<number> {
  const checkpoint = checkpointFile(engine.modelVersion);
  const from = checkpoint.read();
  const total = await countStoredLeads(index);
  console.log(
    `Rescoring ${total} leads with model ${engine.modelVersion} (${modelPath()})` +
      (from ? `, resuming at ${STAGES[from.stage]} shard ${from.shard}` : ""),
  );
  const bar = progressBar(total);
  const counts = await rescoreLeads({
    index,
    store,
    engine,
    clock,
    progress: (done, next) => {
      bar(done);
      if (next) checkpoint.write(next);
    },
  })(from ? { from } : {});
  checkpoint.clear();
  bar(counts, true);
  console.log(
    `${counts.rescored} rescored, ${counts.moved} moved stage, ${counts.current} already at ${engine.modelVersion}` +
      (counts.conflicts > 0 ? `, ${counts.conflicts} busy (run again)` : ""),
  );
  return counts.conflicts > 0 ? 1 : 0;
}

/** Where a rescore stopped, per model version, so an interrupted run resumes instead of starting over. */
function checkpointFile(version: string) {
  const dir = resolve(process.env.RIPEN_DATA_DIR || ".ripen");
  const path = join(dir, `rescore-${version.replace(/[^\w.-]/g, "_")}.json`);
  return {
    read(): WalkPosition | undefined {
      try {
        return JSON.parse(readFileSync(path, "utf8")) as WalkPosition;
      } catch {
        return undefined;
      }
    },
    write(position: WalkPosition) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, JSON.stringify(position));
    },
    clear: () => rmSync(path, { force: true }),
  };
}

function progressBar(total: number) {
  const width = 30;
  return (counts: RescoreCounts, last = false) => {
    const share = total === 0 ? 1 : Math.min(1, counts.examined / total);
    const filled = Math.round(share * width);
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(share * 100)}% ${counts.examined}/${total} leads, ${counts.moved} moved`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${last ? "\n" : ""}`);
    else if (last) process.stderr.write(`${line}\n`);
  };
}

export function formatPreview(preview: ModelPreview): string {
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  const rows = STAGES.map((stage) => {
    const delta = preview.after[stage] - preview.before[stage];
    return `  ${stage.padEnd(13)}${pad(preview.before[stage], 8)}${pad(preview.after[stage], 11)}${pad(delta > 0 ? `+${delta}` : delta === 0 ? "" : delta, 9)}`;
  });
  const changes = preview.changes.map(
    (change) =>
      `  ${change.leadId}  ${change.email}  ${change.from} → ${change.to}  score ${change.scoreBefore} → ${change.scoreAfter}  ${change.reason}`,
  );
  return [
    `Model ${preview.candidateVersion} against ${preview.currentVersion}, over ${preview.examined} stored leads, as of ${preview.asOf}`,
    `  ${"stage".padEnd(13)}${pad("current", 8)}${pad("candidate", 11)}${pad("change", 9)}`,
    ...rows,
    preview.changes.length === 0
      ? "No lead would change stage."
      : `${preview.changes.length} lead${preview.changes.length === 1 ? "" : "s"} would change stage:`,
    ...changes,
  ].join("\n");
}
