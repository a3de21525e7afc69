import type { Lead, Transition } from "../domain/lead";
import type { StoredEvent } from "../domain/scoring";

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
  transition?: Transition;
  /** An idempotency marker that must not exist yet (e.g. a rep action's id); kept as long as `markerTtlSeconds`. */
  marker?: { key: string; ttlSeconds: number };
}

/** The store of leads, events and transitions. Implementations must make `commit` all-or-nothing. */
export interface LeadStore {
  /** The lead and its events. `consistent` asks for a strongly consistent read (used on retries). */
  loadHistory(leadId: string, options?: { consistent?: boolean }): Promise<LeadHistory>;
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
/** The event (or idempotency marker) is already stored. */
export class DuplicateEventError extends Error {
  override readonly name = "DuplicateEventError";
}

export type Clock = () => Date;
export type Sleep = (milliseconds: number) => Promise<void>;
