import * as crypto from "node:crypto";
import * as z from "zod/mini";
import { instantMs } from "./instant";
import {
  emailDomain,
  type Lead,
  type LeadContact,
  type Owner,
  type RuleHit,
  type SqlReadyRequest,
  type SqlReview,
  scoreBand,
  type Transition,
} from "./lead";
import {
  chronological,
  type Evaluation,
  type ScoringEngine,
  type ScoringSubject,
  type StageVerdict,
  type StoredEvent,
  TOP_REASONS,
  topReasons,
} from "./scoring-engine";
import type { LeadSnapshot } from "./snapshot";
import { funnelRank, isForward, type Stage } from "./stages";

export interface FoldInput {
  engine: ScoringEngine;
  leadId: string;
  current: Lead | undefined;
  /** The event being recorded; without one the lead is re-evaluated as it stands (sweep, rescore). */
  event?: StoredEvent;
  /**
   * Every stored event of the lead (the new one excluded): the snapshot is rebuilt from them. Given when
   * the lead's snapshot can't be used (missing, stale, another model's, or it can't place the event),
   * for which a fold without a history returns undefined.
   */
  history?: readonly StoredEvent[];
  now: Date;
}

export { chronological, TOP_REASONS, topReasons };

export interface FoldResult {
  lead: Lead;
  evaluation: Evaluation;
  transition?: Transition;
  /** The fold began a wait for review (the lead had none, or another one): its owner is asked to decide. */
  sqlReady?: SqlReadyRequest;
}

/** Stages a lead is owned in: reaching one with `acceptance: auto` makes the routed rep its owner. */
const ACCEPTED_STAGES: ReadonlySet<Stage> = new Set(["sal", "sql", "sqo"]);
const FIRST_EVENT: StageVerdict = { stage: "lead", ruleId: "first-event", reason: "first event from this contact" };

/**
 * The lead's snapshot, if this engine can fold into it: not stale, and written by the same model or by
 * one that folds alike (the same fold hash: the model changed only what evaluation reads).
 */
export function usableSnapshot(engine: ScoringEngine, lead: Lead | undefined): LeadSnapshot | undefined {
  if (!lead) return engine.empty();
  const snapshot = lead.snapshot;
  if (lead.stale || !snapshot) return undefined;
  return snapshot.model === engine.modelHash || snapshot.fold === engine.foldHash ? snapshot : undefined;
}

/** The snapshot as this engine's: the model that scored the lead now, and the fold it was made by. */
function stamped(engine: ScoringEngine, snapshot: LeadSnapshot): LeadSnapshot {
  if (snapshot.model === engine.modelHash && snapshot.fold === engine.foldHash) return snapshot;
  return { ...snapshot, model: engine.modelHash, fold: engine.foldHash };
}

/**
 * Folds one event into a lead (or re-evaluates it at `now`): identity and attributes (latest wins),
 * score and explanation, and the stage it moves to, from the lead's snapshot: the cost is the same
 * whatever the history. Returns undefined when the snapshot can't be used and no history was given.
 * Automatic moves go forward only (skips allowed); the moves out of the funnel are a disqualifier rule
 * (from any stage) and a recycle rule (from the stages it names), and a reopen rule is the one way back
 * from disqualified; each carries its rule as the actor and reason. A recycled or reopened lead is
 * qualified on its activity since it left the funnel (plus its fit), so the evidence it was set aside
 * with does not bring it straight back. With the SDR gate on (stages.sqlReview), a move the rules would
 * make to sql or beyond from below sql is held: the lead stays (a new or reopened one enters at lead)
 * and is marked sql-ready (`review`), which only a rep's Qualify or Disqualify ends.
 */
