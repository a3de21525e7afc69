import type { Lead } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import type { Stage } from "#shared/domain/stages";

/**
 * A run: one piece of batch work over the stored leads (a rescore, a preview, the daily sweep), cut into
 * parts that workers take from a queue, each part read a page at a time with its position and its tally
 * saved after every page. The same worker code runs in AWS (Lambda fed by SQS) and on one machine (a
 * local driver with the same delivery semantics).
 */
export const RUN_KINDS = ["rescore", "preview", "sweep"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A model a run works with, by content hash; with its file's text when a worker may not have it. */
export interface RunModel {
  version: string;
  hash: string;
  source?: string;
}

export interface LeadRun {
  runId: string;
  kind: RunKind;
  /**
   * rescore, sweep: the model the workers apply, which must be the one they run (a worker with another
   * refuses the run rather than fight ingest over every snapshot); preview: the model "before".
   */
  model: RunModel;
  /** preview: the model "after". */
  candidate?: RunModel;
  /** The instant leads are evaluated at: the sweep's hour, the preview's start (a rescore: each write's own). */
  asOf: string;
  /** rescore: its moves alert as any other (paced to ALERTS_PER_SECOND); otherwise they are quiet. */
  notify: boolean;
  /** Write request units per second the whole run may use; absent: unpaced. */
  maxWru?: number;
  /** How many workers share the budget: each paces itself to maxWru / workers. */
  workers: number;
  /** sweep: a score that moved less than this is not rewritten. */
  minScoreChange?: number;
  createdAt: string;
  /** Why a worker refused the run (another model deployed), when one did. */
  refused?: string;
}

/**
 * Where a part's leads come from: a segment of a parallel Scan of the lead items (every lead exactly
 * once, whatever moves during the run), one shard of a stage in the by-time-entered index, or one shard
 * of the stale-lead markers.
 */
export type PartSource =
  | { from: "scan"; segment: number; segments: number }
  | { from: "stage"; stage: Stage; shard: number }
  | { from: "stale"; shard: number };

/** Counts by name, summed over pages and parts (what a run did, what moved: `moved:<from>><to>`). */
export type Tally = Record<string, number>;

export interface RunPart {
  part: number;
  source: PartSource;
  /**
   * Which delivery of the part is current: a worker handing the part over raises it before it sends the
   * next work item, so an older delivery (a redelivery, a duplicate) knows it is obsolete.
   */
  ticket: number;
  /** Pages done: a checkpoint is accepted only from the page that follows. */
  page: number;
  /** Where the next page starts (the adapter's opaque position); absent at the start. */
  after?: string;
  done: boolean;
  tally: Tally;
  updatedAt: string;
}

/** A new run's parts, one per source, not started: ticket 0, no page done, nothing counted. */
export function unstartedParts(sources: readonly PartSource[], createdAt: string): RunPart[] {
  return sources.map((source, part) => ({
    part,
    source,
    ticket: 0,
    page: 0,
    done: false,
    tally: {},
    updatedAt: createdAt,
  }));
}

/** A message on the work queue: work on this part, as of this ticket. */
export interface WorkItem {
  runId: string;
  part: number;
  ticket: number;
}

/** A lead whose stage a preview's candidate would change (no contact details: the reader looks them up). */
export interface StageChange {
  leadId: string;
  from: Stage;
  to: Stage;
  scoreBefore: number;
  scoreAfter: number;
  /** The candidate's rule and reason for the move. */
  ruleId: string;
  reason: string;
  /**
   * A preview's what-if: the stage the candidate gives the lead from scratch (all its events, as a new
   * lead), set on the leads a preview lists because their current mql or sql would not be reached so.
   */
  fromScratch?: Stage;
}

/** The runs and their parts, in the table. */
export interface RunStore {
  /**
   * The run `key` names while it is unfinished, else `run` with `parts`, created. Concurrent openers of
   * one key get one run.
   */
  open(input: {
    key: string;
    run: LeadRun;
    parts: readonly PartSource[];
  }): Promise<{ run: LeadRun; parts: RunPart[]; created: boolean }>;
  get(runId: string): Promise<LeadRun | undefined>;
  parts(runId: string): Promise<RunPart[]>;
  part(runId: string, part: number): Promise<RunPart | undefined>;
  /**
   * Saves a page's progress (position, tally, done) atomically, if the part is still at `expected`
   * (ticket and page): false when another delivery got there first, and nothing is written.
   */
  checkpoint(runId: string, next: RunPart, expected: Pick<RunPart, "ticket" | "page">): Promise<boolean>;
  /** Raises the part's ticket, if it is still at `expected`: false when another delivery moved it on. */
  handOver(runId: string, part: number, expected: Pick<RunPart, "ticket" | "page">): Promise<boolean>;
  /** Records why the run cannot be worked on; its remaining work items are dropped. */
  refuse(runId: string, reason: string): Promise<void>;
  /** Keeps a preview's changes, one per lead (written again by a retried page, unchanged). */
  recordChanges(runId: string, changes: readonly StageChange[]): Promise<void>;
  changes(runId: string): Promise<StageChange[]>;
}

/** Where work items wait for a worker: SQS in AWS, the local driver on one machine. */
export interface WorkQueue {
  send(items: readonly WorkItem[]): Promise<void>;
}

/** The leads of a part, a page at a time. `next` is absent after the last page. */
export interface LeadPages {
  read(source: PartSource, after: string | undefined, options?: { events?: boolean }): Promise<LeadPage>;
}

export interface LeadPage {
  leads: Lead[];
  next?: string;
  /**
   * With `events` asked, from a Scan segment: the events the page read beside each lead whose partition
   * it read whole (not the one it began in, which may have begun on the page before). Read as the lead
   * was, not after it: only good for a replay checked against the lead's event count, and committed
   * with the lead's version check.
   */
  events?: ReadonlyMap<string, readonly StoredEvent[]>;
}

/** Adds `more` into `into` (in place). */
export function addTally(into: Tally, more: Readonly<Tally>): Tally {
  for (const [name, count] of Object.entries(more)) into[name] = (into[name] ?? 0) + count;
  return into;
}

/** Where a run stands: its parts, how many are done, and what they did so far. */
export interface RunProgress {
  run: LeadRun;
  parts: number;
  partsDone: number;
  done: boolean;
  tally: Tally;
  /** Moves by `<from>` → `<to>`, most first. */
  moves: { from: Stage; to: Stage; leads: number }[];
  /** The last checkpoint's time. */
  updatedAt: string;
}

const MOVED = "moved:";
/** The tally name a move counts under. */
export const moveTally = (from: Stage, to: Stage) => `${MOVED}${from}>${to}`;

export function runProgress(run: LeadRun, parts: readonly RunPart[]): RunProgress {
  const tally: Tally = {};
  let updatedAt = run.createdAt;
  for (const part of parts) {
    addTally(tally, part.tally);
    if (part.updatedAt > updatedAt) updatedAt = part.updatedAt;
  }
  const moves = Object.entries(tally)
    .filter(([name]) => name.startsWith(MOVED))
    .map(([name, leads]) => {
      const [from, to] = name.slice(MOVED.length).split(">") as [Stage, Stage];
      return { from, to, leads };
    })
    .sort((a, b) => b.leads - a.leads || (`${a.from}>${a.to}` < `${b.from}>${b.to}` ? -1 : 1));
  for (const name of Object.keys(tally)) if (name.startsWith(MOVED)) delete tally[name];
  const partsDone = parts.filter((part) => part.done).length;
  return {
    run,
    parts: parts.length,
    partsDone,
    done: parts.length > 0 && partsDone === parts.length,
    tally,
    moves,
    updatedAt,
  };
}
