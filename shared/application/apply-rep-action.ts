import { ContentionError, LeadNotFoundError } from "../domain/errors";
import type { Actor, Lead, RuleHit, Transition } from "../domain/lead";
import { applyRepAction as decideRepAction, type RepAction } from "../domain/rep-actions";
import type { ScoringEngine } from "../domain/scoring";
import { foldStoredLead } from "./lead-replay";
import { type Clock, DuplicateEventError, type LeadStore, type Sleep, VersionConflictError } from "./ports";
import { backoff, DEFAULT_RETRY, type RetryPolicy } from "./retry";

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
 * Main course: read the lead, let the domain decide (shared/domain/rep-actions.ts), then commit the lead
 * (version-checked), its transition and a marker for the action id in one atomic write; the transition
 * reaches the bus through the table's stream like any other.
 * Guarantees: atomic; idempotent on the action id (a repeat that races the first writes nothing and
 * returns `duplicate`); a move the lifecycle forbids throws InvalidTransitionError and writes nothing;
 * concurrent writers are retried with jitter, then ContentionError.
 */
export const applyRepAction =
  (deps: ApplyRepActionDeps) =>
  async (request: RepActionRequest): Promise<RepActionOutcome> => {
    const policy = deps.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      const now = deps.clock();
      const { lead, hits } = await current(deps, request.leadId, now);
      const next = decideRepAction(lead, request.action, request.actor, now, hits);
      // A move restarts what the snapshot counts since the stage was entered.
      if (next.transition && next.lead.snapshot?.model === deps.engine.modelHash && !next.lead.stale) {
        next.lead.snapshot = deps.engine.enterStage(next.lead.snapshot, next.lead.stage);
      }
      try {
        await deps.store.commit({
          lead: next.lead,
          expectedVersion: lead.version,
          ...(next.transition && { transition: next.transition }),
          marker: { key: request.idempotencyKey, ttlSeconds: REP_ACTION_MARKER_TTL_SECONDS },
        });
        return { lead: next.lead, ...(next.transition && { transition: next.transition }), duplicate: false };
      } catch (error) {
        if (error instanceof DuplicateEventError) {
          return { lead: (await deps.store.getLead(request.leadId)) ?? lead, duplicate: true };
        }
        if (!(error instanceof VersionConflictError)) throw error;
        await deps.sleep(backoff(policy, attempt));
      }
    }
    throw new ContentionError(`lead ${request.leadId} is being updated concurrently; try again`);
  };

/** The stored lead and its explanation now. */
async function current(deps: ApplyRepActionDeps, leadId: string, now: Date): Promise<{ lead: Lead; hits: RuleHit[] }> {
  const stored = await deps.store.getLead(leadId);
  if (!stored) throw new LeadNotFoundError(`no lead ${leadId}`);
  const explained = await foldStoredLead(deps, stored, now);
  if (!explained) throw new LeadNotFoundError(`no lead ${leadId}`);
  // The lead as stored: a rep's action moves it, the rules' verdict now is not applied here (a stale
  // lead stays stale for the worker, whose replay starts from the stage the rep set).
  return { lead: explained.current, hits: explained.folded.evaluation.hits };
}
