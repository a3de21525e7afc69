import { describe, expect, it } from "vitest";
import { InvalidCalibrationInputError, UndefinedMetricError } from "#shared/domain/calibration/errors";
import type { Outcome } from "#shared/domain/calibration/labels";
import { averagePrecision, liftAtTop, outcomesAtThresholds, rocAuc } from "#shared/domain/calibration/metrics";
import { seededRandom } from "#shared/domain/calibration/seeded-random";

describe("rocAuc", () => {
  it.each<[string, number[], Outcome[], number]>([
    ["a perfect ranking", [0.9, 0.8, 0.3, 0.2], [1, 1, 0, 0], 1],
    ["a reversed ranking", [0.2, 0.3, 0.8, 0.9], [1, 1, 0, 0], 0],
    ["all scores tied", [0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0], 0.5],
    ["three of four win–loss pairs in order", [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.75],
    ["a win tied with a loss counting half", [0.5, 0.5, 0.2], [1, 0, 0], 0.75],
  ])("%s", (_, scores, labels, expected) => {
    // Act
    const auc = rocAuc(scores, labels);

    // Assess
    expect(auc).toBeCloseTo(expected, 12);
  });

  it("equals the share of win–loss pairs the scores order correctly, ties counting half", () => {
    // Prepare: few distinct scores, so ties are common.
    const random = seededRandom(7);
    const scores = Array.from({ length: 300 }, () => Math.floor(random() * 12));
    const labels = scores.map((score): Outcome => (random() < 0.2 + score / 20 ? 1 : 0));
    let pairs = 0;
    let ordered = 0;
    for (const [w, winScore] of scores.entries()) {
      if (labels[w] !== 1) continue;
      for (const [l, lossScore] of scores.entries()) {
        if (labels[l] !== 0) continue;
        pairs += 1;
        ordered += winScore > lossScore ? 1 : winScore === lossScore ? 0.5 : 0;
      }
    }

    // Act
    const auc = rocAuc(scores, labels);

    // Assess
    expect(auc).toBeCloseTo(ordered / pairs, 12);
    expect(auc).toBeGreaterThan(0.6);
  });

  it.each<[string, Outcome[]]>([
    ["no wins", [0, 0, 0]],
    ["no losses", [1, 1, 1]],
  ])("refuses labels with %s", (_, labels) => {
    // Act / Assess
    expect(() => rocAuc([0.1, 0.2, 0.3], labels)).toThrow(UndefinedMetricError);
  });
});

describe("averagePrecision", () => {
  it("averages the precision at each win, walking down the scores", () => {
    // Prepare: wins at positions 1, 3 and 5 → precisions 1/1, 2/3, 3/5.
    const scores = [0.9, 0.8, 0.7, 0.6, 0.5];
    const labels: Outcome[] = [1, 0, 1, 0, 1];

    // Act
    const precision = averagePrecision(scores, labels);

    // Assess: (1 + 2/3 + 3/5) / 3 = 34/45.
    expect(precision).toBeCloseTo(34 / 45, 12);
  });

  it("counts a block of tied scores as one step", () => {
    // Prepare: the win is tied with a loss, below a loss: precision 1/3 at the block, recall 0 → 1.
    const scores = [0.9, 0.5, 0.5];
    const labels: Outcome[] = [0, 1, 0];

    // Act
    const precision = averagePrecision(scores, labels);

    // Assess
    expect(precision).toBeCloseTo(1 / 3, 12);
  });

  it("is 1 when every lead won, and refuses labels without a win", () => {
    // Act / Assess
    expect(averagePrecision([0.3, 0.1], [1, 1])).toBe(1);
    expect(() => averagePrecision([0.3, 0.1], [0, 0])).toThrow(UndefinedMetricError);
  });
});

describe("liftAtTop", () => {
  it("divides the win rate of the top 10, 20 and 30 % by the overall win rate", () => {
    // Prepare: 10 leads, 3 wins (30 %): the top 1 and 2 are all wins, the top 3 hold 2 wins.
    const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const labels: Outcome[] = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];

    // Act
    const lifts = liftAtTop(scores, labels);

    // Assess
    expect(lifts.map(({ percent, leads }) => [percent, leads])).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    expect(lifts.map(({ lift }) => lift)).toEqual([
      expect.closeTo(1 / 0.3, 12),
      expect.closeTo(1 / 0.3, 12),
      expect.closeTo(2 / 3 / 0.3, 12),
    ]);
  });

  it("takes a block of ties cut by the boundary in proportion, whatever the input order", () => {
    // Prepare: the top 25 % is one lead out of a tied pair holding one win: half a win expected.
    const labels: Outcome[] = [1, 0, 0, 0];
    const reordered: Outcome[] = [0, 1, 0, 0];

    // Act
    const [lift] = liftAtTop([1, 1, 0, 0], labels, [25]);
    const [same] = liftAtTop([1, 1, 0, 0], reordered, [25]);

    // Assess
    expect(lift).toEqual({ percent: 25, leads: 1, winRate: 0.5, lift: 2 });
    expect(same).toEqual(lift);
  });

  it("refuses a share outside (0, 100] and labels without a win", () => {
    // Act / Assess
    expect(() => liftAtTop([1, 2], [0, 1], [0])).toThrow(InvalidCalibrationInputError);
    expect(() => liftAtTop([1, 2], [0, 1], [120])).toThrow(InvalidCalibrationInputError);
    expect(() => liftAtTop([1, 2], [0, 0])).toThrow(UndefinedMetricError);
  });
});

describe("outcomesAtThresholds", () => {
  it("reports precision, recall and share flagged for leads at or above each threshold", () => {
    // Prepare
    const scores = [0.9, 0.7, 0.7, 0.4, 0.1];
    const labels: Outcome[] = [1, 1, 0, 0, 1];

    // Act
    const outcomes = outcomesAtThresholds(scores, labels, [0.8, 0.7, 0.05, 0.95]);

    // Assess
    expect(outcomes).toEqual([
      { threshold: 0.8, flagged: 1, flaggedShare: 0.2, precision: 1, recall: 1 / 3 },
      { threshold: 0.7, flagged: 3, flaggedShare: 0.6, precision: 2 / 3, recall: 2 / 3 },
      { threshold: 0.05, flagged: 5, flaggedShare: 1, precision: 0.6, recall: 1 },
      { threshold: 0.95, flagged: 0, flaggedShare: 0, precision: null, recall: 0 },
    ]);
  });
});

describe("malformed input", () => {
  it.each<[string, () => unknown]>([
    ["scores and labels of different lengths", () => rocAuc([0.1, 0.2], [1])],
    ["no scores at all", () => averagePrecision([], [])],
    ["a NaN score", () => rocAuc([0.1, Number.NaN], [1, 0])],
    ["a label that is not 0 or 1", () => rocAuc([0.1, 0.2], [1, 2 as Outcome])],
  ])("refuses %s", (_, call) => {
    // Act / Assess
    expect(call).toThrow(InvalidCalibrationInputError);
  });
});
