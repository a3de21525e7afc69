import type { LeadHistoryScan } from "#shared/application/ports/lead-reads";
import {
  DuplicateEventError,
  type LeadChange,
  type LeadStore,
  VersionConflictError,
} from "#shared/application/ports/lead-store";
import type { LeadHistory } from "#shared/domain/calibration/training-set";
import type { Lead, SqlReadyRequest, Transition } from "#shared/domain/lead";
import { stableHash } from "#shared/domain/model/routing";
import type { StoredEvent } from "#shared/domain/scoring-engine";

/** An in-memory LeadStore with the same all-or-nothing semantics as the DynamoDB one: for unit tests. */
export function memoryLeadStore() {
  const leads = new Map<string, Lead>();
  const events = new Map<string, StoredEvent[]>();
  const transitions = new Map<string, Transition[]>();
  /** Waits for review by `<leadId>:<since>`: a second write of one wait replaces it, as in DynamoDB. */
  const sqlReady = new Map<string, SqlReadyRequest>();
  /** Applied markers by `<leadId>:<key>`, with the time of the change that wrote them. */
  const markers = new Map<string, string>();
  /** Event keys (pseudonyms) stored per lead: what a redelivery is recognised by. */
  const eventKeys = new Map<string, Set<string>>();
  let commits = 0;
  /** Called before each commit applies; a test can make the store move on underneath a writer. */
  let beforeCommit: ((change: LeadChange) => void) | undefined;

  const stale = new Set<string>();
  const store: LeadStore = {
    async readForEvent(leadId, eventKey) {
      const recorded = eventKeys.get(leadId)?.has(eventKey) ?? false;
      return { lead: structuredClone(leads.get(leadId)), recorded };
    },
    async readForAction(leadId, actionKey) {
      const at = markers.get(`${leadId}:${actionKey}`);
      return { lead: structuredClone(leads.get(leadId)), ...(at !== undefined && { applied: { at } }) };
    },
    async loadEvents(leadId, { limit = Number.POSITIVE_INFINITY }) {
      const all = structuredClone(events.get(leadId) ?? []);
      return all.length > limit ? { events: all.slice(0, limit), complete: false } : { events: all, complete: true };
    },
    async listStale(limit) {
      return [...stale].slice(0, limit);
    },
    async loadHistory(leadId) {
      return { lead: structuredClone(leads.get(leadId)), events: structuredClone(events.get(leadId) ?? []) };
    },
    async getLead(leadId) {
      return structuredClone(leads.get(leadId));
    },
    async listTransitions(leadId) {
      return structuredClone(transitions.get(leadId) ?? []);
    },
    async commit(change) {
      beforeCommit?.(change);
      const leadId = change.lead.leadId;
      const stored = leads.get(leadId);
      if (change.event && change.eventKey === undefined) throw new Error("an event is stored under its key");
      if (change.eventKey !== undefined && eventKeys.get(leadId)?.has(change.eventKey)) {
        throw new DuplicateEventError("already recorded");
      }
      if (change.marker && markers.has(`${leadId}:${change.marker.key}`)) throw new DuplicateEventError("marker");
      if (stored?.version !== change.expectedVersion) throw new VersionConflictError("moved on");
      commits++;
      leads.set(leadId, structuredClone(change.lead));
      if (change.event && change.eventKey !== undefined) {
        events.set(leadId, [...(events.get(leadId) ?? []), structuredClone(change.event)]);
        eventKeys.set(leadId, new Set([...(eventKeys.get(leadId) ?? []), change.eventKey]));
      }
      if (change.transition) {
        transitions.set(leadId, [...(transitions.get(leadId) ?? []), structuredClone(change.transition)]);
      }
      if (change.sqlReady) sqlReady.set(`${leadId}:${change.sqlReady.since}`, structuredClone(change.sqlReady));
      if (change.marker) markers.set(`${leadId}:${change.marker.key}`, change.lead.updatedAt);
      if (change.stale === "mark") stale.add(leadId);
      if (change.stale === "clear") stale.delete(leadId);
    },
  };
  return {
    store,
    leads,
    events,
    eventKeys,
    transitions,
    sqlReady,
    stale,
    commits: () => commits,
    onBeforeCommit(hook: ((change: LeadChange) => void) | undefined) {
      beforeCommit = hook;
    },
  };
}

/**
 * LeadHistoryScan over an in-memory store: each lead in the part its id hashes to, ordered by id, pages
 * of `pageSize` leads, each history as stored when its page is read.
 */
export function memoryLeadHistoryScan(
  memory: Pick<ReturnType<typeof memoryLeadStore>, "leads" | "events" | "transitions">,
  segments: number,
  pageSize = 10,
): LeadHistoryScan {
  const historyOf = (leadId: string, reachedSqo: boolean, decisions: boolean): LeadHistory[] => {
    const lead = memory.leads.get(leadId);
    if (!lead) return [];
    const moves = memory.transitions.get(leadId) ?? [];
    const sqoAt = reachedSqo ? moves.find((move) => move.to === "sqo")?.at : undefined;
    const decided = decisions
      ? moves.find((move) => move.actor.type === "rep" && (move.to === "sql" || move.to === "disqualified"))
      : undefined;
    const events = structuredClone(memory.events.get(leadId) ?? []);
    return [
      {
        leadId,
        email: lead.email,
        events,
        ...(sqoAt !== undefined && { reachedSqoAt: sqoAt }),
        ...(decided && { decision: { at: decided.at, qualified: decided.to === "sql" } }),
      },
    ];
  };
  return {
    segments,
    async *read(segment, { reachedSqo, decisions = false }) {
      const leadIds = [...memory.leads.keys()].filter((leadId) => stableHash(leadId) % segments === segment).sort();
      for (let start = 0; start < leadIds.length; start += pageSize) {
        yield leadIds.slice(start, start + pageSize).flatMap((leadId) => historyOf(leadId, reachedSqo, decisions));
      }
    },
  };
}
