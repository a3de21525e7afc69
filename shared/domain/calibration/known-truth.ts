import { InvalidCalibrationInputError } from "./errors";
import type { Outcome } from "./labels";
import { seededRandom, standardNormal } from "./seeded-random";

/**
 * Synthetic past leads whose win probability follows weights we choose, so a calibration can be checked
 * against the truth it should recover. Each lead fires each rule independently with the rule's prevalence
 * (feature 1 or 0), may carry one normally distributed numeric attribute, and wins with probability
 * sigmoid(intercept + Σ weight × feature). The same scenario, count and seed always give the same leads.
 */

/** A binary scoring rule: how often it fires and how much it truly moves the log-odds of a win. */
export interface KnownRule {
  readonly name: string;
  readonly prevalence: number;
  readonly weight: number;
}

/** A numeric attribute drawn from a normal distribution; `weight` is its effect on the log-odds per unit. */
export interface KnownAttribute {
  readonly name: string;
  readonly mean: number;
  readonly spread: number;
  readonly weight: number;
}

export interface KnownTruthScenario {
  readonly intercept: number;
  readonly rules: readonly KnownRule[];
  readonly attribute?: KnownAttribute;
}

export interface KnownTruthLeads {
  /** One row per lead: the rules' 0/1 features in scenario order, then the attribute if there is one. */
  readonly rows: Float64Array[];
  readonly labels: Outcome[];
  /** The name of each column of `rows`. */
  readonly featureNames: string[];
  readonly trueIntercept: number;
  /** The true log-odds weight of each column of `rows`. */
  readonly trueWeights: number[];
}

/**
 * A B2B-flavoured scenario: strong and weak positive rules, a zero-effect rule, negative rules, and company
 * size as log10(employees). About one lead in five wins.
 */
export const B2B_SCENARIO: KnownTruthScenario = {
  intercept: -3.2,
  rules: [
    { name: "requested_demo", prevalence: 0.08, weight: 1.6 },
    { name: "pricing_page_visit", prevalence: 0.3, weight: 1.0 },
    { name: "work_email", prevalence: 0.6, weight: 0.7 },
    { name: "webinar_attended", prevalence: 0.15, weight: 0.5 },
    { name: "target_industry", prevalence: 0.35, weight: 0.3 },
    { name: "newsletter_signup", prevalence: 0.45, weight: 0.1 },
    { name: "blog_reader", prevalence: 0.5, weight: 0 },
    { name: "student_email", prevalence: 0.1, weight: -0.6 },
    { name: "outside_market", prevalence: 0.2, weight: -0.9 },
    { name: "competitor_domain", prevalence: 0.05, weight: -2.0 },
  ],
  attribute: { name: "log10_employees", mean: 2, spread: 0.7, weight: 0.6 },
};

export function generateKnownTruthLeads(
  scenario: KnownTruthScenario,
  { count, seed }: { count: number; seed: number },
): KnownTruthLeads {
  if (!Number.isInteger(count) || count < 1) throw new InvalidCalibrationInputError(`cannot generate ${count} leads`);
  for (const rule of scenario.rules) {
    if (!(rule.prevalence >= 0 && rule.prevalence <= 1)) {
      throw new InvalidCalibrationInputError(`rule ${rule.name} has prevalence ${rule.prevalence}, not in [0, 1]`);
    }
  }
  const { attribute } = scenario;
  const featureNames = scenario.rules.map((rule) => rule.name);
  const trueWeights = scenario.rules.map((rule) => rule.weight);
  if (attribute) {
    featureNames.push(attribute.name);
    trueWeights.push(attribute.weight);
  }
  const random = seededRandom(seed);
  const rows: Float64Array[] = [];
  const labels: Outcome[] = [];
  for (let lead = 0; lead < count; lead += 1) {
    const row = new Float64Array(featureNames.length);
    let logOdds = scenario.intercept;
    for (const [column, rule] of scenario.rules.entries()) {
      const fired = random() < rule.prevalence ? 1 : 0;
      row[column] = fired;
      logOdds += rule.weight * fired;
    }
    if (attribute) {
      const value = attribute.mean + attribute.spread * standardNormal(random);
      row[scenario.rules.length] = value;
      logOdds += attribute.weight * value;
    }
    rows.push(row);
    labels.push(random() < 1 / (1 + Math.exp(-logOdds)) ? 1 : 0);
  }
  return { rows, labels, featureNames, trueIntercept: scenario.intercept, trueWeights };
}
