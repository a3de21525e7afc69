import { describe, expect, it } from "vitest";
import { groupByLead, IMPORT_ACTOR, importLeadHistory } from "#shared/application/import-history";
import type { HistoryImportStore } from "#shared/application/ports/history-import";
import { eventKey, type LeadEvent, type LeadEventInput } from "#shared/domain/lead-event";
import { createEngine } from "#shared/domain/model/engine";
import { loadEngine, loadModel } from "#shared/runtime/scoring-model";
import { leadEvent } from "../support/events";
import { memoryImportStore, memoryTombstones } from "../support/memory-import-store";
import { memoryLeadStore } from "../support/memory-lead-store";
import { leadIdOf, recordLeads, TEST_PSEUDONYMS } from "../support/pseudonyms";

const engine = loadEngine();
const importedAt = new Date("2026-11-20T12:00:00.000Z");

/** One lead's import through `store`, at importedAt. */
function importThrough(store: HistoryImportStore, tombstones = memoryTombstones()) {
  return importLeadHistory({ store, engine, clock: () => importedAt, pseudonyms: TEST_PSEUDONYMS, tombstones });
}

function setup() {
  const memory = memoryLeadStore();
  const tombstones = memoryTombstones();
  const imports = memoryImportStore(memory, tombstones);
  const importLead = importThrough(imports.store, tombstones);
  const importEvents = (events: readonly LeadEvent[]) =>
    Promise.all(
      [...groupByLead(events, TEST_PSEUDONYMS)].map(([leadId, group]) => importLead({ leadId, events: group })),
    );
  return { memory, imports, tombstones, importLead, importEvents };
}

/** A lead's history that moves it through stages: a visit, a form with budget and timeline, a demo. */
function history(email: string, overrides: Partial<LeadEventInput> = {}): LeadEvent[] {
  return [
    leadEvent({ email, type: "page.viewed", occurredAt: "2026-11-01T09:00:00.000Z", ...overrides }),
    leadEvent({
      email,
      type: "form.submitted",
      occurredAt: "2026-11-02T09:00:00.000Z",
      answers: { budget: "40k", timeline: "this quarter" },
      ...overrides,
    }),
    leadEvent({ email, type: "demo.completed", occurredAt: "2026-11-03T09:00:00.000Z", ...overrides }),
  ];
}

