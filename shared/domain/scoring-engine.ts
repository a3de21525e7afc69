import type { Bant, Lead, Owner, RuleHit } from "./lead";
import type { LeadEvent, Scalar, SourceName } from "./lead-event";
import type { Channel } from "./model/notifications";
import type { SlaBreach } from "./model/stage-rules";
import type { LeadSnapshot } from "./snapshot";
import type { Stage } from "./stages";

/** An event as stored: the canonical event plus the id Ripen keys it under and when it arrived. */
export interface StoredEvent extends LeadEvent {
  eventId: string;
  receivedAt: string;
}

/**
 * What the engine reads about a lead besides its snapshot: identity (name and company until an event
 * names them) and where it stands (for stage rules).
 */
export interface ScoringSubject {
  leadId: string;
  email: string;
  name?: string;
  company?: string;
  stage: Stage;
  stageEnteredAt: string;
}

/** The stage the rules qualify a lead for, and which rule said so. */
export interface StageVerdict {
  stage: Stage;
  ruleId: string;
  reason: string;
  eventId?: string;
}

/**
 * The result of scoring: a pure function of (model, lead, events, now), read from the lead's snapshot.
 * `hits` explains the score exactly, one entry per rule that scored: each is rounded once
 * (roundPoints) and `score` is their sum.
 */
export interface Evaluation {
  score: number;
  fit: number;
  engagement: number;
  hits: RuleHit[];
  /**
   * The `count` hits that weigh most (topReasons of hits, TOP_REASONS by default): what a transition and
   * a wait for review carry as their reasons. An engine may make them without making every hit.
   */
  reasons(count?: number): RuleHit[];
  bant: Bant;
  /** The lead's attributes: the subject's, then each event's (form answers mapped by the model), latest wins. */
  attributes: Record<string, Scalar>;
  /** Name and company: the subject's, then the latest event's that has one. */
  name?: string;
  company?: string;
  /** When the latest event happened ("" when there are none). */
  lastEventAt: string;
  /** The most advanced stage the automatic rules qualify the lead for (forward-only is applied later). */
  verdict: StageVerdict;
  /** A disqualifier, or a recycle rule for the lead's current stage, that applies. */
  demotion?: StageVerdict;
  /** For a disqualified lead: the reopen rule that lets it back in (the fold decides the stage it re-enters at). */
  reopen?: StageVerdict;
  /** The rep routing picks for this lead (who is alerted; the owner once accepted). */
  owner?: Owner;
  /** The model accepts qualified leads on the routed owner's behalf (acceptance: auto). */
  autoAccept: boolean;
  /**
   * The model's SDR gate (stages.sqlReview): an sql or sqo verdict marks the lead sql-ready for a rep to
   * Qualify instead of moving it. Absent: off.
   */
  sqlReview?: boolean;
}

/** A loaded scoring model, ready to evaluate leads. The application layer knows only this. */
export interface ScoringEngine {
  /** The user's `version` of the model, stamped on leads and transitions. */
  readonly modelVersion: string;
  /** A content hash of the compiled model, stamped on snapshots: the model that scored the lead. */
  readonly modelHash: string;
  /**
   * A content hash of what a snapshot's content depends on, stamped on snapshots beside modelHash: a
   * snapshot with another fold hash is replayed; one with this fold hash is folded into and evaluated as
   * it is, whatever else changed (points, fit, thresholds, routing, notifications).
   */
  readonly foldHash: string;
  /** The snapshot of a lead with no events. */
  empty(): LeadSnapshot;
  /** The largest snapshot the model can make (attributes aside): what its budget is checked on. */
  worstCase(): LeadSnapshot;
  /**
   * The snapshot with one more event, in any order (a copy; the input is left as it was). Undefined
   * when the snapshot cannot place the event exactly (a late event under a window cap): replay.
   */
  fold(snapshot: LeadSnapshot, event: StoredEvent, stageEnteredMs: number): LeadSnapshot | undefined;
  /**
   * The snapshot with only what one more event says about the person: its attributes (latest wins), name,
   * company and first touch. Exact in any order, and never refused: what a lead whose fold is deferred
   * still learns, so its bounds hold before the worker replays it.
   */
  foldFacts(snapshot: LeadSnapshot, event: StoredEvent): LeadSnapshot;
  /** The snapshot of a lead in `stage` since `stageEnteredAt`, rebuilt from all its events. */
  replay(events: readonly StoredEvent[], stageEnteredAt: string, stage: Stage): LeadSnapshot;
  /**
   * The snapshot after the lead moved to `stage`: what counts "since the stage was entered" restarts.
   * `owned`: the snapshot is the caller's alone (a fold or a replay just made it, and nothing else holds
   * it), so it is changed in place instead of copied.
   */
  enterStage(snapshot: LeadSnapshot, stage: Stage, owned?: boolean): LeadSnapshot;
  /** Score, explanation, BANT and verdicts at `now`; `since`: over the events since the lead left the funnel. */
  evaluate(subject: ScoringSubject, snapshot: LeadSnapshot, now: Date, scope?: "all" | "since"): Evaluation;
  /** The team routing assigns leads to (for rep actions: who a Slack user or email is). */
  readonly owners: readonly Owner[];
  /** The lead attribute a form answer sets, by the model's field mapping (undefined: none). */
  attributeFor(source: SourceName, label: string): string | undefined;
  /** The channels a stage change notifies, by the model's notification rules in force (empty: no alert). */
  channelsFor(move: { from: Stage | null; to: Stage }): Channel[];
  /** The SLA rules a lead breaches at `now`. */
  slaBreaches(lead: Pick<Lead, "stage" | "stageEnteredAt" | "owner" | "review">, now: Date): SlaBreach[];
}

