import { BANT_KEYS, type Bant } from "#shared/domain/lead";
import type { Scalar } from "#shared/domain/lead-event";
import type { EventFields } from "./fold-event";
import type {
  AttributeCondition,
  ConditionValue,
  EventCondition,
  EventOccurrence,
  FieldCondition,
  LeadCondition,
  Range,
  ValueOperators,
  ValueTest,
} from "./grammar/conditions";

/**
 * Conditions compiled once, when the engine is created, into plain closures: regexes built, lists
 * turned into sets, field paths resolved. Evaluating them allocates nothing on the common paths.
 */

export type Test<T> = (subject: T) => boolean;

/** What a lead condition can see: the lead's fields and the figures of one evaluation. */
export interface LeadFacts {
  attributes: Record<string, Scalar>;
  email: string;
  domain: string;
  name: string | undefined;
  company: string | undefined;
  scoreCents: number;
  fitCents: number;
  engagementCents: number;
  bant: Bant;
  /** Events matched per engagement rule (fit rules: 1 when matched), by rule index. */
  ruleCounts: Int32Array;
  /** Events counted per `event` condition, by watcher index. */
  occurrenceCounts: Int32Array;
  lastEventMs: number;
  stageEnteredMs: number;
  nowMs: number;
}

export interface CompileScope {
  lists: ReadonlyMap<string, ReadonlySet<string>>;
  /** The index of a fit or engagement rule, for `rule:` conditions. */
  ruleIndex(id: string): number;
  /** Registers an `event:` condition with the event pass; returns its counter's index. */
  watch(occurrence: EventOccurrence): number;
}

const DAY_MS = 86_400_000;

/** Text compared case-insensitively and trimmed; numbers and booleans by their text. */
export function normalize(value: Scalar): string {
  return typeof value === "string" ? value.trim().toLowerCase() : String(value);
}

