import { instantMs } from "#shared/domain/instant";
import { emailDomain, type RuleHit } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import {
  compareEvents,
  type Evaluation,
  roundPoints,
  type ScoringSubject,
  type StoredEvent,
  topReasons,
} from "#shared/domain/scoring-engine";
import type { Mark } from "#shared/domain/snapshot";

/** What the oracle reads about a lead: the subject, plus attributes known apart from the events. */
export type OracleSubject = ScoringSubject & { attributes: Record<string, Scalar> };

export interface OracleEngine {
  readonly modelVersion: string;
  evaluate(subject: OracleSubject, events: readonly StoredEvent[], now: Date): Evaluation;
}

import { compileBant } from "#shared/domain/model/bant";
import type { CompileScope, LeadFacts } from "#shared/domain/model/compile-conditions";
import { compileEventCondition, normalize } from "#shared/domain/model/compile-conditions";
import { type CompiledEngagementRule, compileEngagementRule, EventIndex } from "#shared/domain/model/engagement";
import { answerScalar, fieldResolver, IDENTITY_FIELDS } from "#shared/domain/model/fields";
import { compileFitRule } from "#shared/domain/model/fit";
import { compileRouting } from "#shared/domain/model/routing";
import type { ScoringModel } from "#shared/domain/model/schema";
import { compileStages } from "#shared/domain/model/stage-rules";

/**
 * The oracle: the straightforward fold over a lead's whole history, as Ripen scored before snapshots,
 * kept to prove the incremental engine exact. Its one change from then: points are rounded once per
 * rule (Σ of the rule's decayed points, then roundPoints), not once per hit.
 */
