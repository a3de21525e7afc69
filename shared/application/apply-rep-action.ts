import { ContentionError, LeadNotFoundError } from "#shared/domain/errors";
import type { Actor, Lead, RuleHit, Transition } from "#shared/domain/lead";
import { applyRepAction as decideRepAction, type RepAction } from "#shared/domain/rep-actions";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { foldStoredLead } from "./lead-replay";
import { backoff, DEFAULT_RETRY, type RetryPolicy } from "./pacing/retry";
import { type Clock, DuplicateEventError, type LeadStore, type Sleep, VersionConflictError } from "./ports/lead-store";

export type { RepAction };

export interface RepActionRequest {
  leadId: string;
  action: RepAction;
  actor: Actor;
  /** The action's own id (Slack's action_ts, an API idempotency key): the same id applies once. */
  idempotencyKey: string;
}

export interface RepActionOutcome {
  lead: Lead;
  /** Absent when nothing moved (an accept that only recorded the owner) or for a duplicate. */
  transition?: Transition;
  /** The same action id was applied before: nothing was written. */
  duplicate: boolean;
  /** When the action was applied: now, or for a duplicate the first application's time. */
  appliedAt: string;
}

export interface ApplyRepActionDeps {
  store: LeadStore;
  clock: Clock;
  sleep: Sleep;
  /** Explains the lead at the time of the action, so the transition carries its top reasons. */
  engine: ScoringEngine;
  retry?: RetryPolicy;
}

/** How long an action id is remembered: far beyond any client's retries. */
export const REP_ACTION_MARKER_TTL_SECONDS = 7 * 86_400;

/**
 * Applies a rep's action (accept, qualify, open opportunity, disqualify, recycle) to a lead.
 * Input: the lead id, the action, the rep as actor and the action's id. Output: the lead after it.
 * Main course: read the lead and the action id's marker in one read; a marker means a replay, answered
 * with the first application's time. Otherwise let the domain decide (shared/domain/rep-actions.ts),
 * then commit the lead (version-checked), its transition and a marker for the action id in one atomic
 * write; the transition reaches the bus through the table's stream like any other.
 * Guarantees: atomic; idempotent on the action id: a replay, before or racing the first, writes nothing
 * and returns `duplicate` with the first `appliedAt`, never a refusal the first application caused; a
 * move the lifecycle forbids throws InvalidTransitionError and writes nothing; concurrent writers are
 * retried with jitter, then ContentionError.
 */
export const applyRepAction =
  (deps: ApplyRepActionDeps) =>
  async (request: RepActionRequest): Promise<RepActionOutcome> => {
    const policy = deps.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      try {
        return await applyOnce(deps, request, deps.clock());
      } catch (error) {
        // The same action committed first, concurrently: the next read finds its marker.
        if (error instanceof DuplicateEventError) continue;
        if (!(error instanceof VersionConflictError)) throw error;
        await deps.sleep(backoff(policy, attempt));
      }
    }
    throw new ContentionError(`lead ${request.leadId} is being updated concurrently; try again`);
  };

/** One read, decision and commit; throws VersionConflictError or DuplicateEventError for the loop above. */
async function applyOnce(deps: ApplyRepActionDeps, request: RepActionRequest, now: Date): Promise<RepActionOutcome> {
  const { lead: stored, applied } = await deps.store.readForAction(request.leadId, request.idempotencyKey);
  if (!stored) throw new LeadNotFoundError(`no lead ${request.leadId}`);
  // A marker without its time predates keeping it: the lead's last write is the action's, unless it moved since.
  if (applied) return { lead: stored, duplicate: true, appliedAt: applied.at ?? stored.updatedAt };
  const { lead, hits } = await explained(deps, stored, now);
  const next = decideRepAction(lead, request.action, request.actor, now, hits);
  // A move restarts what the snapshot counts since the stage was entered.
  if (next.transition && next.lead.snapshot?.model === deps.engine.modelHash && !next.lead.stale) {
    next.lead.snapshot = deps.engine.enterStage(next.lead.snapshot, next.lead.stage);
  }
  await deps.store.commit({
    lead: next.lead,
    expectedVersion: lead.version,
    ...(next.transition && { transition: next.transition }),
    marker: { key: request.idempotencyKey, ttlSeconds: REP_ACTION_MARKER_TTL_SECONDS },
  });
  return {
    lead: next.lead,
    ...(next.transition && { transition: next.transition }),
    duplicate: false,
    appliedAt: next.lead.updatedAt,
  };
}

/** The stored lead and its explanation now. */
async function explained(deps: ApplyRepActionDeps, stored: Lead, now: Date): Promise<{ lead: Lead; hits: RuleHit[] }> {
  const evaluated = await foldStoredLead(deps, stored, now);
  if (!evaluated) throw new LeadNotFoundError(`no lead ${stored.leadId}`);
  // A replay reads the lead again: if it moved since the marker was checked, that may be this very action.
  if (evaluated.current.version !== stored.version) throw new VersionConflictError("the lead moved while it was read");
  // The lead as stored: a rep's action moves it, the rules' verdict now is not applied here (a stale
  // lead stays stale for the worker, whose replay starts from the stage the rep set).
  return { lead: evaluated.current, hits: evaluated.folded.evaluation.hits };
}
