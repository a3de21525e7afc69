import { ContentionError, LeadNotFoundError } from "../domain/errors";
import type { Actor, Lead, RuleHit, Transition } from "../domain/lead";
import { applyRepAction as decideRepAction, type RepAction } from "../domain/rep-actions";
import type { ScoringEngine } from "../domain/scoring";
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
  engine?: Pick<ScoringEngine, "evaluate">;
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

/** The stored lead and, with an engine, its explanation now. */
async function current(deps: ApplyRepActionDeps, leadId: string, now: Date): Promise<{ lead: Lead; hits: RuleHit[] }> {
  if (!deps.engine) {
    const lead = await deps.store.getLead(leadId);
    if (!lead) throw new LeadNotFoundError(`no lead ${leadId}`);
    return { lead, hits: [] };
  }
  const { lead, events } = await deps.store.loadHistory(leadId, { consistent: true });
  if (!lead) throw new LeadNotFoundError(`no lead ${leadId}`);
  const subject = { ...lead, attributes: {} };
  return { lead, hits: deps.engine.evaluate(subject, events, now).hits };
}
