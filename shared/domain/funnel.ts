import { FUNNEL, funnelRank, type Stage } from "./stages";

/** What the funnel reads of a transition: who moved, from where to where, when, and its attribution. */
export interface FunnelTransition {
  leadId: string;
  from: Stage | null;
  to: Stage;
  at: string;
  source?: string;
  campaign?: string;
}

/** A wait for review (stages.sqlReview) as the funnel reads it: whose, and since when. */
export interface FunnelWait {
  leadId: string;
  since: string;
}

/**
 * The waits for review that began in the range. A wait is decided by the lead's first move after it began
 * (and before its next wait) to sql or beyond (qualified: with the gate on, only a rep's Qualify makes it)
 * or to disqualified; undecided ones still wait, or ended when the rules stopped calling for sql.
 */
export interface ReviewWaits {
  waited: number;
  qualified: number;
  disqualified: number;
  undecided: number;
  /** Median hours from the wait's start to its decision, over the decided waits (null: none). */
  medianHours: number | null;
}

export const FUNNEL_GROUPINGS = ["source", "campaign", "month"] as const;
export type FunnelGrouping = (typeof FUNNEL_GROUPINGS)[number];

export interface TimeInStage {
  /** Completed stays: entered and left within the range. */
  stays: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface StageReport {
  stage: Stage;
  /** Distinct leads that entered the stage in the range, or passed it by skipping it. */
  entered: number;
  /** Of those, how many went on to the next stage in the range (not on the last stage). */
  convertedToNext?: number;
  /** convertedToNext / entered, 0..1 (null when nobody entered). */
  conversionToNext?: number | null;
  timeInStage: TimeInStage;
}

export interface FunnelSegment {
  key: string;
  /** Distinct leads with at least one transition in this segment. */
  leads: number;
  stages: StageReport[];
  exits: { disqualified: number; recycled: number };
}

export interface FunnelReport {
  by?: FunnelGrouping;
  transitions: number;
  total: FunnelSegment;
  /** One per source, campaign or month when `by` is set, largest first (months in order). */
  segments: FunnelSegment[];
  /** The waits for review (the SDR gate): all zero when the model has none. */
  review: ReviewWaits;
}

const UNATTRIBUTED = { source: "unknown", campaign: "none" } as const;

/** The segment a transition counts in: its attribution, or the month it happened. */
export function segmentOf(transition: FunnelTransition, by: FunnelGrouping): string {
  if (by === "month") return transition.at.slice(0, 7);
  return transition[by] || UNATTRIBUTED[by];
}

/**
 * The funnel stages a transition enters: the target, and every stage it skipped on the way (a lead
 * that skips a stage counts as passing it). A first transition starts below `lead`; a lead coming
 * back from recycled or disqualified re-enters above `lead`.
 */
export function stagesEntered(from: Stage | null, to: Stage): Stage[] {
  const target = funnelRank(to);
  if (target < 0) return [];
  const origin = from === null ? -1 : Math.max(funnelRank(from), 0);
  if (target <= origin) return [to];
  return FUNNEL.slice(origin + 1, target + 1);
}

interface Entry {
  leadId: string;
  stage: Stage;
  at: string;
  segment: string;
}
interface Stay {
  stage: Stage;
  hours: number;
  segment: string;
}

/**
 * The funnel over [from, until) (ISO instants or dates, compared as strings) from its transitions:
 * leads entering each stage, conversion to the next stage (a cohort within the range: of the leads
 * that entered a stage, those that entered the next one at the same time or later), median and p90
 * time in stage over stays that began and ended in the range, and exits. Pure: same input, same report.
 */
export function funnelReport(
  all: readonly FunnelTransition[],
  range: { from: string; until: string; by?: FunnelGrouping },
  waits: readonly FunnelWait[] = [],
): FunnelReport {
  const inRange = all.filter((transition) => transition.at >= range.from && transition.at < range.until);
  const byLead = new Map<string, FunnelTransition[]>();
  for (const transition of inRange) {
    const list = byLead.get(transition.leadId) ?? [];
    list.push(transition);
    byLead.set(transition.leadId, list);
  }
  const segment = (transition: FunnelTransition) => (range.by ? segmentOf(transition, range.by) : "all");

  const entries: Entry[] = [];
  const stays: Stay[] = [];
  const exits: { leadId: string; stage: "disqualified" | "recycled"; segment: string }[] = [];
  for (const [leadId, transitions] of byLead) {
    transitions.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    for (const [index, transition] of transitions.entries()) {
      const key = segment(transition);
      for (const stage of stagesEntered(transition.from, transition.to)) {
        entries.push({ leadId, stage, at: transition.at, segment: key });
      }
      if (transition.to === "disqualified" || transition.to === "recycled") {
        exits.push({ leadId, stage: transition.to, segment: key });
      }
      const next = transitions[index + 1];
      if (next && funnelRank(transition.to) >= 0) {
        stays.push({
          stage: transition.to,
          hours: (Date.parse(next.at) - Date.parse(transition.at)) / 3_600_000,
          segment: key,
        });
      }
    }
  }

  const total = summarize("all", entries, stays, exits, entries);
  const keys = range.by ? [...new Set([...entries, ...exits].map((entry) => entry.segment))] : [];
  const segments = keys.map((key) =>
    summarize(
      key,
      entries.filter((entry) => entry.segment === key),
      stays.filter((stay) => stay.segment === key),
      exits.filter((exit) => exit.segment === key),
      entries,
    ),
  );
  segments.sort((a, b) =>
    range.by === "month" ? (a.key < b.key ? -1 : 1) : b.leads - a.leads || (a.key < b.key ? -1 : 1),
  );
  return {
    ...(range.by && { by: range.by }),
    transitions: inRange.length,
    total,
    segments,
    review: reviewWaits(
      waits.filter((wait) => wait.since >= range.from && wait.since < range.until),
      byLead,
    ),
  };
}

/** The waits for review in a sentence (funnel page and table); undefined when no lead waited in the range. */
export function reviewWaitsText(review: ReviewWaits): string | undefined {
  if (review.waited === 0) return undefined;
  const median = review.medianHours === null ? "no decision yet" : `median wait ${review.medianHours} h`;
  return `waited for review: ${review.waited} (${review.qualified} qualified, ${review.disqualified} disqualified, ${review.undecided} undecided); ${median}`;
}

const QUALIFIED: ReadonlySet<string> = new Set(["sql", "sqo"]);

/** The waits' outcomes from each lead's moves in the range (sorted by time: funnelReport sorts them). */
function reviewWaits(waits: readonly FunnelWait[], movesByLead: ReadonlyMap<string, FunnelTransition[]>): ReviewWaits {
  const startsByLead = new Map<string, string[]>();
  for (const wait of waits) {
    const starts = startsByLead.get(wait.leadId);
    if (starts) starts.push(wait.since);
    else startsByLead.set(wait.leadId, [wait.since]);
  }
  const counts = { qualified: 0, disqualified: 0 };
  const hours: number[] = [];
  for (const [leadId, starts] of startsByLead) {
    starts.sort();
    const moves = movesByLead.get(leadId) ?? [];
    for (const [index, since] of starts.entries()) {
      const next = starts[index + 1];
      const decision = moves.find(
        (move) =>
          move.at >= since &&
          (next === undefined || move.at < next) &&
          (QUALIFIED.has(move.to) || move.to === "disqualified"),
      );
      if (!decision) continue;
      counts[decision.to === "disqualified" ? "disqualified" : "qualified"]++;
      hours.push((Date.parse(decision.at) - Date.parse(since)) / 3_600_000);
    }
  }
  const decided = counts.qualified + counts.disqualified;
  return {
    waited: waits.length,
    ...counts,
    undecided: waits.length - decided,
    medianHours: timeInStage(hours).medianHours,
  };
}

/** One segment's numbers. Conversion looks at every entry of the lead, whatever its segment. */
function summarize(
  key: string,
  entries: readonly Entry[],
  stays: readonly Stay[],
  exits: readonly { leadId: string; stage: "disqualified" | "recycled" }[],
  everyEntry: readonly Entry[],
): FunnelSegment {
  const firstEntry = (list: readonly Entry[], stage: Stage) => {
    const first = new Map<string, string>();
    for (const entry of list) {
      if (entry.stage !== stage) continue;
      const seen = first.get(entry.leadId);
      if (seen === undefined || entry.at < seen) first.set(entry.leadId, entry.at);
    }
    return first;
  };
  const lastEntry = (stage: Stage) => {
    const last = new Map<string, string>();
    for (const entry of everyEntry) {
      if (entry.stage !== stage) continue;
      const seen = last.get(entry.leadId);
      if (seen === undefined || entry.at > seen) last.set(entry.leadId, entry.at);
    }
    return last;
  };

  const stages = FUNNEL.map((stage, rank): StageReport => {
    const entered = firstEntry(entries, stage);
    const hours = stays.filter((stay) => stay.stage === stage).map((stay) => stay.hours);
    const report: StageReport = { stage, entered: entered.size, timeInStage: timeInStage(hours) };
    const following = FUNNEL[rank + 1];
    if (!following) return report;
    const reachedNext = lastEntry(following);
    let converted = 0;
    for (const [leadId, at] of entered) {
      const nextAt = reachedNext.get(leadId);
      if (nextAt !== undefined && nextAt >= at) converted++;
    }
    return {
      ...report,
      convertedToNext: converted,
      conversionToNext: entered.size === 0 ? null : Math.round((converted / entered.size) * 10_000) / 10_000,
    };
  });
  const exitCount = (stage: "disqualified" | "recycled") =>
    new Set(exits.filter((exit) => exit.stage === stage).map((exit) => exit.leadId)).size;
  return {
    key,
    leads: new Set([...entries, ...exits].map((entry) => entry.leadId)).size,
    stages,
    exits: { disqualified: exitCount("disqualified"), recycled: exitCount("recycled") },
  };
}

function timeInStage(hours: number[]): TimeInStage {
  const sorted = [...hours].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return {
    stays: sorted.length,
    medianHours: round(percentile(sorted, 0.5)),
    p90Hours: round(percentile(sorted, 0.9)),
  };
}

/** Linear interpolation between closest ranks (numpy's default); null for no values. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}