/** Scores are kept to two decimals; this is the one place rounding is defined (once per rule). */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}

/** Orders events by time, ties by id: the one order every fold and evaluation uses. */
export function compareEvents(a: StoredEvent, b: StoredEvent): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** Events in the order they happened (a copy); already ordered input is returned as is. */
export function chronological(events: readonly StoredEvent[]): readonly StoredEvent[] {
  for (let index = 1; index < events.length; index++) {
    const previous = events[index - 1];
    const current = events[index];
    if (previous && current && compareEvents(previous, current) > 0) return [...events].sort(compareEvents);
  }
  return events;
}

/** How many rule hits travel with a transition (and so with an alert) as its reasons. */
export const TOP_REASONS = 5;

/**
 * The hits that weigh most, positive or negative: what an alert shows as "why". Heaviest first; equal
 * weights keep the explanation's order. A selection, not a sort: a lead may have thousands of hits.
 */
export function topReasons(hits: readonly RuleHit[], count = TOP_REASONS): RuleHit[] {
  if (count <= 0) return [];
  let size = 0;
  for (let position = 0; position < hits.length; position++) {
    const hit = hits[position] as RuleHit;
    size = placeReason(size, count, hit, Math.abs(hit.decayedPoints));
  }
  const top = new Array<RuleHit>(size);
  for (let at = 0; at < size; at++) top[at] = chosenReason<RuleHit>(at);
  return top;
}

/**
 * The candidates a selection of reasons keeps so far, heaviest first, and their weights: shared by every
 * selection (each runs to its end without yielding and returns none of these), so one allocates nothing
 * but its result.
 */
const CHOSEN: unknown[] = [];
const WEIGHTS: number[] = [];

/**
 * One step of topReasons' selection over CHOSEN and WEIGHTS, of which `size` are in use: `candidate`
 * placed by its weight if it makes the top `count` (lighter ones move down a place by hand; splice would
 * return an array every time), equal weights after those already there. Returns how many are in use now.
 * A candidate need not be a hit (the engine places the position of a rule whose hit it makes only if
 * chosen): read them back with chosenReason.
 */
export function placeReason(size: number, count: number, candidate: unknown, weight: number): number {
  const full = size === count;
  if (full && weight <= (WEIGHTS[count - 1] as number)) return size;
  let at = full ? count - 1 : size;
  for (; at > 0 && weight > (WEIGHTS[at - 1] as number); at--) {
    CHOSEN[at] = CHOSEN[at - 1];
    WEIGHTS[at] = WEIGHTS[at - 1] as number;
  }
  CHOSEN[at] = candidate;
  WEIGHTS[at] = weight;
  return full ? size : size + 1;
}

/** The candidate placeReason holds at `at` (heaviest first), until the next selection begins. */
export function chosenReason<Candidate>(at: number): Candidate {
  return CHOSEN[at] as Candidate;
}
