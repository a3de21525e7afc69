import type { Lead } from "#shared/domain/lead";
import { type FoldResult, foldLead } from "#shared/domain/lead-fold";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { type LeadStore, VersionConflictError } from "./ports/lead-store";

/**
 * A stored lead re-evaluated at `now`: from its snapshot when the engine can use it, otherwise by
 * replaying its events (a snapshot of another model, a stale lead, a lead written before snapshots).
 * For batch work and rep actions; ingest bounds its replay itself. Returns the lead it folded (the
 * replay reads the lead again, first, so its events include every one the lead counts), or undefined
 * when the lead is gone.
 */
export async function foldStoredLead(
  deps: { store: LeadStore; engine: ScoringEngine },
  lead: Lead,
  now: Date,
): Promise<{ current: Lead; folded: FoldResult } | undefined> {
  const folded = foldLead({ engine: deps.engine, leadId: lead.leadId, current: lead, now });
  if (folded) return { current: lead, folded };
  const history = await deps.store.loadHistory(lead.leadId, { consistent: true });
  if (!history.lead) return undefined;
  const replayed = foldLead({
    engine: deps.engine,
    leadId: lead.leadId,
    current: history.lead,
    history: history.events,
    now,
  });
  return replayed && { current: history.lead, folded: replayed };
}

/**
 * The events a run's Scan page read beside the lead, if they are as many as the lead counts: then they
 * are all of its events. A Scan reads them as it reads the lead, not after, so a page that read a newer
 * event than the lead counts would only agree by missing another; such a lead is not current, and a
 * version-checked commit made from it fails (the retry reads the lead again and Queries its events); a
 * preview, which writes nothing, shows the lead as its page read it, as it always has. Not for a stale
 * lead, whose count leaves out the events it has not folded yet.
 */
export function pageHistory(
  lead: Lead,
  events: readonly StoredEvent[] | undefined,
): readonly StoredEvent[] | undefined {
  return events && !lead.stale && events.length === lead.eventCount ? events : undefined;
}

/**
 * A lead replayed from its events as read, without reading it again (a page of a run brought it): its
 * events are read after it (a consistent Query), so they hold every event it counts; an event newer than
 * the lead makes the caller's version-checked commit fail, and the caller retries from a fresh read.
 * `history` gives events already read for it (a preview replays one history with two models; a rescore,
 * the events its Scan page read beside the lead, when they are as many as the lead counts).
 */
export async function replayLead(
  deps: { store: LeadStore; engine: ScoringEngine },
  lead: Lead,
  now: Date,
  history?: readonly StoredEvent[],
): Promise<FoldResult | undefined> {
  const events = history ?? (await deps.store.loadEvents(lead.leadId, { consistent: true })).events;
  return foldLead({ engine: deps.engine, leadId: lead.leadId, current: lead, history: events, now });
}

/**
 * One stale lead (an ingest committed an event without folding it: its replay was too long for a
 * request) replayed from all its events and written current, with a transition if its stage moves, and
 * taken off the stale list in the same transaction. Returns what happened: undefined when the lead is gone
 * or no longer stale, "conflict" when it changed meanwhile (left for the next run).
 */
export async function replayStaleLead(
  deps: { store: LeadStore; engine: ScoringEngine; clock: () => Date },
  lead: Lead,
): Promise<{ replayed: FoldResult; from: Lead } | "conflict" | undefined> {
  if (!lead.stale) return undefined;
  const result = await foldStoredLead(deps, lead, deps.clock());
  if (!result) return undefined;
  try {
    await deps.store.commit({
      lead: result.folded.lead,
      expectedVersion: result.current.version,
      ...(result.folded.transition && { transition: result.folded.transition }),
      ...(result.folded.sqlReady && { sqlReady: result.folded.sqlReady }),
      stale: "clear",
    });
    return { replayed: result.folded, from: result.current };
  } catch (error) {
    if (!(error instanceof VersionConflictError)) throw error;
    return "conflict";
  }
}

/**
 * The stale-lead worker: each lead on the stale list replayed (replayStaleLead), a page at a time.
 * Guarantees: idempotent (a replayed lead leaves the stale list in the same transaction); a lead that
 * changed meanwhile is left for the next run; stops when `timeLeft` says so.
 */
export async function replayStaleLeads(
  deps: { store: LeadStore; engine: ScoringEngine; clock: () => Date; timeLeft?: () => boolean },
  pageSize = 25,
): Promise<{ replayed: number; conflicts: number }> {
  const counts = { replayed: 0, conflicts: 0 };
  const tried = new Set<string>();
  for (;;) {
    const leadIds = (await deps.store.listStale(pageSize + tried.size)).filter((leadId) => !tried.has(leadId));
    if (leadIds.length === 0 || deps.timeLeft?.() === false) return counts;
    for (const leadId of leadIds) {
      tried.add(leadId);
      const lead = await deps.store.getLead(leadId);
      const outcome = lead && (await replayStaleLead(deps, lead));
      if (outcome === "conflict") counts.conflicts++;
      else if (outcome) counts.replayed++;
    }
  }
}
