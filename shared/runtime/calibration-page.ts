import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { StoredCalibration } from "#shared/application/ports/calibration-reports";
import type { RankingQuality } from "#shared/domain/calibration/calibrate";
import { calibrationSvg } from "#shared/domain/calibration/chart-svg";
import type { LabelKind } from "#shared/domain/calibration/training-set";
import { escapeHtml, htmlPageResponse } from "./html-page";

/** What a report was calibrated on, as its summary says it. */
const LABEL_TEXT: Record<LabelKind, string> = {
  won: "won deals",
  sqo: "reaching sqo",
  qualified: "reps' decisions (qualify or disqualify)",
};

/**
 * GET /calibration/view: the latest calibration (npm run model -- calibrate) beside the funnel page: both
 * models on the held-out leads (the numbers, the gains curve, the win rate by score band) and the points
 * suggested per rule. One self-contained page, no script; without a calibration yet, it says how to make one.
 */
export function calibrationPageResponse(stored: StoredCalibration | undefined): APIGatewayProxyStructuredResultV2 {
  return htmlPageResponse((nonce) => calibrationPage(stored, nonce));
}

const fixed = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : "—");

export function calibrationPage(stored: StoredCalibration | undefined, nonce: string): string {
  const body = stored
    ? reportBody(stored)
    : `<p id="summary">No calibration yet: run <code>npm run model -- calibrate</code>.</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ripen calibration</title>
<style nonce="${nonce}">
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2a1f; background: #fbfaf5; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 16px; margin: 20px 0 8px; }
  table { border-collapse: collapse; margin: 8px 0; }
  th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #e3e6df; }
  th:first-child, td:first-child { text-align: left; }
  svg { max-width: 100%; height: auto; }
  .better { color: #2f7d32; font-weight: 600; }
</style>
</head>
<body>
<h1>Calibration</h1>
${body}
<p><a href="/funnel/view">The funnel</a></p>
</body>
</html>`;
}

function reportBody(stored: StoredCalibration): string {
  const { report } = stored;
  const metric = (name: string, pick: (quality: RankingQuality) => number, digits = 3) => {
    const current = pick(report.holdout.current);
    const calibrated = pick(report.holdout.calibrated);
    const better = calibrated > current ? ' class="better"' : "";
    return `<tr><td>${name}</td><td>${fixed(current, digits)}</td><td${better}>${fixed(calibrated, digits)}</td></tr>`;
  };
  const suggestions = report.suggestions
    .map(
      (suggestion) =>
        `<tr><td>${escapeHtml(suggestion.id)}</td><td>${suggestion.currentPoints ?? "—"}</td><td>${suggestion.suggestedPoints}${suggestion.evidence ? "" : " (kept: no evidence)"}</td></tr>`,
    )
    .join("\n");
  const title = `${stored.modelVersion}: current and calibrated on ${report.holdout.leads} held-out leads`;
  return `<p id="summary">Model ${escapeHtml(stored.modelVersion)}, calibrated on ${LABEL_TEXT[stored.label]} at ${escapeHtml(stored.at)}: ${stored.leads} leads read (${stored.unlabelled} without an outcome), ${report.train.leads} to fit, ${report.holdout.leads} held out${stored.cutoff ? ` (first touch from ${escapeHtml(stored.cutoff.slice(0, 10))})` : ""}.</p>
<h2>On the held-out leads</h2>
<table id="metrics">
<thead><tr><th></th><th>current</th><th>calibrated</th></tr></thead>
<tbody>
${metric("ROC-AUC", (quality) => quality.rocAuc)}
${metric("PR-AUC", (quality) => quality.prAuc)}
${metric("lift, top 10 %", (quality) => quality.liftTop10, 2)}
${metric("lift, top 20 %", (quality) => quality.liftTop20, 2)}
${metric("lift, top 30 %", (quality) => quality.liftTop30, 2)}
</tbody>
</table>
<figure id="chart">${calibrationSvg(report.holdout.curves, title)}</figure>
<h2>Points per rule</h2>
<table id="suggestions">
<thead><tr><th>rule</th><th>current</th><th>suggested</th></tr></thead>
<tbody>
${suggestions}
</tbody>
</table>
<p>${report.threshold.score === undefined ? `No calibrated score reaches a precision of ${report.threshold.precision}.` : `Leads scoring ${report.threshold.score} or more won ${Math.round(report.threshold.precision * 100)} % of the time or more (training leads).`} Write the candidate model with <code>npm run model -- calibrate --out candidate.yaml</code>, then <code>npm run model -- preview candidate.yaml</code>.</p>`;
}
