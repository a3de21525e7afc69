import { createHash } from "node:crypto";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { type Lead, scoreBand, type Transition } from "#shared/domain/lead";
import type { SlaBreach } from "#shared/domain/model/stage-rules";
import type { Evaluation, ScoringEngine } from "#shared/domain/scoring-engine";
import type { Stage } from "#shared/domain/stages";
import { foldStoredLead, replayStaleLead } from "./lead-replay";
import { leadContact } from "./ports/lead-reads";
import { type Clock, type LeadStore, VersionConflictError } from "./ports/lead-store";
import { moveTally, type RunProgress, type Tally } from "./ports/runs";

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
  /** Stale leads (an event committed without its fold) replayed. */
  replayed: number;
}

export interface SweepSummary extends SweepCounts {
  asOf: string;
  /** False while parts of the sweep's run are still to be done (a rerun within the hour continues it). */
  complete: boolean;
}

/** The counts of a sweep's run so far. */
export function sweepSummary(progress: RunProgress): SweepSummary {
  const counts = Object.fromEntries(
    SWEEP_COUNTS.map((name) => [name, progress.tally[name] ?? 0]),
  ) as unknown as SweepCounts;
  return { asOf: progress.run.asOf, complete: progress.done, ...counts };
}

const SWEEP_COUNTS = [
  "examined",
  "rescored",
  "moved",
  "recycled",
  "unchanged",
  "current",
  "conflicts",
  "slaBreaches",
  "replayed",
] as const satisfies readonly (keyof SweepCounts)[];

export interface SweepDeps {
  store: LeadStore;
  engine: ScoringEngine;
  breaches: SlaBreachLog;
  clock: Clock;
  /** The sweep's instant (see sweepInstant). */
  asOf: Date;
  /** A score that moved less than this is not rewritten (default: any change at two decimals). */
  minScoreChange?: number;
}

/** How late the daily sweep may find what fell due since its last run. */
const SWEEP_INTERVAL_MS = 86_400_000;

/** The sweep's instant: the start of the current hour, so every run within the hour computes the same. */
export function sweepInstant(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
}

/**
 * Deterministic per lead, SLA rule and the wait it times (the stay in the stage, or a wait for review):
 * the notifiers alert once per breach id.
 */
export function breachId(leadId: string, ruleId: string, since: string): string {
  return `sb_${createHash("sha256").update(`${leadId}:${ruleId}:${since}`).digest("hex").slice(0, 24)}`;
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
      breachId: breachId(lead.leadId, breach.ruleId, breach.since),
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
      reasons: evaluation ? evaluation.reasons() : [],
      bant: lead.bant,
      ...((lead.owner ?? evaluation?.owner) && { owner: lead.owner ?? evaluation?.owner }),
      notify: breach.notify,
    },
  };
}

/**
 * The daily sweep over one lead in an open stage, as the stage index's page brought it: decay
 * re-evaluation (the stored score and the queue band that sorts by it), recycle rules, SLA breaches.
 * Counts what it did into `tally` (SweepCounts by name).
 * Main course: the lead is refolded as of the sweep's instant (replayed when its snapshot can't be
 * used); a changed score or stage is committed through LeadStore.commit with the version check (a
 * recycle with its transition, in the same transaction); a stay longer than the stage's SLA is recorded
 * once, and leaves through the stream as an alert.
 * Guarantees: idempotent. Leads written at or after the instant are left alone, and what the sweep
 * writes carries the instant as its time, so a second run (or a retried page) changes nothing. Recycle
 * rules come from the engine (`evaluate(...).demotion` with stage `recycled`); the model decides them,
 * the sweep applies them.
 * An imported stay (its stage entered by a move of `npm run import`) is history: what fell due in it
 * more than a sweep's interval before the sweep (an SLA missed, a move such as a recycle) fell due
 * before Ripen knew of it. It is recorded as any other, but quiet: a history import never makes the next
 * sweep alert every rep about every old lead. What falls due later alerts as for any lead.
 */
