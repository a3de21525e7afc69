import type { Bant, Owner, RuleHit } from "./lead";
import type { LeadEvent, Scalar } from "./lead-event";
import type { Stage } from "./stages";

/** An event as stored: the canonical event plus the id Ripen keys it under and when it arrived. */
export interface StoredEvent extends LeadEvent {
  eventId: string;
  receivedAt: string;
}

/** What the engine reads about a lead: its attributes and, for stage rules, where it stands. */
export interface ScoringSubject {
  leadId: string;
  email: string;
  attributes: Record<string, Scalar>;
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
 * The result of scoring: a pure function of (model, lead, events, now).
 * `hits` explains the score exactly: their `decayedPoints` add up to `score`.
 */
export interface Evaluation {
  score: number;
  fit: number;
  engagement: number;
  hits: RuleHit[];
  bant: Bant;
  /** The most advanced stage the automatic rules qualify the lead for (forward-only is applied later). */
  verdict: StageVerdict;
  /** A disqualifier or recycle rule that applies, if any. */
  demotion?: StageVerdict;
  owner?: Owner;
}

/** A loaded scoring model, ready to evaluate leads. The application layer knows only this. */
export interface ScoringEngine {
  readonly modelVersion: string;
  evaluate(subject: ScoringSubject, events: readonly StoredEvent[], now: Date): Evaluation;
}

/** Scores are kept to two decimals; this is the one place rounding is defined. */
export function roundPoints(points: number): number {
  return Math.round(points * 100) / 100;
}
