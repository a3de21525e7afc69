import type { Scalar } from "../lead-event";
import type { ScoringEngine } from "../scoring-engine";
import type { Example } from "./training-set";

/** What calibration reads of one labelled lead: each rule's contribution and the lead's attributes, at `asOf`. */
export interface LeadFeatures {
  leadId: string;
  positive: boolean;
  /** The current model's score at `asOf`: what calibration is compared against. */
  score: number;
  /** Points per rule that scored (decayed, as the score at `asOf` counts them); a rule absent scored 0. */
  contributions: Record<string, number>;
  /** The lead's attributes at `asOf`: the raw material of candidate fit rules. */
  attributes: Record<string, Scalar>;
}

/**
 * A lead's features as the model would have seen it at `asOf`: its events (all before the label) replayed
 * into a snapshot and evaluated then. The same engine, so a contribution is what the score counted.
 */
export function leadFeatures(engine: ScoringEngine, example: Example): LeadFeatures {
  const first = example.events[0];
  if (!first) throw new Error(`lead ${example.leadId} has no events to learn from`);
  const snapshot = engine.replay(example.events, first.occurredAt, "lead");
  const evaluation = engine.evaluate(
    { leadId: example.leadId, email: example.email, stage: "lead", stageEnteredAt: first.occurredAt },
    snapshot,
    new Date(example.asOf),
  );
  const contributions: Record<string, number> = {};
  for (const hit of evaluation.hits) contributions[hit.ruleId] = hit.decayedPoints;
  return {
    leadId: example.leadId,
    positive: example.positive,
    score: evaluation.score,
    contributions,
    attributes: evaluation.attributes,
  };
}

/** A fit rule calibration proposes from attribute values, with how many training leads it covers. */
export type CandidateRule =
  | { id: string; attribute: string; equals: string | boolean; support: number }
  | { id: string; attribute: string; range: { min?: number; max?: number }; support: number };

export interface CandidateOptions {
  /** Leads a value must cover to be proposed (default 30). */
  minSupport?: number;
  /** Numeric attributes are cut at these quantiles (default the quartiles). */
  quantiles?: readonly number[];
  /** At most this many values per categorical attribute, the most common first (default 10). */
  maxValues?: number;
}

/**
 * Candidate fit rules from the training leads' attributes: each categorical value (text, compared without
 * case, or a boolean) that enough leads share, and for each numeric attribute the ranges between its
 * quantiles. Only training leads are read, so the holdout stays unseen. Ids are stable: `attr:<name>=<value>`
 * and `attr:<name>:<lower>..<upper>`.
 */
export function candidateRules(training: readonly LeadFeatures[], options: CandidateOptions = {}): CandidateRule[] {
  const minSupport = options.minSupport ?? 30;
  const maxValues = options.maxValues ?? 10;
  const categorical = new Map<string, Map<string, number>>();
  const numeric = new Map<string, number[]>();
  for (const lead of training) {
    for (const [attribute, value] of Object.entries(lead.attributes)) {
      if (typeof value === "number") {
        if (Number.isFinite(value)) (numeric.get(attribute) ?? numeric.set(attribute, []).get(attribute))?.push(value);
        continue;
      }
      const key = typeof value === "boolean" ? String(value) : value.trim().toLowerCase();
      if (key === "") continue;
      const counts = categorical.get(attribute) ?? categorical.set(attribute, new Map()).get(attribute);
      counts?.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const rules: CandidateRule[] = [];
  for (const [attribute, counts] of [...categorical].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const common = [...counts]
      .filter(([, support]) => support >= minSupport)
      .sort(([a, left], [b, right]) => right - left || (a < b ? -1 : 1))
      .slice(0, maxValues);
    for (const [value, support] of common) {
      const equals = value === "true" ? true : value === "false" ? false : value;
      rules.push({ id: `attr:${attribute}=${value}`, attribute, equals, support });
    }
  }
  for (const [attribute, values] of [...numeric].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    rules.push(...quantileRanges(attribute, values, options.quantiles ?? [0.25, 0.5, 0.75], minSupport));
  }
  return rules;
}

function quantileRanges(attribute: string, values: number[], quantiles: readonly number[], minSupport: number) {
  const sorted = [...values].sort((a, b) => a - b);
  const cuts = [...new Set(quantiles.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]))]
    .filter((cut): cut is number => cut !== undefined)
    .sort((a, b) => a - b);
  const bounds: (number | undefined)[] = [undefined, ...cuts, undefined];
  const rules: CandidateRule[] = [];
  for (let index = 0; index + 1 < bounds.length; index++) {
    const lower = bounds[index];
    const upper = bounds[index + 1];
    // [lower, upper): the range's max is inclusive in the model, so the next cut's value starts the next range.
    const support = sorted.filter(
      (value) => (lower === undefined || value >= lower) && (upper === undefined || value < upper),
    ).length;
    if (support < minSupport) continue;
    const range = {
      ...(lower !== undefined && { min: lower }),
      ...(upper !== undefined && { max: previousValue(sorted, upper) }),
    };
    rules.push({ id: `attr:${attribute}:${lower ?? ""}..${upper ?? ""}`, attribute, range, support });
  }
  return rules;
}

/** The largest value below `bound` (the model's ranges are inclusive), or the bound itself when none. */
function previousValue(sorted: readonly number[], bound: number): number {
  let found: number | undefined;
  for (const value of sorted) {
    if (value >= bound) break;
    found = value;
  }
  return found ?? bound;
}

/** Whether a lead's attributes satisfy a candidate rule. */
export function matchesCandidate(rule: CandidateRule, attributes: Record<string, Scalar>): boolean {
  const value = attributes[rule.attribute];
  if (value === undefined) return false;
  if ("equals" in rule) {
    return typeof rule.equals === "boolean"
      ? value === rule.equals
      : typeof value === "string" && value.trim().toLowerCase() === rule.equals;
  }
  return (
    typeof value === "number" &&
    (rule.range.min === undefined || value >= rule.range.min) &&
    (rule.range.max === undefined || value <= rule.range.max)
  );
}

/**
 * The design matrix: one row per lead, one column per model rule (its contribution divided by the rule's
 * full points, so 1 means "scored once, undecayed") then one per candidate (1 when it matches, else 0).
 */
export function featureRows(
  leads: readonly LeadFeatures[],
  modelRules: readonly { id: string; points: number }[],
  candidates: readonly CandidateRule[],
): number[][] {
  return leads.map((lead) => [
    ...modelRules.map((rule) => (rule.points === 0 ? 0 : (lead.contributions[rule.id] ?? 0) / rule.points)),
    ...candidates.map((candidate) => (matchesCandidate(candidate, lead.attributes) ? 1 : 0)),
  ]);
}