export function sweepLead(deps: SweepDeps) {
  const at = deps.asOf.toISOString();
  const minChange = deps.minScoreChange ?? 0.01;

  /** The move that began the lead's stay in its stage, if one is recorded. */
  async function stayEntry(lead: Lead): Promise<Transition | undefined> {
    const transitions = await deps.store.listTransitions(lead.leadId);
    return transitions.findLast((transition) => transition.to === lead.stage);
  }

  /**
   * Records each SLA rule the lead breaches (once per stay); its record carries the alert, to no one
   * when the stay was imported and the breach was due more than a sweep's interval ago.
   */
  async function checkSla(lead: Lead, evaluation: Evaluation | undefined, counts: Tally) {
    const breaches = deps.engine.slaBreaches(lead, deps.asOf);
    if (breaches.length === 0) return;
    const entered = await stayEntry(lead);
    const imported = entered?.actor.type === "import";
    for (const breach of breaches) {
      const detail = slaBreachDetail({
        lead,
        breach,
        evaluation,
        transitionId: entered?.transitionId,
        detectedAt: at,
        modelVersion: deps.engine.modelVersion,
      });
      if (imported && deps.asOf.getTime() - Date.parse(breach.dueAt) > SWEEP_INTERVAL_MS) detail.data.notify = [];
      if (await deps.breaches.record(detail)) count(counts, "slaBreaches");
    }
  }

  /**
   * True when the sweep's move of a lead whose stay was imported was already due a sweep's interval
   * before the sweep (the same move, folded then): history, so quiet.
   */
  async function historicMove(lead: Lead, move: Transition): Promise<boolean> {
    if ((await stayEntry(lead))?.actor.type !== "import") return false;
    const earlier = await foldStoredLead(deps, lead, new Date(deps.asOf.getTime() - SWEEP_INTERVAL_MS));
    return earlier?.folded.transition?.to === move.to;
  }

  return async (stored: Lead, indexedStage: Stage, counts: Tally): Promise<void> => {
    // The index lags the table: the lead item decides where the lead is.
    if (stored.stage !== indexedStage) return;
    // Moved into this stage by this sweep (its instant is the move's time): counted where it was met first.
    if (stored.stageEnteredAt === at && stored.updatedAt === at) return;
    count(counts, "examined");
    if (stored.eventCount === 0) {
      count(counts, "current");
      return checkSla(stored, undefined, counts);
    }
    const result = await foldStoredLead(deps, stored, deps.asOf);
    if (!result) return;
    const { current: lead, folded } = result;
    if (lead.updatedAt >= at) {
      count(counts, "current");
      return checkSla(lead, folded.evaluation, counts);
    }
    // The sweep refreshes the queue band: a lead is written when its band or stage changes, or its
    // snapshot had to be rebuilt (another model, stale).
    const rebuilt = folded.lead.snapshot !== lead.snapshot;
    const bandMoved = scoreBand(folded.lead.score) !== lead.scoreBand;
    const scoreMoved = Math.abs(folded.lead.score - lead.score) >= minChange;
    // A wait for review that began is written (with its request) whatever else changed.
    if (!folded.transition && !folded.sqlReady && !rebuilt && !(bandMoved && scoreMoved)) {
      count(counts, "unchanged");
      return checkSla(lead, folded.evaluation, counts);
    }
    folded.lead.scoreBand = scoreBand(folded.lead.score);
    const transition =
      folded.transition && (await historicMove(lead, folded.transition))
        ? { ...folded.transition, quiet: true }
        : folded.transition;
    try {
      await deps.store.commit({
        lead: folded.lead,
        expectedVersion: lead.version,
        ...(transition && { transition }),
        ...(folded.sqlReady && { sqlReady: { ...folded.sqlReady, ...(transition?.quiet && { quiet: true }) } }),
        ...(lead.stale && { stale: "clear" as const }),
      });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      count(counts, "conflicts");
      return;
    }
    if (folded.transition) count(counts, moveTally(lead.stage, folded.transition.to));
    if (folded.transition?.to === "recycled") count(counts, "recycled");
    else if (folded.transition) count(counts, "moved");
    else count(counts, "rescored");
    return checkSla(folded.lead, folded.evaluation, counts);
  };
}

/**
 * The sweep over one stale lead, as the stale markers' page brought it: replayed and written current
 * (replayStaleLead), whatever its stage; a lead no longer stale is left alone.
 */
export function sweepStaleLead(deps: Pick<SweepDeps, "store" | "engine" | "clock">) {
  return async (lead: Lead, counts: Tally): Promise<void> => {
    const outcome = await replayStaleLead(deps, lead);
    if (outcome === "conflict") return count(counts, "conflicts");
    if (!outcome) return;
    count(counts, "replayed");
    const { transition } = outcome.replayed;
    if (transition) count(counts, moveTally(outcome.from.stage, transition.to));
  };
}

function count(counts: Tally, name: string): void {
  counts[name] = (counts[name] ?? 0) + 1;
}
