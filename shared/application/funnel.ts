import * as z from "zod/mini";
import { InvalidQueryError } from "#shared/domain/errors";
import {
  FUNNEL_GROUPINGS,
  type FunnelReport,
  type FunnelTransition,
  type FunnelWait,
  funnelReport,
} from "#shared/domain/funnel";
import { mapConcurrent } from "./pacing/concurrency";
import type { Clock } from "./ports/lead-store";

/** The longest range one request may cover: one Query per day. */
export const MAX_FUNNEL_DAYS = 366;
/** Without `from`, the report covers the last 30 days up to `to`. */
export const DEFAULT_FUNNEL_DAYS = 30;
const DAY_MS = 86_400_000;

const IsoDate = z.iso.date({ message: "must be a date like 2026-11-01" });

/** GET /funnel query parameters; dates are UTC days, both ends included. */
export const FunnelQuery = z.strictObject({
  from: z.optional(IsoDate),
  to: z.optional(IsoDate),
  by: z.optional(z.enum(FUNNEL_GROUPINGS)),
});
export type FunnelQuery = z.output<typeof FunnelQuery>;

/** What the funnel reads of one UTC day. */
export interface FunnelDay {
  /** Every transition whose time falls on the day, in any order. */
  transitions: FunnelTransition[];
  /** Every wait for review (stages.sqlReview) that began on the day. */
  waits: FunnelWait[];
}

/** The transition log by day (AP5), with the waits for review that began each day. */
export interface TransitionLog {
  /** The day (yyyy-mm-dd): its transitions and the waits that began on it. */
  dayOf(day: string): Promise<FunnelDay>;
}

export interface FunnelView extends FunnelReport {
  from: string;
  to: string;
  days: number;
}

/**
 * The funnel report for a range of days: leads entering each stage, conversion to the next, time in
 * stage, exits, the waits for review (how many, their outcomes, the median wait); optionally per source,
 * campaign or month.
 * Input: a parsed FunnelQuery. Output: FunnelView (an empty range is a report of zeros, not an error).
 * Main course: one Query per day on the transition-by-day index, a few days at a time, then the pure
 * funnelReport. Never a Scan. Erased people still count, through their PII-free transition stubs.
 * Guarantees: reads only; the range is bounded (MAX_FUNNEL_DAYS), so a report costs at most that many Queries.
 */
export const readFunnel =
  (deps: { log: TransitionLog; clock: Clock; concurrency?: number }) =>
  async (query: FunnelQuery): Promise<FunnelView> => {
    const to = query.to ?? deps.clock().toISOString().slice(0, 10);
    const from = query.from ?? addDays(to, -(DEFAULT_FUNNEL_DAYS - 1));
    const days = daysBetween(from, to);
    const perDay = await mapConcurrent(days, deps.concurrency ?? 8, (day) => deps.log.dayOf(day));
    const report = funnelReport(
      perDay.flatMap((day) => day.transitions),
      { from, until: addDays(to, 1), ...(query.by && { by: query.by }) },
      perDay.flatMap((day) => day.waits),
    );
    return { from, to, days: days.length, ...report };
  };

function addDays(day: string, count: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + count * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included; InvalidQueryError for a reversed or too long range. */
export function daysBetween(from: string, to: string): string[] {
  const count = Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
  if (count < 1) throw new InvalidQueryError("from must not be after to");
  if (count > MAX_FUNNEL_DAYS) throw new InvalidQueryError(`a range covers at most ${MAX_FUNNEL_DAYS} days`);
  return Array.from({ length: count }, (_, index) => addDays(from, index));
}
