import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoTombstones } from "#shared/adapters/dynamodb/erasure-store";
import { dynamoHistoryImportStore } from "#shared/adapters/dynamodb/history-import-store";
import { generic } from "#shared/adapters/sources/generic";
import { importLeadHistory } from "#shared/application/import-history";
import { validEvents } from "#shared/application/ingest-webhook";
import { mapConcurrent } from "#shared/application/pacing/concurrency";
import type { LeadEvent } from "#shared/domain/lead-event";
import { DEVELOPMENT_ID_KEY, type Pseudonyms, pseudonyms } from "#shared/domain/pseudonyms";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { loadEngine } from "#shared/runtime/scoring-model";
import { runWhenStarted } from "./command";
import { openTable } from "./model-store";

export interface ImportCounts {
  /** Valid events read from the file. */
  events: number;
  stored: number;
  duplicates: number;
  refused: number;
  badLines: number;
  /** Events of leads whose import failed (reported on stderr; a rerun retries them). */
  failed: number;
  seconds: number;
}

export type ImportPhase = "reading" | "importing";

export interface ImportFileDeps {
  client: DynamoDBClient;
  tableName: string;
  engine: ScoringEngine;
  pseudonyms: Pseudonyms;
  clock?: () => Date;
  /** Leads imported at once (default 8). */
  concurrency?: number;
  /** Where bad lines and failed leads are reported, and the progress goes. */
  report: (line: string) => void;
  /** Called with the counts so far, a few times a second: while the file is read, then while it is imported. */
  progress?: (counts: ImportCounts, phase: ImportPhase) => void;
}

/** One line of the file as the generic webhook's body: the canonical event, or InvalidPayloadError. */
export function parseLine(text: string, now: Date): LeadEvent {
  const request = { method: "POST", rawBody: Buffer.from(text), headers: {}, path: "/import", rawQueryString: "" };
  const result = generic.toEvents(request, { secret: "", now, toleranceSeconds: 0 });
  if (result.kind !== "events") throw new Error("the generic format has no replies");
  const [event] = validEvents(result.events, now);
  if (!event) throw new Error("the generic format holds one event");
  return event;
}

/** Why a line was refused, in one line: the error and each field's issue. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { details?: { issues?: { path: string; message: string }[] } }).details;
  const issues = details?.issues?.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return issues?.length ? `${error.message} (${issues.join("; ")})` : error.message;
}

/**
 * Imports a JSON Lines file of generic webhook bodies (importLeadHistory per lead). The file is read
 * line by line, but its events are grouped by lead in memory before any is written (each lead is folded
 * once): fine up to about a million events; split a larger history by person, or by time (in order).
 */
export async function importFile(path: string, deps: ImportFileDeps): Promise<ImportCounts> {
  const clock = deps.clock ?? (() => new Date());
  const started = Date.now();
  const counts: ImportCounts = { events: 0, stored: 0, duplicates: 0, refused: 0, badLines: 0, failed: 0, seconds: 0 };
  const groups = new Map<string, LeadEvent[]>();
  const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  const now = clock();
  const elapsed = () => (Date.now() - started) / 1000;
  let shownAt = 0;
  const show = (phase: ImportPhase) => {
    if (!deps.progress || Date.now() - shownAt < 250) return;
    shownAt = Date.now();
    deps.progress({ ...counts, seconds: elapsed() }, phase);
  };
  for await (const text of lines) {
    lineNumber++;
    if (lineNumber % 1024 === 0) show("reading");
    if (text.trim() === "") continue;
    let event: LeadEvent;
    try {
      event = parseLine(text, now);
    } catch (error) {
      counts.badLines++;
      deps.report(`line ${lineNumber}: ${reasonOf(error)}`);
      continue;
    }
    counts.events++;
    const leadId = deps.pseudonyms.leadId(event.email);
    const group = groups.get(leadId);
    if (group) group.push(event);
    else groups.set(leadId, [event]);
  }

  const importLead = importLeadHistory({
    store: dynamoHistoryImportStore(deps),
    engine: deps.engine,
    clock,
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    pseudonyms: deps.pseudonyms,
    tombstones: dynamoTombstones(deps),
  });
  await mapConcurrent([...groups.keys()], deps.concurrency ?? 32, async (leadId) => {
    const events = groups.get(leadId) ?? [];
    // A lead's events are let go once it is done: memory falls as the import goes.
    groups.delete(leadId);
    try {
      const outcome = await importLead({ leadId, events });
      counts.stored += outcome.stored;
      counts.duplicates += outcome.duplicates;
      counts.refused += outcome.refused;
    } catch (error) {
      counts.failed += events.length;
      deps.report(`lead ${leadId}: ${reasonOf(error)} (its ${events.length} event(s) not imported)`);
    }
    show("importing");
  });
  counts.seconds = elapsed();
  return counts;
}