export function foldLead(input: FoldInput): FoldResult | undefined {
  const { engine, leadId, current, now, event } = input;
  const email = current?.email ?? event?.email ?? input.history?.[0]?.email;
  if (email === undefined) throw new Error("foldLead needs a lead or an event");
  const at = isoOf(now);
  const stage: Stage = current?.stage ?? "lead";
  const stageEnteredAt = current?.stageEnteredAt ?? at;
  const snapshot = snapshotAfter(input, stage, stageEnteredAt);
  if (!snapshot) return undefined;

  const subject: ScoringSubject = { leadId, email, stage, stageEnteredAt };
  if (current?.name !== undefined) subject.name = current.name;
  if (current?.company !== undefined) subject.company = current.company;
  const evaluation = engine.evaluate(subject, snapshot, now);
  const decided = decideMove(current, evaluation, engine, subject, snapshot, now);
  const held = evaluation.sqlReview === true && decided !== undefined && awaitsReview(current, decided);
  const move = held ? heldMove(current, evaluation) : decided;
  const nextStage = move?.stage ?? stage;
  const owner =
    current?.owner ?? (evaluation.autoAccept && ACCEPTED_STAGES.has(nextStage) ? evaluation.owner : undefined);

  const lead: Lead = {
    leadId,
    email,
    domain: current?.domain ?? emailDomain(email),
    attributes: evaluation.attributes,
    stage: nextStage,
    stageEnteredAt: move ? at : stageEnteredAt,
    score: evaluation.score,
    fit: evaluation.fit,
    engagement: evaluation.engagement,
    bant: evaluation.bant,
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    lastEventAt: laterOf(evaluation.lastEventAt, current?.lastEventAt ?? ""),
    eventCount: snapshot.events,
    modelVersion: engine.modelVersion,
    version: (current?.version ?? 0) + 1,
    // The queue band moves with the stage (and the sweep), not with every webhook.
    scoreBand: move || current?.scoreBand === undefined ? scoreBand(evaluation.score) : current.scoreBand,
    // A replay's snapshot, or a fold's (its own top level and arrays over shared states), is this fold's
    // alone; without an event or a history it is the lead's stored one.
    // Stamped with this model: a snapshot another model with the same fold wrote is this one's now.
    snapshot: stamped(
      engine,
      move ? engine.enterStage(snapshot, nextStage, event !== undefined || input.history !== undefined) : snapshot,
    ),
  };
  // Optional fields are set only when present: the store refuses undefined values.
  if (evaluation.name !== undefined) lead.name = evaluation.name;
  if (evaluation.company !== undefined) lead.company = evaluation.company;
  if (owner) lead.owner = owner;
  if (current?.acceptedAt !== undefined) lead.acceptedAt = current.acceptedAt;
  if (held) lead.review = reviewOf(current?.review, decided, at);
  if (snapshot.firstSource) lead.source = snapshot.firstSource.value;
  if (snapshot.firstCampaign) lead.campaign = snapshot.firstCampaign.value;
  const sqlReady =
    lead.review && lead.review.since !== current?.review?.since
      ? sqlReadyRequest(lead, lead.review, evaluation, event?.eventId)
      : undefined;
  if (!move) return sqlReady ? { lead, evaluation, sqlReady } : { lead, evaluation };
  const actor = { type: "rule", id: move.ruleId } as const;
  const eventId = move.eventId ?? event?.eventId;
  const transition = transitionFor(
    lead,
    evaluation.reasons(),
    current?.stage ?? null,
    move,
    actor,
    eventId,
    evaluation.owner,
  );
  return sqlReady ? { lead, evaluation, transition, sqlReady } : { lead, evaluation, transition };
}

/** Deterministic per lead and wait: a retried or replayed write of the same wait keeps one request. */
export function sqlReadyId(leadId: string, since: string): string {
  return `sr_${sha256Hex(`${leadId}:${since}`).slice(0, 24)}`;
}

/** What a new wait asks of the lead's owner (or the rep the model routes it to). */
function sqlReadyRequest(lead: Lead, review: SqlReview, evaluation: Evaluation, eventId?: string): SqlReadyRequest {
  const request: SqlReadyRequest = {
    requestId: sqlReadyId(lead.leadId, review.since),
    leadId: lead.leadId,
    since: review.since,
    stage: lead.stage,
    ruleId: review.ruleId,
    reason: review.reason,
    modelVersion: lead.modelVersion,
    score: lead.score,
    reasons: evaluation.reasons(),
    bant: lead.bant,
    lead: contactOf(lead),
  };
  const owner = lead.owner ?? evaluation.owner;
  if (owner) request.owner = owner;
  if (eventId !== undefined) request.eventId = eventId;
  return request;
}

const SQL_RANK = funnelRank("sql");

