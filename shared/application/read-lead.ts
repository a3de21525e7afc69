import { LeadNotFoundError } from "#shared/domain/errors";
import type { Actor, Bant, Lead, Owner, RuleHit, Transition } from "#shared/domain/lead";
import type { Scalar, SourceName } from "#shared/domain/lead-event";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import type { Stage } from "#shared/domain/stages";
import { foldStoredLead } from "./lead-replay";
import type { Clock, LeadStore, PseudonymSource } from "./ports/lead-store";

export interface LeadView {
  lead: Lead;
  /** The score as of now, decayed exactly, and every rule hit that makes it up. */
  explanation: { score: number; fit: number; engagement: number; hits: RuleHit[]; asOf: string; modelVersion: string };
  /** BANT as evaluated now, from the stored answers. */
  bant: Bant;
  owner?: Owner;
  transitions: Transition[];
  /** Events and changes of stage in the order they happened; at equal times the event comes first. */
  timeline: TimelineEntry[];
  /** False when the lead has more events than a read shows (TIMELINE_EVENTS): the timeline holds some of them. */
  timelineComplete?: false;
}

export type TimelineEntry =
  | {
      kind: "event";
      at: string;
      eventId: string;
      source: SourceName;
      type: string;
      receivedAt: string;
      properties: Record<string, Scalar>;
    }
  | {
      kind: "transition";
      at: string;
      transitionId: string;
      from: Stage | null;
      to: Stage;
      reason: string;
      actor: Actor;
      score: number;
    };

/** Events a lead read shows at most, so a read costs a bounded amount however long the history. */
export const TIMELINE_EVENTS = 500;

/**
 * Reads one lead with its explanation, BANT, owner and timeline.
 * Input: a lead id, or an email (the id is derived from it). Output: LeadView, or LeadNotFoundError.
 * The explanation is evaluated from the lead's snapshot at read time, so decay is exact to the second
 * and the rules always add up to the score shown.
 * Guarantees: reads only (the lead item, at most TIMELINE_EVENTS events, and its transitions, which are
 * not paged yet); an erased person reads as not found, having no lead item.
 */
export const readLead =
  (deps: { store: LeadStore; engine: ScoringEngine; clock: Clock; pseudonyms: PseudonymSource }) =>
  async (idOrEmail: string): Promise<LeadView> => {
    const leadId = idOrEmail.includes("@") ? (await deps.pseudonyms()).leadId(idOrEmail) : idOrEmail;
    const [stored, page, transitions] = await Promise.all([
      deps.store.getLead(leadId),
      deps.store.loadEvents(leadId, { limit: TIMELINE_EVENTS }),
      deps.store.listTransitions(leadId),
    ]);
    if (!stored) throw new LeadNotFoundError(`no lead ${idOrEmail.includes("@") ? "with that email" : leadId}`);
    const now = deps.clock();
    // The explanation comes from the snapshot; only a lead it can't serve (stale, another model) is replayed.
    const folded = (await foldStoredLead(deps, stored, now))?.folded;
    if (!folded) throw new LeadNotFoundError(`no lead ${leadId}`);
    const { evaluation } = folded;
    const { snapshot: _snapshot, ...lead } = stored;
    return {
      lead,
      bant: evaluation.bant,
      ...((lead.owner ?? evaluation.owner) && { owner: lead.owner ?? evaluation.owner }),
      explanation: {
        score: evaluation.score,
        fit: evaluation.fit,
        engagement: evaluation.engagement,
        hits: evaluation.hits,
        asOf: now.toISOString(),
        modelVersion: deps.engine.modelVersion,
      },
      transitions,
      timeline: timeline(page.events, transitions),
      ...(!page.complete && { timelineComplete: false }),
    };
  };

/** Events (at the time they happened) and transitions merged in time order. */
export function timeline(events: readonly StoredEvent[], transitions: readonly Transition[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...events.map(
      (event): TimelineEntry => ({
        kind: "event",
        at: event.occurredAt,
        eventId: event.eventId,
        source: event.source,
        type: event.type,
        receivedAt: event.receivedAt,
        properties: event.properties,
      }),
    ),
    ...transitions.map(
      (transition): TimelineEntry => ({
        kind: "transition",
        at: transition.at,
        transitionId: transition.transitionId,
        from: transition.from,
        to: transition.to,
        reason: transition.reason,
        actor: transition.actor,
        score: transition.score,
      }),
    ),
  ];
  const rank = (entry: TimelineEntry) => (entry.kind === "event" ? 0 : 1);
  const id = (entry: TimelineEntry) => (entry.kind === "event" ? entry.eventId : entry.transitionId);
  return entries.sort((a, b) =>
    a.at !== b.at ? (a.at < b.at ? -1 : 1) : rank(a) - rank(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0),
  );
}