/** A number, or text that starts with one ("51-200" → 51, "1,000+" → 1000, "$5k" → 5). */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const parsed = Number.parseFloat(value.replace(/^[^\d+\-.]+|[,_\s]/g, ""));
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function inRange(value: number, range: Range): boolean {
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** Lists of values match when any element does. */
function overElements(test: (value: unknown) => boolean): (value: unknown) => boolean {
  return (value) => (Array.isArray(value) ? value.some(test) : test(value));
}

/** Text that normalize() would change: only then is a normalized copy worth making. */
const NOT_NORMAL = /\p{Lu}|^\s|\s$/u;

/** How many texts a memoized test remembers; it starts over when full, so no sender can grow it. */
export const MEMO_LIMIT = 2_048;
/** Longer texts are tested every time: hashing one costs about what testing it does. */
export const MEMO_TEXT_LENGTH = 256;

/**
 * A test on text, remembered per text: conditions meet the same few values again and again (a form's
 * title on every submission, a lead's job title at every evaluation), and a Map lookup costs a fraction
 * of a regex or a normalized copy. The tests are pure, so a remembered answer is the answer.
 */
export function memoized(test: (text: string) => boolean): (text: string) => boolean {
  const known = new Map<string, boolean>();
  // The last text and its answer, before the Map: a lead's evaluations ask about the same string again
  // and again (its job title at every webhook), and comparing it costs less than hashing it.
  let lastText: string | undefined;
  let lastResult = false;
  return (text) => {
    if (text === lastText) return lastResult;
    if (text.length > MEMO_TEXT_LENGTH) return test(text);
    let result = known.get(text);
    if (result === undefined) {
      if (known.size >= MEMO_LIMIT) known.clear();
      result = test(text);
      known.set(text, result);
    }
    lastText = text;
    lastResult = result;
    return result;
  };
}

function setMatcher(set: ReadonlySet<string>): (value: unknown) => boolean {
  const text = memoized((value) => set.has(value) || (NOT_NORMAL.test(value) && set.has(value.trim().toLowerCase())));
  return overElements((value) => {
    if (typeof value === "string") return text(value);
    return (typeof value === "number" || typeof value === "boolean") && set.has(String(value));
  });
}

function equalsMatcher(expected: ConditionValue): (value: unknown) => boolean {
  const text = normalize(expected);
  const equals = memoized((value) => value === expected || value.trim().toLowerCase() === text);
  return overElements((value) => {
    if (value === expected) return true;
    if (typeof value === "string") return value.length >= text.length && equals(value);
    return (typeof value === "number" || typeof value === "boolean") && String(value) === text;
  });
}

function operatorMatcher(test: ValueOperators, scope: Pick<CompileScope, "lists">): (value: unknown) => boolean {
  if (test.equals !== undefined) return equalsMatcher(test.equals);
  if (test.in !== undefined) return setMatcher(new Set(test.in.map(normalize)));
  if (test.inList !== undefined) {
    const list = scope.lists.get(test.inList);
    if (!list) throw new Error(`unknown list "${test.inList}"`);
    return setMatcher(list);
  }
  if (test.range !== undefined) {
    const range = test.range;
    const text = memoized((value) => {
      const number = numberOf(value);
      return number !== undefined && inRange(number, range);
    });
    return overElements((value) =>
      typeof value === "number" ? inRange(value, range) : typeof value === "string" && text(value),
    );
  }
  if (test.pattern !== undefined) {
    const regex = new RegExp(test.pattern, "i");
    const text = memoized((value) => regex.test(value));
    return overElements((value) =>
      typeof value === "string"
        ? text(value)
        : (typeof value === "number" || typeof value === "boolean") && regex.test(String(value)),
    );
  }
  if (test.exists !== undefined) {
    const wanted = test.exists;
    return (value) => isEmpty(value) !== wanted;
  }
  throw new Error("a condition without a test");
}

interface Combinable<C> {
  all?: C[];
  any?: C[];
  not?: C;
}

/** all / any / not, shared by every flavour of condition. */
function combine<C extends Combinable<C>, S>(condition: C, compile: (inner: C) => Test<S>): Test<S> | undefined {
  if (condition.all) {
    const parts = condition.all.map(compile);
    return (subject) => {
      for (const part of parts) if (!part(subject)) return false;
      return true;
    };
  }
  if (condition.any) {
    const parts = condition.any.map(compile);
    return (subject) => {
      for (const part of parts) if (part(subject)) return true;
      return false;
    };
  }
  if (condition.not) {
    const inner = compile(condition.not);
    return (subject) => !inner(subject);
  }
  return undefined;
}

export function compileValueTest(test: ValueTest, scope: Pick<CompileScope, "lists">): Test<unknown> {
  return combine(test, (inner) => compileValueTest(inner, scope)) ?? operatorMatcher(test, scope);
}

function withField<S>(
  condition: FieldCondition,
  read: (field: string) => (subject: S) => unknown,
  scope: Pick<CompileScope, "lists">,
): Test<S> {
  if (condition.field === undefined) throw new Error("a field test without a field");
  const get = readFirst(typeof condition.field === "string" ? [condition.field] : condition.field, read);
  const matches = operatorMatcher(condition, scope);
  return (subject) => matches(get(subject));
}

/** Several fields read as one: the first that holds a value. */
function readFirst<S>(
  fields: readonly string[],
  read: (field: string) => (subject: S) => unknown,
): (subject: S) => unknown {
  const getters = fields.map(read);
  const [only] = getters;
  if (getters.length === 1 && only) return only;
  return (subject) => {
    for (const get of getters) {
      const value = get(subject);
      if (!isEmpty(value)) return value;
    }
    return undefined;
  };
}

/** Reads `source`, `type`, `properties.x`, `answers.x` or `attributes.x` of an event. */
export function eventField(field: string): (event: EventFields) => unknown {
  if (field === "source") return (event) => event.source;
  if (field === "type") return (event) => event.type;
  const dot = field.indexOf(".");
  const key = field.slice(dot + 1);
  switch (field.slice(0, dot)) {
    case "properties":
      return (event) => event.properties[key];
    case "answers":
      return (event) => event.answers[key];
    case "attributes":
      return (event) => event.attributes[key];
  }
  throw new Error(`unknown event field "${field}"`);
}

/** Reads `email`, `domain`, `name`, `company` or `attributes.x` of a lead. */
export function leadField(
  field: string,
): (lead: Pick<LeadFacts, "attributes" | "email" | "domain" | "name" | "company">) => unknown {
  switch (field) {
    case "email":
      return (lead) => lead.email;
    case "domain":
      return (lead) => lead.domain;
    case "name":
      return (lead) => lead.name;
    case "company":
      return (lead) => lead.company;
  }
  if (!field.startsWith("attributes.")) throw new Error(`unknown lead field "${field}"`);
  const key = field.slice("attributes.".length);
  return (lead) => lead.attributes[key];
}

export function compileEventCondition(
  condition: EventCondition,
  scope: Pick<CompileScope, "lists">,
): Test<EventFields> {
  return combine(condition, (inner) => compileEventCondition(inner, scope)) ?? withField(condition, eventField, scope);
}

export type AttributeFacts = Pick<LeadFacts, "attributes" | "email" | "domain" | "name" | "company">;

export function compileAttributeCondition(
  condition: AttributeCondition,
  scope: Pick<CompileScope, "lists">,
): Test<AttributeFacts> {
  return (
    combine(condition, (inner) => compileAttributeCondition(inner, scope)) ?? withField(condition, leadField, scope)
  );
}

export function compileLeadCondition(condition: LeadCondition, scope: CompileScope): Test<LeadFacts> {
  const combined = combine(condition, (inner) => compileLeadCondition(inner, scope));
  if (combined) return combined;
  if (condition.field !== undefined) return withField(condition, leadField, scope);
  const cents = (range: Range): Range => ({
    ...(range.min !== undefined && { min: Math.round(range.min * 100) }),
    ...(range.max !== undefined && { max: Math.round(range.max * 100) }),
  });
  if (condition.score) {
    const range = cents(condition.score);
    return (lead) => inRange(lead.scoreCents, range);
  }
  if (condition.fit) {
    const range = cents(condition.fit);
    return (lead) => inRange(lead.fitCents, range);
  }
  if (condition.engagement) {
    const range = cents(condition.engagement);
    return (lead) => inRange(lead.engagementCents, range);
  }
  if (condition.bant) {
    const keys = condition.bant.of ?? BANT_KEYS;
    const atLeast = condition.bant.atLeast ?? 1;
    return (lead) => {
      let satisfied = 0;
      for (const key of keys) if (lead.bant[key]?.satisfied) satisfied++;
      return satisfied >= atLeast;
    };
  }
  if (condition.event) {
    const index = scope.watch(condition.event);
    const atLeast = condition.event.atLeast ?? 1;
    return (lead) => (lead.occurrenceCounts[index] ?? 0) >= atLeast;
  }
  if (condition.rule !== undefined) {
    const index = scope.ruleIndex(condition.rule);
    const atLeast = condition.atLeast ?? 1;
    return (lead) => (lead.ruleCounts[index] ?? 0) >= atLeast;
  }
  if (condition.idleDays) {
    const range = condition.idleDays;
    return (lead) => inRange((lead.nowMs - lead.lastEventMs) / DAY_MS, range);
  }
  if (condition.daysInStage) {
    const range = condition.daysInStage;
    return (lead) => inRange((lead.nowMs - lead.stageEnteredMs) / DAY_MS, range);
  }
  throw new Error("a lead condition without a test");
}
