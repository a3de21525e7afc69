import type { Lead, SqlReadyRequest, Transition } from "#shared/domain/lead";
import type { Pseudonyms } from "#shared/domain/pseudonyms";
import type { StoredEvent } from "#shared/domain/scoring-engine";

/** A lead and every event recorded for it. */
export interface LeadHistory {
  lead: Lead | undefined;
  events: StoredEvent[];
}

/**
 * One atomic change to a lead: the lead written at `lead.version`, conditional on the stored
 * version being `expectedVersion` (undefined: the lead must not exist yet), plus the new event
 * (which must not exist yet) and the transition when the stage changed.
 */
export interface LeadChange {
  lead: Lead;
  expectedVersion: number | undefined;
  event?: StoredEvent;
  /** The event's storage key (its pseudonym, Pseudonyms.eventKey of its id): required with `event`. */
  eventKey?: string;
  transition?: Transition;
  /** The change began a wait for review (FoldResult.sqlReady): stored with it, once per wait. */
  sqlReady?: SqlReadyRequest;
  /**
   * An idempotency marker that must not exist yet (e.g. a rep action's id), kept `ttlSeconds` with the
   * change's time (the lead's `updatedAt`), so a replay can be answered as the first application was.
   */
  marker?: { key: string; ttlSeconds: number };
  /** mark: the lead is stale (listed for the stale-lead worker); clear: it was, and is current again. */
  stale?: "mark" | "clear";
  /**
   * Writes the change only while the person has no tombstone, checked in the same atomic write (a new
   * lead whose event gives no consent, when erased people are refused): an erasure landing between the
   * write path's check and this commit makes it throw ErasedPersonError, nothing written.
   */
  unlessErased?: boolean;
}

/** Events of one lead, read in pages; `complete` is false when the limit stopped the read first. */
export interface EventPage {
  events: StoredEvent[];
  complete: boolean;
}

/** The store of leads, events and transitions. Implementations must make `commit` all-or-nothing. */
export interface LeadStore {
  /**
   * Ingest's one read: the lead (with its snapshot) and whether an event is already stored under its
   * key (or was, before an erasure), in one request for two keys. `consistent` asks for a strongly
   * consistent read (used on retries). `isolated` reads both as one transaction never half-applied
   * (a plain read may see a commit's event without its lead); it throws VersionConflictError while a
   * transaction on them is in flight.
   */
  readForEvent(
    leadId: string,
    eventKey: string,
    options?: { consistent?: boolean; isolated?: boolean },
  ): Promise<{
    lead: Lead | undefined;
    recorded: boolean;
    /** The lead version the recorded event was committed with, when its item says (a plain read only). */
    committedWith?: number;
  }>;
  /**
   * A rep action's one read, isolated from transactions (never half of one): the lead, and whether an
   * action with this idempotency key was applied to it already (its marker), with the time it was applied
   * when the marker kept it. Throws VersionConflictError while a transaction on them is in flight.
   */
  readForAction(leadId: string, actionKey: string): Promise<{ lead: Lead | undefined; applied?: { at?: string } }>;
  /** A lead's events (in no particular order), at most `limit` of them. */
  loadEvents(leadId: string, options: { consistent?: boolean; limit?: number }): Promise<EventPage>;
  /**
   * The lead and all its events. The lead is read first, then its events, so every event the lead
   * counts is among them (a Query is not isolated from concurrent transactions: events may be newer).
   */
  loadHistory(leadId: string, options?: { consistent?: boolean }): Promise<LeadHistory>;
  /** Leads marked stale, a page at a time: what the stale-lead worker replays. */
  listStale(limit: number): Promise<string[]>;
  getLead(leadId: string): Promise<Lead | undefined>;
  /** A lead's transitions, oldest first. */
  listTransitions(leadId: string): Promise<Transition[]>;
  /**
   * Throws VersionConflictError when the lead moved on, DuplicateEventError when the event (or the
   * marker) is already stored; writes nothing in either case.
   */
  commit(change: LeadChange): Promise<void>;
}

/** The lead was written by someone else since it was read. */
export class VersionConflictError extends Error {
  override readonly name = "VersionConflictError";
}
/** The person was erased between a writer's check and its commit of their new lead: nothing was written. */
export class ErasedPersonError extends Error {
  override readonly name = "ErasedPersonError";
}
/** The event (or idempotency marker) is already stored. */
export class DuplicateEventError extends Error {
  override readonly name = "DuplicateEventError";
}

export type Clock = () => Date;
export type Sleep = (milliseconds: number) => Promise<void>;

/** The deployment's pseudonyms (keyed hashes of emails and event ids), resolved once its key is read. */
export type PseudonymSource = () => Promise<Pseudonyms>;
