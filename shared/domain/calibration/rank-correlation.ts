import { InvalidCalibrationInputError, UndefinedMetricError } from "./errors";
import { averageRanks } from "./ranks";

/**
 * Spearman's rank correlation of two paired lists: the Pearson correlation of their average ranks, so ties
 * are handled by mid-ranks and the result lies in [-1, 1]. Throws InvalidCalibrationInputError for lists of
 * different lengths, fewer than two pairs or non-finite values, and UndefinedMetricError when either list is
 * constant (its ranks have no spread, so no correlation exists).
 */
export function spearman(left: readonly number[], right: readonly number[]): number {
  if (left.length !== right.length) {
    throw new InvalidCalibrationInputError(`${left.length} values paired with ${right.length}`);
  }
  if (left.length < 2) throw new InvalidCalibrationInputError("a correlation needs at least two pairs");
  for (const value of [...left, ...right]) {
    if (!Number.isFinite(value)) throw new InvalidCalibrationInputError(`value ${value} is not finite`);
  }
  const leftRanks = averageRanks(left);
  const rightRanks = averageRanks(right);
  // Both rank lists have the same mean, (n + 1) / 2, whatever the ties.
  const mean = (left.length + 1) / 2;
  let covariance = 0;
  let leftSpread = 0;
  let rightSpread = 0;
  for (let index = 0; index < left.length; index += 1) {
    const l = (leftRanks[index] as number) - mean;
    const r = (rightRanks[index] as number) - mean;
    covariance += l * r;
    leftSpread += l * l;
    rightSpread += r * r;
  }
  if (leftSpread === 0 || rightSpread === 0) {
    throw new UndefinedMetricError("a rank correlation is undefined when one list is constant");
  }
  return covariance / Math.sqrt(leftSpread * rightSpread);
}
