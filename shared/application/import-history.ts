import { InvalidPayloadError } from "#shared/domain/errors";
import type { Actor, Lead, SqlReadyRequest, Transition } from "#shared/domain/lead";
import { eventKey, type LeadEvent } from "#shared/domain/lead-event";
import { foldLead } from "#shared/domain/lead-fold";
import type { Pseudonyms } from "#shared/domain/pseudonyms";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { backoff, DEFAULT_RETRY } from "./pacing/retry";
import {
  DuplicateEventsError,
  type HistoryImportStore,
  type ImportHistory,
  type KeyedEvent,
} from "./ports/history-import";
import { type Clock, ErasedPersonError, type Sleep, VersionConflictError } from "./ports/lead-store";
import type { TombstoneReader } from "./ports/tombstones";
import { storedEvent, withinBounds } from "./record-event";

export interface ImportHistoryDeps {
  store: HistoryImportStore;
  engine: ScoringEngine;
  clock: Clock;
  pseudonyms: Pseudonyms;
  tombstones: TombstoneReader;
  /** Waits between a lead's attempts (a jittered backoff), so a busy lead's webhooks get through first. */
  sleep?: Sleep;
  /** Reads, folds and commits one lead may take when webhooks race it (default 5). */
  attempts?: number;
}

/** A lead's events from the import, all of one person (grouped by groupByLead). */
export interface LeadImport {
  leadId: string;
  events: readonly LeadEvent[];
}

export interface LeadImported {
  leadId: string;
  /** Events stored by this import. */
  stored: number;
  /** Already stored (by a webhook, an earlier import, or twice in the file), or erased. */
  duplicates: number;
  /** Not stored: the person was erased, or the event would grow the lead past its bounds. */
  refused: number;
  /** The lead as written; undefined when nothing was stored. */
  lead?: Lead;
}

/** Who moves a lead when an import replays its history: its moves are past, so they alert no one. */
export const IMPORT_ACTOR: Actor = { type: "import", id: "import" };
export const DEFAULT_IMPORT_ATTEMPTS = 5;

/** Events grouped by their person's lead id, each group in the order the events came. */
export function groupByLead(events: Iterable<LeadEvent>, pseudonyms: Pseudonyms): Map<string, LeadEvent[]> {
  const groups = new Map<string, LeadEvent[]>();
  for (const event of events) {
    const leadId = pseudonyms.leadId(event.email);
    const group = groups.get(leadId);
    if (group) group.push(event);
    else groups.set(leadId, [event]);
  }
  return groups;
}

/**
 * Imports one lead's history: its new events stored, and folded into the lead, as if each had arrived
 * as a webhook at the moment it occurred.
 * Input: a lead's validated events (any order). Output: how many were stored, duplicates, refused.
 * Main course: one consistent read of the lead, its events and its tombstone (an erased person is refused;
 * for a lead nobody stored yet, a check shared with other leads); the events already stored (same source and
 * id, or an erased event's record) dropped; the rest folded one by one in event-time order, each at its own time
 * (`now` = its occurredAt, never before the lead's last update), so transitions carry the time they
 * would have happened and the score is the one the lead had after its last event (the daily sweep decays
 * it to today); a lead the snapshot can't take them into (stale, another model's, a late event under a
 * window cap, events a stopped import left) is replayed from all its events instead. Then one commit
 * (HistoryImportStore.commitImport): events, transitions and the lead, in several transactions when large.
 * Guarantees: idempotent (a rerun stores nothing new); resumable (a rerun after a stop finishes what is
 * missing); an erased person (a tombstone) is refused whole: their history is not brought back, also when
 * the erasure lands between the read and the commit (a new lead's commit checks the tombstone); moves
 * are recorded quiet with actor `import` (published, alerting no one); a webhook racing the import costs
 * a fresh read and another fold after a jittered pause (bounded by `attempts`, then VersionConflictError).
 */
