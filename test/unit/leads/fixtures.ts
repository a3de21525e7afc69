import type { FunnelTransition } from "#shared/domain/funnel";
import type { Lead, Owner, Transition } from "#shared/domain/lead";
import { emailDomain } from "#shared/domain/lead";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { leadIdOf } from "../../support/pseudonyms";

export const REP_A: Owner = { id: "rep-a", name: "Rep A", email: "rep-a@seller.example" };
export const REP_B: Owner = { id: "rep-b", name: "Rep B", email: "rep-b@seller.example" };

/** A stored lead as the write path would leave it; override what the test is about. */
export function leadFixture(overrides: Partial<Lead> & { email: string }): Lead {
  const at = overrides.updatedAt ?? "2026-11-01T10:00:00.000Z";
  return {
    leadId: leadIdOf(overrides.email),
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
 * A real engine for the sweep, listing and erasure tests: every event scores `points` (halving every
 * `halfLifeDays`), an mql whose score decays below `recycleBelow` is recycled, and an sql lead without
 * an owner breaches the SLA after `slaHours`.
 */
export function sweepEngine(
  options: { points?: number; halfLifeDays?: number; recycleBelow?: number; slaHours?: number } = {},
): ScoringEngine {
  const points = options.points ?? 40;
  return createEngine(
    parseModel({
      version: "sweep-1",
      engagement: {
        rules: [
          {
            id: "points",
            label: "Any event",
            on: ["form.submitted", "page.viewed", "demo.completed", "demo.scheduled", "webinar.attended"],
            points,
            halfLifeDays: options.halfLifeDays ?? 30,
          },
        ],
      },
      stages: {
        recycle:
          options.recycleBelow === undefined
            ? []
            : [
                {
                  id: "recycle.decayed",
                  label: "score decayed",
                  from: ["mql"],
                  when: { score: { max: options.recycleBelow - 0.01 } },
                },
              ],
        sla:
          options.slaHours === undefined
            ? []
            : [
                {
                  id: "sla.sql",
                  label: `sql not accepted within ${options.slaHours} h`,
                  stage: "sql",
                  hours: options.slaHours,
                  notify: ["slack"],
                },
              ],
      },
      routing: {
        owners: [REP_A, REP_B],
        fallback: [REP_A.id, REP_B.id],
      },
    }),
  );
}
