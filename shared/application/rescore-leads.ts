import type { Lead } from "#shared/domain/lead";
import { foldLead, usableSnapshot } from "#shared/domain/lead-fold";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { pageHistory, replayLead } from "./lead-replay";
import { type Clock, type LeadStore, VersionConflictError } from "./ports/lead-store";
import { moveTally, type Tally } from "./ports/runs";

/** What a rescore counts (a run's tally, summed over its parts). */
export interface RescoreCounts {
  examined: number;
  /** Written with the model's version: new score, explanation and BANT. */
  rescored: number;
  /** Of those, moved to another stage (with a transition). */
  moved: number;
  /**
   * Of those, replayed from their events (a snapshot another fold wrote, or a stale lead); the others were
   * evaluated from their snapshots, which the new model folds alike, without reading an event.
   */
  replayed: number;
  /** Already at this model version: a previous run (or ingest) did them. */
  current: number;
  /** Kept changing under us after every retry; a rerun picks them up. */
  conflicts: number;
}

/** Slack takes about one message a second: a rescore that alerts moves no faster, across its workers. */
export const ALERTS_PER_SECOND = 1;

export interface RescoreLeadDeps {
  store: LeadStore;
  engine: ScoringEngine;
  clock: Clock;
  /** Moves are recorded quietly (published, alerting no one): a rescore without `--notify`. */
  quiet: boolean;
  /** Waits until one more alerting move may be written (the alert pace); called only when not quiet. */
  beforeAlert?: () => Promise<void>;
}

const ATTEMPTS = 3;

/**
 * Applies the engine's model to one stored lead, as a run's page brought it: a lead another model scored
 * (by content hash) is evaluated from its snapshot when the two models fold alike (the same fold hash),
 * or replayed from its events when they don't or the lead is stale (the events the page read beside it
 * when they are all of them, see `pageHistory`, or else a consistent Query), and written with this model's
 * stamp, with a transition when its stage changes (actor: the model version; the rule and its reason in
 * the reason; quiet unless the rescore alerts), through the same atomic, version-checked commit as
 * ingest. Counts what it did into `tally`.
 * Guarantees: idempotent (a lead this model scored is left alone, so a retried page or a
 * second run writes nothing twice); a concurrent writer wins, and the lead is retried from a fresh read.
 */
export const rescoreLead =
  (deps: RescoreLeadDeps) =>
  async (read: Lead, tally: Tally, events?: readonly StoredEvent[]): Promise<void> => {
    const version = deps.engine.modelVersion;
    const count = (name: keyof RescoreCounts) => {
      tally[name] = (tally[name] ?? 0) + 1;
    };
    let stored: Lead | undefined = read;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) stored = await deps.store.getLead(read.leadId);
      if (!stored || stored.eventCount === 0) return;
      if (attempt === 0) count("examined");
      // Scored by this model already: by a previous run, by ingest, or by a writer that raced this one.
      if (!stored.stale && stored.snapshot?.model === deps.engine.modelHash) {
        count("current");
        return;
      }
      // A snapshot this model folds alike (only what evaluation reads changed) is evaluated as it is:
      // no event is read. Any other is replayed from the lead's events.
      const now = deps.clock();
      const reused = usableSnapshot(deps.engine, stored) !== undefined;
      const paged = attempt === 0 ? pageHistory(stored, events) : undefined;
      let folded = reused
        ? foldLead({ engine: deps.engine, leadId: stored.leadId, current: stored, now })
        : await replayLead(deps, stored, now, paged);
      // The page's events held a copy of one (its count came out short): they are read again.
      if (paged && folded && folded.lead.eventCount !== stored.eventCount) folded = await replayLead(deps, stored, now);
      if (!folded) return;
      const transition = folded.transition && {
        ...folded.transition,
        actor: { type: "model" as const, id: version },
        reason: `${folded.transition.reason} (rule ${folded.transition.actor.id}, rescored with model ${version})`,
        ...(deps.quiet && { quiet: true }),
      };
      if ((transition || folded.sqlReady) && !deps.quiet) await deps.beforeAlert?.();
      try {
        await deps.store.commit({
          lead: folded.lead,
          expectedVersion: stored.version,
          ...(transition && { transition }),
          ...(folded.sqlReady && { sqlReady: { ...folded.sqlReady, ...(deps.quiet && { quiet: true }) } }),
          ...(stored.stale && { stale: "clear" as const }),
        });
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        continue;
      }
      count("rescored");
      if (!reused) count("replayed");
      if (transition) {
        count("moved");
        const moved = moveTally(stored.stage, transition.to);
        tally[moved] = (tally[moved] ?? 0) + 1;
      }
      return;
    }
    count("conflicts");
  };
