import type { Lead } from "../domain/lead";
import { type FoldResult, foldLead } from "../domain/lead-fold";
import type { ScoringEngine } from "../domain/scoring";
import { type LeadStore, VersionConflictError } from "./ports";

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
 * The stale-lead worker: each lead an ingest committed without folding (its replay was too long for a
 * request) is replayed from all its events and written current, with a transition if its stage moves.
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
      const result = lead && (await foldStoredLead(deps, lead, deps.clock()));
      if (!result) continue;
      try {
        await deps.store.commit({
          lead: result.folded.lead,
          expectedVersion: result.current.version,
          ...(result.folded.transition && { transition: result.folded.transition }),
          stale: "clear",
        });
        counts.replayed++;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        counts.conflicts++;
      }
    }
  }
}
