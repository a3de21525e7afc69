import { chronological, type StoredEvent } from "./scoring-engine";

/**
 * Outcomes: what became of a lead's deal, sent as ordinary events (the generic webhook, an import, any
 * sender that has them). They label a lead for calibration. A model may still give them points (the
 * default's `opportunity-lost` rule does), but calibration never learns from an outcome, or from anything
 * that happened at or after the first one: that would be reading the answer.
 */
export const OUTCOME_EVENT_TYPES = { won: "opportunity.won", lost: "opportunity.lost" } as const;
export type Outcome = keyof typeof OUTCOME_EVENT_TYPES;

const OUTCOME_OF_TYPE: ReadonlyMap<string, Outcome> = new Map(
  Object.entries(OUTCOME_EVENT_TYPES).map(([outcome, type]) => [type, outcome as Outcome]),
);

/** The outcome an event reports, or undefined for any other event. */
export const outcomeOfEvent = (event: Pick<StoredEvent, "type">): Outcome | undefined =>
  OUTCOME_OF_TYPE.get(event.type);

export interface LeadOutcome {
  /** The latest outcome: a deal lost and later won (reopened) is a win. */
  outcome: Outcome;
  /** When the latest outcome happened. */
  at: string;
  /**
   * When the first outcome happened: what a lead did from then on is never a feature, so a reopened
   * deal's second round can't teach calibration what the first round's answer was.
   */
  firstAt: string;
}

/** The lead's outcome from its events (in any order), or undefined while it has none. */
export function leadOutcome(events: readonly StoredEvent[]): LeadOutcome | undefined {
  let first: StoredEvent | undefined;
  let last: StoredEvent | undefined;
  let outcome: Outcome | undefined;
  for (const event of chronological(events)) {
    const reported = outcomeOfEvent(event);
    if (!reported) continue;
    first ??= event;
    last = event;
    outcome = reported;
  }
  if (!first || !last || !outcome) return undefined;
  return { outcome, at: last.occurredAt, firstAt: first.occurredAt };
}

/**
 * The events calibration may learn from: those strictly before the lead's first outcome (all of them when
 * it has none), in the order they happened. An event at the same instant as the outcome is left out:
 * its order against the outcome is not known.
 */
export function eventsBeforeOutcome(events: readonly StoredEvent[]): readonly StoredEvent[] {
  const ordered = chronological(events);
  const outcome = leadOutcome(ordered);
  if (!outcome) return ordered;
  return ordered.filter((event) => event.occurredAt < outcome.firstAt);
}
