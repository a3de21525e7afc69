import { ContentionError, InvalidPayloadError } from "#shared/domain/errors";
import type { Lead, SqlReadyRequest, Transition } from "#shared/domain/lead";
import { eventKey, factsBytes, type LeadEvent } from "#shared/domain/lead-event";
import { foldLead } from "#shared/domain/lead-fold";
import type { Evaluation, ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import type { ErasureCheck } from "./consent-gate";
import { backoff, DEFAULT_RETRY, type RetryPolicy } from "./pacing/retry";
import {
  type Clock,
  DuplicateEventError,
  ErasedPersonError,
  type LeadStore,
  type PseudonymSource,
  type Sleep,
  VersionConflictError,
} from "./ports/lead-store";

export interface RecordEventDeps {
  store: LeadStore;
  engine: ScoringEngine;
  clock: Clock;
  sleep: Sleep;
  retry?: RetryPolicy;
  /** Lead ids and event keys: keyed hashes, so storage holds neither an email's nor a sender's id hash. */
  pseudonyms: PseudonymSource;
  /** Refuses to re-create an erased person (RIPEN_ERASE_BLOCKS_RECREATE); without it, nobody is refused. */
  erasures?: ErasureCheck;
  /** Events a request may replay to rebuild a snapshot; past it the lead is marked stale (default 2,000). */
  replayLimit?: number;
  /**
   * Milliseconds a call may spend before it gives up with ContentionError (a 503 the sender retries),
   * kept well inside the function's timeout so a busy lead never times out into a 500 (default 5,000).
   */
  budgetMs?: number;
}

export interface LeadRecorded {
  lead: Lead;
  /** Present when this call computed it; a duplicate returns the stored lead as it is. */
  evaluation?: Evaluation;
  duplicate: boolean;
  transitioned: boolean;
  /** The event is stored but not yet folded into the lead's score (a replay was deferred to the worker). */
  deferred?: boolean;
  erased?: undefined;
}

/** A redelivery of an event whose person was erased since: recognised by its record, nothing stored. */
export interface ErasedRedelivery {
  erased: true;
  leadId: string;
  duplicate: true;
  transitioned: false;
  lead?: undefined;
}

export type RecordedEvent = LeadRecorded | ErasedRedelivery;

export const DEFAULT_REPLAY_LIMIT = 2_000;
export const DEFAULT_BUDGET_MS = 5_000;

/**
 * Records one canonical event and folds it into its lead.
 * Input: a validated LeadEvent. Output: the lead after the event, and whether it was a duplicate.
 * Main course: one read of two keys (the lead with its snapshot, and the event's own key); a duplicate
 * stops there and writes nothing. Otherwise the one new event is folded into the snapshot and the
 * event, the lead (version-checked) and a transition (when the stage changed) commit in one atomic
 * write (for a new lead, when erased people are refused, with the check that no erasure left its tombstone
 * since the gate looked). Only when the snapshot can't place the event (another model's, or a late event under a window
 * cap) are the lead's events replayed: up to `replayLimit` here, beyond it the event is committed with
 * the lead marked stale (`deferred`) for the stale-lead worker.
 * Guarantees: atomic (all or nothing); idempotent on source + the sender's event id (a redelivery
 * writes nothing and returns `duplicate: true`, also after the person was erased: the erasure leaves a
 * record at the event's key, a keyed hash); the cost is the same whatever the history; concurrent
 * writers on one lead are serialized by the version check, with a bounded, jittered retry that reads
 * consistently; when retries or the time budget run out, ContentionError (a 503, so the sender
 * retries) and nothing is written.
 */
export const recordEvent =
  (deps: RecordEventDeps) =>
  async (event: LeadEvent): Promise<RecordedEvent> => {
    const policy = deps.retry ?? DEFAULT_RETRY;
    const started = deps.clock().getTime();
    const budget = deps.budgetMs ?? DEFAULT_BUDGET_MS;
    const pseudonyms = await deps.pseudonyms();
    const leadId = pseudonyms.leadId(event.email);
    const eventId = eventKey(event);
    const key = pseudonyms.eventKey(eventId);
    for (let attempt = 0; attempt < policy.attempts; attempt++) {
      const consistent = attempt > 0;
      const { lead: current, recorded, committedWith } = await deps.store.readForEvent(leadId, key, { consistent });
      if (recorded) {
        // The event without its lead (an erased person's record), or beside a lead older than the commit
        // that stored it: this read may have seen half of a commit in flight, and an isolated read settles it.
        const halfSeen = !current || (committedWith !== undefined && current.version < committedWith);
        if (!halfSeen) return redelivery(leadId, current);
        const settled = await settledRedelivery(deps.store, leadId, key);
        if (settled) return settled;
      }
      if (!current) await deps.erasures?.assertMayCreate(leadId, event);
      const now = deps.clock();
      const stored = storedEvent(event, eventId, now);
      const next = await nextLead(deps, leadId, current, stored, now);
      if (next) {
        const { folded, deferred } = next;
        try {
          await deps.store.commit({
            lead: folded.lead,
            expectedVersion: current?.version,
            event: stored,
            eventKey: key,
            ...(folded.transition && { transition: folded.transition }),
            ...(folded.sqlReady && { sqlReady: folded.sqlReady }),
            ...(deferred && { stale: "mark" as const }),
            ...(!current && deps.erasures?.checksAtCommit(event) && { unlessErased: true }),
          });
          return {
            lead: folded.lead,
            ...(folded.evaluation && { evaluation: folded.evaluation }),
            duplicate: false,
            transitioned: !!folded.transition,
            ...(deferred && { deferred }),
          };
        } catch (error) {
          // Erased since the check: the gate, asked again, refuses the person (ConsentRequiredError).
          if (error instanceof ErasedPersonError) await deps.erasures?.assertMayCreate(leadId, event);
          else if (error instanceof DuplicateEventError) {
            const settled = await settledRedelivery(deps.store, leadId, key);
            if (settled) return settled;
          } else if (!(error instanceof VersionConflictError)) throw error;
        }
      }
      const delay = backoff(policy, attempt);
      if (deps.clock().getTime() + delay - started > budget) break;
      await deps.sleep(delay);
    }
    throw new ContentionError(`lead ${leadId} is being updated concurrently; retry the delivery`);
  };

/**
 * A redelivery told apart from a commit in flight by a read isolated from transactions: the stored key
 * with its lead is a duplicate, the key alone an erased person. Undefined when the read met a transaction
 * in flight or no longer finds the key (a retry decides).
 */
async function settledRedelivery(
  store: RecordEventDeps["store"],
  leadId: string,
  key: string,
): Promise<RecordedEvent | undefined> {
  try {
    const { lead, recorded } = await store.readForEvent(leadId, key, { isolated: true });
    return recorded ? redelivery(leadId, lead) : undefined;
  } catch (error) {
    if (error instanceof VersionConflictError) return undefined;
    throw error;
  }
}

/** A delivery whose key is stored: of this lead, or of a person erased since (no lead, or a new one). */
function redelivery(leadId: string, lead: Lead | undefined): RecordedEvent {
  return lead
    ? { lead, duplicate: true, transitioned: false }
    : { erased: true, leadId, duplicate: true, transitioned: false };
}

interface NextLead {
  folded: { lead: Lead; evaluation?: Evaluation; transition?: Transition; sqlReady?: SqlReadyRequest };
  /** The event is committed without its fold: the lead is marked stale for the worker. */
  deferred: boolean;
}

/**
 * The lead with the event folded in: from its snapshot, else from its replayed history (up to the
 * replay limit), else committed stale. Undefined when the history read missed a committed event (it
 * holds fewer events than the lead counts): the caller reads again.
 */
async function nextLead(
  deps: RecordEventDeps,
  leadId: string,
  current: Lead | undefined,
  event: StoredEvent,
  now: Date,
): Promise<NextLead | undefined> {
  const folded = foldLead({ engine: deps.engine, leadId, current, event, now });
  if (folded) return { folded: withinBounds(folded, current), deferred: false };
  if (!current) throw new Error("a new lead always folds");
  // A stale lead waits for the worker: replaying it here again would cost every delivery as much.
  const history = current.stale
    ? undefined
    : await deps.store.loadEvents(leadId, { consistent: true, limit: deps.replayLimit ?? DEFAULT_REPLAY_LIMIT });
  if (!history?.complete) {
    return { folded: withinBounds({ lead: staleLead(deps.engine, current, event, now) }, current), deferred: true };
  }
  if (history.events.length < current.eventCount) return undefined;
  const replayed = foldLead({ engine: deps.engine, leadId, current, event, history: history.events, now });
  return replayed && { folded: withinBounds(replayed, current), deferred: false };
}

/**
 * The event as stored. An occurredAt ahead of the receiving clock (within the accepted tolerance: clock
 * skew) is recorded as the time of receipt, so no stored event is ever in the future of its lead.
 * Built field by field rather than spread: on Node 20 an object spread and then extended reads several
 * times slower than a literal, and the fold reads every field of it.
 */
export function storedEvent(event: LeadEvent, eventId: string, now: Date): StoredEvent {
  const receivedAt = now.toISOString();
  const { source, sourceEventId, type, occurredAt, email, name, company, attributes, answers, properties, ...rest } =
    event;
  // A field added to LeadEvent must be stored too: this fails to compile until it is.
  const _everyField: Record<string, never> = rest;
  const stored: StoredEvent = {
    source,
    sourceEventId,
    type,
    occurredAt: occurredAt > receivedAt ? receivedAt : occurredAt,
    email,
    attributes,
    answers,
    properties,
    eventId,
    receivedAt,
  };
  if (name !== undefined) stored.name = name;
  if (company !== undefined) stored.company = company;
  return stored;
}

/** Attributes a lead keeps at most, and their size: the lead item stays far below DynamoDB's 400 KB. */
export const MAX_LEAD_ATTRIBUTES = 200;
export const MAX_LEAD_FACTS_BYTES = 32_768;

/**
 * A lead that would outgrow its bounds refuses the event (a 400, or a 200 stored:false): nothing is stored.
 * Growth is what is refused: a lead a replay left past a bound (another model maps more answers) still
 * takes the events that add nothing to it, or it could never be written again.
 */
export function withinBounds<Folded extends { lead: Lead }>(folded: Folded, current: Lead | undefined): Folded {
  const count = Object.keys(folded.lead.attributes).length;
  const bytes = factsBytes(folded.lead.attributes);
  const before = current
    ? { count: Object.keys(current.attributes).length, bytes: factsBytes(current.attributes) }
    : undefined;
  const countHolds = count <= Math.max(MAX_LEAD_ATTRIBUTES, before?.count ?? 0);
  const bytesHold = bytes <= Math.max(MAX_LEAD_FACTS_BYTES, before?.bytes ?? 0);
  if (countHolds && bytesHold) return folded;
  throw new InvalidPayloadError("the lead would hold more attributes than Ripen keeps for one person", {
    issues: [
      {
        path: "attributes",
        message: `a lead keeps at most ${MAX_LEAD_ATTRIBUTES} attributes of ${MAX_LEAD_FACTS_BYTES} bytes in all (this event would make ${count} of ${bytes})`,
        code: "too_big",
      },
    ],
  });
}

/**
 * The lead with one more event committed but its score not folded in: the worker replays it. What the
 * event says about the person is folded now (it is exact in any order), so the lead's attribute bounds
 * hold for every event it takes, deferred or not.
 */
function staleLead(engine: ScoringEngine, current: Lead, event: StoredEvent, now: Date): Lead {
  // A lead written before snapshots has attributes without marks: the event's are laid over them.
  const facts = engine.foldFacts(
    current.snapshot ?? { ...engine.empty(), attributes: { ...current.attributes } },
    event,
  );
  const lead: Lead = {
    ...current,
    attributes: facts.attributes,
    eventCount: current.eventCount + 1,
    lastEventAt: event.occurredAt > current.lastEventAt ? event.occurredAt : current.lastEventAt,
    updatedAt: now.toISOString(),
    version: current.version + 1,
    stale: true,
  };
  if (current.snapshot) lead.snapshot = facts;
  if (facts.name) lead.name = facts.name.value;
  if (facts.company) lead.company = facts.company.value;
  if (facts.firstSource) lead.source = facts.firstSource.value;
  if (facts.firstCampaign) lead.campaign = facts.firstCampaign.value;
  return lead;
}
