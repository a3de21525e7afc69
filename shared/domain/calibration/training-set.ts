import { eventsBeforeOutcome, leadOutcome } from "../outcomes";
import type { StoredEvent } from "../scoring-engine";

/**
 * What a lead is labelled by: a won deal (lost is negative), reaching sqo, or a rep's decision (qualified:
 * a rep moved it to sql; a rep disqualifying it is negative), as the SDR gate (stages.sqlReview) asks for.
 */
export type LabelKind = "won" | "sqo" | "qualified";
export const LABEL_KINDS = ["won", "sqo", "qualified"] as const satisfies readonly LabelKind[];

/** A rep's first decision on a lead: qualified (→ sql) or disqualified, and when. */
export interface RepDecision {
  at: string;
  qualified: boolean;
}

/**
 * A lead's history as calibration reads it: its events, when it first reached sqo, if it did, and the
 * rep's first decision on it, if one was asked for and made.
 */
export interface LeadHistory {
  leadId: string;
  email: string;
  events: readonly StoredEvent[];
  reachedSqoAt?: string;
  decision?: RepDecision;
}

export interface LabelOptions {
  label: LabelKind;
  /** No outcome this many days after the lead's first event counts as negative (otherwise it is left out). */
  withinDays?: number;
  /** The time the labels are read at: a lead younger than `withinDays` is left out, not negative. */
  now: Date;
}

/** One labelled lead: what it did before it was labelled, and the label. */
export interface Example {
  leadId: string;
  email: string;
  /** When its first event happened: the split orders leads by this. */
  firstEventAt: string;
  positive: boolean;
  /** The instant its features are taken at: its first outcome (or sqo), or the `withinDays` deadline. */
  asOf: string;
  /** Its events strictly before `asOf`: nothing at or after the label is ever a feature. */
  events: readonly StoredEvent[];
}

export interface LabelledSet {
  examples: Example[];
  /** Leads left out: no outcome yet (and no `withinDays`, or not that old yet), or no events before the label. */
  unlabelled: number;
}

const DAY_MS = 86_400_000;

/**
 * The labelled examples of a set of leads, without leakage.
 * Labels: `won`: a won deal is positive, a lost one negative; `sqo`: reaching sqo is positive (taken at the
 * first time it did), a lost deal negative; `qualified`: a rep's first decision, qualify positive and
 * disqualify negative (taken when it was made), else a won or lost deal as for `won`. A lead with neither is negative only when `withinDays` says so
 * and that long has passed since its first event; otherwise it is left out.
 * Guarantees: an example's events are strictly before its `asOf`, which is never later than its first
 * outcome; a lead whose label came before any other event is left out (nothing to learn from).
 */
export function labelledExamples(leads: readonly LeadHistory[], options: LabelOptions): LabelledSet {
  const examples: Example[] = [];
  let unlabelled = 0;
  for (const lead of leads) {
    const example = labelled(lead, options);
    if (example) examples.push(example);
    else unlabelled++;
  }
  return { examples, unlabelled };
}

function labelled(lead: LeadHistory, options: LabelOptions): Example | undefined {
  const before = eventsBeforeOutcome(lead.events);
  const first = before[0] ?? lead.events[0];
  if (!first) return undefined;
  const outcome = leadOutcome(lead.events);
  let positive: boolean | undefined;
  let asOf: string | undefined;
  if (options.label === "qualified" && lead.decision && (!outcome || lead.decision.at <= outcome.firstAt)) {
    positive = lead.decision.qualified;
    asOf = lead.decision.at;
  } else if (
    options.label === "sqo" &&
    lead.reachedSqoAt !== undefined &&
    (!outcome || lead.reachedSqoAt <= outcome.firstAt)
  ) {
    positive = true;
    asOf = lead.reachedSqoAt;
  } else if (outcome) {
    // A won deal is positive whichever the label (a lead that won reached sqo on the way).
    positive = outcome.outcome === "won";
    asOf = outcome.firstAt;
  } else if (options.withinDays !== undefined) {
    const deadline = Date.parse(first.occurredAt) + options.withinDays * DAY_MS;
    if (deadline > options.now.getTime()) return undefined;
    positive = false;
    asOf = new Date(deadline).toISOString();
  }
  if (positive === undefined || asOf === undefined) return undefined;
  const cut = asOf;
  const events = before.filter((event) => event.occurredAt < cut);
  if (events.length === 0) return undefined;
  return { leadId: lead.leadId, email: lead.email, firstEventAt: first.occurredAt, positive, asOf, events };
}

export interface TimeSplit {
  train: Example[];
  holdout: Example[];
  /** The first event time of the earliest holdout lead: every training lead started before or at it. */
  cutoff: string | undefined;
}

/**
 * Splits examples at a cut-off time by their first event: the earliest train, the latest `holdout` share
 * test, as a model is used (trained on the past, judged on what came after). Never a random split.
 * Ties order by lead id, so a split is the same on every run.
 */
export function splitByFirstEvent(examples: readonly Example[], holdout: number): TimeSplit {
  if (!(holdout > 0 && holdout < 1)) throw new RangeError(`the holdout share must be between 0 and 1, not ${holdout}`);
  const ordered = [...examples].sort((a, b) =>
    a.firstEventAt !== b.firstEventAt ? (a.firstEventAt < b.firstEventAt ? -1 : 1) : a.leadId < b.leadId ? -1 : 1,
  );
  const trainSize = Math.round(ordered.length * (1 - holdout));
  const train = ordered.slice(0, trainSize);
  const test = ordered.slice(trainSize);
  return { train, holdout: test, cutoff: test[0]?.firstEventAt };
}
