import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import * as z from "zod";
import { dynamoCalibrationReports } from "#shared/adapters/dynamodb/calibration-reports";
import { dynamoLeadHistoryScan, HISTORY_SCAN_SEGMENTS } from "#shared/adapters/dynamodb/lead-histories";
import { readModelFile } from "#shared/adapters/model-file";
import { type CalibrationRun, calibrateModel } from "#shared/application/calibrate-model";
import { type CalibrationReport, modelRules, type RankingQuality } from "#shared/domain/calibration/calibrate";
import { calibrationSvg } from "#shared/domain/calibration/chart-svg";
import type { CandidateRule } from "#shared/domain/calibration/features";
import { LABEL_KINDS, type LabelKind } from "#shared/domain/calibration/training-set";
import { loadEngine, modelPath } from "#shared/runtime/scoring-model";
import { openTable } from "./model-store";

export const CALIBRATE_USAGE =
  "usage: npm run model -- calibrate [--label won|sqo|qualified] [--holdout <fraction>] [--within <days>] [--out <file>] " +
  "[--svg <file>] [--json] [--min-outcomes <n>] [--precision <0..1>] [--segments <n>] [--aws]";

const Flags = z.strictObject({
  label: z.enum(LABEL_KINDS).default("won"),
  holdout: z.coerce.number().gt(0).lt(1).default(0.3),
  within: z.coerce.number().int().positive().optional(),
  out: z.string().min(1).optional(),
  svg: z.string().min(1).optional(),
  json: z.boolean().default(false),
  "min-outcomes": z.coerce.number().int().positive().default(100),
  precision: z.coerce.number().gt(0).lte(1).default(0.5),
  segments: z.coerce.number().int().min(1).max(1000).default(HISTORY_SCAN_SEGMENTS),
  aws: z.boolean().default(false),
});
type Flags = z.infer<typeof Flags>;

const SWITCHES = new Set(["json", "aws"]);

const LABEL_TEXT: Record<LabelKind, string> = {
  won: "won deals (lost: negative)",
  sqo: "reaching sqo (lost: negative)",
  qualified: "reps' decisions (qualified; disqualified: negative)",
};

/** The command line as flags; a message (with the usage) when it does not parse. */
export function parseCalibrateArgs(args: readonly string[]): Flags | string {
  const raw: Record<string, string | boolean> = {};
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (!arg.startsWith("--")) return `unexpected "${arg}"\n${CALIBRATE_USAGE}`;
    const name = arg.slice(2);
    if (SWITCHES.has(name)) raw[name] = true;
    else {
      const value = args[++index];
      if (value === undefined) return `--${name} needs a value\n${CALIBRATE_USAGE}`;
      raw[name] = value;
    }
  }
  const parsed = Flags.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `--${issue.path.join(".") || "?"}: ${issue.message}`);
  return `${problems.join("; ")}\n${CALIBRATE_USAGE}`;
}

/**
 * `npm run model -- calibrate`: calibrates the current model on the stored leads' outcomes, prints the
 * report (or `--json`), and with `--out` writes the candidate model: the current file with the suggested
 * points, plus the candidate fit rules worth a point or more, its version marked `-calibrated`. The report
 * is kept in the table for the report page (GET /calibration/view), replacing the previous one.
 */
export async function runCalibrate(args: readonly string[]): Promise<number> {
  const flags = parseCalibrateArgs(args);
  if (typeof flags === "string") {
    console.error(flags);
    return 2;
  }
  const path = modelPath();
  const model = readModelFile(path);
  const engine = loadEngine(path);
  const table = await openTable(flags.aws);
  const log = flags.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  log(`Reading ${table.describe}`);
  let run: CalibrationRun;
  try {
    run = await calibrateModel({
      histories: dynamoLeadHistoryScan({ ...table, segments: flags.segments }),
      engine,
      modelRules: modelRules(model),
      clock: () => new Date(),
      progress: (read) => {
        if (process.stderr.isTTY) process.stderr.write(`\r${read} leads read`);
      },
    })({
      label: flags.label,
      holdout: flags.holdout,
      minimumPerClass: flags["min-outcomes"],
      precision: flags.precision,
      ...(flags.within !== undefined && { withinDays: flags.within }),
    });
    // Kept for the report page (GET /calibration/view), replacing the previous one.
    await dynamoCalibrationReports(table).save({
      at: new Date().toISOString(),
      modelVersion: model.version,
      label: flags.label,
      leads: run.leads,
      unlabelled: run.unlabelled,
      ...(run.cutoff !== undefined && { cutoff: run.cutoff }),
      report: run.report,
    });
  } finally {
    if (process.stderr.isTTY) process.stderr.write("\n");
    await table.close();
  }
  if (flags.out) {
    writeFileSync(resolve(flags.out), candidateModelText(readFileSync(path, "utf8"), run.report));
    log(`wrote the candidate model to ${flags.out}: check it with npm run model -- check ${flags.out}`);
  }
  if (flags.svg) {
    const title = `${model.version}: current and calibrated on ${run.report.holdout.leads} held-out leads`;
    writeFileSync(resolve(flags.svg), calibrationSvg(run.report.holdout.curves, title));
    log(`wrote the gains curve and the win rate by score band to ${flags.svg}`);
  }
  if (flags.json) console.log(JSON.stringify(reportJson(run, flags), null, 2));
  else console.log(formatReport(run, flags));
  return 0;
}

