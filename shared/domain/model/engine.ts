import { emailDomain, type RuleHit } from "../lead";
import type { Scalar } from "../lead-event";
import {
  chronological,
  type Evaluation,
  roundPoints,
  type ScoringEngine,
  type ScoringSubject,
  type StoredEvent,
} from "../scoring";
import { compileBant } from "./bant";
import type { CompileScope, LeadFacts } from "./compile-conditions";
import { compileEventCondition, normalize } from "./compile-conditions";
import { type CompiledEngagementRule, compileEngagementRule, EventIndex } from "./engagement";
import { answerScalar, fieldResolver, IDENTITY_FIELDS } from "./fields";
import { compileFitRule } from "./fit";
import { channelsFor } from "./notifications";
import { compileRouting } from "./routing";
import type { ScoringModel } from "./schema";
import { compileStages, slaBreaches } from "./stage-rules";

/**
 * Compiles a validated model into an engine. Everything that can be decided once is decided here
 * (regexes, lists, field paths, which rules listen to which event type), so `evaluate` is one pass over
 * the events in time order plus a handful of closures per lead.
 *
 * Rounding: each hit's points after decay are rounded once with roundPoints; fit, engagement and score
 * are sums of those rounded hits, kept in integer cents so the sum is exact.
 */
export function createEngine(model: ScoringModel): ScoringEngine {
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
    index.add(rule.on, { where, rule: position, watcher: -1, withinMs: 0, sinceStageEntered: false });
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

  function evaluate(subject: ScoringSubject, input: readonly StoredEvent[], now: Date): Evaluation {
    const nowMs = now.getTime();
    const stageEnteredMs = Date.parse(subject.stageEnteredAt);
    const events = chronological(input);
    const ruleCounts = new Int32Array(ruleCount);
    const occurrenceCounts = new Int32Array(index.watchers.length);
    const scored = new Int32Array(engagementRules.length);
    const ring = ringSize > 0 ? new Float64Array(ringSize) : undefined;
    const attributes: Record<string, Scalar> = { ...subject.attributes };
    const setBy: Record<string, string> = {};
    const engagementHits: RuleHit[] = [];
    let engagementCents = 0;
    let lastEventMs = Number.NEGATIVE_INFINITY;
    let name = subject.name;
    let company = subject.company;
    let previousId: string | undefined;

    for (const event of events) {
      // Redelivered copies sort next to each other; only the first counts.
      if (event.eventId === previousId) continue;
      previousId = event.eventId;
      const at = Date.parse(event.occurredAt);
      if (at > lastEventMs) lastEventMs = at;
      if (event.name !== undefined) name = event.name;
      if (event.company !== undefined) company = event.company;
      for (const label in event.answers) {
        const attribute = fields.attributeFor(event.source, label);
        const value = event.answers[label];
        if (attribute === undefined || value === undefined || IDENTITY_FIELDS.has(attribute)) continue;
        attributes[attribute] = answerScalar(value);
        setBy[attribute] = event.eventId;
      }
      // Attributes the sender stated outright win over those read from answers of the same event.
      for (const key in event.attributes) {
        const value = event.attributes[key];
        if (value === undefined) continue;
        attributes[key] = value;
        setBy[key] = event.eventId;
      }

      for (const matcher of index.matchersFor(event.type)) {
        if (matcher.where && !matcher.where(event)) continue;
        if (matcher.watcher >= 0) {
          if (matcher.withinMs > 0 && at < nowMs - matcher.withinMs) continue;
          if (matcher.sinceStageEntered && !(at > stageEnteredMs)) continue;
          occurrenceCounts[matcher.watcher] = (occurrenceCounts[matcher.watcher] ?? 0) + 1;
          continue;
        }
        const position = matcher.rule;
        const rule = engagementRules[position] as CompiledEngagementRule;
        ruleCounts[fitCount + position] = (ruleCounts[fitCount + position] ?? 0) + 1;
        const count = scored[position] ?? 0;
        if (count >= rule.capMax) {
          if (rule.capWindowMs === 0 || !ring) continue;
          // The oldest of the last `capMax` scoring times: if it is still inside the window, the cap is full.
          if ((ring[rule.ringOffset + (count % rule.capMax)] ?? 0) > at - rule.capWindowMs) continue;
        }
        if (ring && rule.capWindowMs > 0) ring[rule.ringOffset + (count % rule.capMax)] = at;
        scored[position] = count + 1;
        if (rule.points === 0) continue;
        const decayed =
          rule.decayPerMs === 0 || at >= nowMs
            ? rule.points
            : roundPoints(rule.points * Math.exp((at - nowMs) * rule.decayPerMs));
        engagementCents += Math.round(decayed * 100);
        engagementHits.push({
          ruleId: rule.id,
          axis: "engagement",
          eventId: event.eventId,
          label: rule.label,
          points: rule.points,
          decayedPoints: decayed,
        });
      }
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
        points: rule.points,
        decayedPoints: points,
      });
    }
    facts.fitCents = fitCents;
    facts.scoreCents = fitCents + engagementCents;

    const decision = stages.decide(subject.stage, facts);
    const routed = routing.route(subject.leadId, facts);
    return {
      score: facts.scoreCents / 100,
      fit: fitCents / 100,
      engagement: engagementCents / 100,
      hits: hits.length === 0 ? engagementHits : hits.concat(engagementHits),
      bant: facts.bant,
      attributes,
      verdict: decision.verdict,
      ...(decision.demotion && { demotion: decision.demotion }),
      ...(decision.reopen && { reopen: decision.reopen }),
      ...(routed && { owner: routed.owner }),
      autoAccept,
    };
  }

  return {
    modelVersion: model.version,
    owners: routing.owners,
    evaluate,
    attributeFor: (source, label) => fields.attributeFor(source, label),
    channelsFor: (move) => channelsFor(model.notifications, move),
    slaBreaches: (lead, now) => slaBreaches(model.stages.sla, lead, now),
  };
}