/** The progress line: events read, or done of those read, and the pace. */
export function progressLine(counts: ImportCounts, phase: ImportPhase): string {
  if (phase === "reading") return `reading: ${counts.events} events, ${counts.badLines} bad lines`;
  const done = counts.stored + counts.duplicates + counts.refused + counts.failed;
  return `${done}/${counts.events} events, ${Math.round(done / Math.max(counts.seconds, 0.001))}/s`;
}

const USAGE = "usage: npm run import -- <file.jsonl> [--aws] [--concurrency <leads at once>]";

export function summary(counts: ImportCounts): string {
  const rate = Math.round(counts.events / Math.max(counts.seconds, 0.001));
  return (
    `${counts.stored} stored, ${counts.duplicates} duplicates, ${counts.refused} refused, ` +
    `${counts.badLines} bad lines, ${counts.failed} failed; ${counts.events} events in ${counts.seconds.toFixed(1)} s (${rate}/s)`
  );
}

/**
 * `npm run import -- <file.jsonl> [--aws]`: the table of `npm start` (or, with --aws, TABLE_NAME in the
 * AWS account of the environment, with the key the stack generated: RIPEN_ID_KEY_ARN). Exit 0 when every
 * valid line was imported (bad lines are reported and skipped), 1 when a lead failed (run it again).
 */
export async function runImport(args: readonly string[]): Promise<number> {
  let file: string | undefined;
  let aws = false;
  let concurrency = 32;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--aws") aws = true;
    else if (arg === "--concurrency") concurrency = Number(args[++index]);
    else if (!arg.startsWith("--") && file === undefined) file = arg;
    else file = "";
  }
  if (!file || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error(USAGE);
    return 2;
  }
  if (aws && !process.env.RIPEN_ID_KEY_ARN) {
    console.error("--aws needs RIPEN_ID_KEY_ARN (the RipenStateful output IdKeyArn) and TABLE_NAME");
    return 2;
  }
  // Locally the key `npm start` hashes with: RIPEN_ID_KEY, or the development key.
  const ids = aws ? await pseudonymSource(process.env)() : pseudonyms(process.env.RIPEN_ID_KEY || DEVELOPMENT_ID_KEY);
  const engine = loadEngine();
  const table = await openTable(aws);
  console.log(`Importing ${file} into ${table.describe}`);
  const tty = process.stderr.isTTY === true;
  try {
    const counts = await importFile(file, {
      client: table.client,
      tableName: table.tableName,
      engine,
      pseudonyms: ids,
      concurrency,
      report: (line) => process.stderr.write(`${tty ? "\r\x1b[K" : ""}${line}\n`),
      ...(tty && { progress: (counts, phase) => process.stderr.write(`\r\x1b[K${progressLine(counts, phase)}`) }),
    });
    if (tty) process.stderr.write("\r\x1b[K");
    console.log(summary(counts));
    return counts.failed > 0 ? 1 : 0;
  } finally {
    await table.close();
  }
}

runWhenStarted(import.meta.url, "import", runImport);
