import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STAGE_SHARDS } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { type LeadRun, type RunProgress, runProgress } from "#shared/application/ports/runs";
import { workOnPart } from "#shared/application/run-worker";
import { type RunRequest, startRun } from "#shared/application/start-run";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { tableRunWorker } from "#shared/runtime/lead-run-workers";
import { type LocalDrain, localWorkQueue } from "./work-queue";

export interface LocalRunOptions {
  table: { client: DynamoDBClient; tableName: string };
  /** The model this machine runs (what a rescore or a sweep applies). */
  engine: ScoringEngine;
  /** Models this machine has compiled already (a preview's candidate), used instead of the text a run carries. */
  known?: readonly ScoringEngine[];
  /** Workers draining the queue at once (they share the run's write budget). */
  workers: number;
  /** Leads each worker works on at once. */
  concurrency?: number;
  /** How long each delivery may run before it hands its part over, as a Lambda's timeout does (default: no limit). */
  deliveryMs?: number;
  /** Below this much time left a delivery starts no new page (default 0: only `deliveryMs` bounds it). */
  reserveMs?: number;
  /** Called once the run is started or found under way. */
  onStart?: (run: LeadRun, created: boolean, progress: RunProgress) => void;
  /** Called with the run's progress while it runs (every `progressEveryMs`) and once at the end. */
  onProgress?: (progress: RunProgress) => void;
  progressEveryMs?: number;
  /** Items a Scan page reads (smaller pages: more checkpoints). */
  scanPageItems?: number;
  /** What the workers log (never personal data). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface LocalRunResult {
  run: LeadRun;
  created: boolean;
  progress: RunProgress;
  deadLetters: LocalDrain["deadLetters"];
}

/**
 * A run on this machine: started (or resumed: every unfinished part is sent again, as nothing of an
 * earlier process's queue survives it), then drained by `workers` local workers running the same worker
 * code as the Lambda, with the queue's delivery semantics (localWorkQueue).
 */
export async function runLocally(request: RunRequest, options: LocalRunOptions): Promise<LocalRunResult> {
  const queue = localWorkQueue();
  const runs = dynamoRunStore(options.table);
  const started = await startRun({
    runs,
    queue,
    clock: () => new Date(),
    workers: options.workers,
    stageShards: STAGE_SHARDS,
  })(request, "unfinished");
  const { runId } = started.run;
  options.onStart?.(started.run, started.created, runProgress(started.run, started.parts));
  const workers = Array.from({ length: options.workers }, () => {
    const deps = tableRunWorker({
      table: options.table,
      engine: options.engine,
      queue,
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      ...(options.log && { log: options.log }),
      ...(options.scanPageItems !== undefined && { scanPageItems: options.scanPageItems }),
    });
    const known = options.known ?? [];
    const compile = deps.compile;
    deps.compile = (model) => known.find((engine) => engine.modelHash === model.hash) ?? compile(model);
    return { deps, work: workOnPart(deps) };
  });
  const report = async () => options.onProgress?.(runProgress(started.run, await runs.parts(runId)));
  const timer = options.onProgress && setInterval(() => void report().catch(() => {}), options.progressEveryMs ?? 500);
  try {
    const drained = await queue.drain(
      async (item, slot) => {
        const worker = workers[slot];
        if (!worker) throw new Error(`no local worker ${slot}`);
        const deadline = options.deliveryMs === undefined ? undefined : Date.now() + options.deliveryMs;
        if (deadline !== undefined) {
          worker.deps.timeLeft = () => deadline - Date.now();
          worker.deps.reserveMs = options.reserveMs ?? 0;
        }
        return worker.work(item);
      },
      { workers: options.workers },
    );
    const run = (await runs.get(runId)) ?? started.run;
    const progress = runProgress(run, await runs.parts(runId));
    options.onProgress?.(progress);
    return { run, created: started.created, progress, deadLetters: drained.deadLetters };
  } finally {
    if (timer) clearInterval(timer);
  }
}
