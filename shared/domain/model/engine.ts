import { createHash } from "node:crypto";
import { instantMs, instantText } from "#shared/domain/instant";
import { type Bant, emailDomain, type Owner, type RuleHit } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import {
  chosenReason,
  type Evaluation,
  placeReason,
  roundPoints,
  type ScoringEngine,
  type ScoringSubject,
  type StageVerdict,
  type StoredEvent,
  TOP_REASONS,
  topReasons,
} from "#shared/domain/scoring-engine";
import {
  type EngagementSnapshot,
  emptyRuleState,
  isEarlierMark,
  isLaterMark,
  type LeadSnapshot,
  type RuleSnapshot,
  type WatcherSnapshot,
} from "#shared/domain/snapshot";
import { isOutOfFunnel } from "#shared/domain/stages";
import { compileBant } from "./bant";
import type { CompileScope, LeadFacts } from "./compile-conditions";
import { compileEventCondition, normalize } from "./compile-conditions";
import { type CompiledEngagementRule, compileEngagementRule, EventIndex, type Matcher } from "./engagement";
import { answerScalar, fieldResolver, IDENTITY_FIELDS } from "./fields";
import { type CompiledFitRule, compileFitRule } from "./fit";
import { FoldEvent, readInOrder } from "./fold-event";
import type { EventOccurrence } from "./grammar/conditions";
import { channelsFor, notificationRules } from "./notifications";
import { compileRouting } from "./routing";
import type { ScoringModel } from "./schema";
import { compileStages, slaBreaches } from "./stage-rules";

/** Bumped when what a snapshot holds, or how an event is folded into it, changes: older snapshots replay. */
export const FOLD_FORMAT = 1;

/**
 * Compiles a validated model into an engine. Everything that can be decided once is decided here
 * (regexes, lists, field paths, which rules listen to which event type).
 *
 * Scoring is a fold: `fold` adds one event to a lead's snapshot (a handful of closures and a few
 * numbers per matching rule, whatever the history), `evaluate` reads the score, explanation, BANT and
 * stage verdict from the snapshot at any instant. `replay` rebuilds a snapshot from every event.
 *
 * Rounding: each rule's points after decay are rounded once (roundPoints); fit, engagement and score are
 * sums of those rounded rules, kept in integer cents so the sum is exact.
 */
