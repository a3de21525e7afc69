import { InvalidCalibrationInputError, UndefinedMetricError } from "./errors";
import { checkScores, countOutcomes, type Outcome } from "./labels";
import { averageRanks } from "./ranks";

/**
 * How well scores rank past leads whose outcome is known (1 won, 0 lost). Every metric here:
 * - treats tied scores as one block, so the result never depends on the order ties arrive in;
 * - throws InvalidCalibrationInputError for malformed input (lengths differ, no scores, a non-finite
 *   score, a label not 0 or 1);
 * - throws UndefinedMetricError when the labels lack a class the metric needs (ROC-AUC needs wins and
 *   losses; the others need at least one win) instead of returning NaN.
 */

/** Leads sharing one score, highest score first. */
interface ScoreBlock {
  readonly score: number;
  readonly leads: number;
  readonly wins: number;
}

function blocksByScoreDescending(scores: readonly number[], labels: readonly Outcome[]): ScoreBlock[] {
  const order = Array.from(scores.keys()).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const blocks: ScoreBlock[] = [];
  for (const index of order) {
    const score = scores[index] as number;
    const win = labels[index] === 1 ? 1 : 0;
    const last = blocks.at(-1);
    if (last && last.score === score)
      blocks[blocks.length - 1] = { score, leads: last.leads + 1, wins: last.wins + win };
    else blocks.push({ score, leads: 1, wins: win });
  }
  return blocks;
}

function requireWins(scores: readonly number[], labels: readonly Outcome[], metric: string) {
  checkScores(scores, labels);
  const counts = countOutcomes(labels);
  if (counts.wins === 0) throw new UndefinedMetricError(`${metric} is undefined without a single win`);
  return counts;
}

/**
 * Area under the ROC curve: the probability that a random win outscores a random loss, ties counting half.
 * Computed as the Mann–Whitney U statistic over mid-ranks, U / (wins × losses), in O(n log n).
 */
export function rocAuc(scores: readonly number[], labels: readonly Outcome[]): number {
  const { wins, losses } = requireWins(scores, labels, "ROC-AUC");
  if (losses === 0) throw new UndefinedMetricError("ROC-AUC is undefined without a single loss");
  const ranks = averageRanks(scores);
  let winRankSum = 0;
  for (const [index, label] of labels.entries()) if (label === 1) winRankSum += ranks[index] as number;
  return (winRankSum - (wins * (wins + 1)) / 2) / (wins * losses);
}

/**
 * Area under the precision-recall curve as average precision: Σ (recall gained) × (precision there), walking
 * down the scores a block of ties at a time (the step-wise definition, without interpolation). 1 when every
 * win outscores every loss; the win rate, on average, for random scores.
 */
export function averagePrecision(scores: readonly number[], labels: readonly Outcome[]): number {
  const { wins } = requireWins(scores, labels, "Average precision");
  let flagged = 0;
  let winsFlagged = 0;
  let area = 0;
  for (const block of blocksByScoreDescending(scores, labels)) {
    flagged += block.leads;
    winsFlagged += block.wins;
    area += (block.wins / wins) * (winsFlagged / flagged);
  }
  return area;
}

export interface LiftAtTop {
  /** The share of leads looked at, in percent of all leads (10 = the top 10 %). */
  readonly percent: number;
  /** How many leads that top holds: ⌈percent × n / 100⌉, at least one. */
  readonly leads: number;
  /** The win rate among them. */
  readonly winRate: number;
  /** That win rate divided by the overall win rate: 1 is no better than picking at random. */
  readonly lift: number;
}

/**
 * Lift in the top `percent` % of scores, for each percent asked (10, 20 and 30 unless told). When the cut
 * falls inside a block of tied scores, the block counts in proportion (its expected wins under a random
 * tie-break), so the answer does not depend on input order.
 */
export function liftAtTop(
  scores: readonly number[],
  labels: readonly Outcome[],
  percents: readonly number[] = [10, 20, 30],
): LiftAtTop[] {
  const { wins } = requireWins(scores, labels, "Lift");
  const overallWinRate = wins / labels.length;
  const blocks = blocksByScoreDescending(scores, labels);
  return percents.map((percent) => {
    if (!(percent > 0 && percent <= 100)) {
      throw new InvalidCalibrationInputError(`a top share of ${percent} % is not in (0, 100]`);
    }
    // The small allowance keeps 30 % of 10 leads at 3, not 4 (0.3 × 10 is 3.0000000000000004 in floats).
    const leads = Math.max(1, Math.ceil((percent * labels.length) / 100 - 1e-9));
    let remaining = leads;
    let winsInTop = 0;
    for (const block of blocks) {
      if (remaining <= 0) break;
      const taken = Math.min(remaining, block.leads);
      winsInTop += (block.wins * taken) / block.leads;
      remaining -= taken;
    }
    const winRate = winsInTop / leads;
    return { percent, leads, winRate, lift: winRate / overallWinRate };
  });
}

export interface ThresholdOutcome {
  readonly threshold: number;
  /** Leads scoring at or above the threshold. */
  readonly flagged: number;
  /** Their share of all leads. */
  readonly flaggedShare: number;
  /** The win rate among flagged leads; null when the threshold flags none (no rate to speak of). */
  readonly precision: number | null;
  /** Recall: the share of all wins the threshold captures. */
  readonly recall: number;
}

/** Precision, recall (share of wins captured) and share of leads flagged, for each threshold (score ≥ threshold). */
export function outcomesAtThresholds(
  scores: readonly number[],
  labels: readonly Outcome[],
  thresholds: readonly number[],
): ThresholdOutcome[] {
  const { wins } = requireWins(scores, labels, "Recall");
  const blocks = blocksByScoreDescending(scores, labels);
  return thresholds.map((threshold) => {
    if (Number.isNaN(threshold)) throw new InvalidCalibrationInputError("a threshold is NaN");
    let flagged = 0;
    let winsFlagged = 0;
    for (const block of blocks) {
      if (block.score < threshold) break;
      flagged += block.leads;
      winsFlagged += block.wins;
    }
    return {
      threshold,
      flagged,
      flaggedShare: flagged / labels.length,
      precision: flagged === 0 ? null : winsFlagged / flagged,
      recall: winsFlagged / wins,
    };
  });
}
