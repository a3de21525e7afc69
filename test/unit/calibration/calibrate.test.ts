import { describe, expect, it } from "vitest";
import { calibrate, NotEnoughOutcomesError } from "#shared/domain/calibration/calibrate";
import type { LeadFeatures } from "#shared/domain/calibration/features";
import { B2B_SCENARIO, generateKnownTruthLeads } from "#shared/domain/calibration/known-truth";
import { spearman } from "#shared/domain/calibration/rank-correlation";

/** Every rule of the scenario priced at 10 points today, as a model nobody calibrated would. */
const MODEL_RULES = B2B_SCENARIO.rules.map((rule) => ({ id: rule.name, points: 10 }));

/** Known-truth leads as calibration reads them: each fired rule scored its 10 points; company size an attribute. */
function leads(count: number, seed: number): LeadFeatures[] {
  const generated = generateKnownTruthLeads(B2B_SCENARIO, { count, seed });
  return generated.rows.map((row, index) => {
    const contributions: Record<string, number> = {};
    let score = 0;
    for (const [column, rule] of MODEL_RULES.entries()) {
      if (row[column] === 1) {
        contributions[rule.id] = rule.points;
        score += rule.points;
      }
    }
    return {
      leadId: `l${seed}-${index}`,
      positive: generated.labels[index] === 1,
      score,
      contributions,
      attributes: {},
    };
  });
}

describe("calibrate", () => {
  const train = leads(20_000, 1);
  const holdout = leads(8_000, 2);
  const report = calibrate({ train, holdout, modelRules: MODEL_RULES });

  it("recovers the sign of every rule that truly matters, and their order", () => {
    // Prepare
    const truth = B2B_SCENARIO.rules;
    const suggested = new Map(report.suggestions.map((suggestion) => [suggestion.id, suggestion.suggestedPoints]));

    // Assess
    for (const rule of truth.filter((known) => Math.abs(known.weight) >= 0.5)) {
      expect(Math.sign(suggested.get(rule.name) ?? 0), rule.name).toBe(Math.sign(rule.weight));
    }
    expect(
      spearman(
        truth.map((rule) => rule.weight),
        truth.map((rule) => suggested.get(rule.name) ?? 0),
      ),
    ).toBeGreaterThanOrEqual(0.8);
  });

  it("ranks the held-out leads better than the uncalibrated model, and reports both", () => {
    expect(report.holdout.calibrated.rocAuc).toBeGreaterThan(report.holdout.current.rocAuc + 0.02);
    expect(report.holdout.calibrated.liftTop20).toBeGreaterThan(report.holdout.current.liftTop20);
    expect(report.train).toMatchObject({ leads: 20_000 });
    expect(report.holdout.leads).toBe(8_000);
    expect(report.holdout.positives + report.holdout.negatives).toBe(8_000);
  });

  it("keeps the model's scale: the suggested points of the rules average about the points they have", () => {
    const modelSuggestions = report.suggestions.filter((suggestion) => suggestion.currentPoints !== undefined);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(report.pointsPerLogOdds).toBeGreaterThan(0);
    // Least squares against the current points: the suggested positive points land in the same range.
    expect(mean(modelSuggestions.map((suggestion) => Math.abs(suggestion.suggestedPoints)))).toBeLessThan(30);
  });

  it("refuses to fit below the data gate, saying how many outcomes it has", () => {
    // Prepare: 300 leads win about one time in five: fewer than 100 wins.
    const few = leads(300, 3);

    // Act
    const refused = () => calibrate({ train: few, holdout, modelRules: MODEL_RULES });

    // Assess
    expect(refused).toThrow(NotEnoughOutcomesError);
    expect(refused).toThrow(/at least 100 positive and 100 negative/);
  });
});
