import { randomBytes } from "node:crypto";
import { OPEN_STAGES } from "#shared/domain/stages";
import type { Clock } from "./ports/lead-store";
import type { LeadRun, PartSource, RunKind, RunModel, RunPart, RunStore, WorkItem, WorkQueue } from "./ports/runs";

/** A rescore or a preview cuts its Scan into this many segments per worker: the last ones finish together. */
export const SEGMENTS_PER_WORKER = 4;

export type RunRequest =
  | { kind: "rescore"; model: RunModel; notify: boolean; maxWru?: number }
  | { kind: "preview"; model: RunModel; candidate: RunModel }
  | { kind: "sweep"; model: RunModel; asOf: Date; minScoreChange?: number; maxWru?: number };

export interface StartRunDeps {
  runs: RunStore;
  queue: WorkQueue;
  clock: Clock;
  /** How many workers drain the queue at once (the budget is shared among them). */
  workers: number;
  /** Shards per stage in the stage index (and of the stale list): the sweep's parts. */
  stageShards: number;
}

/**
 * Which parts of a run already under way get their work item sent again: "unstarted" ones (a starter
 * that stopped between creating the run and sending its work; the queue keeps the others), or every
 * "unfinished" one at its current ticket (a local driver: nothing of an earlier process's queue survives it).
 */
export type Resend = "unstarted" | "unfinished";

/**
 * Starts a run, or picks up the one still under way for the same work: a rescore of the same model, a
 * preview of the same two models, the sweep of the same hour (a finished one run again changes nothing:
 * each lead's work is idempotent).
 * Output: the run, its parts, and whether it was created now.
 * Guarantees: one run per piece of work however many start it at once; each part gets a work item
 * (sending one twice is harmless: see workOnPart).
 */
export const startRun =
  (deps: StartRunDeps) =>
  async (request: RunRequest, resend: Resend): Promise<{ run: LeadRun; parts: RunPart[]; created: boolean }> => {
    const now = deps.clock();
    const run: LeadRun = {
      runId: `${request.kind}-${compactInstant(now)}-${randomBytes(3).toString("hex")}`,
      kind: request.kind,
      model: request.model,
      asOf: (request.kind === "sweep" ? request.asOf : now).toISOString(),
      notify: request.kind === "rescore" && request.notify,
      workers: deps.workers,
      createdAt: now.toISOString(),
      ...(request.kind === "preview" && { candidate: request.candidate }),
      ...(request.kind !== "preview" && request.maxWru !== undefined && { maxWru: request.maxWru }),
      ...(request.kind === "sweep" &&
        request.minScoreChange !== undefined && { minScoreChange: request.minScoreChange }),
    };
    const opened = await deps.runs.open({
      key: runKey(request),
      run,
      parts: partsOf(request.kind, deps),
    });
    const due = opened.parts.filter(
      (part) => !part.done && (opened.created || resend === "unfinished" || (part.ticket === 0 && part.page === 0)),
    );
    await deps.queue.send(
      due.map((part): WorkItem => ({ runId: opened.run.runId, part: part.part, ticket: part.ticket })),
    );
    return opened;
  };

/** What makes two runs the same piece of work. */
function runKey(request: RunRequest): string {
  switch (request.kind) {
    case "rescore":
      return `rescore#${request.model.hash}`;
    case "preview":
      return `preview#${request.model.hash}#${request.candidate.hash}`;
    case "sweep":
      return `sweep#${request.asOf.toISOString()}#${request.model.hash}`;
  }
}

/**
 * A rescore or a preview meets every lead: parallel Scan segments of the lead items (each lead exactly
 * once, however leads move meanwhile). The sweep meets only the leads it concerns: each shard of each
 * open stage through the keys-only by-time-entered index, and each shard of the stale list.
 */
function partsOf(kind: RunKind, deps: Pick<StartRunDeps, "workers" | "stageShards">): PartSource[] {
  const shards = Array.from({ length: deps.stageShards }, (_, shard) => shard);
  if (kind === "sweep") {
    return [
      ...shards.map((shard): PartSource => ({ from: "stale", shard })),
      ...OPEN_STAGES.flatMap((stage) => shards.map((shard): PartSource => ({ from: "stage", stage, shard }))),
    ];
  }
  const segments = deps.workers * SEGMENTS_PER_WORKER;
  return Array.from({ length: segments }, (_, segment): PartSource => ({ from: "scan", segment, segments }));
}

/** 2026-11-20T03:00:00.000Z → 20261120T030000Z: a run id readable in a log line. */
function compactInstant(at: Date): string {
  return at.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}
