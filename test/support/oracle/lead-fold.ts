import { emailDomain, type Lead, type Transition } from "#shared/domain/lead";
import { topReasons, transitionFor } from "#shared/domain/lead-fold";
import { compareEvents, type Evaluation, type StageVerdict, type StoredEvent } from "#shared/domain/scoring-engine";
import { isForward, type Stage } from "#shared/domain/stages";
import type { OracleEngine, OracleSubject } from "./engine";

/**
 * The oracle's fold: the lead recomputed from its whole history, as Ripen did before snapshots. The
 * changes from then: rules rounded once each (see engine.ts), first touch ties broken by event id
 * (the order every fold uses) rather than by the order a Query returned the events, and a rep's
 * acceptance time kept across folds.
 */

export interface FoldInput {
  engine: OracleEngine;
  leadId: string;
  current: Lead | undefined;
  /** Every stored event of the lead, the new one included, in any order. */
  events: readonly StoredEvent[];
  /** The event being recorded, if an event caused this fold. */
  trigger?: StoredEvent;
  now: Date;
}

export interface FoldResult {
  lead: Lead;
  evaluation: Evaluation;
  transition?: Transition;
}

/** Stages a lead is owned in: reaching one with `acceptance: auto` makes the routed rep its owner. */
const ACCEPTED_STAGES: ReadonlySet<Stage> = new Set(["sal", "sql", "sqo"]);
const FIRST_EVENT: StageVerdict = { stage: "lead", ruleId: "first-event", reason: "first event from this contact" };

/**
 * Recomputes a lead from its events: identity and attributes (latest wins), score and explanation,
 * and the stage it moves to. Automatic moves go forward only (skips allowed); the moves out of the
 * funnel are a disqualifier rule (from any stage) and a recycle rule (from the stages it names), and a
 * reopen rule is the one way back from disqualified; each carries its rule as the actor and reason.
 * A recycled or reopened lead is qualified on its activity since it left the funnel (plus its fit), so
 * the evidence it was set aside with does not bring it straight back.
 */
export function oracleFold(input: FoldInput): FoldResult {
  const { engine, leadId, current, now, events } = input;
  const first = events[0];
  if (!first) throw new Error("oracleFold needs at least one event");
  const email = current?.email ?? first.email;
  const at = isoOf(now);
  const stage: Stage = current?.stage ?? "lead";
  const stageEnteredAt = current?.stageEnteredAt ?? at;

  // Attributes come from the events alone, so a new model's field mapping applies to the whole history.
  const subject: OracleSubject = { leadId, email, attributes: {}, stage, stageEnteredAt };
  if (current?.name !== undefined) subject.name = current.name;
  if (current?.company !== undefined) subject.company = current.company;
  const evaluation = engine.evaluate(subject, events, now);
  const move = decideMove(current, evaluation, () => {
    // Out of the funnel, a lead is judged on what it did since it left, with what is known about it.
    const recent = events.filter((event) => event.occurredAt > stageEnteredAt);
    return recent.length === 0
      ? undefined
      : engine.evaluate({ ...subject, attributes: evaluation.attributes }, recent, now).verdict;
  });
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
    eventCount: events.length,
    modelVersion: engine.modelVersion,
    version: (current?.version ?? 0) + 1,
  };
  // Optional fields are set only when present: the store refuses undefined values.
  if (evaluation.name !== undefined) lead.name = evaluation.name;
  if (evaluation.company !== undefined) lead.company = evaluation.company;
  if (owner) lead.owner = owner;
  if (current?.acceptedAt !== undefined) lead.acceptedAt = current.acceptedAt;
  const touch = firstTouch(events);
  if (touch.source !== undefined) lead.source = touch.source;
  if (touch.campaign !== undefined) lead.campaign = touch.campaign;
  if (!move) return { lead, evaluation };
  const actor = { type: "rule", id: move.ruleId } as const;
  const eventId = move.eventId ?? input.trigger?.eventId;
  return {
    lead,
    evaluation,
    transition: transitionFor(
      lead,
      topReasons(evaluation.hits),
      current?.stage ?? null,
      move,
      actor,
      eventId,
      evaluation.owner,
    ),
  };
}

/**
 * The automatic move the evaluation calls for, if any. First events always enter the funnel.
 * `sinceLeaving` is the verdict on the events after a recycled or disqualified lead left the funnel.
 */
function decideMove(
  current: Lead | undefined,
  evaluation: Evaluation,
  sinceLeaving: () => StageVerdict | undefined,
): StageVerdict | undefined {
  const { verdict, demotion, reopen } = evaluation;
  if (demotion?.stage === "disqualified") return current?.stage === "disqualified" ? undefined : demotion;
  if (current === undefined) return isForward("lead", verdict.stage) ? verdict : FIRST_EVENT;
  if (current.stage === "disqualified") {
    if (!reopen) return undefined;
    const fresh = sinceLeaving();
    const stage = fresh && isForward("lead", fresh.stage) ? fresh.stage : "lead";
    return { ...reopen, stage, reason: `${reopen.reason}; re-entered as ${stage}` };
  }
  if (current.stage === "recycled") {
    const fresh = sinceLeaving();
    return fresh && isForward("recycled", fresh.stage) ? fresh : undefined;
  }
  if (isForward(current.stage, verdict.stage)) return verdict;
  if (demotion?.stage === "recycled") return demotion;
  return undefined;
}

/** The source of the earliest event and the first campaign a sender named (properties.campaign or utm_campaign). */
function firstTouch(events: readonly StoredEvent[]): { source?: string; campaign?: string } {
  let earliest: StoredEvent | undefined;
  let campaignAt: StoredEvent | undefined;
  let campaign: string | undefined;
  for (const event of events) {
    if (!earliest || compareEvents(event, earliest) < 0) earliest = event;
    const named = event.properties.campaign ?? event.properties.utm_campaign;
    if (
      typeof named === "string" &&
      named !== "" &&
      (campaignAt === undefined || compareEvents(event, campaignAt) < 0)
    ) {
      campaign = named;
      campaignAt = event;
    }
  }
  return { ...(earliest && { source: earliest.source }), ...(campaign !== undefined && { campaign }) };
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
