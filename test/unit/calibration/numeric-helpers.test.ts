import { describe, expect, it } from "vitest";
import { solveSymmetricPositiveDefinite } from "#shared/domain/calibration/cholesky";
import { seededRandom, standardNormal } from "#shared/domain/calibration/seeded-random";

describe("solveSymmetricPositiveDefinite", () => {
  it("solves a positive-definite system from its lower triangle", () => {
    // Prepare: A = [[4, 2, 0], [2, 5, 3], [0, 3, 6]] with x = [1, -1, 2] gives b = [2, 3, 9]; the upper
    // triangle holds junk the solver must not read.
    const matrix = Float64Array.from([4, 99, 99, 2, 5, 99, 0, 3, 6]);
    const rhs = Float64Array.from([2, 3, 9]);

    // Act
    const solution = solveSymmetricPositiveDefinite(matrix, 3, rhs);

    // Assess
    expect(Array.from(solution ?? [])).toEqual([expect.closeTo(1, 12), expect.closeTo(-1, 12), expect.closeTo(2, 12)]);
    expect(Array.from(rhs)).toEqual([2, 3, 9]);
  });

  it("returns null for a matrix that is not positive definite", () => {
    // Prepare: [[1, 2], [2, 1]] has eigenvalues 3 and −1.
    const matrix = Float64Array.from([1, 2, 2, 1]);

    // Act
    const solution = solveSymmetricPositiveDefinite(matrix, 2, Float64Array.from([1, 1]));

    // Assess
    expect(solution).toBeNull();
  });
});

describe("seededRandom", () => {
  it("repeats its sequence for a seed and stays in [0, 1)", () => {
    // Act
    const first = Array.from({ length: 1_000 }, seededRandom(42));
    const again = Array.from({ length: 1_000 }, seededRandom(42));
    const other = Array.from({ length: 1_000 }, seededRandom(43));

    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it("draws standard normals with mean 0 and spread 1", () => {
    // Prepare
    const random = seededRandom(9);

    // Act
    const draws = Array.from({ length: 20_000 }, () => standardNormal(random));

    // Assess
    const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
    const variance = draws.reduce((sum, value) => sum + (value - mean) ** 2, 0) / draws.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
