import type { Lead } from "../domain/lead";
import { type FoldResult, foldLead } from "../domain/lead-fold";
import type { ScoringEngine } from "../domain/scoring";
import type { LeadStore } from "./ports";

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
