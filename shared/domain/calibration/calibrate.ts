import type { ScoringModel } from "../model/schema";
import type { ModelCurves } from "./chart-svg";
import { conversionByBand, gainsCurve } from "./curves";
import { InvalidCalibrationInputError } from "./errors";
import { type CandidateOptions, type CandidateRule, candidateRules, featureRows, type LeadFeatures } from "./features";
import type { Outcome } from "./labels";
import { fitLogistic } from "./logistic-regression";
import { averagePrecision, liftAtTop, outcomesAtThresholds, rocAuc } from "./metrics";
import { type SuggestedPoints, suggestedPoints } from "./suggested-points";

/** A rule of the current model as calibration prices it. */
export interface ModelRule {
  id: string;
  points: number;
}

/** A model's scoring rules (fit, then engagement) with their points: what calibration prices. */
export function modelRules(model: Pick<ScoringModel, "fit" | "engagement">): ModelRule[] {
  return [...model.fit, ...model.engagement.rules].map((rule) => ({ id: rule.id, points: rule.points }));
}

export interface CalibrationInput {
  train: readonly LeadFeatures[];
  holdout: readonly LeadFeatures[];
  /** The current model's scoring rules (fit and engagement), with their points. */
  modelRules: readonly ModelRule[];
  candidates?: CandidateOptions;
  /** The L2 penalty on standardised weights (default 1). */
  l2?: number;
  /** The data gate: the training set needs at least this many positives and as many negatives (default 100). */
  minimumPerClass?: number;
  /** The precision the suggested thresholds are set at (default 0.5). */
  precision?: number;
}

/** How well a score ranks the holdout's outcomes. */
export interface RankingQuality {
  rocAuc: number;
  prAuc: number;
  liftTop10: number;
  liftTop20: number;
  liftTop30: number;
}

export interface CalibrationReport {
  train: { leads: number; positives: number; negatives: number };
  holdout: {
    leads: number;
    positives: number;
    negatives: number;
    current: RankingQuality;
    calibrated: RankingQuality;
    /** The gains curve and win rate by score band of both models, for the picture (chart-svg.ts). */
    curves: { current: ModelCurves; calibrated: ModelCurves };
  };
  /** Points per rule (the model's, then the candidates'), current beside suggested. */
  suggestions: SuggestedPoints[];
  /** The candidate fit rules proposed from attribute values, with their training support. */
  candidates: CandidateRule[];
  pointsPerLogOdds: number;
  /** The lowest calibrated score whose leads win at the stated precision on the training set (undefined: none does). */
  threshold: { precision: number; score: number | undefined };
  converged: boolean;
}

/** Below the data gate: too few outcomes of one kind to fit anything worth deploying. */
export class NotEnoughOutcomesError extends InvalidCalibrationInputError {}

/**
 * Calibrates the model's points on leads with known outcomes.
 * Input: training and holdout features (split by time, labelled without leakage: training-set.ts), the
 * model's rules. Output: the report: the current and the calibrated model side by side on the holdout,
 * suggested points for every rule and candidate at the model's own scale, and a threshold.
 * Main course: candidate rules from the training leads' attributes; an L2-regularised logistic regression
 * on the model's rule contributions and the candidates; weights turned into points (suggested-points.ts);
 * the holdout scored both ways.
 * Guarantees: the holdout is never read to fit or to propose candidates; below `minimumPerClass` positives
 * or negatives in training it throws NotEnoughOutcomesError and fits nothing; the calibrated score the report
 * judges is the one the suggested points would give (rounded as scores are).
 */
export function calibrate(input: CalibrationInput): CalibrationReport {
  const minimum = input.minimumPerClass ?? 100;
  const trainLabels = labelsOf(input.train);
  const holdoutLabels = labelsOf(input.holdout);
  const trainCounts = counts(trainLabels);
  if (trainCounts.positives < minimum || trainCounts.negatives < minimum) {
    throw new NotEnoughOutcomesError(
      `calibration needs at least ${minimum} positive and ${minimum} negative leads in training; it has ` +
        `${trainCounts.positives} and ${trainCounts.negatives}`,
    );
  }
  const candidates = candidateRules(input.train, input.candidates);
  const trainRows = featureRows(input.train, input.modelRules, candidates);
  const model = fitLogistic(trainRows, trainLabels, {
    l2: input.l2 ?? 1,
  });
  const support = (column: number) => trainRows.reduce((count, row) => count + (row[column] !== 0 ? 1 : 0), 0);
  const columns = [
    ...input.modelRules.map((rule, index) => ({
      id: rule.id,
      currentPoints: rule.points,
      weight: model.weights[index] ?? 0,
      support: support(index),
    })),
    ...candidates.map((candidate, index) => ({
      id: candidate.id,
      weight: model.weights[input.modelRules.length + index] ?? 0,
      support: candidate.support,
    })),
  ];
  const { pointsPerLogOdds, suggestions } = suggestedPoints(columns);
  const points = suggestions.map((suggestion) => suggestion.suggestedPoints);
  const calibratedScore = (row: readonly number[]) =>
    row.reduce((sum, value, column) => sum + value * (points[column] ?? 0), 0);
  const holdoutRows = featureRows(input.holdout, input.modelRules, candidates);
  const currentScores = input.holdout.map((lead) => lead.score);
  const calibratedScores = holdoutRows.map(calibratedScore);
  const trainScores = trainRows.map(calibratedScore);
  const precision = input.precision ?? 0.5;
  return {
    train: { leads: input.train.length, ...trainCounts },
    holdout: {
      leads: input.holdout.length,
      ...counts(holdoutLabels),
      current: quality(currentScores, holdoutLabels),
      calibrated: quality(calibratedScores, holdoutLabels),
      curves: {
        current: curvesOf(currentScores, holdoutLabels),
        calibrated: curvesOf(calibratedScores, holdoutLabels),
      },
    },
    suggestions,
    candidates,
    pointsPerLogOdds,
    threshold: { precision, score: thresholdAt(trainScores, trainLabels, precision) },
    converged: model.converged,
  };
}

const labelsOf = (leads: readonly LeadFeatures[]): Outcome[] => leads.map((lead) => (lead.positive ? 1 : 0));

function counts(labels: readonly Outcome[]) {
  const positives = labels.filter((label) => label === 1).length;
  return { positives, negatives: labels.length - positives };
}

function quality(scores: readonly number[], labels: readonly Outcome[]): RankingQuality {
  const [top10, top20, top30] = liftAtTop(scores, labels, [10, 20, 30]);
  return {
    rocAuc: rocAuc(scores, labels),
    prAuc: averagePrecision(scores, labels),
    liftTop10: top10?.lift ?? Number.NaN,
    liftTop20: top20?.lift ?? Number.NaN,
    liftTop30: top30?.lift ?? Number.NaN,
  };
}

const curvesOf = (scores: readonly number[], labels: readonly Outcome[]): ModelCurves => ({
  gains: gainsCurve(scores, labels),
  bands: conversionByBand(scores, labels),
});

/** The lowest score at which the leads at or above it win at least `precision` of the time. */
function thresholdAt(scores: readonly number[], labels: readonly Outcome[], precision: number): number | undefined {
  const thresholds = [...new Set(scores)].sort((a, b) => a - b);
  const outcomes = outcomesAtThresholds(scores, labels, thresholds);
  return outcomes.find((outcome) => outcome.precision !== null && outcome.precision >= precision)?.threshold;
}
