import { roundPoints } from "../scoring-engine";

/** One column of the design matrix as calibration reports it: a model rule (with its points) or a candidate. */
export interface CalibratedColumn {
  id: string;
  /** The rule's points in the current model; undefined for a candidate rule the model doesn't have. */
  currentPoints?: number;
  /** The fitted weight: log-odds per unit of the column (one full hit of the rule, or a match). */
  weight: number;
  /** Training leads the column is non-zero for; 0: no evidence either way. */
  support?: number;
}

export interface SuggestedPoints {
  id: string;
  currentPoints?: number;
  suggestedPoints: number;
  /** False for a rule no training lead triggered (before its outcome): its points are kept, not learnt. */
  evidence: boolean;
}

export interface PointScale {
  /** Points per unit of log-odds. */
  pointsPerLogOdds: number;
  suggestions: SuggestedPoints[];
}

/**
 * Weights in the model's own units: points per unit of log-odds chosen so the model's rules keep, as
 * closely as least squares allows, the points they have now (so the mql and sql thresholds keep their
 * meaning), then every column's weight at that scale, rounded as scores are.
 * Guarantees: the scale is positive (a model whose rules all point the wrong way falls back to the
 * ratio of the total absolute points to the total absolute weight); a model rule no training lead
 * triggered (support 0: a rule on an outcome event, or one the history never shows) keeps its points and
 * takes no part in the scale, since no evidence is not evidence of no worth; the same weights give the
 * same suggestions.
 */
export function suggestedPoints(columns: readonly CalibratedColumn[]): PointScale {
  let product = 0;
  let squares = 0;
  let currentTotal = 0;
  let weightTotal = 0;
  const hasEvidence = (column: CalibratedColumn) => column.support === undefined || column.support > 0;
  for (const column of columns) {
    if (column.currentPoints === undefined || !hasEvidence(column)) continue;
    product += column.weight * column.currentPoints;
    squares += column.weight * column.weight;
    currentTotal += Math.abs(column.currentPoints);
    weightTotal += Math.abs(column.weight);
  }
  let scale = squares > 0 ? product / squares : 0;
  if (!(scale > 0)) scale = weightTotal > 0 ? currentTotal / weightTotal : 1;
  return {
    pointsPerLogOdds: scale,
    suggestions: columns.map((column) => {
      const evidence = hasEvidence(column);
      return {
        id: column.id,
        ...(column.currentPoints !== undefined && { currentPoints: column.currentPoints }),
        suggestedPoints:
          !evidence && column.currentPoints !== undefined
            ? column.currentPoints
            : roundPoints(column.weight * scale) + 0,
        evidence,
      };
    }),
  };
}