export function createOracle(model: ScoringModel): OracleEngine {
  const lists = new Map<string, ReadonlySet<string>>(
    Object.entries(model.lists).map(([name, values]) => [name, new Set(values.map(normalize))]),
  );
  const fitRules = model.fit.map((rule) => compileFitRule(rule, { lists }));
  let ringSize = 0;
  const engagementRules: CompiledEngagementRule[] = model.engagement.rules.map((rule) => {
    const compiled = compileEngagementRule(rule, model.engagement.halfLifeDays, ringSize);
    if (compiled.capWindowMs > 0) ringSize += compiled.capMax;
    return compiled;
  });
  const index = new EventIndex();
  const ruleIds = new Map<string, number>();
  for (const [position, rule] of fitRules.entries()) ruleIds.set(rule.id, position);
  const fitCount = fitRules.length;
  for (const [position, rule] of model.engagement.rules.entries()) {
    ruleIds.set(rule.id, fitCount + position);
    const where = rule.where ? compileEventCondition(rule.where, { lists }) : undefined;
    index.add(rule.on, { where, rule: position, watcher: -1, withinMs: 0, sinceStageEntered: false, atLeast: 1 });
  }
  const scope: CompileScope = {
    lists,
    ruleIndex(id) {
      const position = ruleIds.get(id);
      if (position === undefined) throw new Error(`unknown rule "${id}"`);
      return position;
    },
    watch: (occurrence) => index.watch(occurrence, { lists }),
  };
  const stages = compileStages(model.stages, scope);
  const routing = compileRouting(model.routing, scope);
  const bant = compileBant(model.bant, { lists });
  const fields = fieldResolver(model.fields);
  const ruleCount = fitCount + engagementRules.length;
  const autoAccept = stages.acceptance === "auto";
  const scratch = new Scratch(ruleCount, index.watchers.length, engagementRules.length, ringSize);

  function evaluate(subject: OracleSubject, input: readonly StoredEvent[], now: Date): Evaluation {
    const nowMs = now.getTime();
    const stageEnteredMs = instantMs(subject.stageEnteredAt);
    const count = input.length;
    const { ruleCounts, occurrenceCounts, scored, ring } = scratch.reset(count);
    // Each time parsed once; events visited in time order (ties by id) without copying them.
    const times = scratch.times;
    let ordered = true;
    for (let position = 0; position < count; position++) {
      const at = instantMs((input[position] as StoredEvent).occurredAt);
      times[position] = at;
      if (position > 0 && ordered) {
        const before = times[position - 1] as number;
        if (
          at < before ||
          (at === before && (input[position] as StoredEvent).eventId < (input[position - 1] as StoredEvent).eventId)
        )
          ordered = false;
      }
    }
    const order = ordered ? undefined : scratch.order(input, count);
    const attributes: Record<string, Scalar> = { ...subject.attributes };
    const setBy: Record<string, Mark> = {};
    const ruleSums = new Float64Array(engagementRules.length);
    let lastEventMs = Number.NEGATIVE_INFINITY;
    let name = subject.name;
    let company = subject.company;
    let previousId: string | undefined;
    let previousAt: string | undefined;
    let lastEventAt = "";

    for (let step = 0; step < count; step++) {
      const position = order ? (order[step] as number) : step;
      const event = input[position] as StoredEvent;
      // Redelivered copies (one event: its id and its time) sort next to each other; only the first counts.
      if (event.eventId === previousId && event.occurredAt === previousAt) continue;
      previousId = event.eventId;
      previousAt = event.occurredAt;
      const at = times[position] as number;
      lastEventMs = at;
      lastEventAt = event.occurredAt;
      if (event.name !== undefined) name = event.name;
      if (event.company !== undefined) company = event.company;
      for (const label in event.answers) {
        const attribute = fields.attributeFor(event.source, label);
        const value = event.answers[label];
        if (attribute === undefined || value === undefined || IDENTITY_FIELDS.has(attribute)) continue;
        attributes[attribute] = answerScalar(value);
        setBy[attribute] = { at, by: event.eventId };
      }
      // Attributes the sender stated outright win over those read from answers of the same event.
      for (const key in event.attributes) {
        const value = event.attributes[key];
        if (value === undefined) continue;
        attributes[key] = value;
        setBy[key] = { at, by: event.eventId };
      }

      for (const matcher of index.matchersFor(event.type)) {
        if (matcher.where && !matcher.where(event)) continue;
        if (matcher.watcher >= 0) {
          if (matcher.withinMs > 0 && at < nowMs - matcher.withinMs) continue;
          if (matcher.sinceStageEntered && !(at > stageEnteredMs)) continue;
          occurrenceCounts[matcher.watcher] = (occurrenceCounts[matcher.watcher] ?? 0) + 1;
          continue;
        }
        const index = matcher.rule;
        const rule = engagementRules[index] as CompiledEngagementRule;
        ruleCounts[fitCount + index] = (ruleCounts[fitCount + index] ?? 0) + 1;
        const scoredSoFar = scored[index] ?? 0;
        if (scoredSoFar >= rule.capMax) {
          if (rule.capWindowMs === 0 || !ring) continue;
          // The oldest of the last `capMax` scoring times: if it is still inside the window, the cap is full.
          if ((ring[rule.ringOffset + (scoredSoFar % rule.capMax)] ?? 0) > at - rule.capWindowMs) continue;
        }
        if (ring && rule.capWindowMs > 0) ring[rule.ringOffset + (scoredSoFar % rule.capMax)] = at;
        scored[index] = scoredSoFar + 1;
        ruleSums[index] =
          (ruleSums[index] ?? 0) +
          (rule.decayPerMs === 0 || at >= nowMs ? 1 : Math.exp((at - nowMs) * rule.decayPerMs));
      }
    }
    const engagementHits: RuleHit[] = [];
    let engagementCents = 0;
    for (const [index, rule] of engagementRules.entries()) {
      const hitCount = scored[index] ?? 0;
      if (rule.points === 0 || hitCount === 0) continue;
      const decayed = roundPoints(rule.points * (rule.decayPerMs === 0 ? hitCount : (ruleSums[index] as number)));
      engagementCents += Math.round(decayed * 100);
      engagementHits.push({
        ruleId: rule.id,
        axis: "engagement",
        label: rule.label,
        hits: hitCount,
        points: roundPoints(rule.points * hitCount),
        decayedPoints: decayed,
      });
    }

    const facts: LeadFacts = {
      attributes,
      email: subject.email,
      domain: emailDomain(subject.email),
      name,
      company,
      scoreCents: 0,
      fitCents: 0,
      engagementCents,
      bant: bant.extract(attributes, setBy),
      ruleCounts,
      occurrenceCounts,
      lastEventMs,
      stageEnteredMs,
      nowMs,
    };
    const hits: RuleHit[] = [];
    let fitCents = 0;
    for (let position = 0; position < fitCount; position++) {
      const rule = fitRules[position];
      if (!rule?.matches(facts)) continue;
      ruleCounts[position] = 1;
      if (rule.points === 0) continue;
      const points = roundPoints(rule.points);
      fitCents += Math.round(points * 100);
      hits.push({
        ruleId: rule.id,
        axis: "fit",
        attribute: rule.attribute,
        label: rule.label,
        hits: 1,
        points,
        decayedPoints: points,
      });
    }
    facts.fitCents = fitCents;
    facts.scoreCents = fitCents + engagementCents;

    const decision = stages.decide(subject.stage, facts);
    const routed = routing.route(subject.leadId, facts);
    const allHits = hits.length === 0 ? engagementHits : hits.concat(engagementHits);
    const evaluation: Evaluation = {
      score: facts.scoreCents / 100,
      fit: fitCents / 100,
      engagement: engagementCents / 100,
      hits: allHits,
      reasons: (count) => topReasons(allHits, count),
      bant: facts.bant,
      attributes,
      lastEventAt,
      verdict: decision.verdict,
      autoAccept,
    };
    if (name !== undefined) evaluation.name = name;
    if (company !== undefined) evaluation.company = company;
    if (decision.demotion) evaluation.demotion = decision.demotion;
    if (decision.reopen) evaluation.reopen = decision.reopen;
    if (routed) evaluation.owner = routed.owner;
    return evaluation;
  }

  return { modelVersion: model.version, evaluate };
}