function reportJson(run: CalibrationRun, flags: Flags) {
  const { report } = run;
  return {
    label: flags.label,
    leads: run.leads,
    unlabelled: run.unlabelled,
    cutoff: run.cutoff,
    train: report.train,
    holdout: report.holdout,
    suggestions: report.suggestions.map((suggestion) => ({
      ruleId: suggestion.id,
      currentPoints: suggestion.currentPoints ?? null,
      suggestedPoints: suggestion.suggestedPoints,
      evidence: suggestion.evidence,
    })),
    candidates: report.candidates,
    threshold: report.threshold,
    pointsPerLogOdds: report.pointsPerLogOdds,
    converged: report.converged,
  };
}

const fixed = (value: number, digits = 3) => value.toFixed(digits);

function formatReport(run: CalibrationRun, flags: Flags): string {
  const { report } = run;
  const row = (name: string, quality: RankingQuality) =>
    `  ${name.padEnd(11)} ${fixed(quality.rocAuc).padStart(7)} ${fixed(quality.prAuc).padStart(7)} ` +
    `${fixed(quality.liftTop10, 2).padStart(6)} ${fixed(quality.liftTop20, 2).padStart(6)} ${fixed(quality.liftTop30, 2).padStart(6)}`;
  const lines = [
    `Calibrated on ${LABEL_TEXT[flags.label]}: ` +
      `${run.leads} leads read, ${run.unlabelled} without an outcome left out`,
    `  train ${report.train.leads} (${report.train.positives} positive), holdout ${report.holdout.leads} ` +
      `(${report.holdout.positives} positive), the latest ${Math.round(flags.holdout * 100)} % by first event` +
      (run.cutoff ? `, from ${run.cutoff.slice(0, 10)}` : ""),
    "",
    "  holdout     ROC-AUC  PR-AUC  lift@10 @20    @30",
    row("current", report.holdout.current),
    row("calibrated", report.holdout.calibrated),
    "",
    "  rule                                     current  suggested",
    ...report.suggestions.map(
      (suggestion) =>
        `  ${suggestion.id.padEnd(40)} ${String(suggestion.currentPoints ?? "—").padStart(7)}  ${String(suggestion.suggestedPoints).padStart(9)}${suggestion.evidence ? "" : "  kept: no training lead triggered it"}`,
    ),
    "",
    report.threshold.score === undefined
      ? `  no calibrated score reaches a precision of ${report.threshold.precision} on the training leads`
      : `  leads scoring ${report.threshold.score} or more won ${Math.round(report.threshold.precision * 100)} % of the time or more (training leads)`,
  ];
  if (!report.converged) lines.push("  note: the fit stopped before it converged; treat the suggestions with care");
  return lines.join("\n");
}

/**
 * The candidate model: the current file (its comments kept) with each rule's suggested points, the
 * candidate fit rules worth at least a point appended to `fit`, and the version marked as calibrated.
 */
export function candidateModelText(current: string, report: CalibrationReport): string {
  const document = parseDocument(current);
  const suggested = new Map(report.suggestions.map((suggestion) => [suggestion.id, suggestion.suggestedPoints]));
  const setPoints = (rules: unknown) => {
    if (!isSeq(rules)) return;
    for (const rule of rules.items) {
      if (!isMap(rule)) continue;
      const id = (rule as YAMLMap).get("id");
      const points = typeof id === "string" ? suggested.get(id) : undefined;
      if (points !== undefined) (rule as YAMLMap).set("points", points);
    }
  };
  setPoints(document.get("fit"));
  setPoints(document.getIn(["engagement", "rules"]));
  const added = report.candidates
    .map((candidate) => ({ candidate, points: suggested.get(candidate.id) ?? 0 }))
    .filter(({ points }) => Math.abs(points) >= 1)
    .map(({ candidate, points }) => candidateFitRule(candidate, points));
  if (added.length > 0) {
    const fit = document.get("fit");
    if (isSeq(fit)) for (const rule of added) fit.add(document.createNode(rule));
    else document.set("fit", document.createNode(added));
  }
  const version = String(document.get("version") ?? "model");
  document.set("version", `${version.replace(/-calibrated$/, "").slice(0, 53)}-calibrated`);
  return document.toString();
}

function candidateFitRule(candidate: CandidateRule, points: number) {
  const field = `attributes.${candidate.attribute}`;
  if ("equals" in candidate) {
    return {
      id: `calibrated.${slug(candidate.attribute)}.${slug(String(candidate.equals))}`.slice(0, 64),
      label: `${candidate.attribute} is ${candidate.equals}`,
      when: { field, equals: candidate.equals },
      points,
    };
  }
  const { min, max } = candidate.range;
  return {
    id: `calibrated.${slug(candidate.attribute)}.${min ?? "low"}-${max ?? "high"}`.slice(0, 64),
    label: `${candidate.attribute} ${min ?? "…"}–${max ?? "…"}`,
    when: { field, range: candidate.range },
    points,
  };
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "") || "value";