export function createEngine(model: ScoringModel): ScoringEngine {
  const lists = new Map<string, ReadonlySet<string>>(
    Object.entries(model.lists).map(([name, values]) => [name, new Set(values.map(normalize))]),
  );
  const fitRules = model.fit.map((rule) => compileFitRule(rule, { lists }));
  const engagementRules: CompiledEngagementRule[] = model.engagement.rules.map((rule) =>
    compileEngagementRule(rule, model.engagement.halfLifeDays, 0),
  );
  const index = new EventIndex();
  const ruleIds = new Map<string, number>();
  for (const [position, rule] of fitRules.entries()) ruleIds.set(rule.id, position);
  const fitCount = fitRules.length;
  for (const [position, rule] of model.engagement.rules.entries()) {
    ruleIds.set(rule.id, fitCount + position);
    const where = rule.where ? compileEventCondition(rule.where, { lists }) : undefined;
    index.add(rule.on, { where, rule: position, watcher: -1, withinMs: 0, sinceStageEntered: false, atLeast: 1 });
  }
  // Every `event:` condition, in the order its counter was made: the snapshot's watchers, by position.
  const watched: EventOccurrence[] = [];
  const scope: CompileScope = {
    lists,
    ruleIndex(id) {
      const position = ruleIds.get(id);
      if (position === undefined) throw new Error(`unknown rule "${id}"`);
      return position;
    },
    watch: (occurrence) => {
      watched.push(occurrence);
      return index.watch(occurrence, { lists });
    },
  };
  const stages = compileStages(model.stages, scope);
  const routing = compileRouting(model.routing, scope);
  const bant = compileBant(model.bant, { lists });
  const fields = fieldResolver(model.fields);
  const ruleCount = fitCount + engagementRules.length;
  // A fit rule's hit, made once (undefined for a rule worth no points: it explains nothing).
  const fitRuleHits = fitRules.map((rule): Readonly<RuleHit> | undefined => {
    if (rule.points === 0) return undefined;
    const points = roundPoints(rule.points);
    return Object.freeze({
      ruleId: rule.id,
      axis: "fit",
      attribute: rule.attribute,
      label: rule.label,
      hits: 1,
      points,
      decayedPoints: points,
    });
  });

  const watchers = index.watchers;
  const autoAccept = stages.acceptance === "auto";
  const sqlReview = stages.sqlReview;
  const modelHash = hashModel(model);
  const foldHash = hashFold(model, watched);
  const notifications = notificationRules(model.notifications);

  // Every new lead starts from one: copies of two arrays of undefined (packed, so reads stay fast).
  const untouchedRules = untouched<RuleSnapshot>(engagementRules.length);
  const untouchedWatchers = untouched<WatcherSnapshot>(watchers.length);
  function emptyScope(): EngagementSnapshot {
    return { events: 0, rules: untouchedRules.slice(), watchers: untouchedWatchers.slice() };
  }

  function empty(): LeadSnapshot {
    return {
      model: modelHash,
      fold: foldHash,
      events: 0,
      lastEventMs: Number.NEGATIVE_INFINITY,
      attributes: {},
      marks: {},
      all: emptyScope(),
    };
  }

  /**
   * Adds one event's engagement to a scope; false when a window cap can't place it (replay). `shared`:
   * the scope's rule and watcher states belong to another snapshot too, so each one the event touches
   * is replaced by a copy (an event touches a state at most once) instead of changed in place.
   */
  function foldEngagement(
    state: EngagementSnapshot,
    event: FoldEvent,
    at: number,
    stageEnteredMs: number,
    shared: boolean,
  ): boolean {
    state.events++;
    const matchers = index.matchersFor(event.type);
    for (let position = 0; position < matchers.length; position++) {
      const matcher = matchers[position] as Matcher;
      if (matcher.where && !matcher.where(event)) continue;
      if (matcher.watcher >= 0) {
        if (matcher.sinceStageEntered && !(at > stageEnteredMs)) continue;
        let watcher = state.watchers[matcher.watcher];
        if (watcher === undefined)
          state.watchers[matcher.watcher] = watcher = matcher.withinMs > 0 ? { count: 0, times: [] } : { count: 0 };
        else if (shared) state.watchers[matcher.watcher] = watcher = copyWatcher(watcher);
        countOccurrence(matcher, watcher, at);
        continue;
      }
      const compiled = engagementRules[matcher.rule] as CompiledEngagementRule;
      let rule = state.rules[matcher.rule];
      if (rule === undefined)
        state.rules[matcher.rule] = rule = emptyRuleState(compiled.capMax < Number.POSITIVE_INFINITY);
      else if (shared) state.rules[matcher.rule] = rule = copyRule(rule);
      if (!scoreRule(compiled, rule, at)) return false;
    }
    return true;
  }

  /**
   * Folds one event into `next`, in place. `shared`: next is a fresh top level over another snapshot's
   * parts (see writable), which are copied as the event changes them; a replay folds into a snapshot of
   * its own and copies nothing.
   */
  function foldInto(next: LeadSnapshot, event: FoldEvent, stageEnteredMs: number, shared: boolean): boolean {
    const at = event.at;
    next.events++;
    if (at > next.lastEventMs) next.lastEventMs = at;
    foldFactsInto(next, event, at, shared);
    if (!foldEngagement(next.all, event, at, stageEnteredMs, shared)) return false;
    if (next.since && at > stageEnteredMs && !foldEngagement(next.since, event, at, stageEnteredMs, shared))
      return false;
    return true;
  }

  function fold(snapshot: LeadSnapshot, event: StoredEvent, stageEnteredMs: number): LeadSnapshot | undefined {
    const next = writable(snapshot);
    return foldInto(next, new FoldEvent(event), stageEnteredMs, true) ? next : undefined;
  }

  /** What an event says about the person (attributes, name, company, first touch): in any order, exactly. */
  function foldFactsInto(next: LeadSnapshot, event: FoldEvent, at: number, shared: boolean): void {
    const by = event.id;
    foldAttributes(next, event, at, shared);
    if (isEarlierMark(at, by, next.firstSource)) next.firstSource = { at, by, value: event.source };
    const campaign = event.properties.campaign ?? event.properties.utm_campaign;
    if (typeof campaign === "string" && campaign !== "" && isEarlierMark(at, by, next.firstCampaign))
      next.firstCampaign = { at, by, value: campaign };
  }

  function foldFacts(snapshot: LeadSnapshot, event: StoredEvent): LeadSnapshot {
    const next = writable(snapshot);
    const read = new FoldEvent(event);
    foldFactsInto(next, read, read.at, true);
    return next;
  }

  function foldAttributes(next: LeadSnapshot, event: FoldEvent, at: number, shared: boolean): void {
    const by = event.id;
    if (event.name !== undefined && isLaterMark(at, by, next.name)) next.name = { at, by, value: event.name };
    if (event.company !== undefined && isLaterMark(at, by, next.company))
      next.company = { at, by, value: event.company };
    // The attributes and marks are copied once, before the first one this event sets.
    let own = !shared;
    for (const label in event.answers) {
      const attribute = fields.attributeFor(event.source, label);
      const value = event.answers[label];
      if (attribute === undefined || value === undefined || IDENTITY_FIELDS.has(attribute)) continue;
      own = setAttribute(next, attribute, answerScalar(value), at, by, own);
    }
    // Attributes the sender stated outright win over those read from answers of the same event.
    for (const key in event.attributes) {
      const value = event.attributes[key];
      if (value !== undefined) own = setAttribute(next, key, value, at, by, own);
    }
  }

  function replay(
    events: readonly StoredEvent[],
    stageEnteredAt: string,
    stage: ScoringSubject["stage"],
  ): LeadSnapshot {
    const stageEnteredMs = instantMs(stageEnteredAt);
    // The replay owns this snapshot: every event is folded into it in place.
    const snapshot = empty();
    if (isOutOfFunnel(stage)) snapshot.since = emptyScope();
    let previousAt = Number.NaN;
    let previousId: string | undefined;
    const ordered = readInOrder(events);
    for (let position = 0; position < ordered.length; position++) {
      const event = ordered[position] as FoldEvent;
      // Redelivered copies (one event, its id and its time) sort next to each other; only the first counts.
      // The times are compared first: they are at hand, where comparing two ids reads both from memory.
      if (event.at === previousAt && event.id === previousId) continue;
      previousAt = event.at;
      previousId = event.id;
      // In time order every event is placed exactly.
      foldInto(snapshot, event, stageEnteredMs, false);
    }
    return snapshot;
  }

  /** A stage change: the counts since entering the stage restart, and so does the state since leaving. */
  function enterStage(snapshot: LeadSnapshot, stage: ScoringSubject["stage"], owned = false): LeadSnapshot {
    const next = owned ? snapshot : writable(snapshot);
    for (let position = 0; position < watchers.length; position++)
      if ((watchers[position] as Matcher).sinceStageEntered) next.all.watchers[position] = undefined;
    if (isOutOfFunnel(stage)) next.since = emptyScope();
    else delete next.since;
    return next;
  }

  // What one evaluation counts in and hands the stage and routing rules: made once, refilled per call.
  // evaluate is synchronous and never re-entered (no condition calls back into the engine), and
  // nothing it returns points into these.
  const facts: LeadFacts = {
    attributes: {},
    email: "",
    domain: "",
    name: undefined,
    company: undefined,
    scoreCents: 0,
    fitCents: 0,
    engagementCents: 0,
    bant: {},
    ruleCounts: new Int32Array(ruleCount),
    occurrenceCounts: new Int32Array(watchers.length),
    lastEventMs: 0,
    stageEnteredMs: 0,
    nowMs: 0,
  };
  // Each engagement rule's decayed points as the latest evaluation summed them: its explanation, made
  // later (if at all), reads them instead of decaying again, unless another evaluation came since.
  const decayed: DecayedPoints = { evaluation: 0, points: new Float64Array(engagementRules.length) };
  // A lead is evaluated again and again at the same few instants (its stage entry, its latest event).
  const stageEntry = lastOf((text: string) => instantMs(text));
  const isoOf = lastOf(instantText);
  const domainOf = lastOf(emailDomain);

  function evaluate(
    subject: ScoringSubject,
    snapshot: LeadSnapshot,
    now: Date,
    scopeName: "all" | "since" = "all",
  ): Evaluation {
    const nowMs = now.getTime();
    const serial = ++decayed.evaluation;
    const state = (scopeName === "since" ? snapshot.since : snapshot.all) ?? emptyScope();
    // Every rule's count is written below: fit rules 1 or 0, engagement rules their matches.
    const { ruleCounts, occurrenceCounts } = facts;
    const stageEnteredMs = stageEntry(subject.stageEnteredAt);
    const name = snapshot.name?.value ?? subject.name;
    const company = snapshot.company?.value ?? subject.company;
    const attributes = snapshot.attributes;
    facts.attributes = attributes;
    facts.email = subject.email;
    facts.domain = domainOf(subject.email);
    facts.name = name;
    facts.company = company;
    // BANT cites the event behind each answer; since leaving the funnel only answers given since count.
    facts.bant = bant.extract(attributes, snapshot.marks, scopeName === "all" ? undefined : stageEnteredMs);
    // The latest event is among those since leaving whenever there are any.
    facts.lastEventMs = snapshot.lastEventMs;
    facts.stageEnteredMs = stageEnteredMs;
    facts.nowMs = nowMs;
    // The fit hits are the rules' own (a fit hit is the same whichever lead matches); the engagement
    // hits are made only if the explanation is read (see Evaluated).
    let fitHits: RuleHit[] | undefined;
    let fitCents = 0;
    for (let position = 0; position < fitCount; position++) {
      const rule = fitRules[position] as CompiledFitRule;
      const matched = rule.matches(facts);
      ruleCounts[position] = matched ? 1 : 0;
      if (!matched) continue;
      const hit = fitRuleHits[position];
      if (hit === undefined) continue;
      fitCents += Math.round(hit.points * 100);
      if (fitHits === undefined) fitHits = [hit];
      else fitHits.push(hit);
    }
    let engagementCents = 0;
    for (let position = 0; position < engagementRules.length; position++) {
      const rule = engagementRules[position] as CompiledEngagementRule;
      const ruleState = state.rules[position];
      if (ruleState === undefined) {
        ruleCounts[fitCount + position] = 0;
        continue;
      }
      ruleCounts[fitCount + position] = ruleState.matched;
      if (rule.points === 0 || ruleState.scored === 0) continue;
      const points = roundPoints(rule.points * decayFactor(rule, ruleState, nowMs));
      decayed.points[position] = points;
      engagementCents += Math.round(points * 100);
    }
    for (let position = 0; position < watchers.length; position++) {
      const watcher = watchers[position] as Matcher;
      const counted = state.watchers[position];
      occurrenceCounts[position] = counted === undefined ? 0 : occurrences(watcher, counted, nowMs);
    }
    facts.fitCents = fitCents;
    facts.engagementCents = engagementCents;
    facts.scoreCents = fitCents + engagementCents;

    const decision = stages.decide(subject.stage, facts);
    const routed = routing.route(subject.leadId, facts);
    const evaluation = new Evaluated(engagementRules, fitHits, state, nowMs, decayed, serial);
    evaluation.score = facts.scoreCents / 100;
    evaluation.fit = fitCents / 100;
    evaluation.engagement = engagementCents / 100;
    evaluation.bant = facts.bant;
    evaluation.attributes = attributes;
    evaluation.lastEventAt = Number.isFinite(snapshot.lastEventMs) ? isoOf(snapshot.lastEventMs) : "";
    evaluation.verdict = decision.verdict;
    evaluation.autoAccept = autoAccept;
    evaluation.sqlReview = sqlReview;
    evaluation.name = name;
    evaluation.company = company;
    evaluation.demotion = decision.demotion;
    evaluation.reopen = decision.reopen;
    evaluation.owner = routed?.owner;
    return evaluation;
  }

  /**
   * The largest snapshot this model can make, attributes aside (they are bounded per lead): every rule
   * matched and scoring, every kept time list full, in both scopes, with distinct times and sums.
   */
  function worstCase(): LeadSnapshot {
    const now = Date.UTC(2026, 0, 1);
    let tick = 0;
    const time = () => now - 1_000_003 * ++tick;
    const full = (): EngagementSnapshot => ({
      events: 999_999_999,
      rules: engagementRules.map((rule) => {
        const kept = rule.capMax === Number.POSITIVE_INFINITY ? 0 : rule.capMax;
        const state: RuleSnapshot = { matched: 999_999_999, scored: 999_999_999 };
        if (kept > 0) state.times = Array.from({ length: kept }, time).sort((a, b) => a - b);
        if (rule.decayPerMs > 0) {
          state.sum = Math.PI * ++tick;
          state.at = time();
        }
        return state;
      }),
      watchers: watchers.map((watcher) =>
        watcher.withinMs > 0
          ? { count: 999_999_999, times: Array.from({ length: watcher.atLeast }, time).sort((a, b) => a - b) }
          : { count: 999_999_999 },
      ),
    });
    const mark = (value: string) => ({ value, at: time(), by: `generic:${"x".repeat(250)}${++tick}` });
    return {
      model: modelHash,
      fold: foldHash,
      events: 999_999_999,
      lastEventMs: now,
      attributes: {},
      marks: {},
      name: mark("n".repeat(256)),
      company: mark("c".repeat(256)),
      firstSource: mark("generic"),
      firstCampaign: mark("k".repeat(2048)),
      all: full(),
      since: full(),
    };
  }

  return {
    modelVersion: model.version,
    modelHash,
    foldHash,
    owners: routing.owners,
    empty,
    worstCase,
    fold,
    foldFacts,
    replay,
    enterStage,
    evaluate,
    attributeFor: (source, label) => fields.attributeFor(source, label),
    channelsFor: (move) => channelsFor(notifications, move),
    slaBreaches: (lead, now) => slaBreaches(model.stages.sla, lead, now),
  };
}

