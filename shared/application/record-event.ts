import { ContentionError } from "../domain/errors";
import { type Lead, leadIdFor } from "../domain/lead";
import { eventKey, type LeadEvent } from "../domain/lead-event";
import { foldLead } from "../domain/lead-fold";
import type { Evaluation, ScoringEngine, StoredEvent } from "../domain/scoring";
import type { ErasureCheck } from "./erasure";
import { type Clock, DuplicateEventError, type LeadStore, type Sleep, VersionConflictError } from "./ports";
import { backoff, DEFAULT_RETRY, type RetryPolicy } from "./retry";

export interface RecordEventDeps {
  store: LeadStore;
  engine: ScoringEngine;
  clock: Clock;
  sleep: Sleep;
  retry?: RetryPolicy;
  /** Refuses to re-create an erased person (RIPEN_ERASE_BLOCKS_RECREATE); without it, nobody is refused. */
  erasures?: ErasureCheck;
}

export interface RecordedEvent {
  lead: Lead;
  /** Present when this call computed it; a duplicate returns the stored lead as it is. */
  evaluation?: Evaluation;
  duplicate: boolean;
  transitioned: boolean;
}

/**
 * Records one canonical event and recomputes its lead.
 * Input: a validated LeadEvent. Output: the lead after the event, and whether it was a duplicate.
 * Main course: read the lead and its events, fold them with the engine, then commit the event, the
 * lead (version-checked) and a transition (when the stage changed) in one atomic write.
 * Guarantees: atomic (all or nothing); idempotent on source + the sender's event id (a redelivery
 * writes nothing and returns `duplicate: true`); concurrent writers on one lead are serialized by the
 * version check, with a bounded, jittered retry; when retries run out, ContentionError (a 503, so
 * the sender retries) and nothing is written.
 */
export const recordEvent =
  (deps: RecordEventDeps) =>
  async (event: LeadEvent): Promise<RecordedEvent> => {
    const policy = deps.retry ?? DEFAULT_RETRY;
    const leadId = leadIdFor(event.email);
    const eventId = eventKey(event);
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      const history = await deps.store.loadHistory(leadId, { consistent: attempt > 0 });
      if (!history.lead) await deps.erasures?.assertMayCreate(leadId, event);
      if (history.lead && history.events.some((stored) => stored.eventId === eventId)) {
        return { lead: history.lead, duplicate: true, transitioned: false };
      }
      const now = deps.clock();
      const stored: StoredEvent = { ...event, eventId, receivedAt: now.toISOString() };
      const folded = foldLead({
        engine: deps.engine,
        leadId,
        current: history.lead,
        events: [...history.events, stored],
        trigger: stored,
        now,
      });
      try {
        await deps.store.commit({
          lead: folded.lead,
          expectedVersion: history.lead?.version,
          event: stored,
          ...(folded.transition && { transition: folded.transition }),
        });
        return {
          lead: folded.lead,
          evaluation: folded.evaluation,
          duplicate: false,
          transitioned: !!folded.transition,
        };
      } catch (error) {
        if (error instanceof DuplicateEventError) {
          const lead = await deps.store.getLead(leadId);
          if (lead) return { lead, duplicate: true, transitioned: false };
          throw error;
        }
        if (!(error instanceof VersionConflictError)) throw error;
        await deps.sleep(backoff(policy, attempt));
      }
    }
    throw new ContentionError(`lead ${leadId} is being updated concurrently; retry the delivery`);
  };
