import { describe, expect, it } from "vitest";
import { InvalidCalibrationInputError } from "#shared/domain/calibration/errors";
import { B2B_SCENARIO, generateKnownTruthLeads } from "#shared/domain/calibration/known-truth";
import type { Outcome } from "#shared/domain/calibration/labels";
import { fitLogistic, predict } from "#shared/domain/calibration/logistic-regression";
import { rocAuc } from "#shared/domain/calibration/metrics";
import { spearman } from "#shared/domain/calibration/rank-correlation";

describe("fitLogistic on leads with known weights", () => {
  // Fitted once: 20,000 leads to learn from, 10,000 held out.
  const training = generateKnownTruthLeads(B2B_SCENARIO, { count: 20_000, seed: 2026 });
  const holdout = generateKnownTruthLeads(B2B_SCENARIO, { count: 10_000, seed: 4242 });
  const model = fitLogistic(training.rows, training.labels, { l2: 1e-4 });

  it("converges in a few Newton steps", () => {
    // Assess
    expect(model.converged).toBe(true);
    expect(model.iterations).toBeLessThanOrEqual(15);
  });

  it("recovers the sign of every weight of size 0.5 or more", () => {
    // Prepare
    const strong = training.trueWeights.flatMap((weight, column) => (Math.abs(weight) >= 0.5 ? [column] : []));

    // Assess
    expect(strong.length).toBeGreaterThanOrEqual(7);
    for (const column of strong) {
      expect(Math.sign(model.weights[column] ?? 0), training.featureNames[column]).toBe(
        Math.sign(training.trueWeights[column] ?? 0),
      );
    }
  });

  it("orders the weights as the truth does", () => {
    // Act
    const correlation = spearman(model.weights, training.trueWeights);

    // Assess
    expect(correlation).toBeGreaterThanOrEqual(0.8);
    expect(model.intercept).toBeCloseTo(B2B_SCENARIO.intercept, 0);
  });

  it("predicts, on raw rows, a mean probability equal to the win rate it learned from", () => {
    // Prepare: at the optimum the unpenalised intercept's gradient, mean(p − y), is zero.
    const winRate = training.labels.filter((label) => label === 1).length / training.labels.length;

    // Act
    const meanProbability = training.rows.reduce((sum, row) => sum + predict(model, row), 0) / training.rows.length;

    // Assess
    expect(meanProbability).toBeCloseTo(winRate, 6);
  });

  it("ranks held-out leads better than a model that knows only the win rate", () => {
    // Prepare: all weights zero gives every lead the same score.
    const uniform = { intercept: model.intercept, weights: model.weights.map(() => 0) };

    // Act
    const fitted = rocAuc(
      holdout.rows.map((row) => predict(model, row)),
      holdout.labels,
    );
    const baseline = rocAuc(
      holdout.rows.map((row) => predict(uniform, row)),
      holdout.labels,
    );

    // Assess
    expect(baseline).toBe(0.5);
    expect(fitted).toBeGreaterThan(0.7);
  });
});