/** The decayed points of each engagement rule an evaluation summed, and which evaluation that was. */
interface DecayedPoints {
  evaluation: number;
  points: Float64Array;
}

/**
 * An evaluation whose explanation is made when it is first read. Ingest evaluates a lead at every
 * webhook and reads the explanation only when the lead moves (a transition carries its reasons), so
 * most evaluations never make it; and a transition's reasons are made without the hits that don't make
 * the top. Every other field is set by evaluate, in one order, so all of them share one hidden class.
 * What `hits` reads does not change after evaluate: a fold changes a copy of the states it touches (see
 * writable), and a replay folds every event before it evaluates.
 */
class Evaluated implements Evaluation {
  score = 0;
  fit = 0;
  engagement = 0;
  bant: Bant = NO_BANT;
  attributes: Record<string, Scalar> = NO_ATTRIBUTES;
  lastEventAt = "";
  verdict: StageVerdict = NO_VERDICT;
  autoAccept = false;
  sqlReview = false;
  name: string | undefined = undefined;
  company: string | undefined = undefined;
  demotion: StageVerdict | undefined = undefined;
  reopen: StageVerdict | undefined = undefined;
  owner: Owner | undefined = undefined;
  #hits: RuleHit[] | undefined = undefined;
  readonly #rules: readonly CompiledEngagementRule[];
  readonly #fitHits: readonly RuleHit[] | undefined;
  readonly #scope: EngagementSnapshot;
  readonly #nowMs: number;
  readonly #decayed: DecayedPoints;
  readonly #serial: number;

