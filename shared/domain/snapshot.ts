import type { Scalar } from "./lead-event";

/**
 * A lead's fold snapshot: what the engine needs to score the next event exactly, whatever came before.
 * Its size is bounded by the model (rules, caps, `atLeast`), never by the history; the events stay
 * the truth, and a replay of them rebuilds the snapshot. Times are epoch milliseconds.
 */
export interface LeadSnapshot {
  /** Content hash of the compiled model that last scored it: the lead's score, stage and explanation are that model's. */
  model: string;
  /**
   * Content hash of what the snapshot's content depends on (the fold: field mapping, lists, engagement
   * rules without their points, the `event:` conditions, the fold format). A model with the same fold
   * hash folds into it exactly; another one replays the events. Absent in snapshots written before it
   * was kept: those are trusted by `model` alone.
   */
  fold?: string;
  /** Events folded in: a replay that finds fewer missed a committed event and retries. */
  events: number;
  /** The latest event's time (idleDays, recycle rules). */
  lastEventMs: number;
  /** The lead's attributes: each event's (form answers mapped by the model, then stated ones), latest wins. */
  attributes: Record<string, Scalar>;
  /** Per attribute the event that set it last (in event-time order): its time and id (BANT cites the id). */
  marks: Record<string, Mark>;
  /** Name and company, as marks: the latest event that carried one wins. */
  name?: ValueMark;
  company?: ValueMark;
  /** First touch: the earliest event's source, and the earliest campaign a sender named. */
  firstSource?: ValueMark;
  firstCampaign?: ValueMark;
  /** Engagement folded over every event. */
  all: EngagementSnapshot;
  /** Engagement folded over the events since the lead left the funnel (recycled or disqualified only). */
  since?: EngagementSnapshot;
}

/** When and by which event a value was set: later (time, then id) wins. */
export interface Mark {
  at: number;
  by: string;
}
export interface ValueMark extends Mark {
  value: string;
}

export interface EngagementSnapshot {
  /** Events folded into this scope. */
  events: number;
  /**
   * Per engagement rule, in model order; undefined until an event matches the rule. A lead touches a few
   * of a model's dozens of rules, so a new lead's snapshot is two short arrays, not an object per rule.
   */
  rules: (RuleSnapshot | undefined)[];
  /** Per `event:` condition of the stage and routing rules, in compile order; undefined until one counts. */
  watchers: (WatcherSnapshot | undefined)[];
}

/**
 * One engagement rule. `matched` counts every matching event (`rule` + `atLeast`), `scored` those the
 * cap let score. `times` holds scoring times, ascending: all of them (at most `max`) for a count cap,
 * or the recent ones a window cap still needs (at most `max`, none older than the window before the
 * latest). `sum` and `at` are the decay accumulator for rules whose scoring times are not all kept:
 * sum = Σ 2^(−(at − t)/halfLife) over the scoring times t, with `at` the latest of them.
 */
export interface RuleSnapshot {
  matched: number;
  scored: number;
  times?: number[];
  sum?: number;
  at?: number;
}

/**
 * A rule's state when its first event comes: `times` (a capped rule's) added to {matched, scored}, as
 * every copy and decoded state is built, so the states a fold and an evaluation read share a few hidden
 * classes (an object literal with `times` would be yet another, and reads of five or more slow down).
 */
export function emptyRuleState(keepsTimes: boolean): RuleSnapshot {
  const state: RuleSnapshot = { matched: 0, scored: 0 };
  if (keepsTimes) state.times = [];
  return state;
}

/** One `event:` condition: a count, or the `atLeast` latest times when it looks back `withinDays`. */
export interface WatcherSnapshot {
  count: number;
  times?: number[];
}

/** (time, id) order: the order every fold applies "latest wins" in. */
export function isLaterMark(at: number, by: string, mark: Mark | undefined): boolean {
  return mark === undefined || at > mark.at || (at === mark.at && by >= mark.by);
}
export function isEarlierMark(at: number, by: string, mark: Mark | undefined): boolean {
  return mark === undefined || at < mark.at || (at === mark.at && by < mark.by);
}
