import { InvalidCalibrationInputError } from "./errors";

/** A past lead's known outcome: 1 won, 0 lost. */
export type Outcome = 0 | 1;

/** How many wins and losses a list of outcomes holds, after checking each is 0 or 1. */
export function countOutcomes(labels: readonly number[]): { wins: number; losses: number } {
  let wins = 0;
  for (const [index, label] of labels.entries()) {
    if (label === 1) wins += 1;
    else if (label !== 0) throw new InvalidCalibrationInputError(`label ${index} is ${label}, not 0 or 1`);
  }
  return { wins, losses: labels.length - wins };
}

/** Refuses score lists that are empty, hold a non-finite score, or do not pair one to one with their labels. */
export function checkScores(scores: readonly number[], labels: readonly number[]): void {
  if (scores.length !== labels.length) {
    throw new InvalidCalibrationInputError(`${scores.length} scores for ${labels.length} labels`);
  }
  if (scores.length === 0) throw new InvalidCalibrationInputError("no scores");
  for (const [index, score] of scores.entries()) {
    if (!Number.isFinite(score)) throw new InvalidCalibrationInputError(`score ${index} is ${score}`);
  }
}
