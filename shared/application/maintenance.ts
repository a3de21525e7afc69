import { createHash } from "node:crypto";
import { type Lead, scoreBand } from "../domain/lead";
import { topReasons } from "../domain/lead-fold";
import type { SlaBreach } from "../domain/model/stage-rules";
import type { Evaluation, ScoringEngine } from "../domain/scoring";
import { OPEN_STAGES, type Stage } from "../domain/stages";
import { mapConcurrent } from "./concurrency";
import { foldStoredLead, replayStaleLeads } from "./lead-replay";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "./lead-stage-changed";
import { type Clock, type LeadStore, VersionConflictError } from "./ports";
import { leadContact, type StageIndex } from "./read-ports";

export interface SlaBreachLog {
  /** Records a breach once per SLA rule and stay; false when it was already recorded. */
  record(detail: LeadSlaBreachedDetail): Promise<boolean>;
}

export interface SweepCounts {
  examined: number;
  /** Score (and so the stored index keys) updated, stage unchanged. */
  rescored: number;
  /** Moved by a stage rule (forward, or disqualified). */
  moved: number;
  recycled: number;
  unchanged: number;
  /** Written after the sweep's instant (a newer event): already current. */
  current: number;
  /** Changed by another writer while the sweep looked at it; the next sweep sees it again. */
  conflicts: number;
  slaBreaches: number;
  /** Stale leads (an event committed without its fold) replayed first. */
  replayed: number;
}

export interface SweepSummary extends SweepCounts {
  asOf: string;
  /** False when the time budget ran out first; a rerun within the same hour continues where it stopped. */
  complete: boolean;
}

export interface MaintenanceDeps {
  index: StageIndex;
  store: LeadStore;
  engine: ScoringEngine;
  breaches: SlaBreachLog;
  clock: Clock;
  /** Progress lines: per partition swept, and a summary. Never personal data. */
  progress: (message: string, fields: Record<string, unknown>) => void;
  /** A score that moved less than this is not rewritten (default: any change at two decimals). */
  minScoreChange?: number;
  concurrency?: number;
  /** Milliseconds left to run; the sweep stops starting new pages below `reserveMs`. */
  timeLeft?: () => number;
  reserveMs?: number;
}

const PAGE = 100;

/** The sweep's instant: the start of the current hour, so every run within the hour computes the same. */
export function sweepInstant(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
}

/**
 * The daily sweep: first the stale leads (replayed, see replayStaleLeads), then the leads in open
 * stages: decay re-evaluation (the stored score and the queue band that sorts by it), recycle rules,
 * SLA breaches.
 * Input: optionally the instant to evaluate at (default: the start of the current hour).
 * Output: counts of what it did, also logged per partition.
 * Main course: each shard of each open stage is read through the by-time-entered index; each lead is
 * refolded from its events as of the sweep's instant; a changed score or stage is committed through
 * LeadStore.commit with the version check (a recycle with its transition, in the same transaction);
 * a stay longer than the stage's SLA is recorded once, and leaves through the stream as an alert.
 * Guarantees: idempotent. Leads written at or after the instant are left alone, and what the sweep
 * writes carries the instant as its time, so a second run changes nothing. Recycle rules come from the
 * engine (`evaluate(...).demotion` with stage `recycled`); the model decides them, the sweep applies them.
 */
export const runMaintenance =
  (deps: MaintenanceDeps) =>
  async (options: { asOf?: Date } = {}): Promise<SweepSummary> => {
    const asOf = options.asOf ?? sweepInstant(deps.clock());
    const at = asOf.toISOString();
    const counts: SweepCounts = {
      examined: 0,
      rescored: 0,
      moved: 0,
      recycled: 0,
      unchanged: 0,
      current: 0,
      conflicts: 0,
      slaBreaches: 0,
      replayed: 0,
    };
    const outOfTime = () => deps.timeLeft !== undefined && deps.timeLeft() < (deps.reserveMs ?? 10_000);
    const sweepLead = leadSweeper(deps, asOf, counts);
    let complete = true;
    const stale = await replayStaleLeads({ ...deps, timeLeft: () => !outOfTime() });
    counts.replayed = stale.replayed;
    counts.conflicts += stale.conflicts;

    sweep: for (const stage of OPEN_STAGES) {
      for (let shard = 0; shard < deps.index.shards; shard++) {
        let after: string | undefined;
        let more = true;
        const before = counts.examined;
        while (more) {
          if (outOfTime()) {
            complete = false;
            break sweep;
          }
          const page = await deps.index.read({
            partition: { stage, shard },
            sort: "entered",
            order: "asc",
            after,
            limit: PAGE,
          });
          await mapConcurrent(page.entries, deps.concurrency ?? 8, (entry) => sweepLead(entry.leadId, stage));
          after = page.entries.at(-1)?.sortKey;
          more = page.more && after !== undefined;
        }
        if (counts.examined > before) {
          deps.progress("sweep progress", { stage, shard, leads: counts.examined - before, ...counts });
        }
      }
    }
    const summary: SweepSummary = { asOf: at, complete, ...counts };
    deps.progress(complete ? "sweep finished" : "sweep stopped: out of time", { ...summary });
    return summary;
  };

