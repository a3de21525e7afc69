import { LeadNotFoundError } from "../domain/errors";
import { type Lead, leadIdFor, type RuleHit, type Transition } from "../domain/lead";
import type { ScoringEngine } from "../domain/scoring";
import type { Clock, LeadStore } from "./ports";

export interface LeadView {
  lead: Lead;
  /** The score as of now, decayed exactly, and every rule hit that makes it up. */
  explanation: { score: number; fit: number; engagement: number; hits: RuleHit[]; asOf: string; modelVersion: string };
  transitions: Transition[];
}

/**
 * Reads one lead with its explanation and stage history.
 * Input: a lead id, or an email (the id is derived from it). Output: LeadView, or LeadNotFoundError.
 * The explanation is recomputed from the stored events at read time, so decay is exact to the second
 * and the hits always add up to the score shown.
 */
export const readLead =
  (deps: { store: LeadStore; engine: ScoringEngine; clock: Clock }) =>
  async (idOrEmail: string): Promise<LeadView> => {
    const leadId = idOrEmail.includes("@") ? leadIdFor(idOrEmail) : idOrEmail;
    const [history, transitions] = await Promise.all([
      deps.store.loadHistory(leadId),
      deps.store.listTransitions(leadId),
    ]);
    const lead = history.lead;
    if (!lead) throw new LeadNotFoundError(`no lead ${idOrEmail.includes("@") ? "with that email" : leadId}`);
    const now = deps.clock();
    const evaluation = deps.engine.evaluate(
      {
        leadId,
        email: lead.email,
        attributes: lead.attributes,
        stage: lead.stage,
        stageEnteredAt: lead.stageEnteredAt,
      },
      history.events,
      now,
    );
    return {
      lead,
      explanation: {
        score: evaluation.score,
        fit: evaluation.fit,
        engagement: evaluation.engagement,
        hits: evaluation.hits,
        asOf: now.toISOString(),
        modelVersion: deps.engine.modelVersion,
      },
      transitions,
    };
  };
