import { DuplicateEventsError, type HistoryImportStore } from "#shared/application/ports/history-import";
import { ErasedPersonError, VersionConflictError } from "#shared/application/ports/lead-store";
import type { TombstoneReader } from "#shared/application/ports/tombstones";
import type { memoryLeadStore } from "./memory-lead-store";

/**
 * A HistoryImportStore over a memoryLeadStore's maps, for unit tests: one all-or-nothing write per
 * import (the DynamoDB store's transactions of ≤ 100 items are tested against DynamoDB Local).
 * `erased` holds the keys of erased events' records, per lead. With `tombstones`, a new lead's commit
 * refuses an erased person, as the port says.
 */
export function memoryImportStore(
  memory: ReturnType<typeof memoryLeadStore>,
  tombstones?: ReturnType<typeof memoryTombstones>,
) {
  const erased = new Map<string, Set<string>>();
  const store: HistoryImportStore = {
    async readForImport(leadId) {
      return {
        lead: structuredClone(memory.leads.get(leadId)),
        events: structuredClone(memory.events.get(leadId) ?? []),
        erasedKeys: new Set(erased.get(leadId)),
      };
    },
    async commitImport(change, onCommitted) {
      const { leadId } = change.lead;
      if (change.expectedVersion === undefined && tombstones?.erased.has(leadId)) throw new ErasedPersonError("erased");
      const keys = memory.eventKeys.get(leadId) ?? new Set<string>();
      const taken = change.events.filter(({ key }) => keys.has(key) || erased.get(leadId)?.has(key));
      if (taken.length > 0) throw new DuplicateEventsError(taken.map(({ key }) => key));
      if (memory.leads.get(leadId)?.version !== change.expectedVersion) throw new VersionConflictError("moved on");
      memory.leads.set(leadId, structuredClone(change.lead));
      memory.events.set(leadId, [...(memory.events.get(leadId) ?? []), ...change.events.map(({ event }) => event)]);
      memory.eventKeys.set(leadId, new Set([...keys, ...change.events.map(({ key }) => key)]));
      memory.transitions.set(leadId, [
        ...(memory.transitions.get(leadId) ?? []),
        ...structuredClone(change.transitions),
      ]);
      if (change.sqlReady) memory.sqlReady.set(`${leadId}:${change.sqlReady.since}`, structuredClone(change.sqlReady));
      if (change.clearStale) memory.stale.delete(leadId);
      onCommitted?.(change.events.map(({ key }) => key));
      return structuredClone(change.lead);
    },
  };
  return { store, erased };
}

/** Tombstones by lead id, for unit tests. */
export function memoryTombstones(erasedOn = "2026-01-01"): TombstoneReader & { erased: Set<string> } {
  const erased = new Set<string>();
  return {
    erased,
    async tombstoneOf(leadId) {
      return erased.has(leadId) ? { leadId, erasedOn } : undefined;
    },
  };
}