/** Deterministic per lead, SLA rule and stay in the stage: the notifiers alert once per breach id. */
export function breachId(leadId: string, ruleId: string, stageEnteredAt: string): string {
  return `sb_${createHash("sha256").update(`${leadId}:${ruleId}:${stageEnteredAt}`).digest("hex").slice(0, 24)}`;
}

/** The `Lead SLA Breached` detail for one breach of one lead. */
export function slaBreachDetail(input: {
  lead: Lead;
  breach: SlaBreach;
  evaluation: Evaluation | undefined;
  transitionId: string | undefined;
  detectedAt: string;
  modelVersion: string;
}): LeadSlaBreachedDetail {
  const { lead, breach, evaluation } = input;
  return {
    metadata: {
      version: LEAD_SLA_BREACHED.version,
      breachId: breachId(lead.leadId, breach.ruleId, lead.stageEnteredAt),
      occurredAt: input.detectedAt,
      modelVersion: input.modelVersion,
    },
    data: {
      lead: leadContact(lead),
      stage: lead.stage,
      stageEnteredAt: lead.stageEnteredAt,
      ...(input.transitionId !== undefined && { transitionId: input.transitionId }),
      ruleId: breach.ruleId,
      label: breach.label,
      dueAt: breach.dueAt,
      hoursOverdue: breach.hoursOverdue,
      score: lead.score,
      reasons: evaluation ? topReasons(evaluation.hits) : [],
      bant: lead.bant,
      ...((lead.owner ?? evaluation?.owner) && { owner: lead.owner ?? evaluation?.owner }),
      notify: breach.notify,
    },
  };
}

function leadSweeper(deps: MaintenanceDeps, asOf: Date, counts: SweepCounts) {
  const at = asOf.toISOString();
  const minChange = deps.minScoreChange ?? 0.01;
  /** Leads this run moved into a later open stage: met again there, they are not counted twice. */
  const moved = new Set<string>();

  /** Records each SLA rule the lead breaches (once per stay); its record carries the alert. */
  async function checkSla(lead: Lead, evaluation: Evaluation | undefined) {
    const breaches = deps.engine.slaBreaches(lead, asOf);
    if (breaches.length === 0) return;
    const transitions = await deps.store.listTransitions(lead.leadId);
    const entered = transitions.findLast((transition) => transition.to === lead.stage);
    for (const breach of breaches) {
      const detail = slaBreachDetail({
        lead,
        breach,
        evaluation,
        transitionId: entered?.transitionId,
        detectedAt: at,
        modelVersion: deps.engine.modelVersion,
      });
      if (await deps.breaches.record(detail)) counts.slaBreaches++;
    }
  }

  return async function sweepLead(leadId: string, indexedStage: Stage): Promise<void> {
    const stored = await deps.store.getLead(leadId);
    // The index lags the table: the lead item decides where the lead is.
    if (!stored || stored.stage !== indexedStage || moved.has(leadId)) return;
    counts.examined++;
    if (stored.eventCount === 0) {
      counts.current++;
      return checkSla(stored, undefined);
    }
    const result = await foldStoredLead(deps, stored, asOf);
    if (!result) return;
    const { current: lead, folded } = result;
    if (lead.updatedAt >= at) {
      counts.current++;
      return checkSla(lead, folded.evaluation);
    }
    // The sweep refreshes the queue band: a lead is written when its band or stage changes, or its
    // snapshot had to be rebuilt (another model, stale).
    const rebuilt = folded.lead.snapshot !== lead.snapshot;
    const bandMoved = scoreBand(folded.lead.score) !== lead.scoreBand;
    const scoreMoved = Math.abs(folded.lead.score - lead.score) >= minChange;
    if (!folded.transition && !rebuilt && !(bandMoved && scoreMoved)) {
      counts.unchanged++;
      return checkSla(lead, folded.evaluation);
    }
    folded.lead.scoreBand = scoreBand(folded.lead.score);
    try {
      await deps.store.commit({
        lead: folded.lead,
        expectedVersion: lead.version,
        ...(folded.transition && { transition: folded.transition }),
        ...(lead.stale && { stale: "clear" as const }),
      });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      counts.conflicts++;
      return;
    }
    if (folded.transition) moved.add(leadId);
    if (folded.transition?.to === "recycled") counts.recycled++;
    else if (folded.transition) counts.moved++;
    else counts.rescored++;
    return checkSla(folded.lead, folded.evaluation);
  };
}
