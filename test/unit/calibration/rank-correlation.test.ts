import { describe, expect, it } from "vitest";
import { InvalidCalibrationInputError, UndefinedMetricError } from "#shared/domain/calibration/errors";
import { spearman } from "#shared/domain/calibration/rank-correlation";
import { averageRanks } from "#shared/domain/calibration/ranks";

describe("averageRanks", () => {
  it("gives tied values the mean of the ranks they span, in input order", () => {
    // Act
    const ranks = averageRanks([10, 20, 20, 5, 20]);

    // Assess: 5 → 1, 10 → 2, the three 20s share ranks 3, 4 and 5.
    expect(Array.from(ranks)).toEqual([2, 4, 4, 1, 4]);
  });
});

describe("spearman", () => {
  it.each<[string, number[], number[], number]>([
    ["a monotone but non-linear relation", [1, 2, 3, 4], [1, 4, 9, 16], 1],
    ["a reversed order", [1, 2, 3, 4], [8, 6, 4, 2], -1],
    // Ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]: 4.5 / √(4.5 × 5).
    ["ties taking average ranks", [1, 2, 2, 3], [1, 2, 3, 4], 4.5 / Math.sqrt(22.5)],
  ])("%s", (_, left, right, expected) => {
    // Act
    const correlation = spearman(left, right);

    // Assess
    expect(correlation).toBeCloseTo(expected, 12);
  });

  it("refuses a constant list, lists of different lengths and a single pair", () => {
    // Act / Assess
    expect(() => spearman([3, 3, 3], [1, 2, 3])).toThrow(UndefinedMetricError);
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(InvalidCalibrationInputError);
    expect(() => spearman([1], [1])).toThrow(InvalidCalibrationInputError);
  });
});
