import type { CalibrationReport } from "#shared/domain/calibration/calibrate";
import type { LabelKind } from "#shared/domain/calibration/training-set";

/** A calibration report as kept for the report page: when, on what, and the report. */
export interface StoredCalibration {
  at: string;
  modelVersion: string;
  label: LabelKind;
  /** Stored leads read, and those left out for want of an outcome. */
  leads: number;
  unlabelled: number;
  cutoff?: string;
  report: CalibrationReport;
}

/** Where the latest calibration is kept: one report, replaced by the next. */
export interface CalibrationReports {
  save(stored: StoredCalibration): Promise<void>;
  latest(): Promise<StoredCalibration | undefined>;
}
