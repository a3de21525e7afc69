import { describe, expect, it } from "vitest";
import { VersionConflictError } from "#shared/application/ports/lead-store";
import { type RecordEventDeps, recordEvent } from "#shared/application/record-event";
import { ContentionError } from "#shared/domain/errors";
import { loadEngine } from "#shared/runtime/scoring-model";
import { leadEvent } from "../support/events";
import { memoryLeadStore } from "../support/memory-lead-store";
import { leadIdOf, recordLeads, testPseudonyms } from "../support/pseudonyms";

const now = new Date("2026-11-20T12:00:00.000Z");

function setup() {
  const memory = memoryLeadStore();
  const sleeps: number[] = [];
  const record = recordLeads({
    store: memory.store,
    engine: loadEngine(),
    clock: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    retry: { attempts: 4, baseMs: 10, capMs: 100 },
  });
  return { memory, record, sleeps };
}

describe("recordEvent", () => {
  it("creates the lead on its first event with a transition into the funnel", async () => {
    // Prepare
    const { memory, record } = setup();
    // Act
    const result = await record(leadEvent({ email: "Ada@Example.com " }));
    // Assess
    expect(result.duplicate).toBe(false);
    expect(result.lead.leadId).toBe(leadIdOf("ada@example.com"));
    expect(result.lead.email).toBe("ada@example.com");
    expect(result.lead.version).toBe(1);
    expect(memory.transitions.get(result.lead.leadId)).toHaveLength(1);
    expect(memory.transitions.get(result.lead.leadId)?.[0]).toMatchObject({ from: null, to: result.lead.stage });
  });

  it("returns the stored lead with duplicate: true and writes nothing for a redelivery", async () => {
    const { memory, record } = setup();
    const event = leadEvent();
    const first = await record(event);
    const commitsBefore = memory.commits();

    const again = await record({ ...event });

    expect(again.duplicate).toBe(true);
    expect(again.lead).toEqual(first.lead);
    expect(memory.commits()).toBe(commitsBefore);
    expect(memory.events.get(first.lead.leadId)).toHaveLength(1);
  });

  it("writes a transition only when the stage changes", async () => {
    const { memory, record } = setup();
    const first = await record(leadEvent({ type: "page.viewed" }));
    const second = await record(leadEvent({ type: "page.viewed" }));

    expect(second.lead.stage).toBe(first.lead.stage);
    expect(second.transitioned).toBe(false);
    expect(memory.transitions.get(first.lead.leadId)).toHaveLength(1);
    expect(second.lead.version).toBe(2);
  });

  it("retries after a version conflict with a jittered, bounded delay, re-reading the lead", async () => {
    const { memory, record, sleeps } = setup();
    await record(leadEvent({ type: "page.viewed" }));
    let interfered = false;
    memory.onBeforeCommit((change) => {
      if (interfered) return;
      interfered = true;
      // Another writer lands first: bump the stored version.
      const stored = memory.leads.get(change.lead.leadId);
      if (stored) memory.leads.set(stored.leadId, { ...stored, version: stored.version + 1 });
    });

    const result = await record(leadEvent({ type: "page.viewed" }));

    expect(result.duplicate).toBe(false);
    expect(result.lead.version).toBe(3);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThanOrEqual(10);
    expect(memory.events.get(result.lead.leadId)).toHaveLength(2);
  });

  it("gives up with ContentionError after the bounded attempts and writes nothing", async () => {
    const { memory, record, sleeps } = setup();
    memory.onBeforeCommit(() => {
      throw new VersionConflictError("always behind");
    });

    await expect(record(leadEvent())).rejects.toBeInstanceOf(ContentionError);

    expect(sleeps).toHaveLength(4);
    expect(memory.leads.size).toBe(0);
  });
});

describe("recordEvent on a read that saw half a commit", () => {
  /** The memory store, except that plain reads of `leadId` show the event's key without its lead. */
  function halfSeen(lead: "in flight" | "erased") {
    const memory = memoryLeadStore();
    const isolated: boolean[] = [];
    const store = {
      ...memory.store,
      async readForEvent(leadId: string, key: string, options: { consistent?: boolean; isolated?: boolean } = {}) {
        isolated.push(options.isolated === true);
        const read = await memory.store.readForEvent(leadId, key, options);
        if (!read.recorded) return read;
        return options.isolated && lead === "in flight" ? read : { lead: undefined, recorded: true };
      },
    };
    return { memory, store, isolated };
  }

  /** recordEvent over `store`, every result as it is (an erasure included). */
  const recordWith = (store: RecordEventDeps["store"]) =>
    recordEvent({ store, engine: loadEngine(), clock: () => now, sleep: async () => {}, pseudonyms: testPseudonyms });

  it("answers a duplicate of the stored lead, never an erasure, when the lead was committed with the event", async () => {
    // Prepare: the first delivery is stored.
    const { memory, store, isolated } = halfSeen("in flight");
    const event = leadEvent({ email: "half@example.com" });
    await recordWith(memory.store)(event);

    // Act: the redelivery's plain read sees the event's key without its lead.
    const again = await recordWith(store)(event);

    // Assess
    expect(again).toMatchObject({ duplicate: true, lead: { leadId: leadIdOf("half@example.com") } });
    expect(again.erased).toBeUndefined();
    expect(isolated).toEqual([false, true]);
  });

  it("answers a duplicate with the lead its event was committed with, not an older one a plain read saw", async () => {
    // Prepare: the first delivery is stored (lead version 1), and a second event moves the lead on (version 2).
    const memory = memoryLeadStore();
    const first = leadEvent({ email: "older@example.com", sourceEventId: "older-1" });
    await recordWith(memory.store)(first);
    await recordWith(memory.store)(leadEvent({ email: "older@example.com", sourceEventId: "older-2" }));
    const committed = [...memory.leads.values()][0];
    if (!committed) throw new Error("no lead stored");
    const isolated: boolean[] = [];
    const older = { ...committed, version: 1 };
    const store = {
      ...memory.store,
      // The plain read sees the second event's key, committed with version 2, beside the lead at version 1.
      async readForEvent(leadId: string, key: string, options: { consistent?: boolean; isolated?: boolean } = {}) {
        isolated.push(options.isolated === true);
        const read = await memory.store.readForEvent(leadId, key, options);
        return options.isolated ? read : { lead: older, recorded: true, committedWith: 2 };
      },
    };

    // Act
    const again = await recordWith(store)(leadEvent({ email: "older@example.com", sourceEventId: "older-2" }));

    // Assess
    expect(again).toMatchObject({ duplicate: true, lead: { version: 2 } });
    expect(isolated).toEqual([false, true]);
  });

  it("answers an erasure only when a read isolated from transactions finds the key without a lead", async () => {
    // Prepare: an erased person's event record, as the erasure leaves it.
    const { memory, store } = halfSeen("erased");
    const event = leadEvent({ email: "gone@example.com" });
    await recordWith(memory.store)(event);

    // Act
    const again = await recordWith(store)(event);

    // Assess
    expect(again).toEqual({ erased: true, leadId: leadIdOf("gone@example.com"), duplicate: true, transitioned: false });
  });
});
