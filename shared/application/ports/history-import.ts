import type { Lead, SqlReadyRequest, Transition } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { DuplicateEventError } from "./lead-store";

/** What an import reads of a lead once: the lead, its events, and the keys of its erased events' records. */
export interface ImportHistory {
  lead: Lead | undefined;
  /**
   * Every event stored in the lead's partition, read after the lead; also events without a lead item
   * (an import that stopped between its transactions), which the import folds in again.
   */
  events: StoredEvent[];
  /** Keys (Pseudonyms.eventKey) of events an erasure replaced by a record: never stored again. */
  erasedKeys: ReadonlySet<string>;
  /**
   * Whether the person was erased (their tombstone), when the read could see it (the same Query as the
   * rest of the partition); false also when the store checked only that the partition holds no lead,
   * since the commit of a new lead refuses an erased person anyway (ErasedPersonError); undefined when
   * the store doesn't say, and the import asks its tombstones.
   */
  erased?: boolean;
}

/** One new event of an import, with its storage key. */
export interface KeyedEvent {
  event: StoredEvent;
  key: string;
}

/**
 * A lead's imported events, and the lead with all of them folded in, written together: `lead` at
 * `lead.version`, conditional on the stored version being `expectedVersion` (undefined: no lead yet).
 */
export interface ImportChange {
  lead: Lead;
  expectedVersion: number | undefined;
  events: readonly KeyedEvent[];
  transitions: readonly Transition[];
  /** The wait for review the import began (quiet), written with the transitions. */
  sqlReady?: SqlReadyRequest;
  /** The stored lead was stale (listed for the worker): the fold replayed everything, so it is listed no more. */
  clearStale: boolean;
}

export interface HistoryImportStore {
  /**
   * The lead, every event of its partition and whether the person was erased, read consistently. Unless
   * `full`, the store may first check, with other leads' reads, whether the partition holds a lead, and
   * answer an empty history when it doesn't (a fresh import reads nothing more): anything else left there
   * is met by the commit's conditions (events: the import reads in full; a tombstone: it refuses them).
   */
  readForImport(leadId: string, options?: { full?: boolean }): Promise<ImportHistory>;
  /**
   * Writes a change in as few transactions as the store allows. One transaction when it fits: all or
   * nothing. Otherwise the first writes the lead marked stale (version-checked), the stale marker and the
   * first events; the middle ones more events; the last the remaining events, the transitions and the lead
   * current at `lead.version + 1`, checked against the stale one, with the marker cleared. A failure
   * between them leaves a stale lead with a part of its events: the stale-lead worker replays it, and
   * rerunning the import finishes it. `onCommitted` hears the keys of each transaction's events as it
   * commits (so a retry after a later one failed knows them for its own). Returns the lead as written last.
   * A new lead (`expectedVersion` undefined) is written only while the person has no tombstone, checked
   * in the transaction that writes it: an erasure landing between the import's read and its commit makes
   * it throw ErasedPersonError, nothing written.
   * Throws DuplicateEventsError naming the events already stored (the transaction that met them wrote
   * nothing), VersionConflictError when the lead moved on since it was read.
   */
  commitImport(change: ImportChange, onCommitted?: (keys: readonly string[]) => void): Promise<Lead>;
}

/** Events of an import that are already stored, by key: the transaction that met them wrote nothing. */
export class DuplicateEventsError extends DuplicateEventError {
  constructor(readonly keys: readonly string[]) {
    super(`${keys.length} event(s) already recorded`);
  }
}
