import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { STAGE_SHARDS } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import type { LeadRun, RunProgress } from "#shared/application/ports/runs";
import { runProgress } from "#shared/application/ports/runs";
import { type RunRequest, startRun } from "#shared/application/start-run";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { runLocally } from "#shared/local/lead-runs";
import { WORK_QUEUE } from "#shared/runtime/work-queue";

export interface DrivenRun {
  progress: RunProgress;
  /** What this command saw done, and in how long (a resumed run's earlier work aside). */
  leads: number;
  writeUnits: number;
  seconds: number;
  /** Work items the local workers failed on every time (in AWS: see the dead-letter queue). */
  deadLetters: number;
}

export interface DriveOptions {
  table: { client: DynamoDBClient; tableName: string };
  /** The model this machine runs. */
  engine: ScoringEngine;
  /** Other models this machine has compiled (a preview's candidate). */
  known: readonly ScoringEngine[];
  /** Through the deployed workers (the work queue at RIPEN_WORK_QUEUE_URL) instead of local ones. */
  aws: boolean;
  workers: number;
  onStart: (run: LeadRun, created: boolean) => void;
  onProgress: (progress: RunProgress, last?: boolean) => void;
}

const WATCH_EVERY_MS = 2_000;

/**
 * A run driven from the command line: locally by local workers until it is done; in AWS, started on the
 * work queue and watched until it is done (stopping the command stops the watching, not the run; run the
 * same command again to watch it again).
 */
export async function driveRun(request: RunRequest, options: DriveOptions): Promise<DrivenRun> {
  const started = Date.now();
  let before: RunProgress | undefined;
  let progress: RunProgress;
  let deadLetters = 0;
  if (!options.aws) {
    const result = await runLocally(request, {
      table: options.table,
      engine: options.engine,
      known: options.known,
      workers: options.workers,
      onStart: (run, created, at) => {
        before = at;
        options.onStart(run, created);
      },
      onProgress: (at) => options.onProgress(at),
    });
    ({ progress } = result);
    deadLetters = result.deadLetters.length;
  } else {
    const queueUrl = process.env[WORK_QUEUE.urlVariable];
    if (!queueUrl) throw new Error(`--aws needs ${WORK_QUEUE.urlVariable} (the stack's output WorkQueueUrl)`);
    const [{ sqsWorkQueue }, { sqsClient }] = await Promise.all([
      import("#shared/adapters/sqs/work-queue"),
      import("#shared/runtime/aws-clients"),
    ]);
    const runs = dynamoRunStore(options.table);
    const opened = await startRun({
      runs,
      queue: sqsWorkQueue({ client: sqsClient(), queueUrl }),
      clock: () => new Date(),
      workers: WORK_QUEUE.workers,
      stageShards: STAGE_SHARDS,
    })(request, "unstarted");
    before = runProgress(opened.run, opened.parts);
    options.onStart(opened.run, opened.created);
    for (;;) {
      const run = (await runs.get(opened.run.runId)) ?? opened.run;
      progress = runProgress(run, await runs.parts(run.runId));
      options.onProgress(progress);
      if (progress.done || run.refused) break;
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
    }
  }
  options.onProgress(progress, true);
  const done = (name: string) => (progress.tally[name] ?? 0) - (before?.tally[name] ?? 0);
  return {
    progress,
    leads: done("examined"),
    writeUnits: done("writeUnits"),
    seconds: (Date.now() - started) / 1000,
    deadLetters,
  };
}
