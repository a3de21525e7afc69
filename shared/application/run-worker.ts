import type { Lead } from "#shared/domain/lead";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { type SlaBreachLog, sweepLead, sweepStaleLead } from "./maintenance";
import { mapConcurrent } from "./pacing/concurrency";
import { type CapacityMeter, type Pace, tokenBucket, UNPACED } from "./pacing/token-bucket";
import type { Clock, LeadStore, Sleep } from "./ports/lead-store";
import {
  addTally,
  type LeadPages,
  type LeadRun,
  type PartSource,
  type RunModel,
  type RunPart,
  type RunStore,
  type StageChange,
  type Tally,
  type WorkItem,
  type WorkQueue,
} from "./ports/runs";
import { previewLead } from "./preview-model";
import { ALERTS_PER_SECOND, rescoreLead } from "./rescore-leads";

export interface RunWorkerDeps {
  runs: RunStore;
  pages: LeadPages;
  queue: WorkQueue;
  /** The lead store, reporting what it consumes to `capacity`. */
  store: LeadStore;
  capacity: CapacityMeter;
  /** The model this worker runs. */
  engine: ScoringEngine;
  /**
   * Another model than `engine`, compiled from the text a run carries (a preview's) or known already;
   * undefined when it can't be had. Cache it: runs ask for it per delivery.
   */
  compile: (model: RunModel) => ScoringEngine | undefined;
  breaches: SlaBreachLog;
  clock: Clock;
  sleep: Sleep;
  /** Milliseconds left in this delivery (a Lambda's remaining time); absent: as long as it takes. */
  timeLeft?: () => number;
  /** Below this much time left no new page starts: the part is handed to a fresh delivery. */
  reserveMs?: number;
  /** Leads worked on at once. */
  concurrency?: number;
  /** Progress lines (never personal data). */
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export type PartOutcome =
  /** The part's last page is done. */
  | { status: "done"; pages: number }
  /** Out of time: the part's next ticket is on the queue. */
  | { status: "handed-over"; pages: number }
  /** Another delivery of the part got ahead (a duplicate, a redelivery): this one stops, writing nothing more. */
  | { status: "obsolete"; pages: number }
  /** The run cannot be worked on by this worker (see LeadRun.refused). */
  | { status: "refused"; reason: string };

/** The run cannot be worked on here: another model is deployed than the one it applies. */
export class RunRefusedError extends Error {
  override readonly name = "RunRefusedError";
}

type LeadTask = ((
  lead: Lead,
  source: PartSource,
  tally: Tally,
  changes: StageChange[],
  events: readonly StoredEvent[] | undefined,
) => Promise<void>) & {
  /**
   * The task reads leads' events: its Scan pages bring them from the first page on, and go on bringing
   * them while `stillWanted` says so of the page just worked on.
   */
  events?: { wanted: boolean; stillWanted: (page: Tally) => boolean };
};

/**
 * The worker: one delivery of a work item (a part of a run, at a ticket).
 * Main course: the part's pages are read one after another from its saved position; the leads of a page
 * are worked on a few at a time, paced to the run's write budget (this worker's share: maxWru / workers,
 * measured in the units DynamoDB reports); then the page's position and tally are saved in one
 * conditional write (the checkpoint), accepted only from the delivery holding the current ticket at the
 * page that follows. Out of time, the part is handed over: its ticket raised, then the next ticket sent.
 * Guarantees: each lead's work is idempotent, so a page retried after a crash (the queue delivers the
 * item again) or worked twice by duplicate deliveries writes nothing twice; a page's tally is counted
 * once (only the checkpoint that wins adds it); a delivery whose ticket is behind stops, except the one
 * just behind, which sends the current ticket again (its hand-over may have stopped before sending), so
 * a part is never left without a work item.
 */
export const workOnPart =
  (deps: RunWorkerDeps) =>
  async (item: WorkItem): Promise<PartOutcome> => {
    const run = await deps.runs.get(item.runId);
    if (!run) return { status: "obsolete", pages: 0 };
    if (run.refused) return { status: "refused", reason: run.refused };
    let part = await deps.runs.part(item.runId, item.part);
    if (!part || part.done || item.ticket > part.ticket) return { status: "obsolete", pages: 0 };
    if (item.ticket < part.ticket) {
      if (item.ticket === part.ticket - 1) await deps.queue.send([{ ...item, ticket: part.ticket }]);
      return { status: "obsolete", pages: 0 };
    }
    let task: LeadTask;
    try {
      task = taskFor(run, deps);
    } catch (error) {
      if (!(error instanceof RunRefusedError)) throw error;
      await deps.runs.refuse(run.runId, error.message);
      deps.log?.("run refused", { runId: run.runId, reason: error.message });
      return { status: "refused", reason: error.message };
    }
    const pace = writePace(run, deps);
    const reserve = deps.reserveMs ?? 30_000;
    let pages = 0;
    // The next page is read while this one is worked on, so the leads' lanes don't wait for a Scan
    // between pages. Only the checkpoint moves the part: a page read ahead and then dropped (a hand-over,
    // an obsolete delivery) is read again by whoever goes on. Its read units count in the page it overlapped.
    // A preview asks for the leads' events with its pages, a rescore while its last page needed some (a
    // model that folds alike needs none); a lead without them has its events read by a Query.
    const events = () => ({ events: task.events?.wanted === true });
    let ahead = readAhead(deps.pages, part.source, part.after, events());
    while (!part.done) {
      // A delivery does at least one page: a fresh one always has the time, and the part always advances.
      if (pages > 0 && deps.timeLeft && deps.timeLeft() < reserve) {
        if (!(await deps.runs.handOver(run.runId, part.part, part))) return { status: "obsolete", pages };
        await deps.queue.send([{ ...item, ticket: part.ticket + 1 }]);
        return { status: "handed-over", pages };
      }
      const before = { read: deps.capacity.read, written: deps.capacity.written };
      const page = await ahead.page();
      if (page.next !== undefined) ahead = readAhead(deps.pages, part.source, page.next, events());
      const tally: Tally = {};
      const changes: StageChange[] = [];
      const source = part.source;
      await mapConcurrent(page.leads, deps.concurrency ?? 8, async (lead) => {
        await pace.run(() => task(lead, source, tally, changes, page.events?.get(lead.leadId)));
      });
      if (task.events) task.events.wanted = task.events.stillWanted(tally);
      if (changes.length > 0) await deps.runs.recordChanges(run.runId, changes);
      tally.readUnits = deps.capacity.read - before.read;
      tally.writeUnits = deps.capacity.written - before.written;
      const next: RunPart = {
        ...part,
        page: part.page + 1,
        done: page.next === undefined,
        tally: addTally({ ...part.tally }, tally),
        updatedAt: deps.clock().toISOString(),
      };
      if (page.next === undefined) delete next.after;
      else next.after = page.next;
      if (!(await deps.runs.checkpoint(run.runId, next, part))) return { status: "obsolete", pages };
      part = next;
      pages++;
    }
    deps.log?.("part done", { runId: run.runId, part: part.part, pages: part.page });
    return { status: "done", pages };
  };

/**
 * A page read started now and awaited later. A read that fails while no one waits for it yet is not an
 * unhandled rejection: the failure reaches whoever awaits `page()`, and none if the page is dropped.
 */
function readAhead(pages: LeadPages, source: PartSource, after: string | undefined, options: { events: boolean }) {
  const reading = pages.read(source, after, options);
  reading.catch(() => {});
  return { page: () => reading };
}

/** Each worker's write pace, kept across its deliveries of one run's parts. */
const writePaces = new WeakMap<RunWorkerDeps, { runId: string; perSecond: number; pace: Pace }>();

/**
 * This worker's share of the run's write budget, in the write units its store reports: one bucket for
 * all its deliveries of the run, so what one delivery's last writes spent is paid off by the next, and
 * each delivery does not begin with a fresh burst.
 */
function writePace(run: LeadRun, deps: RunWorkerDeps): Pace {
  if (run.maxWru === undefined) return UNPACED;
  const perSecond = run.maxWru / run.workers;
  const kept = writePaces.get(deps);
  if (kept?.runId === run.runId && kept.perSecond === perSecond) return kept.pace;
  const pace = tokenBucket({ perSecond, spent: () => deps.capacity.written, clock: deps.clock, sleep: deps.sleep });
  writePaces.set(deps, { runId: run.runId, perSecond, pace });
  return pace;
}

/** The model a run applies, if this worker can apply it. */
function engineOf(model: RunModel, deps: RunWorkerDeps, why: string): ScoringEngine {
  if (model.hash === deps.engine.modelHash) return deps.engine;
  let compiled: ScoringEngine | undefined;
  try {
    compiled = deps.compile(model);
  } catch (error) {
    // The text a run carries compiles the same on every delivery: retrying cannot mend it.
    throw new RunRefusedError(`${why} model ${model.version}, which does not compile here: ${String(error)}`);
  }
  if (compiled) return compiled;
  throw new RunRefusedError(
    `${why} model ${model.version} (${model.hash.slice(0, 12)}), and this worker runs model ` +
      `${deps.engine.modelVersion} (${deps.engine.modelHash.slice(0, 12)}): deploy that model first`,
  );
}

/** What the run does to each lead its pages bring. */
function taskFor(run: LeadRun, deps: RunWorkerDeps): LeadTask {
  const { store, clock } = deps;
  switch (run.kind) {
    case "rescore": {
      const engine = engineOf(run.model, deps, "the rescore applies");
      let alerts = 0;
      const alertPace = tokenBucket({
        perSecond: ALERTS_PER_SECOND / run.workers,
        spent: () => alerts,
        clock,
        sleep: deps.sleep,
      });
      const rescore = rescoreLead({
        store,
        engine,
        clock,
        quiet: !run.notify,
        beforeAlert: async () => {
          await alertPace.ready();
          alerts++;
        },
      });
      const task: LeadTask = (lead, _source, tally, _changes, events) => rescore(lead, tally, events);
      // Wanted while a page's leads were replayed (a model that folds alike replays none).
      task.events = { wanted: true, stillWanted: (page) => (page.replayed ?? 0) > 0 };
      return task;
    }
    case "preview": {
      const current = engineOf(run.model, deps, "the preview compares with");
      const candidate = engineOf(run.candidate ?? run.model, deps, "the preview evaluates");
      const preview = previewLead({ store, current, candidate, now: new Date(run.asOf) });
      const task: LeadTask = async (lead, _source, tally, changes, events) => {
        const change = await preview(lead, tally, events);
        if (change) changes.push(change);
      };
      // Every lead's history is replayed as a new lead's: always wanted.
      task.events = { wanted: true, stillWanted: () => true };
      return task;
    }
    case "sweep": {
      const engine = engineOf(run.model, deps, "the sweep applies");
      const asOf = new Date(run.asOf);
      const sweep = sweepLead({
        store,
        engine,
        breaches: deps.breaches,
        clock,
        asOf,
        ...(run.minScoreChange !== undefined && { minScoreChange: run.minScoreChange }),
      });
      const replay = sweepStaleLead({ store, engine, clock });
      return async (lead, source, tally) => {
        if (source.from === "stale") return replay(lead, tally);
        if (source.from === "stage") return sweep(lead, source.stage, tally);
      };
    }
  }
}