export const importLeadHistory =
  (deps: ImportHistoryDeps) =>
  async (input: LeadImport): Promise<LeadImported> => {
    const { leadId } = input;
    let erasureChecked = false;
    const candidates = inEventTimeOrder(input.events).map((event) => {
      const id = eventKey(event);
      return { event, id, key: deps.pseudonyms.eventKey(id) };
    });
    /** Keys the store named as duplicates, and the keys this import committed (a chunk before a retry). */
    const named = new Set<string>();
    const ours = new Set<string>();
    const attempts = deps.attempts ?? DEFAULT_IMPORT_ATTEMPTS;
    const refusedWhole: LeadImported = { leadId, stored: 0, duplicates: 0, refused: input.events.length };
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await deps.sleep?.(backoff(DEFAULT_RETRY, attempt));
      // The first read may be an existence check shared with other leads; a retry reads everything.
      const history = await deps.store.readForImport(leadId, { full: attempt > 0 });
      // Every read that sees the tombstone says so (an erasure may land between two attempts); a store
      // that doesn't say is asked once.
      const erased = history.erased ?? (!erasureChecked && (await deps.tombstones.tombstoneOf(leadId)) !== undefined);
      if (erased) return refusedWhole;
      erasureChecked = true;
      // The Query after the lead missed an event it counts (committed meanwhile): read again. A stale
      // lead may count events a stopped import never wrote: the replay counts what is there.
      if (history.lead && !history.lead.stale && history.events.length < history.lead.eventCount) continue;
      const storedIds = new Set(history.events.map((event) => event.eventId));
      const seen = new Set<string>();
      const fresh: typeof candidates = [];
      let storedEarlier = 0;
      for (const candidate of candidates) {
        if (seen.has(candidate.key)) continue;
        seen.add(candidate.key);
        if (ours.has(candidate.key)) storedEarlier++;
        else if (!storedIds.has(candidate.id) && !history.erasedKeys.has(candidate.key) && !named.has(candidate.key)) {
          fresh.push(candidate);
        }
      }
      const counts = (stored: number, refused: number) => ({
        leadId,
        stored: storedEarlier + stored,
        duplicates: candidates.length - storedEarlier - stored - refused,
        refused,
      });
      if (fresh.length === 0) return counts(0, 0);
      const now = deps.clock();
      const keyed = fresh.map(({ event, id, key }) => ({ event: storedEvent(event, id, now), key }));
      const folded = foldImport({ engine: deps.engine, leadId, history, fresh: keyed });
      if (!folded.lead || folded.events.length === 0) return counts(0, folded.refused);
      try {
        const change = {
          lead: folded.lead,
          expectedVersion: history.lead?.version,
          events: folded.events,
          transitions: folded.transitions,
          ...(folded.sqlReady && { sqlReady: folded.sqlReady }),
          clearStale: history.lead?.stale === true,
        };
        const lead = await deps.store.commitImport(change, (keys) => {
          for (const key of keys) ours.add(key);
        });
        return { ...counts(folded.events.length, folded.refused), lead };
      } catch (error) {
        // Erased between this read and the commit of their new lead: nothing written, and nothing will be.
        if (error instanceof ErasedPersonError) return refusedWhole;
        if (error instanceof DuplicateEventsError) {
          for (const key of error.keys) named.add(key);
        } else if (!(error instanceof VersionConflictError)) throw error;
      }
    }
    throw new VersionConflictError(`lead ${leadId} kept changing during the import; run the import again`);
  };

interface FoldedImport {
  /** Undefined when every new event of a new lead was refused. */
  lead: Lead | undefined;
  /** The events it holds: those refused (they would grow the lead past its bounds) left out. */
  events: KeyedEvent[];
  transitions: Transition[];
  /** The wait for review the lead is left in, when the import began it: recorded quiet, as its moves. */
  sqlReady?: SqlReadyRequest;
  refused: number;
}

/** What a lead's import folds: the lead as read with its stored events, and the new events. */
interface ImportFold {
  engine: ScoringEngine;
  leadId: string;
  history: ImportHistory;
  /** Never empty. */
  fresh: readonly KeyedEvent[];
}

/**
 * The lead with the new events folded in, one by one at their own time; when the snapshot can't take
 * one (or the partition holds events the lead doesn't count), a replay of all of them.
 */
function foldImport(input: ImportFold): FoldedImport {
  const { engine, leadId, history } = input;
  if (history.events.length > (history.lead?.eventCount ?? 0)) return replayImport(input);
  let current = history.lead;
  const folded: FoldedImport["events"] = [];
  const transitions: Transition[] = [];
  let sqlReady: SqlReadyRequest | undefined;
  let refused = 0;
  for (const keyed of input.fresh) {
    const now = eventTime(keyed.event, current);
    const next = foldLead({ engine, leadId, current, event: keyed.event, now });
    if (!next) return replayImport(input);
    try {
      withinBounds(next, current);
    } catch (error) {
      if (!(error instanceof InvalidPayloadError)) throw error;
      refused++;
      continue;
    }
    current = next.lead;
    folded.push(keyed);
    if (next.transition) transitions.push(imported(next.transition));
    if (next.sqlReady) sqlReady = next.sqlReady;
  }
  // Every event refused: nothing to write, and the stored lead (if any) stands.
  if (!current) return { lead: undefined, events: [], transitions: [], refused };
  // Only the wait the lead is left in: one that began and ended within the import is history.
  const waiting = sqlReady && current.review?.since === sqlReady.since ? quietly(sqlReady) : undefined;
  return { lead: current, events: folded, transitions, ...(waiting && { sqlReady: waiting }), refused };
}

/** Every event of the lead, stored and new, replayed at once, at the latest event's time. */
function replayImport({ engine, leadId, history, fresh }: ImportFold): FoldedImport {
  const all = [...history.events, ...fresh.map((keyed) => keyed.event)];
  const latest = all.reduce((at, event) => (event.occurredAt > at ? event.occurredAt : at), "");
  const now = new Date(history.lead && history.lead.updatedAt > latest ? history.lead.updatedAt : latest);
  const replayed = foldLead({ engine, leadId, current: history.lead, history: all, now });
  if (!replayed) throw new Error("a replay always folds");
  const lead = withinBounds(replayed, history.lead).lead;
  return {
    lead,
    events: [...fresh],
    transitions: replayed.transition ? [imported(replayed.transition)] : [],
    ...(replayed.sqlReady && { sqlReady: quietly(replayed.sqlReady) }),
    refused: 0,
  };
}

/** An event's moment for the fold: when it occurred, but never before the lead's last update. */
function eventTime(event: StoredEvent, lead: Lead | undefined): Date {
  return new Date(lead && lead.updatedAt > event.occurredAt ? lead.updatedAt : event.occurredAt);
}

function imported(transition: Transition): Transition {
  return { ...transition, actor: IMPORT_ACTOR, quiet: true };
}

function quietly(request: SqlReadyRequest): SqlReadyRequest {
  return { ...request, quiet: true };
}

/** Sorted by occurredAt (ISO text compares as time); equal times keep the file's order. */
function inEventTimeOrder(events: readonly LeadEvent[]): LeadEvent[] {
  return [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
}