/** With the SDR gate on, a move to sql or beyond from below sql waits for a rep instead. */
function awaitsReview(current: Lead | undefined, move: StageVerdict): boolean {
  return funnelRank(move.stage) >= SQL_RANK && (current === undefined || funnelRank(current.stage) < SQL_RANK);
}

/**
 * The move a held lead makes instead (if any): a first event still enters the funnel and a reopened lead
 * still comes back, both at lead; any other lead stays in its stage.
 */
function heldMove(current: Lead | undefined, evaluation: Evaluation): StageVerdict | undefined {
  if (current === undefined) return FIRST_EVENT;
  if (current.stage === "disqualified" && evaluation.reopen)
    return {
      ...evaluation.reopen,
      stage: "lead",
      reason: `${evaluation.reopen.reason}; re-entered as lead, sql-ready`,
    };
  return undefined;
}

/** The lead's review mark: its first `since` while it keeps waiting, the rule that holds it now. */
function reviewOf(waiting: SqlReview | undefined, verdict: StageVerdict, at: string): SqlReview {
  return { since: waiting?.since ?? at, ruleId: verdict.ruleId, reason: verdict.reason };
}

/** The snapshot with the event folded in: incrementally when it can be, by replaying the history otherwise. */
function snapshotAfter(input: FoldInput, stage: Stage, stageEnteredAt: string): LeadSnapshot | undefined {
  const { engine, current, event, history } = input;
  if (history) return engine.replay(event ? [...history, event] : history, stageEnteredAt, stage);
  const base = usableSnapshot(engine, current);
  if (!base || !event) return base;
  return engine.fold(base, event, stageEnteredMsOf(stageEnteredAt));
}

/** The lead's stage entry in milliseconds: the same text comes again with every event of a lead. */
let lastStageEntry = { text: "", ms: Number.NaN };
function stageEnteredMsOf(text: string): number {
  if (text !== lastStageEntry.text) lastStageEntry = { text, ms: instantMs(text) };
  return lastStageEntry.ms;
}

/** Out of the funnel, a lead is judged on what it did since it left, with what is known about it. */
function sinceLeaving(
  engine: ScoringEngine,
  subject: ScoringSubject,
  snapshot: LeadSnapshot,
  now: Date,
): StageVerdict | undefined {
  return snapshot.since && snapshot.since.events > 0
    ? engine.evaluate(subject, snapshot, now, "since").verdict
    : undefined;
}

/**
 * The automatic move the evaluation calls for, if any. First events always enter the funnel. A recycled
 * or disqualified lead's move depends on its verdict since it left the funnel (sinceLeaving), which only
 * they evaluate: the lead's parts come as arguments, not an object every fold would make for nothing.
 */
function decideMove(
  current: Lead | undefined,
  evaluation: Evaluation,
  engine: ScoringEngine,
  subject: ScoringSubject,
  snapshot: LeadSnapshot,
  now: Date,
): StageVerdict | undefined {
  const { verdict, demotion, reopen } = evaluation;
  if (demotion?.stage === "disqualified") return current?.stage === "disqualified" ? undefined : demotion;
  if (current === undefined) return isForward("lead", verdict.stage) ? verdict : FIRST_EVENT;
  if (current.stage === "disqualified") {
    if (!reopen) return undefined;
    const fresh = sinceLeaving(engine, subject, snapshot, now);
    const stage = fresh && isForward("lead", fresh.stage) ? fresh.stage : "lead";
    return { ...reopen, stage, reason: `${reopen.reason}; re-entered as ${stage}` };
  }
  if (current.stage === "recycled") {
    const fresh = sinceLeaving(engine, subject, snapshot, now);
    return fresh && isForward("recycled", fresh.stage) ? fresh : undefined;
  }
  if (isForward(current.stage, verdict.stage)) return verdict;
  if (demotion?.stage === "recycled") return demotion;
  return undefined;
}

/** `now` as ISO text; a batch (a sweep, a rescore, a benchmark) folds many leads at one instant. */
let lastInstant = { ms: Number.NaN, iso: "" };
function isoOf(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastInstant.ms) lastInstant = { ms, iso: now.toISOString() };
  return lastInstant.iso;
}

/** The later of two ISO instants (they compare as text). */
function laterOf(a: string, b: string): string {
  if (a < b) return b;
  return a;
}

