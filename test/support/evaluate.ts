import type { Lead } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import { type FoldResult, foldLead } from "#shared/domain/lead-fold";
import type { Evaluation, ScoringEngine, ScoringSubject, StoredEvent } from "#shared/domain/scoring-engine";

/** A subject for tests, with attributes known apart from the events (lowest precedence, no event cites them). */
export type TestSubject = ScoringSubject & { attributes?: Record<string, Scalar> };

/** An engine's evaluation of a lead with these events: its snapshot rebuilt from them, read at `now`. */
export function evaluateEvents(
  engine: ScoringEngine,
  subject: TestSubject,
  events: readonly StoredEvent[],
  now: Date,
): Evaluation {
  const { attributes, ...lead } = subject;
  const snapshot = engine.replay(events, lead.stageEnteredAt, lead.stage);
  if (attributes) snapshot.attributes = { ...attributes, ...snapshot.attributes };
  return engine.evaluate(lead, snapshot, now);
}

/**
 * foldLead as the history-wide fold tests were written for: every stored event (the trigger among them,
 * or none) and the lead before; the snapshot is rebuilt from the events, so any order works.
 */
export function foldHistory(input: {
  engine: ScoringEngine;
  leadId: string;
  current: Lead | undefined;
  events: readonly StoredEvent[];
  trigger?: StoredEvent;
  now: Date;
}): FoldResult {
  const { events, trigger, ...rest } = input;
  const history = trigger ? events.filter((event) => event !== trigger) : events;
  const folded = foldLead({ ...rest, history, ...(trigger && { event: trigger }) });
  if (!folded) throw new Error("foldLead refused a history");
  return folded;
}
