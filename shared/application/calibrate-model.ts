import type { StageIndex } from "#shared/application/ports/lead-reads";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { type CalibrationReport, calibrate, type ModelRule } from "#shared/domain/calibration/calibrate";
import { type CandidateOptions, leadFeatures } from "#shared/domain/calibration/features";
import {
  type LabelKind,
  type LeadHistory,
  labelledExamples,
  splitByFirstEvent,
} from "#shared/domain/calibration/training-set";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { walkStoredLeads } from "./listing/stored-leads";
import { mapConcurrent } from "./pacing/concurrency";

export interface CalibrateModelDeps {
  index: StageIndex;
  store: Pick<LeadStore, "loadHistory" | "listTransitions">;
  /** The current model's engine: features are what it scores. */
  engine: ScoringEngine;
  /** Its fit and engagement rules, with their points. */
  modelRules: readonly ModelRule[];
  clock: () => Date;
  /** Called after each page of leads read, with how many were read so far. */
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
 * Main course: every stored lead through the stage indexes (no Scan), its events and the time it first
 * reached sqo; labels without leakage; a split by first event; features replayed by the current engine;
 * calibrate().
 * Guarantees: reads only, one lead's history at a time (a few at once); a lead met twice by the walk (it
 * moved stage meanwhile) counts once; the same table gives the same report.
 */
export const calibrateModel =
  (deps: CalibrateModelDeps) =>
  async (options: CalibrateModelOptions): Promise<CalibrationRun> => {
    const seen = new Set<string>();
    const histories: LeadHistory[] = [];
    for await (const page of walkStoredLeads(deps.index)) {
      const fresh = page.leadIds.filter((leadId) => !seen.has(leadId));
      for (const leadId of fresh) seen.add(leadId);
      const read = await mapConcurrent(fresh, 8, async (leadId) => {
        const [history, transitions] = await Promise.all([
          deps.store.loadHistory(leadId),
          options.label === "sqo" ? deps.store.listTransitions(leadId) : Promise.resolve([]),
        ]);
        if (!history.lead) return undefined;
        const reachedSqoAt = transitions.find((transition) => transition.to === "sqo")?.at;
        return {
          leadId,
          email: history.lead.email,
          events: history.events,
          ...(reachedSqoAt !== undefined && { reachedSqoAt }),
        } satisfies LeadHistory;
      });
      for (const history of read) if (history) histories.push(history);
      deps.progress?.(seen.size);
    }
    const { examples, unlabelled } = labelledExamples(histories, {
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
    return { report, leads: histories.length, unlabelled, cutoff: split.cutoff };
  };
