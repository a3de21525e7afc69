import type { LeadHistoryScan } from "#shared/application/ports/lead-reads";
import { type CalibrationReport, calibrate, type ModelRule } from "#shared/domain/calibration/calibrate";
import { type CandidateOptions, leadFeatures } from "#shared/domain/calibration/features";
import {
  type LabelKind,
  type LeadHistory,
  labelledExamples,
  splitByFirstEvent,
} from "#shared/domain/calibration/training-set";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { mapConcurrent } from "./pacing/concurrency";

export interface CalibrateModelDeps {
  histories: LeadHistoryScan;
  /** Parts of the read in flight at once (default 8). */
  partsAtOnce?: number;
  /** The current model's engine: features are what it scores. */
  engine: ScoringEngine;
  /** Its fit and engagement rules, with their points. */
  modelRules: readonly ModelRule[];
  clock: () => Date;
  /** Called after each page of leads read (of any part), with how many were read so far. */
  progress?: (leadsRead: number) => void;
}

export interface CalibrateModelOptions {
  label: LabelKind;
  /** The share of the latest leads (by first event) held out to judge both models (0..1). */
  holdout: number;
  withinDays?: number;
  l2?: number;
  minimumPerClass?: number;
  precision?: number;
  candidates?: CandidateOptions;
}

export interface CalibrationRun {
  report: CalibrationReport;
  /** Stored leads read, and how many had no label (no outcome yet). */
  leads: number;
  unlabelled: number;
  cutoff: string | undefined;
}

/**
 * Calibrates the model on the stored leads' own outcomes.
 * Input: how to label and split. Output: the calibration report, with how many leads were read.
 * Main course: every stored lead's history (its events, and when it first reached sqo) in one pass over
 * the table, a few of its parts read at once; labels without leakage; a split by first event; features
 * replayed by the current engine; calibrate().
 * Guarantees: reads only; each stored lead counts once (a lead met twice is an error, never a second
 * example); the same table gives the same report, whatever order the parts arrive in (the split orders
 * leads by first event, then id).
 */
export const calibrateModel =
  (deps: CalibrateModelDeps) =>
  async (options: CalibrateModelOptions): Promise<CalibrationRun> => {
    const histories = new Map<string, LeadHistory>();
    const reachedSqo = options.label === "sqo";
    const decisions = options.label === "qualified";
    const readPart = async (segment: number) => {
      for await (const page of deps.histories.read(segment, { reachedSqo, decisions })) {
        for (const history of page) {
          if (histories.has(history.leadId)) throw new Error(`lead ${history.leadId} was read twice`);
          histories.set(history.leadId, history);
        }
        deps.progress?.(histories.size);
      }
    };
    const segments = Array.from({ length: deps.histories.segments }, (_, segment) => segment);
    await mapConcurrent(segments, deps.partsAtOnce ?? 8, readPart);
    const { examples, unlabelled } = labelledExamples([...histories.values()], {
      label: options.label,
      now: deps.clock(),
      ...(options.withinDays !== undefined && { withinDays: options.withinDays }),
    });
    const split = splitByFirstEvent(examples, options.holdout);
    const report = calibrate({
      train: split.train.map((example) => leadFeatures(deps.engine, example)),
      holdout: split.holdout.map((example) => leadFeatures(deps.engine, example)),
      modelRules: deps.modelRules,
      ...(options.l2 !== undefined && { l2: options.l2 }),
      ...(options.minimumPerClass !== undefined && { minimumPerClass: options.minimumPerClass }),
      ...(options.precision !== undefined && { precision: options.precision }),
      ...(options.candidates && { candidates: options.candidates }),
    });
    return { report, leads: histories.size, unlabelled, cutoff: split.cutoff };
  };
