import type { ScoringEngine } from "../domain/scoring";
import { STAGES, type Stage } from "../domain/stages";
import { mapConcurrent } from "./concurrency";
import { foldStoredLead } from "./lead-replay";
import type { Clock, LeadStore } from "./ports";
import type { StageIndex } from "./read-ports";
import { walkStoredLeads } from "./stored-leads";

export interface StageChange {
  leadId: string;
  email: string;
  from: Stage;
  to: Stage;
  scoreBefore: number;
  scoreAfter: number;
  /** The candidate's rule and reason for the move. */
  ruleId: string;
  reason: string;
}

export interface ModelPreview {
  asOf: string;
  currentVersion: string;
  candidateVersion: string;
  examined: number;
  before: Record<Stage, number>;
  after: Record<Stage, number>;
  changes: StageChange[];
}

export interface PreviewDeps {
  index: StageIndex;
  store: LeadStore;
  current: ScoringEngine;
  candidate: ScoringEngine;
  clock: Clock;
  concurrency?: number;
}

const emptyCounts = () => Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<Stage, number>;

/**
 * What-if: every stored lead evaluated by the current model (from its snapshot) and replayed by a
 * candidate, at the same instant, so the difference is the model's alone (decay and recycle rules due now show in both).
 * Output: counts per stage before and after, and each lead whose stage would change.
 * Guarantees: reads only; nothing is written.
 */
export const previewModel = (deps: PreviewDeps) => async (): Promise<ModelPreview> => {
  const now = deps.clock();
  const preview: ModelPreview = {
    asOf: now.toISOString(),
    currentVersion: deps.current.modelVersion,
    candidateVersion: deps.candidate.modelVersion,
    examined: 0,
    before: emptyCounts(),
    after: emptyCounts(),
    changes: [],
  };
  const seen = new Set<string>();
  for await (const page of walkStoredLeads(deps.index)) {
    const fresh = page.leadIds.filter((leadId) => !seen.has(leadId));
    for (const leadId of fresh) seen.add(leadId);
    await mapConcurrent(fresh, deps.concurrency ?? 8, async (leadId) => {
      const stored = await deps.store.getLead(leadId);
      if (!stored || stored.eventCount === 0) return;
      const current = await foldStoredLead({ store: deps.store, engine: deps.current }, stored, now);
      if (!current) return;
      const lead = current.current;
      const before = current.folded;
      // The candidate replays the history (unless it is the same compiled model).
      const after = (await foldStoredLead({ store: deps.store, engine: deps.candidate }, lead, now))?.folded;
      if (!after) return;
      preview.examined++;
      preview.before[before.lead.stage]++;
      preview.after[after.lead.stage]++;
      if (before.lead.stage === after.lead.stage) return;
      preview.changes.push({
        leadId,
        email: lead.email,
        from: before.lead.stage,
        to: after.lead.stage,
        scoreBefore: before.lead.score,
        scoreAfter: after.lead.score,
        ruleId: after.transition?.actor.id ?? "(none)",
        reason: after.transition?.reason ?? `stays ${after.lead.stage}`,
      });
    });
  }
  preview.changes.sort((a, b) => (a.leadId < b.leadId ? -1 : 1));
  return preview;
};