/**
 * The buffers an evaluation counts in, allocated once per engine and cleared per call: typed arrays
 * cost more to allocate than a short history costs to score. Safe because evaluate is synchronous and
 * never re-entered (no condition calls back into the engine), and nothing it returns points into them.
 */
class Scratch {
  times = new Float64Array(64);
  private positions = new Int32Array(64);
  readonly ruleCounts: Int32Array;
  readonly occurrenceCounts: Int32Array;
  readonly scored: Int32Array;
  readonly ring: Float64Array | undefined;

  constructor(rules: number, watchers: number, engagementRules: number, ringSize: number) {
    this.ruleCounts = new Int32Array(rules);
    this.occurrenceCounts = new Int32Array(watchers);
    this.scored = new Int32Array(engagementRules);
    this.ring = ringSize > 0 ? new Float64Array(ringSize) : undefined;
  }

  reset(events: number): this {
    if (this.times.length < events) {
      const size = 2 ** Math.ceil(Math.log2(events));
      this.times = new Float64Array(size);
      this.positions = new Int32Array(size);
    }
    this.ruleCounts.fill(0);
    this.occurrenceCounts.fill(0);
    this.scored.fill(0);
    this.ring?.fill(0);
    return this;
  }

  /** Positions of the events in time order, ties by id (the same order as compareEvents). */
  order(events: readonly StoredEvent[], count: number): Int32Array {
    const { times } = this;
    const order = this.positions.subarray(0, count);
    for (let position = 0; position < count; position++) order[position] = position;
    return order.sort(
      (a, b) =>
        (times[a] as number) - (times[b] as number) ||
        compareEvents(events[a] as StoredEvent, events[b] as StoredEvent),
    );
  }
}
