import { createHash } from "node:crypto";
import { emailDomain, type Lead, type RuleHit, type Transition } from "./lead";
import type { Scalar } from "./lead-event";
import type { Evaluation, ScoringEngine, StageVerdict, StoredEvent } from "./scoring";
import { isForward, type Stage } from "./stages";

/** How many rule hits travel with a transition (and so with an alert) as its reasons. */
export const TOP_REASONS = 5;

export interface FoldInput {
  engine: ScoringEngine;
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

/** Events in the order they happened; ties broken by id so the fold is deterministic. */
export function chronological(events: readonly StoredEvent[]): StoredEvent[] {
  return [...events].sort((a, b) =>
    a.occurredAt === b.occurredAt ? (a.eventId < b.eventId ? -1 : 1) : a.occurredAt < b.occurredAt ? -1 : 1,
  );
}

/**
 * Recomputes a lead from its events: identity and attributes (latest wins), score and explanation,
 * and the stage it moves to. Automatic moves go forward only; a disqualifier rule is the one
 * automatic move out of the funnel, and it always carries its rule as the reason.
 */
export function foldLead(input: FoldInput): FoldResult {
  const { engine, leadId, current, now } = input;
  const events = chronological(input.events);
  const latest = events.at(-1);
  if (!latest) throw new Error("foldLead needs at least one event");

  const attributes: Record<string, Scalar> = {};
  let name = current?.name;
  let company = current?.company;
  for (const event of events) {
    Object.assign(attributes, event.attributes);
    if (event.name) name = event.name;
    if (event.company) company = event.company;
  }
  const email = current?.email ?? latest.email;
  const at = now.toISOString();
  const stage: Stage = current?.stage ?? "lead";
  const stageEnteredAt = current?.stageEnteredAt ?? at;

  const evaluation = engine.evaluate({ leadId, email, attributes, stage, stageEnteredAt }, events, now);
  const move = decideMove(current?.stage, evaluation);

  const lead: Lead = {
    leadId,
    email,
    ...(name !== undefined && { name }),
    ...(company !== undefined && { company }),
    domain: emailDomain(email),
    attributes,
    stage: move?.stage ?? stage,
    stageEnteredAt: move ? at : stageEnteredAt,
    score: evaluation.score,
    fit: evaluation.fit,
    engagement: evaluation.engagement,
    bant: evaluation.bant,
    ...((current?.owner ?? evaluation.owner) && { owner: current?.owner ?? evaluation.owner }),
    createdAt: current?.createdAt ?? at,
    updatedAt: at,
    lastEventAt:
      latest.occurredAt > (current?.lastEventAt ?? "")
        ? latest.occurredAt
        : (current?.lastEventAt ?? latest.occurredAt),
    eventCount: events.length,
    modelVersion: engine.modelVersion,
    version: (current?.version ?? 0) + 1,
  };
  if (!move) return { lead, evaluation };
  const actor = { type: "rule", id: move.ruleId } as const;
  const eventId = move.eventId ?? input.trigger?.eventId;
  return {
    lead,
    evaluation,
    transition: transitionFor(lead, evaluation.hits, current?.stage ?? null, move, actor, eventId),
  };
}

/** The automatic move the evaluation calls for, if any. First events always enter the funnel. */
function decideMove(current: Stage | undefined, evaluation: Evaluation): StageVerdict | undefined {
  if (evaluation.demotion?.stage === "disqualified" && current !== "disqualified") return evaluation.demotion;
  if (current === undefined) {
    return isForward("lead", evaluation.verdict.stage)
      ? evaluation.verdict
      : { stage: "lead", ruleId: "first-event", reason: "first event from this contact" };
  }
  return isForward(current, evaluation.verdict.stage) ? evaluation.verdict : undefined;
}

/** Deterministic per lead version, so a retried write can never produce two transitions. */
export function transitionId(leadId: string, version: number): string {
  return `tr_${createHash("sha256").update(`${leadId}:${version}`).digest("hex").slice(0, 24)}`;
}

export function transitionFor(
  lead: Lead,
  hits: readonly RuleHit[],
  from: Stage | null,
  move: { stage: Stage; reason: string },
  actor: Transition["actor"],
  eventId?: string,
): Transition {
  return {
    transitionId: transitionId(lead.leadId, lead.version),
    leadId: lead.leadId,
    from,
    to: move.stage,
    at: lead.updatedAt,
    reason: move.reason,
    actor,
    modelVersion: lead.modelVersion,
    score: lead.score,
    reasons: topReasons(hits),
    bant: lead.bant,
    ...(lead.owner && { owner: lead.owner }),
    lead: {
      email: lead.email,
      domain: lead.domain,
      ...(lead.name !== undefined && { name: lead.name }),
      ...(lead.company !== undefined && { company: lead.company }),
    },
    ...(eventId !== undefined && { eventId }),
  };
}

/** The hits that weigh most, positive or negative: what an alert shows as "why". */
export function topReasons(hits: readonly RuleHit[], count = TOP_REASONS): RuleHit[] {
  return [...hits].sort((a, b) => Math.abs(b.decayedPoints) - Math.abs(a.decayedPoints)).slice(0, count);
}
