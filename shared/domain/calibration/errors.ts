import { RipenError } from "#shared/domain/errors";

/**
 * The codes calibration's errors go by. Calibration runs offline (a CLI, a batch), never behind an HTTP
 * route, so these codes name their own list instead of joining the domain's HTTP-mapped one.
 */
export const CALIBRATION_ERROR_CODES = ["invalid_calibration_input", "undefined_metric"] as const;
export type CalibrationErrorCode = (typeof CALIBRATION_ERROR_CODES)[number];

/** Inputs a calibration function cannot work with: ragged rows, lengths that differ, labels not 0/1, NaN. */
export class InvalidCalibrationInputError extends RipenError<CalibrationErrorCode> {
  readonly code = "invalid_calibration_input";
}

/**
 * A metric with no value on these labels (ROC-AUC with no wins or no losses, precision-recall with no wins,
 * a rank correlation of a constant list). Thrown rather than returned as NaN, which would slip into reports.
 */
export class UndefinedMetricError extends RipenError<CalibrationErrorCode> {
  readonly code = "undefined_metric";
}