describe("importLeadHistory", () => {
  it("groups events by their person's lead id, in file order", () => {
    // Prepare
    const [a1, b1, a2] = [
      leadEvent({ email: "ada@example.com" }),
      leadEvent({ email: "bob@example.com" }),
      leadEvent({ email: "ADA@example.com " }),
    ];
    // Act
    const groups = groupByLead([a1, b1, a2] as LeadEvent[], TEST_PSEUDONYMS);
    // Assess
    expect([...groups.keys()]).toEqual([leadIdOf("ada@example.com"), leadIdOf("bob@example.com")]);
    expect(groups.get(leadIdOf("ada@example.com"))).toEqual([a1, a2]);
  });

  it("drops events already stored, and the same event twice in the file, as duplicates", async () => {
    // Prepare
    const { memory, importEvents } = setup();
    const events = history("ada@example.com");
    await importEvents(events.slice(0, 2));
    // Act
    const [second] = await importEvents([...events, events[2] as LeadEvent]);
    const [third] = await importEvents(events);
    // Assess
    expect(second).toMatchObject({ stored: 1, duplicates: 3, refused: 0 });
    expect(third).toMatchObject({ stored: 0, duplicates: 3, refused: 0 });
    expect(memory.events.get(leadIdOf("ada@example.com"))).toHaveLength(3);
  });

  it("counts an erased event's record as a duplicate", async () => {
    // Prepare
    const { imports, importEvents } = setup();
    const [visit, form] = history("ada@example.com");
    const key = TEST_PSEUDONYMS.eventKey(eventKey(visit as LeadEvent));
    imports.erased.set(leadIdOf("ada@example.com"), new Set([key]));
    // Act
    const [result] = await importEvents([visit, form] as LeadEvent[]);
    // Assess
    expect(result).toMatchObject({ stored: 1, duplicates: 1 });
  });

  it("refuses every event of an erased person and stores nothing", async () => {
    // Prepare
    const { memory, tombstones, importEvents } = setup();
    tombstones.erased.add(leadIdOf("ada@example.com"));
    // Act
    const [result] = await importEvents(history("ada@example.com", { answers: { consent: "yes" } }));
    // Assess
    expect(result).toMatchObject({ stored: 0, duplicates: 0, refused: 3 });
    expect(memory.leads.has(leadIdOf("ada@example.com"))).toBe(false);
    expect(memory.events.has(leadIdOf("ada@example.com"))).toBe(false);
  });

  it("refuses every event of a new person erased between the read and the commit, and stores nothing", async () => {
    // Prepare: the erasure lands just after the import's read.
    const { memory, imports, tombstones } = setup();
    const leadId = leadIdOf("ada@example.com");
    const racing: HistoryImportStore = {
      ...imports.store,
      async readForImport(id, options) {
        const read = await imports.store.readForImport(id, options);
        tombstones.erased.add(id);
        return read;
      },
    };
    // Act
    const result = await importThrough(racing, tombstones)({ leadId, events: history("ada@example.com") });
    // Assess
    expect(result).toMatchObject({ stored: 0, duplicates: 0, refused: 3 });
    expect(memory.leads.has(leadId)).toBe(false);
    expect(memory.events.has(leadId)).toBe(false);
  });

  it("records the moves quiet, by the import, at the time of the event that caused them", async () => {
    // Prepare
    const { memory, importEvents } = setup();
    const events = history("ada@example.com");
    // Act
    await importEvents(events);
    // Assess
    const transitions = memory.transitions.get(leadIdOf("ada@example.com")) ?? [];
    expect(transitions.length).toBeGreaterThan(1);
    for (const transition of transitions) {
      expect(transition.actor).toEqual(IMPORT_ACTOR);
      expect(transition.quiet).toBe(true);
      expect(events.map((event) => event.occurredAt)).toContain(transition.at);
    }
  });

  it("stores the wait for review the history leaves a gated lead in, quiet, since the event that began it", async () => {
    // Prepare: the default model with the SDR gate on.
    const model = loadModel();
    const gated = createEngine({ ...model, stages: { ...model.stages, sqlReview: true } });
    const memory = memoryLeadStore();
    const importLead = importLeadHistory({
      store: memoryImportStore(memory).store,
      engine: gated,
      clock: () => importedAt,
      pseudonyms: TEST_PSEUDONYMS,
      tombstones: memoryTombstones(),
    });
    const leadId = leadIdOf("ada@example.com");

    // Act
    await importLead({ leadId, events: history("ada@example.com") });

    // Assess: the demo (the third event) met the sql rule; the lead waits below sql.
    const lead = memory.leads.get(leadId);
    expect(lead?.stage).not.toBe("sql");
    expect([...memory.sqlReady.values()]).toEqual([
      expect.objectContaining({ leadId, since: "2026-11-03T09:00:00.000Z", quiet: true }),
    ]);
    expect(lead?.review?.since).toBe("2026-11-03T09:00:00.000Z");
  });

  it("folds in event-time order to the lead that recording the events one by one, as they occurred, gives", async () => {
    // Prepare: the file lists them newest first.
    const { memory, importEvents } = setup();
    const events = history("ada@example.com");
    const webhooks = memoryLeadStore();
    let at = importedAt;
    const record = recordLeads({
      store: webhooks.store,
      engine,
      clock: () => at,
      sleep: async () => {},
    });
    for (const event of events) {
      at = new Date(event.occurredAt);
      await record(event);
    }
    // Act
    await importEvents([...events].reverse());
    // Assess
    const leadId = leadIdOf("ada@example.com");
    const imported = memory.leads.get(leadId);
    const recorded = webhooks.leads.get(leadId);
    expect(recorded?.stage).toBe("sql");
    expect(imported).toMatchObject({
      stage: recorded?.stage,
      score: recorded?.score,
      eventCount: 3,
      stageEnteredAt: recorded?.stageEnteredAt,
      version: recorded?.version,
    });
    expect(imported?.snapshot).toEqual(recorded?.snapshot);
    const moves = (leadTransitions: typeof memory.transitions) =>
      leadTransitions.get(leadId)?.map(({ from, to, at }) => ({ from, to, at }));
    expect(moves(memory.transitions)).toEqual(moves(webhooks.transitions));
  });

  it("replays the whole history when a stored lead is stale, and clears its mark", async () => {
    // Prepare
    const { memory, importEvents } = setup();
    const events = history("ada@example.com");
    await importEvents(events.slice(0, 1));
    const leadId = leadIdOf("ada@example.com");
    const stored = memory.leads.get(leadId);
    if (!stored) throw new Error("no lead");
    memory.leads.set(leadId, { ...stored, stale: true });
    memory.stale.add(leadId);
    // Act
    const [result] = await importEvents(events);
    // Assess
    expect(result).toMatchObject({ stored: 2, duplicates: 1 });
    expect(memory.leads.get(leadId)).toMatchObject({ eventCount: 3 });
    expect(memory.leads.get(leadId)?.stale).toBeUndefined();
    expect(memory.stale.has(leadId)).toBe(false);
  });

  it("reads again and folds again when a webhook lands on the lead between its read and its commit", async () => {
    // Prepare
    const { memory, imports } = setup();
    const [visit, form, demo] = history("ada@example.com");
    const webhook = recordLeads({ store: memory.store, engine, clock: () => importedAt, sleep: async () => {} });
    await webhook(visit as LeadEvent);
    let raced = false;
    const racing = {
      ...imports.store,
      async commitImport(...args: Parameters<typeof imports.store.commitImport>) {
        if (!raced) {
          raced = true;
          await webhook(form as LeadEvent);
        }
        return imports.store.commitImport(...args);
      },
    };
    const importLead = importThrough(racing);
    // Act
    const result = await importLead({ leadId: leadIdOf("ada@example.com"), events: [form, demo] as LeadEvent[] });
    // Assess
    expect(result).toMatchObject({ stored: 1, duplicates: 1 });
    expect(memory.leads.get(leadIdOf("ada@example.com"))).toMatchObject({ eventCount: 3 });
  });

  it("drops the events the store names as already stored, and stores the rest", async () => {
    // Prepare: a read that misses an event stored meanwhile; the commit names it.
    const { memory, imports } = setup();
    const events = history("ada@example.com");
    const webhook = recordLeads({ store: memory.store, engine, clock: () => importedAt, sleep: async () => {} });
    let missed = false;
    const blind = {
      ...imports.store,
      async readForImport(leadId: string) {
        if (missed) return imports.store.readForImport(leadId);
        missed = true;
        const read = await imports.store.readForImport(leadId);
        await webhook(events[2] as LeadEvent);
        return read;
      },
    };
    const importLead = importThrough(blind);
    // Act
    const result = await importLead({ leadId: leadIdOf("ada@example.com"), events });
    // Assess
    expect(result).toMatchObject({ stored: 2, duplicates: 1 });
    expect(memory.events.get(leadIdOf("ada@example.com"))).toHaveLength(3);
  });
});