/**
 * Deterministic per lead version, so a retried write can never produce two transitions, and different
 * for every version of a lead (below 2^32): each of its three 32-bit lanes is a bijection of the version
 * once the lead's id is mixed in. A fast hash, not a cryptographic one: nothing relies on a transition id being
 * unguessable (a Slack button that carries one is signed by Slack), and every fold that moves a lead
 * makes one, where sha256 through node:crypto cost about half a microsecond (a replay's lead moves
 * from nothing at its first fold).
 */
export function transitionId(leadId: string, version: number): string {
  let a = 0x1e3779b9;
  let b = 0x05ebca6b;
  let c = 0x42b2ae35;
  for (let index = 0; index < leadId.length; index++) {
    const unit = leadId.charCodeAt(index);
    a = Math.imul(a ^ unit, 0x5bd1e995);
    a ^= a >>> 15;
    b = Math.imul(b ^ unit, 0x27d4eb2f);
    b ^= b >>> 13;
    c = Math.imul(c ^ unit, 0x165667b1);
    c ^= c >>> 16;
  }
  // The version last: a xor, an odd multiplier and the finalizer are each a bijection of 32 bits.
  a = finalized(a ^ version);
  b = finalized(b ^ version);
  c = finalized(c ^ version);
  // One string made from its character codes: joined from parts it would be a tree of strings.
  writeHex(a, 3);
  writeHex(b, 11);
  writeHex(c, 19);
  return String.fromCharCode(...ID_CODES);
}

/** murmur3's 32-bit finalizer after one more odd multiplier: every input bit moves every output bit. */
function finalized(lane: number): number {
  let hash = Math.imul(lane, 0xcc9e2d51);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return hash ^ (hash >>> 16);
}

/** The character code of each lowercase hex digit. */
const HEX = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));

/** A transition id's character codes: `tr_`, then each lane's eight hex digits, written by writeHex. */
const ID_CODES = Array.from("tr_000000000000000000000000", (character) => character.charCodeAt(0));

/** A lane's eight lowercase hex digits, most significant first, into ID_CODES from `at`. */
function writeHex(lane: number, at: number): void {
  for (let digit = 7; digit >= 0; digit--) ID_CODES[at + 7 - digit] = HEX[(lane >>> (digit * 4)) & 15] as number;
}

/** Node's one-shot hash where it has one (20.12 and later): a lead that moves hashes once per move. */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text).digest("hex");

/** The shape of every id transitionId returns, for ids that come back from outside (a Slack button). */
export const TransitionId = z
  .string()
  .check(z.regex(/^tr_[0-9a-f]{24}$/, "must be a transition id: tr_ and 24 hex digits"));

export function transitionFor(
  lead: Lead,
  /** Its reasons: the hits that weigh most (topReasons). */
  reasons: RuleHit[],
  from: Stage | null,
  move: { stage: Stage; reason: string },
  actor: Transition["actor"],
  eventId?: string,
  /** Who the alert goes to when the lead has no owner yet: the routed rep. */
  assignee?: Owner,
): Transition {
  // Optional fields set only when present, one by one: spreads of `cond && {…}` cost a temporary
  // object each and leave a transition that reads slowly (every new lead's first event makes one).
  const transition: Transition = {
    transitionId: transitionId(lead.leadId, lead.version),
    leadId: lead.leadId,
    from,
    to: move.stage,
    at: lead.updatedAt,
    reason: move.reason,
    actor,
    modelVersion: lead.modelVersion,
    score: lead.score,
    reasons,
    bant: lead.bant,
    lead: contactOf(lead),
  };
  const owner = lead.owner ?? assignee;
  if (owner) transition.owner = owner;
  if (eventId !== undefined) transition.eventId = eventId;
  if (lead.source !== undefined) transition.source = lead.source;
  if (lead.campaign !== undefined) transition.campaign = lead.campaign;
  return transition;
}

/** Who the lead is, as a transition and a wait for review carry it to the alert. */
function contactOf(lead: Lead): LeadContact {
  const contact: LeadContact = { email: lead.email, domain: lead.domain };
  if (lead.name !== undefined) contact.name = lead.name;
  if (lead.company !== undefined) contact.company = lead.company;
  return contact;
}
