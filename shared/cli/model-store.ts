import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { compiledModelText } from "#shared/adapters/compiled-model-file";
import { dynamoLeadBatchReader, dynamoStageIndex } from "#shared/adapters/dynamodb/lead-queries";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { parseModelText } from "#shared/adapters/model-file";
import { countStoredLeads } from "#shared/application/listing/stored-leads";
import type { RunProgress } from "#shared/application/ports/runs";
import { type ModelPreview, modelPreview } from "#shared/application/preview-model";
import type { RescoreCounts } from "#shared/application/rescore-leads";
import type { RunRequest } from "#shared/application/start-run";
import { createEngine } from "#shared/domain/model/engine";
import { STAGES } from "#shared/domain/stages";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { loadEngine, loadModel, modelPath } from "#shared/runtime/scoring-model";
import { DEFAULT_MAX_WRU } from "#shared/runtime/work-queue";
import { type DrivenRun, driveRun } from "./drive-run";
import { openLocalTable } from "./local-table";

/**
 * preview and rescore run against the table `npm start` uses (see local-table.ts: DYNAMODB_ENDPOINT,
 * or DynamoDB Local on RIPEN_DATA_DIR), with local workers; `--aws` uses the AWS account, region and
 * TABLE_NAME of the environment, and the deployed workers through the work queue (RIPEN_WORK_QUEUE_URL).
 */
export interface Table {
  client: DynamoDBClient;
  tableName: string;
  describe: string;
  close(): Promise<void>;
}

export async function openTable(aws: boolean): Promise<Table> {
  if (!aws) return openLocalTable();
  const tableName = process.env.TABLE_NAME;
  if (!tableName) throw new Error("--aws needs TABLE_NAME (the table of the deployed stack)");
  const { dynamodbClient } = await import("#shared/runtime/aws-clients");
  const client = dynamodbClient();
  return { client, tableName, describe: `table ${tableName} in AWS`, close: async () => client.destroy() };
}

const USAGE = {
  preview: "usage: npm run model -- preview <candidate model file> [--aws] [--workers <n>]",
  rescore: "usage: npm run model -- rescore [--max-wru <units per second>] [--notify] [--aws] [--workers <n>]",
};

interface StoreFlags {
  aws: boolean;
  notify: boolean;
  maxWru: number;
  /** Local workers (in AWS the deployed queue decides). */
  workers: number;
  file?: string;
}

/** The command line of preview and rescore; undefined when it is not one. */
export function parseStoreArgs(args: readonly string[]): StoreFlags | undefined {
  const flags: StoreFlags = { aws: false, notify: false, maxWru: DEFAULT_MAX_WRU, workers: 4 };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--aws") flags.aws = true;
    else if (arg === "--notify") flags.notify = true;
    else if (arg === "--max-wru" || arg === "--workers") {
      const value = Number(args[++index]);
      if (!Number.isFinite(value) || value <= 0 || (arg === "--workers" && !Number.isInteger(value))) return undefined;
      if (arg === "--max-wru") flags.maxWru = value;
      else flags.workers = value;
    } else if (!arg.startsWith("--") && flags.file === undefined) flags.file = arg;
    else return undefined;
  }
  return flags;
}

export async function runStoreCommand(command: "preview" | "rescore", args: readonly string[]): Promise<number> {
  const flags = parseStoreArgs(args);
  if (!flags || (command === "preview") !== (flags.file !== undefined) || (command === "preview" && flags.notify)) {
    console.error(USAGE[command]);
    return 2;
  }
  // Both models are checked before anything touches the table.
  const current = loadEngine();
  const candidateModel =
    flags.file === undefined ? undefined : parseModelText(readFileSync(resolve(flags.file), "utf8"), flags.file);
  const candidate = candidateModel === undefined ? current : createEngine(candidateModel);
  const table = await openTable(flags.aws);
  console.log(`Reading ${table.describe}`);
  try {
    const total = await countStoredLeads(dynamoStageIndex(table));
    const request: RunRequest =
      command === "preview"
        ? {
            kind: "preview",
            // The workers in AWS may run another model than this machine: both travel with the run.
            model: runModelOf(current, compiledModelText(loadModel(), modelPath())),
            candidate: runModelOf(
              candidate,
              candidateModel && compiledModelText(candidateModel, flags.file ?? "the candidate"),
            ),
          }
        : { kind: "rescore", model: runModelOf(current), notify: flags.notify, maxWru: flags.maxWru };
    const driven = await driveRun(request, {
      table,
      engine: current,
      known: [candidate],
      aws: flags.aws,
      workers: flags.workers,
      onStart: (run, created) => {
        const resuming = created ? "" : `, resuming run ${run.runId}`;
        if (command === "preview") console.log(`Previewing ${candidate.modelVersion} over ${total} leads${resuming}`);
        else console.log(`Rescoring ${total} leads with model ${current.modelVersion} (${modelPath()})${resuming}`);
      },
      onProgress: progressBar(total),
    });
    if (driven.progress.run.refused) {
      console.error(`refused: ${driven.progress.run.refused}`);
      return 1;
    }
    if (command === "preview") {
      const changes = await dynamoRunStore(table).changes(driven.progress.run.runId);
      const leads = await dynamoLeadBatchReader(table).getLeads(changes.map((change) => change.leadId));
      const emails = new Map([...leads].map(([leadId, lead]) => [leadId, lead.email]));
      console.log(formatPreview(modelPreview(driven.progress, changes, emails)));
      return 0;
    }
    return reportRescore(driven, current.modelVersion);
  } finally {
    await table.close();
  }
}

