import type { FunnelTransition } from "../../../shared/domain/funnel";
import type { Lead, Owner, Transition } from "../../../shared/domain/lead";
import { emailDomain, leadIdFor } from "../../../shared/domain/lead";
import type { Evaluation, ScoringEngine, StoredEvent } from "../../../shared/domain/scoring";

export const REP_A: Owner = { id: "rep-a", name: "Rep A", email: "rep-a@seller.example" };
export const REP_B: Owner = { id: "rep-b", name: "Rep B", email: "rep-b@seller.example" };

/** A stored lead as the write path would leave it; override what the test is about. */
export function leadFixture(overrides: Partial<Lead> & { email: string }): Lead {
  const at = overrides.updatedAt ?? "2026-11-01T10:00:00.000Z";
  return {
    leadId: leadIdFor(overrides.email),
    domain: emailDomain(overrides.email),
    attributes: {},
    stage: "mql",
    stageEnteredAt: at,
    score: 40,
    fit: 0,
    engagement: 40,
    bant: {},
    createdAt: at,
    updatedAt: at,
    lastEventAt: at,
    eventCount: 1,
    modelVersion: "test-1",
    version: 1,
    ...overrides,
  };
}

/** A transition with the attribution the funnel groups by (source, campaign). */
export function transitionFixture(input: FunnelTransition & { id?: string }): Transition & FunnelTransition {
  return {
    transitionId: input.id ?? `tr_${input.leadId}_${input.at}`,
    leadId: input.leadId,
    from: input.from,
    to: input.to,
    at: input.at,
    reason: "test",
    actor: { type: "rule", id: "test-rule" },
    modelVersion: "test-1",
    score: 50,
    reasons: [],
    bant: {},
    lead: { email: `${input.leadId}@people.example`, domain: "people.example" },
    ...(input.source !== undefined && { source: input.source }),
    ...(input.campaign !== undefined && { campaign: input.campaign }),
  };
}

export function storedEvent(overrides: Partial<StoredEvent> & { email: string; occurredAt: string }): StoredEvent {
  const sourceEventId = overrides.sourceEventId ?? `evt-${overrides.occurredAt}`;
  return {
    source: "generic",
    sourceEventId,
    type: "form.submitted",
    attributes: {},
    answers: {},
    properties: {},
    eventId: `generic:${sourceEventId}`,
    receivedAt: overrides.occurredAt,
    ...overrides,
  };
}

/**
 * A small engine for sweeps: every event is worth `points`, halved every `halfLifeDays`; leads whose
 * score falls under `recycleBelow` in mql are recycled; a stay in sql longer than `slaHours` without
 * an owner breaches the SLA.
 */
export function sweepEngine(
  options: { points?: number; halfLifeDays?: number; recycleBelow?: number; slaHours?: number } = {},
) {
  const points = options.points ?? 40;
  const halfLifeDays = options.halfLifeDays ?? 30;
  const engine: ScoringEngine = {
    modelVersion: "sweep-1",
    owners: [REP_A, REP_B],
    attributeFor: () => undefined,
    channelsFor: () => [],
    evaluate(subject, events, now): Evaluation {
      const hits = events.map((event) => {
        const ageDays = (now.getTime() - Date.parse(event.occurredAt)) / 86_400_000;
        const decayed = Math.round(points * 0.5 ** (Math.max(0, ageDays) / halfLifeDays) * 100) / 100;
        return {
          ruleId: "points",
          axis: "engagement" as const,
          eventId: event.eventId,
          label: event.type,
          points,
          decayedPoints: decayed,
        };
      });
      const score = Math.round(hits.reduce((sum, hit) => sum + hit.decayedPoints, 0) * 100) / 100;
      const recycle =
        options.recycleBelow !== undefined && subject.stage === "mql" && score < options.recycleBelow
          ? { stage: "recycled" as const, ruleId: "recycle.decayed", reason: "score decayed" }
          : undefined;
      return {
        score,
        fit: 0,
        engagement: score,
        hits,
        bant: {},
        attributes: subject.attributes,
        lastEventAt:
          events
            .map((event) => event.occurredAt)
            .sort()
            .at(-1) ?? "",
        verdict: { stage: "lead", ruleId: "first-event", reason: "known contact" },
        ...(recycle && { demotion: recycle }),
        autoAccept: false,
      };
    },
    slaBreaches(lead, now) {
      const hours = options.slaHours;
      if (hours === undefined || lead.stage !== "sql" || lead.owner) return [];
      const due = Date.parse(lead.stageEnteredAt) + hours * 3_600_000;
      if (now.getTime() <= due) return [];
      return [
        {
          ruleId: "sla.sql",
          label: `sql not accepted within ${hours} h`,
          stage: "sql",
          dueAt: new Date(due).toISOString(),
          hoursOverdue: Math.round(((now.getTime() - due) / 3_600_000) * 100) / 100,
          notify: ["slack"],
        },
      ];
    },
  };
  return engine;
}