describe("fitLogistic stability", () => {
  it("gives a constant column weight 0 and stays finite", () => {
    // Prepare: column 1 is always 3; column 0 carries the signal.
    const rows = [
      [0, 3],
      [0, 3],
      [1, 3],
      [1, 3],
      [0, 3],
      [1, 3],
    ];
    const labels: Outcome[] = [0, 1, 1, 1, 0, 0];

    // Act
    const model = fitLogistic(rows, labels, { l2: 0.01 });

    // Assess
    expect(model.weights[1]).toBe(0);
    expect(model.weights[0]).toBeGreaterThan(0);
    expect([model.intercept, ...model.weights].every(Number.isFinite)).toBe(true);
    expect(model.converged).toBe(true);
  });

  it("keeps weights finite on perfectly separable data, and a weaker penalty lets them grow", () => {
    // Prepare: every lead above 0 won, every lead below lost.
    const rows = [[-2], [-1.5], [-1], [-0.5], [0.5], [1], [1.5], [2]].map((row) => Float64Array.from(row));
    const labels: Outcome[] = [0, 0, 0, 0, 1, 1, 1, 1];

    // Act
    const firm = fitLogistic(rows, labels, { l2: 0.1 });
    const loose = fitLogistic(rows, labels, { l2: 1e-6 });

    // Assess
    for (const model of [firm, loose]) {
      expect([model.intercept, ...model.weights].every(Number.isFinite)).toBe(true);
      expect(model.converged).toBe(true);
      expect(predict(model, [1])).toBeGreaterThan(0.5);
    }
    expect(loose.weights[0]).toBeGreaterThan(firm.weights[0] ?? Number.POSITIVE_INFINITY);
  });

  it("shares the weight equally between two identical columns", () => {
    // Prepare: columns 0 and 1 are copies; without the penalty their split would be arbitrary.
    const rows = Array.from({ length: 60 }, (_, index) => [index % 3, index % 3, (index * 7) % 5]);
    const labels = rows.map((_, index): Outcome => ((index * 13) % 4 === 0 || index % 3 === 2 ? 1 : 0));

    // Act
    const model = fitLogistic(rows, labels, { l2: 1e-6 });

    // Assess
    expect(model.converged).toBe(true);
    expect(model.weights[0]).toBeCloseTo(model.weights[1] ?? Number.NaN, 8);
    expect(model.weights[0]).toBeGreaterThan(0);
  });

  it("stays finite with a vanishing penalty on data separated by a wide margin", () => {
    // Prepare: one lead lost at 0, one won at 1, and a penalty of 10⁻¹⁵.
    const rows = [[0], [1]];
    const labels: Outcome[] = [0, 1];

    // Act
    const model = fitLogistic(rows, labels, { l2: 1e-15 });

    // Assess
    expect(model.converged).toBe(true);
    expect(Number.isFinite(model.intercept) && Number.isFinite(model.weights[0])).toBe(true);
    expect(predict(model, [1])).toBeGreaterThan(0.999);
    expect(predict(model, [0])).toBeLessThan(0.001);
  });

  it("gives bit-identical models for the same input, whether rows are arrays or Float64Arrays", () => {
    // Prepare
    const leads = generateKnownTruthLeads(B2B_SCENARIO, { count: 2_000, seed: 5 });
    const plain = leads.rows.map((row) => Array.from(row));

    // Act
    const first = fitLogistic(leads.rows, leads.labels, { l2: 1e-3 });
    const second = fitLogistic(leads.rows, leads.labels, { l2: 1e-3 });
    const fromArrays = fitLogistic(plain, leads.labels, { l2: 1e-3 });

    // Assess
    expect(second).toEqual(first);
    expect(fromArrays).toEqual(first);
  });

  it("reports not converged when stopped before the optimum", () => {
    // Prepare
    const leads = generateKnownTruthLeads(B2B_SCENARIO, { count: 2_000, seed: 5 });

    // Act
    const model = fitLogistic(leads.rows, leads.labels, { l2: 1e-3, maxIterations: 1 });

    // Assess
    expect(model.iterations).toBe(1);
    expect(model.converged).toBe(false);
    expect(model.weights.every(Number.isFinite)).toBe(true);
  });

  it.each<[string, () => unknown]>([
    ["a penalty of 0", () => fitLogistic([[1], [0]], [1, 0], { l2: 0 })],
    ["labels of a single class", () => fitLogistic([[1], [0]], [1, 1], { l2: 1 })],
    ["ragged rows", () => fitLogistic([[1, 2], [0]], [1, 0], { l2: 1 })],
    ["a non-finite feature", () => fitLogistic([[1], [Number.NaN]], [1, 0], { l2: 1 })],
    ["rows and labels of different lengths", () => fitLogistic([[1], [0]], [1], { l2: 1 })],
    ["a row of the wrong width to predict", () => predict({ intercept: 0, weights: [1, 2] }, [1])],
  ])("refuses %s", (_, call) => {
    // Act / Assess
    expect(call).toThrow(InvalidCalibrationInputError);
  });
});
