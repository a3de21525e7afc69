import {
  type LeadPages,
  type LeadRun,
  type RunPart,
  type RunStore,
  type StageChange,
  unstartedParts,
} from "#shared/application/ports/runs";
import type { Lead } from "#shared/domain/lead";
import { stableHash } from "#shared/domain/model/routing";
import type { StoredEvent } from "#shared/domain/scoring-engine";

/** An in-memory RunStore with the DynamoDB one's conditions (ticket and page) on checkpoints and hand-overs. */
export function memoryRunStore() {
  const runs = new Map<string, LeadRun>();
  const keys = new Map<string, string>();
  const parts = new Map<string, RunPart[]>();
  const changes = new Map<string, Map<string, StageChange>>();
  const partOf = (runId: string, part: number) => parts.get(runId)?.find((candidate) => candidate.part === part);
  const at = (part: RunPart | undefined, expected: Pick<RunPart, "ticket" | "page">) =>
    part !== undefined && part.ticket === expected.ticket && part.page === expected.page;

  const store: RunStore = {
    async open({ key, run, parts: sources }) {
      const pointed = keys.get(key);
      const existing = pointed === undefined ? undefined : runs.get(pointed);
      const existingParts = pointed === undefined ? [] : (parts.get(pointed) ?? []);
      if (existing && !existing.refused && !existingParts.every((part) => part.done)) {
        return { run: structuredClone(existing), parts: structuredClone(existingParts), created: false };
      }
      const created = unstartedParts(sources, run.createdAt);
      runs.set(run.runId, structuredClone(run));
      parts.set(run.runId, structuredClone(created));
      keys.set(key, run.runId);
      return { run, parts: created, created: true };
    },
    async get(runId) {
      return structuredClone(runs.get(runId));
    },
    async parts(runId) {
      return structuredClone(parts.get(runId) ?? []);
    },
    async part(runId, part) {
      return structuredClone(partOf(runId, part));
    },
    async checkpoint(runId, next, expected) {
      const list = parts.get(runId) ?? [];
      const index = list.findIndex((part) => part.part === next.part);
      if (!at(list[index], expected)) return false;
      list[index] = structuredClone(next);
      return true;
    },
    async handOver(runId, part, expected) {
      const current = partOf(runId, part);
      if (!current || !at(current, expected)) return false;
      current.ticket++;
      return true;
    },
    async refuse(runId, reason) {
      const run = runs.get(runId);
      if (run) run.refused = reason;
    },
    async recordChanges(runId, list) {
      const kept = changes.get(runId) ?? new Map<string, StageChange>();
      for (const change of list) kept.set(change.leadId, structuredClone(change));
      changes.set(runId, kept);
    },
    async changes(runId) {
      return [...(changes.get(runId)?.values() ?? [])];
    },
  };
  return { store, runs };
}

/**
 * Scan segments over the in-memory store's leads, a page of `pageSize` at a time, each lead in the
 * segment its id hashes to, ordered by id; the position is the last id read. Leads as stored when the
 * page is read (a copy: a worker holds what it read, not the live lead). Given the store's `events` and
 * asked for them, a page brings each lead's events but its first lead's, as a Scan page of the table does.
 */
export function memoryLeadPages(
  leads: Map<string, Lead>,
  pageSize: number,
  events?: Map<string, StoredEvent[]>,
): LeadPages {
  return {
    async read(source, after, options) {
      if (source.from !== "scan") throw new Error("only Scan segments here");
      const ids = [...leads.keys()]
        .filter((leadId) => stableHash(leadId) % source.segments === source.segment)
        .sort()
        .filter((leadId) => after === undefined || leadId > after);
      const page = ids.slice(0, pageSize);
      const read = page.flatMap((leadId) => {
        const lead = leads.get(leadId);
        return lead ? [structuredClone(lead)] : [];
      });
      const last = page.at(-1);
      const found =
        options?.events && events
          ? {
              leads: read,
              events: new Map(
                read.slice(1).map((lead) => [lead.leadId, structuredClone(events.get(lead.leadId) ?? [])]),
              ),
            }
          : { leads: read };
      return ids.length > pageSize && last !== undefined ? { ...found, next: last } : found;
    },
  };
}
