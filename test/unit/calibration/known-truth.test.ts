import { describe, expect, it } from "vitest";
import { InvalidCalibrationInputError } from "#shared/domain/calibration/errors";
import { B2B_SCENARIO, generateKnownTruthLeads } from "#shared/domain/calibration/known-truth";

describe("generateKnownTruthLeads", () => {
  it("gives the same leads for the same seed and different ones for another", () => {
    // Act
    const first = generateKnownTruthLeads(B2B_SCENARIO, { count: 200, seed: 11 });
    const again = generateKnownTruthLeads(B2B_SCENARIO, { count: 200, seed: 11 });
    const other = generateKnownTruthLeads(B2B_SCENARIO, { count: 200, seed: 12 });

    // Assess
    expect(again).toEqual(first);
    expect(other.rows).not.toEqual(first.rows);
  });

  it("fires each rule at its prevalence and wins at the rate its true weights imply", () => {
    // Prepare
    const count = 20_000;

    // Act
    const leads = generateKnownTruthLeads(B2B_SCENARIO, { count, seed: 3 });

    // Assess: columns follow the scenario, each rule's firing rate is near its prevalence (±3 σ).
    expect(leads.featureNames).toEqual([...B2B_SCENARIO.rules.map((rule) => rule.name), "log10_employees"]);
    expect(leads.trueWeights).toEqual([...B2B_SCENARIO.rules.map((rule) => rule.weight), 0.6]);
    for (const [column, rule] of B2B_SCENARIO.rules.entries()) {
      const rate = leads.rows.filter((row) => row[column] === 1).length / count;
      const sigma = Math.sqrt((rule.prevalence * (1 - rule.prevalence)) / count);
      expect(Math.abs(rate - rule.prevalence)).toBeLessThan(3 * sigma);
    }
    // The observed win rate matches the mean of the true probabilities.
    const expected =
      leads.rows.reduce((sum, row) => {
        const logOdds = row.reduce((acc, value, column) => acc + value * (leads.trueWeights[column] ?? 0), -3.2);
        return sum + 1 / (1 + Math.exp(-logOdds));
      }, 0) / count;
    const observed = leads.labels.filter((label) => label === 1).length / count;
    expect(Math.abs(observed - expected)).toBeLessThan(0.015);
    expect(observed).toBeGreaterThan(0.1);
    expect(observed).toBeLessThan(0.35);
  });

  it("refuses a prevalence outside [0, 1] and a count that is not a positive integer", () => {
    // Prepare
    const odd = { intercept: 0, rules: [{ name: "odd", prevalence: 1.5, weight: 1 }] };

    // Act / Assess
    expect(() => generateKnownTruthLeads(odd, { count: 10, seed: 1 })).toThrow(InvalidCalibrationInputError);
    expect(() => generateKnownTruthLeads(B2B_SCENARIO, { count: 0, seed: 1 })).toThrow(InvalidCalibrationInputError);
  });
});
