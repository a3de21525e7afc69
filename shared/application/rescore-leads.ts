import { usableSnapshot } from "../domain/lead-fold";
import type { ScoringEngine } from "../domain/scoring";
import { mapConcurrent } from "./concurrency";
import { foldStoredLead } from "./lead-replay";
import { type Clock, type LeadStore, VersionConflictError } from "./ports";
import type { StageIndex } from "./read-ports";
import { type WalkPosition, walkStoredLeads } from "./stored-leads";

export interface RescoreCounts {
  examined: number;
  /** Written with the model's version: new score, explanation and BANT. */
  rescored: number;
  /** Of those, moved to another stage (with a transition, so alerts follow). */
  moved: number;
  /** Already at this model version: a previous run (or ingest) did them. */
  current: number;
  /** Kept changing under us after every retry; a rerun picks them up. */
  conflicts: number;
}

export interface RescoreDeps {
  index: StageIndex;
  store: LeadStore;
  engine: ScoringEngine;
  clock: Clock;
  concurrency?: number;
  /** After each page: counts so far and where to resume. */
  progress?: (counts: RescoreCounts, next: WalkPosition | undefined) => void | Promise<void>;
}

const ATTEMPTS = 3;

/**
 * Applies the engine's model to every stored lead: each whose snapshot another model wrote (by content
 * hash), or that is stale, is replayed from its events and written with this model's snapshot, with a
 * transition when its stage changes (actor: the model version; the rule and its reason in the reason),
 * through the same atomic, version-checked commit as ingest.
 * Input: optionally where a previous run stopped. Output: counts.
 * Guarantees: idempotent (a lead whose snapshot this model wrote is left alone, so a rerun or a resumed
 * run writes nothing twice); resumable from any reported position; concurrent writers win, and their
 * leads are retried from a fresh read.
 */
export const rescoreLeads =
  (deps: RescoreDeps) =>
  async (options: { from?: WalkPosition } = {}): Promise<RescoreCounts> => {
    const counts: RescoreCounts = { examined: 0, rescored: 0, moved: 0, current: 0, conflicts: 0 };
    const version = deps.engine.modelVersion;

    async function rescore(leadId: string): Promise<void> {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const stored = await deps.store.getLead(leadId);
        if (!stored || stored.eventCount === 0) return;
        if (attempt === 0) counts.examined++;
        // Written by this model already: by a previous run, by ingest, or by a writer that raced this one.
        if (usableSnapshot(deps.engine, stored)) {
          counts.current++;
          return;
        }
        const result = await foldStoredLead(deps, stored, deps.clock());
        if (!result) return;
        const { current: lead, folded } = result;
        const transition = folded.transition && {
          ...folded.transition,
          actor: { type: "model" as const, id: version },
          reason: `${folded.transition.reason} (rule ${folded.transition.actor.id}, rescored with model ${version})`,
        };
        try {
          await deps.store.commit({
            lead: folded.lead,
            expectedVersion: lead.version,
            ...(transition && { transition }),
            ...(lead.stale && { stale: "clear" as const }),
          });
          counts.rescored++;
          if (transition) counts.moved++;
          return;
        } catch (error) {
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
      counts.conflicts++;
    }

    const done = new Set<string>();
    for await (const page of walkStoredLeads(deps.index, options.from)) {
      const fresh = page.leadIds.filter((leadId) => !done.has(leadId));
      for (const leadId of fresh) done.add(leadId);
      await mapConcurrent(fresh, deps.concurrency ?? 8, rescore);
      await deps.progress?.({ ...counts }, page.next);
    }
    return counts;
  };
