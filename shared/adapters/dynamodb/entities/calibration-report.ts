import type { StoredCalibration } from "#shared/application/ports/calibration-reports";
import { entityItem, type Item, itemKey, packedBody, unpackedBody } from "./item";

/**
 * The latest calibration report (npm run model -- calibrate), for the page beside the funnel's:
 * pk CALIBRATION, sk LATEST, the report packed in the body. No personal data: counts, rules and curves.
 */
export const CALIBRATION_REPORT = "calibration-report";
const CALIBRATION_PK = "CALIBRATION";
const LATEST_SK = "LATEST";

export const latestCalibrationKey = (): Item => itemKey(CALIBRATION_PK, LATEST_SK);

export const calibrationReportItem = (stored: StoredCalibration): Item => ({
  ...entityItem(CALIBRATION_REPORT, CALIBRATION_PK, LATEST_SK, { at: stored.at }),
  ...packedBody(stored),
});

export const toStoredCalibration = (item: Item): StoredCalibration | undefined => unpackedBody<StoredCalibration>(item);