  constructor(
    rules: readonly CompiledEngagementRule[],
    fitHits: readonly RuleHit[] | undefined,
    scope: EngagementSnapshot,
    nowMs: number,
    decayed: DecayedPoints,
    serial: number,
  ) {
    this.#rules = rules;
    this.#fitHits = fitHits;
    this.#scope = scope;
    this.#nowMs = nowMs;
    this.#decayed = decayed;
    this.#serial = serial;
  }

  /** Fit hits, then engagement hits, in model order; each rule's points rounded once, as the score sums them. */
  get hits(): RuleHit[] {
    if (this.#hits !== undefined) return this.#hits;
    const hits: RuleHit[] = this.#fitHits ? this.#fitHits.slice() : [];
    const rules = this.#rules;
    const states = this.#scope.rules;
    for (let position = 0; position < rules.length; position++) {
      const state = states[position];
      if (state !== undefined && this.#scores(position, state)) hits.push(this.#hit(position, state));
    }
    this.#hits = hits;
    return hits;
  }

  /**
   * topReasons(hits), made without the engagement hits that don't make the top: the same selection over
   * the same weights in the same order (fit hits, then engagement rules in model order), each candidate
   * held as its hit or, for an engagement rule, its position, until the chosen ones are made.
   */
  reasons(count = TOP_REASONS): RuleHit[] {
    if (this.#hits !== undefined) return topReasons(this.#hits, count);
    if (count <= 0) return [];
    let size = 0;
    const fitHits = this.#fitHits;
    if (fitHits)
      for (let position = 0; position < fitHits.length; position++) {
        const hit = fitHits[position] as RuleHit;
        size = placeReason(size, count, hit, Math.abs(hit.decayedPoints));
      }
    const states = this.#scope.rules;
    for (let position = 0; position < this.#rules.length; position++) {
      const state = states[position];
      if (state !== undefined && this.#scores(position, state))
        size = placeReason(size, count, position, Math.abs(this.#decayedPoints(position, state)));
    }
    const reasons = new Array<RuleHit>(size);
    for (let at = 0; at < size; at++) {
      const candidate = chosenReason<RuleHit | number>(at);
      reasons[at] = typeof candidate === "number" ? this.#hit(candidate, states[candidate] as RuleSnapshot) : candidate;
    }
    return reasons;
  }

  /** Whether an engagement rule's state makes a hit: the rule is worth points and scored. */
  #scores(position: number, state: RuleSnapshot): boolean {
    return (this.#rules[position] as CompiledEngagementRule).points !== 0 && state.scored !== 0;
  }

  /** An engagement rule's points now, as evaluate summed them (kept unless another evaluation came since). */
  #decayedPoints(position: number, state: RuleSnapshot): number {
    if (this.#decayed.evaluation === this.#serial) return this.#decayed.points[position] as number;
    const rule = this.#rules[position] as CompiledEngagementRule;
    return roundPoints(rule.points * decayFactor(rule, state, this.#nowMs));
  }

  #hit(position: number, state: RuleSnapshot): RuleHit {
    const rule = this.#rules[position] as CompiledEngagementRule;
    return {
      ruleId: rule.id,
      axis: "engagement",
      label: rule.label,
      hits: state.scored,
      points: roundPoints(rule.points * state.scored),
      decayedPoints: this.#decayedPoints(position, state),
    };
  }
}

// Never seen: evaluate sets each of these before it returns (shared, so a new evaluation allocates none).
const NO_VERDICT: StageVerdict = Object.freeze({ stage: "lead", ruleId: "", reason: "" });
const NO_BANT: Bant = Object.freeze({});
const NO_ATTRIBUTES: Record<string, Scalar> = Object.freeze({});

/**
 * The model as compiled, hashed: editing a rule changes it even when the user's `version` stays. Where
 * alerts go (`notifications`) folds nothing into a snapshot, so a change to it alone keeps every
 * snapshot, instead of replaying every lead.
 */
function hashModel(model: ScoringModel): string {
  const { notifications: _routing, ...folded } = model;
  return createHash("sha256")
    .update(JSON.stringify({ fold: FOLD_FORMAT, model: folded }))
    .digest("base64url")
    .slice(0, 16);
}

/**
 * What a snapshot's content depends on, hashed: the events' reading (field mapping, lists), the engagement
 * rules as the fold keeps them (events, conditions, caps, decay; not their points or labels, which only
 * evaluation reads), the `event:` conditions whose counts it keeps, in order, and the fold format. A
 * model that changes only what evaluation reads (points, fit and BANT rules, stage and routing rules'
 * other conditions, thresholds, notifications) keeps it: its snapshots stay exact, and a rescore
 * re-evaluates them without reading any event. Property-tested against a replay under the new model.
 */
function hashFold(model: ScoringModel, watched: readonly EventOccurrence[]): string {
  const rules = model.engagement.rules.map(({ points: _points, label: _label, ...folded }) => folded);
  return createHash("sha256")
    .update(
      JSON.stringify({
        fold: FOLD_FORMAT,
        format: model.format,
        fields: model.fields,
        lists: model.lists,
        engagement: { halfLifeDays: model.engagement.halfLifeDays ?? null, rules },
        watched,
      }),
    )
    .digest("base64url")
    .slice(0, 16);
}

/** A function of one argument that remembers its last answer: cheap where the same argument comes in a row. */
function lastOf<Argument, Result>(compute: (argument: Argument) => Result): (argument: Argument) => Result {
  let known = false;
  let lastArgument: Argument | undefined;
  let lastResult: Result | undefined;
  return (argument) => {
    if (!known || lastArgument !== argument) {
      lastResult = compute(argument);
      lastArgument = argument;
      known = true;
    }
    return lastResult as Result;
  };
}

/**
 * Lets one matching event score under a rule's cap, in event-time order. False when the event is
 * older than the latest scoring time of a window cap: which later events still score then depends on
 * scoring times the snapshot no longer keeps, so the lead is replayed.
 */
function scoreRule(rule: CompiledEngagementRule, state: RuleSnapshot, at: number): boolean {
  state.matched++;
  if (rule.capMax === Number.POSITIVE_INFINITY) {
    accumulate(rule, state, at);
    return true;
  }
  const times = state.times as number[];
  if (rule.capWindowMs === 0) {
    // A count cap: the first `max` events in time order score; all their times are kept.
    if (times.length < rule.capMax) state.scored++;
    else if (at >= (times.at(-1) as number)) return true;
    else times.pop();
    insertSorted(times, at);
    return true;
  }
  const latest = times.at(-1);
  if (latest !== undefined && at < latest) return false;
  // A window cap: at most `max` scoring events in any `perDays` window ending at a scoring event.
  if (state.scored >= rule.capMax && times.length >= rule.capMax) {
    if ((times[times.length - rule.capMax] as number) > at - rule.capWindowMs) return true;
  }
  times.push(at);
  while (times.length > rule.capMax || (times[0] as number) <= at - rule.capWindowMs) times.shift();
  accumulate(rule, state, at);
  return true;
}

/** Counts one more scoring event; decaying rules fold its weight into the accumulator. */
function accumulate(rule: CompiledEngagementRule, state: RuleSnapshot, at: number): void {
  state.scored++;
  if (rule.decayPerMs === 0) return;
  const sum = state.sum ?? 0;
  const ref = state.at;
  if (ref === undefined || at > ref) {
    state.sum = ref === undefined ? 1 : sum * Math.exp((ref - at) * rule.decayPerMs) + 1;
    state.at = at;
  } else {
    state.sum = sum + Math.exp((at - ref) * rule.decayPerMs);
  }
}

/** Σ over the scoring times of 2^(−(now − t)/halfLife): what the rule's points are multiplied by now. */
function decayFactor(rule: CompiledEngagementRule, state: RuleSnapshot, nowMs: number): number {
  if (rule.decayPerMs === 0) return state.scored;
  if (rule.capMax < Number.POSITIVE_INFINITY && rule.capWindowMs === 0) {
    let factor = 0;
    for (const at of state.times as number[]) factor += at >= nowMs ? 1 : Math.exp((at - nowMs) * rule.decayPerMs);
    return factor;
  }
  const ref = state.at as number;
  return (state.sum ?? 0) * Math.exp(Math.min(0, ref - nowMs) * rule.decayPerMs);
}

function countOccurrence(matcher: Matcher, state: WatcherSnapshot, at: number): void {
  state.count++;
  if (matcher.withinMs === 0) return;
  // Only the `atLeast` latest times can decide "at least N in the last D days".
  const times = state.times as number[];
  if (times.length < matcher.atLeast) insertSorted(times, at);
  else if (at > (times[0] as number)) {
    times.shift();
    insertSorted(times, at);
  }
}

function occurrences(matcher: Matcher, state: WatcherSnapshot, nowMs: number): number {
  if (matcher.withinMs === 0) return state.count;
  let count = 0;
  for (const at of state.times as number[]) if (at >= nowMs - matcher.withinMs) count++;
  return count;
}

/** An array of `length` undefined, packed (a holey one reads slower), for snapshots to copy. */
function untouched<State>(length: number): (State | undefined)[] {
  const states: (State | undefined)[] = [];
  for (let position = 0; position < length; position++) states.push(undefined);
  return states;
}

/** Puts `at` in its place, later times moving up one by hand (splice would return an array, every time). */
function insertSorted(times: number[], at: number): void {
  let position = times.length;
  times.push(at);
  for (; position > 0 && (times[position - 1] as number) > at; position--)
    times[position] = times[position - 1] as number;
  times[position] = at;
}

/**
 * A snapshot a fold may change without touching the one it came from: its own top level, scopes and
 * arrays of states, over the same states, attributes and marks, which the fold replaces by copies
 * before it changes them (copy on write: an event touches a few states of a snapshot that has dozens).
 * Copies are written field by field, not spread: on Node 20 a spread object given another field reads
 * several times slower, and the next fold and evaluation read every one of these.
 */
function writable(snapshot: LeadSnapshot): LeadSnapshot {
  const next: LeadSnapshot = {
    model: snapshot.model,
    fold: snapshot.fold,
    events: snapshot.events,
    lastEventMs: snapshot.lastEventMs,
    attributes: snapshot.attributes,
    marks: snapshot.marks,
    all: writableScope(snapshot.all),
  };
  if (snapshot.name) next.name = snapshot.name;
  if (snapshot.company) next.company = snapshot.company;
  if (snapshot.firstSource) next.firstSource = snapshot.firstSource;
  if (snapshot.firstCampaign) next.firstCampaign = snapshot.firstCampaign;
  if (snapshot.since) next.since = writableScope(snapshot.since);
  return next;
}
/** True when the keys name every field of T: a field added to a snapshot type must be copied too. */
type EveryField<T, Keys extends keyof T> = Exclude<keyof T, Keys> extends never ? true : never;
type ValueMarkField = "name" | "company" | "firstSource" | "firstCampaign";
const _writableCopiesEveryField: EveryField<
  LeadSnapshot,
  "model" | "fold" | "events" | "lastEventMs" | "attributes" | "marks" | "all" | "since" | ValueMarkField
> = true;
const _copiesEveryRuleField: EveryField<RuleSnapshot, "matched" | "scored" | "times" | "sum" | "at"> = true;
const _copiesEveryWatcherField: EveryField<WatcherSnapshot, "count" | "times"> = true;

function writableScope(scope: EngagementSnapshot): EngagementSnapshot {
  return { events: scope.events, rules: scope.rules.slice(), watchers: scope.watchers.slice() };
}

function copyRule(rule: RuleSnapshot): RuleSnapshot {
  const copy: RuleSnapshot = { matched: rule.matched, scored: rule.scored };
  if (rule.times) copy.times = rule.times.slice();
  if (rule.sum !== undefined) copy.sum = rule.sum;
  if (rule.at !== undefined) copy.at = rule.at;
  return copy;
}

function copyWatcher(watcher: WatcherSnapshot): WatcherSnapshot {
  return watcher.times ? { count: watcher.count, times: watcher.times.slice() } : { count: watcher.count };
}

/**
 * Sets an attribute when this event (time, id) is the latest to set it. `own`: the snapshot's attributes
 * and marks are its own to change; if not, they are copied first. Returns whether they are now.
 */
function setAttribute(
  next: LeadSnapshot,
  attribute: string,
  value: Scalar,
  at: number,
  by: string,
  own: boolean,
): boolean {
  if (!isLaterMark(at, by, next.marks[attribute])) return own;
  if (!own) {
    next.attributes = { ...next.attributes };
    next.marks = { ...next.marks };
  }
  next.attributes[attribute] = value;
  next.marks[attribute] = { at, by };
  return true;
}
