import { fileURLToPath } from "node:url";
import type { Lead } from "#shared/domain/lead";
import { eventKey, LeadEvent, type LeadEventInput } from "#shared/domain/lead-event";
import { foldLead } from "#shared/domain/lead-fold";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import type { ScoringModelInput } from "#shared/domain/model/schema";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";

import { loadEngine } from "#shared/runtime/scoring-model";
import type { TestSubject } from "../../support/evaluate";
import { leadIdOf } from "../../support/pseudonyms";

/** A stored event as ingest would keep it; `at` is an ISO time, `id` the sender's event id. */
export function stored(input: Partial<LeadEventInput> & { type: string; at: string; id?: string }): StoredEvent {
  const { at, id, ...rest } = input;
  const event = LeadEvent.parse({
    source: "generic",
    sourceEventId: id ?? `${input.type}@${at}`,
    occurredAt: at,
    email: "ada@acme.example",
    ...rest,
  });
  return { ...event, eventId: eventKey(event), receivedAt: event.occurredAt };
}

export interface Step {
  lead: Lead;
  stages: string[];
}

/** Records events one by one through foldLead, as ingest does, at each event's own time. */
export function journey(engine: ScoringEngine, events: readonly StoredEvent[], start?: Lead): Step {
  let lead = start;
  const seen: StoredEvent[] = [];
  const stages: string[] = [];
  for (const event of events) {
    seen.push(event);
    const input = { engine, leadId: leadIdOf(event.email), current: lead, event, now: new Date(event.occurredAt) };
    // Incrementally, as ingest does; a late event the snapshot can't place replays the history.
    const folded = foldLead(input) ?? foldLead({ ...input, history: seen.slice(0, -1) });
    if (!folded) throw new Error("the fold needs the history");
    lead = folded.lead;
    if (folded.transition) stages.push(folded.transition.to);
  }
  if (!lead) throw new Error("a journey needs events");
  return { lead, stages };
}

/** An engine for a model written inline (validated like a file), for tests about one rule. */
export function engineFor(model: Omit<ScoringModelInput, "version"> & { version?: string }): ScoringEngine {
  return createEngine(parseModel({ version: "test-1", ...model }));
}

/** The default model from the repo root, as the application loads it. */
export function defaultEngine(): ScoringEngine {
  return loadEngine(DEFAULT_MODEL_PATH);
}
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL("../../../ripen.model.yaml", import.meta.url));

export function subject(overrides: Partial<TestSubject> = {}): TestSubject {
  return {
    leadId: leadIdOf("ada@acme.example"),
    email: "ada@acme.example",
    stage: "lead",
    stageEnteredAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** Cents, so sums of two-decimal points compare exactly. */
export const cents = (points: number) => Math.round(points * 100);
export const sumOfHits = (hits: readonly { decayedPoints: number }[]) =>
  hits.reduce((sum, hit) => sum + cents(hit.decayedPoints), 0);
