import { describe, expect, it } from "vitest";
import { replayStaleLeads } from "#shared/application/lead-replay";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { parseModel } from "#shared/domain/model/parse";
import { loadEngine, loadModel } from "#shared/runtime/scoring-model";
import { leadEvent } from "../support/events";
import { memoryLeadStore } from "../support/memory-lead-store";
import { createOracle } from "../support/oracle/engine";
import { oracleFold } from "../support/oracle/lead-fold";
import { leadIdOf, recordLeads } from "../support/pseudonyms";
import { engineFor } from "./model/journeys";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const WINDOW_MODEL = {
  version: "test-1",
  engagement: { rules: [{ id: "view", label: "View", on: "page.viewed", points: 5, cap: { max: 2, perDays: 7 } }] },
};

/** The memory store, with every call counted: what ingest reads and writes per webhook. */
function counted() {
  const memory = memoryLeadStore();
  const calls: Record<string, number> = {};
  const store = Object.fromEntries(
    Object.entries(memory.store).map(([name, method]) => [
      name,
      (...args: unknown[]) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return (method as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as unknown as LeadStore;
  return { memory, store, calls };
}

const page = (index: number) =>
  leadEvent({
    type: "page.viewed",
    sourceEventId: `view-${index}`,
    occurredAt: new Date(NOW.getTime() - (1000 - index) * 60_000).toISOString(),
    properties: { path: index % 7 === 0 ? "/pricing" : "/blog" },
  });

describe("recordEvent on the snapshot", () => {
  it("reads once and replays nothing, whatever the history: 300 events, each one read and one commit", async () => {
    // Prepare
    const { store, calls, memory } = counted();
    const record = recordLeads({ store, engine: loadEngine(), clock: () => NOW });

    // Act
    for (let index = 0; index < 300; index++) await record(page(index));
    const duplicate = await record(page(299));

    // Assess
    expect(calls).toEqual({ readForEvent: 301, commit: 300 });
    expect(duplicate.duplicate).toBe(true);
    const lead = memory.leads.get(leadIdOf("ada@example.com"));
    expect(lead).toMatchObject({ eventCount: 300, version: 300 });
    // The same lead as the whole history folded at once.
    const oracle = oracleFold({
      engine: createOracle(loadModel()),
      leadId: leadIdOf("ada@example.com"),
      current: undefined,
      events: memory.events.get(leadIdOf("ada@example.com")) ?? [],
      now: NOW,
    });
    expect(lead?.score).toBe(oracle.lead.score);
  });

  it("records an occurredAt ahead of its clock (within the tolerance) as the time of receipt", async () => {
    const { memory, store } = counted();
    const record = recordLeads({ store, engine: loadEngine(), clock: () => NOW });

    await record(leadEvent({ occurredAt: new Date(NOW.getTime() + 3_600_000).toISOString() }));

    expect(memory.events.get(leadIdOf("ada@example.com"))?.[0]?.occurredAt).toBe(NOW.toISOString());
  });

  it("past the replay bound, commits the event with the lead stale (deferred); the worker replays it exactly", async () => {
    // Prepare: a window cap, and a late event it cannot place without the history.
    const engine = engineFor({
      engagement: { rules: [{ id: "view", label: "View", on: "page.viewed", points: 5, cap: { max: 2, perDays: 7 } }] },
    });
    const { memory, store, calls } = counted();
    const record = recordLeads({
      store,
      engine,
      clock: () => NOW,
      replayLimit: 3,
    });
    for (let index = 0; index < 5; index++) await record(page(900 + index * 10));
    const leadId = leadIdOf("ada@example.com");

    // Act
    const late = await record(page(100));
    const after = await record(page(999));

    // Assess
    expect(late).toMatchObject({ deferred: true, duplicate: false });
    expect(after).toMatchObject({ deferred: true });
    expect(calls.loadEvents).toBe(1);
    expect(memory.leads.get(leadId)).toMatchObject({ stale: true, eventCount: 7 });
    expect(memory.stale.has(leadId)).toBe(true);

    const replay = await replayStaleLeads({ store, engine, clock: () => NOW });

    expect(replay).toEqual({ replayed: 1, conflicts: 0 });
    expect(memory.stale.has(leadId)).toBe(false);
    const lead = memory.leads.get(leadId);
    expect(lead?.stale).toBeUndefined();
    expect(lead?.eventCount).toBe(7);
    expect(lead?.snapshot?.events).toBe(7);
    // Now current again: the next event folds incrementally.
    await record(page(1000));
    expect(calls.loadEvents).toBe(1);
    expect(memory.leads.get(leadId)?.snapshot?.events).toBe(8);
  });

  it("within the replay bound, replays the late event in the request and answers with the exact score", async () => {
    const engine = engineFor(WINDOW_MODEL);
    const { store, calls, memory } = counted();
    const record = recordLeads({ store, engine, clock: () => NOW });
    for (let index = 0; index < 5; index++) await record(page(900 + index * 10));

    const late = await record(page(100));

    expect(late.deferred).toBeUndefined();
    expect(calls.loadEvents).toBe(1);
    // Two views per 7 days score, the late one (earliest) among them: the lead is what a whole fold says.
    const oracle = oracleFold({
      engine: createOracle(parseModel(WINDOW_MODEL)),
      leadId: late.lead.leadId,
      current: undefined,
      events: memory.events.get(late.lead.leadId) ?? [],
      now: NOW,
    });
    expect(late.lead.score).toBe(10);
    expect(late.evaluation?.hits).toEqual(oracle.evaluation.hits);
  });

  it("refuses an event that would outgrow the lead's attribute bound, and stores nothing of it", async () => {
    const { memory, store } = counted();
    const record = recordLeads({ store, engine: loadEngine(), clock: () => NOW });
    const wide = (batch: number) =>
      leadEvent({
        sourceEventId: `wide-${batch}`,
        attributes: Object.fromEntries(Array.from({ length: 50 }, (_, key) => [`k${batch}_${key}`, "v"])),
      });
    for (let batch = 0; batch < 4; batch++) await record(wide(batch));

    await expect(record(wide(4))).rejects.toMatchObject({ code: "invalid_payload" });

    const leadId = leadIdOf("ada@example.com");
    expect(memory.events.get(leadId)).toHaveLength(4);
    expect(Object.keys(memory.leads.get(leadId)?.attributes ?? {})).toHaveLength(200);
  });

  it("holds the attribute bound for a deferred event too: its facts are folded, its score waits", async () => {
    // Prepare: a window cap and a replay bound of 3, so a late event is deferred
    const engine = engineFor(WINDOW_MODEL);
    const { memory, store } = counted();
    const record = recordLeads({
      store,
      engine,
      clock: () => NOW,
      replayLimit: 3,
    });
    const wide = (index: number, keys: number, occurredMinutesAgo: number) =>
      leadEvent({
        type: "page.viewed",
        sourceEventId: `wide-${index}`,
        occurredAt: new Date(NOW.getTime() - occurredMinutesAgo * 60_000).toISOString(),
        attributes: Object.fromEntries(Array.from({ length: keys }, (_, key) => [`k${index}_${key}`, "v"])),
      });
    for (let index = 0; index < 4; index++) await record(wide(index, 45, 100 - index));
    const leadId = leadIdOf("ada@example.com");

    // Act: a late event (deferred) with 10 more attributes, then a late one with 30 more
    const deferred = await record(wide(4, 10, 500));
    const refused = record(wide(5, 30, 600));

    // Assess
    expect(deferred).toMatchObject({ deferred: true });
    expect(memory.leads.get(leadId)?.attributes).toMatchObject({ k4_0: "v", k4_9: "v" });
    expect(Object.keys(memory.leads.get(leadId)?.attributes ?? {})).toHaveLength(190);
    await expect(refused).rejects.toMatchObject({ code: "invalid_payload" });
    expect(memory.events.get(leadId)).toHaveLength(5);
    // The worker's replay keeps what the deferred fold said about the person.
    await replayStaleLeads({ store, engine, clock: () => NOW });
    expect(Object.keys(memory.leads.get(leadId)?.attributes ?? {})).toHaveLength(190);
  });

  it("still takes events that add nothing to a lead already past its bound (as a replay under another model may leave it)", async () => {
    // Prepare: a lead with 210 attributes
    const { memory, store } = counted();
    const record = recordLeads({ store, engine: loadEngine(), clock: () => NOW });
    await record(leadEvent({ sourceEventId: "first" }));
    const leadId = leadIdOf("ada@example.com");
    const stored = memory.leads.get(leadId);
    if (!stored?.snapshot) throw new Error("the first event made no lead");
    for (let key = 0; key < 210; key++) {
      stored.snapshot.attributes[`old_${key}`] = "v";
      stored.snapshot.marks[`old_${key}`] = { at: 0, by: "first" };
    }
    stored.attributes = stored.snapshot.attributes;

    // Act
    const view = await record(leadEvent({ type: "page.viewed", sourceEventId: "view", properties: { path: "/" } }));
    const wider = record(leadEvent({ sourceEventId: "wider", attributes: { brandNew: "v" } }));

    // Assess
    expect(view.duplicate).toBe(false);
    await expect(wider).rejects.toMatchObject({ code: "invalid_payload" });
    expect(memory.events.get(leadId)).toHaveLength(2);
  });
});
