import { type CompileScope, compileEventCondition, type Test } from "./compile-conditions";
import type { EventFields } from "./fold-event";
import type { EventOccurrence } from "./grammar/conditions";
import type { EngagementRule } from "./grammar/engagement";

export type { Cap, EngagementModel, EngagementRule } from "./grammar/engagement";

/**
 * Engagement: points for what the lead did. Each rule names event types and an optional condition on
 * the event; caps limit how often it scores; points decay by half every `halfLifeDays`, computed from
 * the event's time to the moment of scoring (never by a batch job).
 */

const DAY_MS = 86_400_000;

export interface CompiledEngagementRule {
  id: string;
  label: string;
  points: number;
  /** Decay rate per millisecond (ln 2 / half-life); 0 when the points never decay. */
  decayPerMs: number;
  capMax: number;
  capWindowMs: number;
  /** Offset of this rule's slice in the shared ring of scoring times (window caps only). */
  ringOffset: number;
}

export function compileEngagementRule(
  rule: EngagementRule,
  defaultHalfLifeDays: number | undefined,
  ringOffset: number,
): CompiledEngagementRule {
  const halfLife = rule.decay === false ? undefined : (rule.halfLifeDays ?? defaultHalfLifeDays);
  const cap = rule.cap === "once" ? { max: 1 } : rule.cap;
  return {
    id: rule.id,
    label: rule.label,
    points: rule.points,
    decayPerMs: halfLife === undefined ? 0 : Math.LN2 / (halfLife * DAY_MS),
    capMax: cap?.max ?? Number.POSITIVE_INFINITY,
    capWindowMs: cap?.perDays !== undefined ? cap.perDays * DAY_MS : 0,
    ringOffset,
  };
}

/** One thing the event pass looks for: an engagement rule, or an `event:` condition of a stage rule. */
export interface Matcher {
  where: Test<EventFields> | undefined;
  /** Index of the engagement rule this scores for (in the engine's rule list), or -1. */
  rule: number;
  /** Index of the occurrence counter this feeds, or -1. */
  watcher: number;
  withinMs: number;
  sinceStageEntered: boolean;
  /** How many events the condition asks for: all a snapshot keeps of a `withinDays` watcher. */
  atLeast: number;
}

/** Matchers by event type, families (`webinar.*`) resolved once per type seen. */
export class EventIndex {
  private readonly entries: { selectors: string[]; matcher: Matcher }[] = [];
  private readonly byType = new Map<string, readonly Matcher[]>();
  readonly watchers: Matcher[] = [];

  add(on: string | string[], matcher: Matcher): void {
    this.entries.push({ selectors: Array.isArray(on) ? on : [on], matcher });
    if (matcher.watcher >= 0) this.watchers.push(matcher);
    this.byType.clear();
  }

  /** Registers an `event:` condition; returns its counter's index. */
  watch(occurrence: EventOccurrence, scope: Pick<CompileScope, "lists">): number {
    const watcher = this.watchers.length;
    this.add(occurrence.on, {
      where: occurrence.where ? compileEventCondition(occurrence.where, scope) : undefined,
      rule: -1,
      watcher,
      withinMs: occurrence.withinDays !== undefined ? occurrence.withinDays * DAY_MS : 0,
      sinceStageEntered: occurrence.sinceStageEntered ?? false,
      atLeast: occurrence.atLeast ?? 1,
    });
    return watcher;
  }

  matchersFor(type: string): readonly Matcher[] {
    const known = this.byType.get(type);
    if (known) return known;
    const matchers = this.entries
      .filter((entry) => entry.selectors.some((selector) => selects(selector, type)))
      .map((entry) => entry.matcher);
    // Types come from validated events, but bound the memo all the same.
    if (this.byType.size >= 10_000) this.byType.clear();
    this.byType.set(type, matchers);
    return matchers;
  }
}

function selects(selector: string, type: string): boolean {
  return selector.endsWith(".*") ? type.startsWith(selector.slice(0, -1)) : selector === type;
}