function reportRescore(driven: DrivenRun, version: string): number {
  const { progress } = driven;
  const counts = progress.tally as Partial<RescoreCounts>;
  const conflicts = counts.conflicts ?? 0;
  const rescored = counts.rescored ?? 0;
  const replayed = counts.replayed ?? 0;
  console.log(
    `${rescored} rescored (${rescored - replayed} from their snapshots, ${replayed} replayed from their events), ` +
      `${counts.moved ?? 0} moved stage, ${counts.current ?? 0} already at ${version}` +
      (conflicts > 0 ? `, ${conflicts} busy (run again)` : ""),
  );
  console.log(formatMoves(progress, progress.run.notify ? "alerted" : "quiet: no alerts (--notify alerts)"));
  console.log(formatRate(driven));
  return conflicts > 0 || driven.deadLetters > 0 ? 1 : 0;
}

/** What moved, by move: `Moved: lead → mql 12, mql → sql 3 (quiet: …)`. */
export function formatMoves(progress: RunProgress, note: string): string {
  if (progress.moves.length === 0) return "Moved: none";
  return `Moved: ${progress.moves.map((move) => `${move.from} → ${move.to} ${move.leads}`).join(", ")} (${note})`;
}

/** How fast, and at what write budget: leads per second and write units, as DynamoDB reported them. */
export function formatRate(driven: DrivenRun): string {
  const { progress, seconds, leads, writeUnits: units } = driven;
  const budget = progress.run.maxWru === undefined ? "unpaced" : `budget ${progress.run.maxWru} WRU/s`;
  const perSecond = (value: number) => {
    const rate = seconds > 0 ? value / seconds : 0;
    return rate < 10 ? Math.round(rate * 10) / 10 : Math.round(rate);
  };
  return (
    `${leads} leads in ${seconds.toFixed(1)} s: ${perSecond(leads)} leads/s; ` +
    `${leads > 0 ? (units / leads).toFixed(1) : 0} WRU per lead, ${perSecond(units)} WRU/s (${budget})`
  );
}

function progressBar(total: number) {
  const width = 30;
  return (progress: RunProgress, last = false) => {
    const examined = progress.tally.examined ?? 0;
    const moved = progress.moves.reduce((sum, move) => sum + move.leads, 0);
    const share = total === 0 ? 1 : Math.min(1, examined / total);
    const filled = Math.round(share * width);
    const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(share * 100)}% ${examined}/${total} leads, ${moved} moved`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}${last ? "\n" : ""}`);
    else if (last) process.stderr.write(`${line}\n`);
  };
}

export function formatPreview(preview: ModelPreview): string {
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  const rows = STAGES.map((stage) => {
    const delta = preview.after[stage] - preview.before[stage];
    return `  ${stage.padEnd(13)}${pad(preview.before[stage], 8)}${pad(preview.after[stage], 11)}${pad(delta > 0 ? `+${delta}` : delta === 0 ? "" : delta, 9)}${pad(preview.fromScratch[stage], 14)}`;
  });
  const notQualified = preview.notQualified.map(
    (lead) =>
      `  ${lead.leadId}  ${lead.email}  ${lead.from}, from scratch ${lead.fromScratch}  score ${lead.scoreAfter}`,
  );
  const changes = preview.changes.map(
    (change) =>
      `  ${change.leadId}  ${change.email}  ${change.from} → ${change.to}  score ${change.scoreBefore} → ${change.scoreAfter}  ${change.reason}`,
  );
  const moves = preview.moves.map((move) => `${move.from} → ${move.to} ${move.leads}`).join(", ");
  return [
    `Model ${preview.candidateVersion} against ${preview.currentVersion}, over ${preview.examined} stored leads, as of ${preview.asOf}`,
    `  ${"stage".padEnd(13)}${pad("current", 8)}${pad("candidate", 11)}${pad("change", 9)}${pad("from scratch", 14)}`,
    ...rows,
    preview.changes.length === 0
      ? "No lead would change stage."
      : `${preview.changes.length} lead${preview.changes.length === 1 ? "" : "s"} would change stage (${moves}):`,
    ...changes,
    "From scratch: every lead's events replayed through the candidate as a new lead's (moves only go forward, so a stricter model shows here).",
    preview.notQualified.length === 0
      ? "Every current MQL and SQL would qualify as such from scratch."
      : `${preview.notQualified.length} current ${preview.notQualified.length === 1 ? "MQL or SQL" : "MQLs and SQLs"} would not qualify as such from scratch:`,
    ...notQualified,
  ].join("\n");
}
