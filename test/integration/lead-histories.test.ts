import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leadPk } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoErasureStore } from "#shared/adapters/dynamodb/erasure-store";
import { type DynamoLeadHistoryScanOptions, dynamoLeadHistoryScan } from "#shared/adapters/dynamodb/lead-histories";
import { dynamoLeadPages } from "#shared/adapters/dynamodb/lead-pages";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { eraseLead } from "#shared/application/erase-lead";
import type { LeadStore } from "#shared/application/ports/lead-store";
import type { LeadHistory } from "#shared/domain/calibration/training-set";
import type { Stage } from "#shared/domain/stages";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { leadIdOf, TEST_PSEUDONYMS, testPseudonyms } from "../support/pseudonyms";
import { leadFixture, storedEvent, transitionFixture } from "../unit/leads/fixtures";

let table: TestTable;
let store: LeadStore;

const day = (n: number, hour = 10) => new Date(Date.UTC(2026, 5, n, hour)).toISOString();

/**
 * A lead committed one event at a time as the write path does: created into `lead`, then moved through
 * `stages` (one per event after the first, or staying where it is for `undefined`).
 */
async function seedLead(email: string, events: number, stages: (Stage | undefined)[] = []) {
  let stage: Stage = "lead";
  for (let index = 0; index < events; index++) {
    const at = day(1 + index, 10 + (index % 7));
    const event = storedEvent({ email, occurredAt: at, sourceEventId: `${email}-${index}` });
    const to = index === 0 ? "lead" : stages[index - 1];
    const moved = to !== undefined && (index === 0 || to !== stage);
    const from = index === 0 ? null : stage;
    if (to !== undefined) stage = to;
    await store.commit({
      lead: leadFixture({ email, stage, version: index + 1, eventCount: index + 1, updatedAt: at }),
      expectedVersion: index === 0 ? undefined : index,
      event,
      eventKey: TEST_PSEUDONYMS.eventKey(event.eventId),
      ...(moved && { transition: transitionFixture({ leadId: leadIdOf(email), from, to: stage, at }) }),
    });
  }
}

/** What the per-lead reads give for a lead: its record and events, then its transitions. */
async function historyReadPerLead(email: string): Promise<LeadHistory | undefined> {
  const leadId = leadIdOf(email);
  const { lead, events } = await store.loadHistory(leadId);
  if (!lead) return undefined;
  const reachedSqoAt = (await store.listTransitions(leadId)).find((transition) => transition.to === "sqo")?.at;
  return { leadId, email: lead.email, events, ...(reachedSqoAt !== undefined && { reachedSqoAt }) };
}

/** Every part of the scan read one after another: the histories, and every lead id met (repeats kept). */
async function scanAll(options: Omit<DynamoLeadHistoryScanOptions, "client" | "tableName">, reachedSqo = true) {
  const scan = dynamoLeadHistoryScan({ ...table, ...options });
  const histories: LeadHistory[] = [];
  for (let segment = 0; segment < scan.segments; segment++) {
    for await (const page of scan.read(segment, { reachedSqo })) histories.push(...page);
  }
  return histories;
}

const byLeadId = (histories: readonly LeadHistory[]) =>
  [...histories].sort((a, b) => (a.leadId < b.leadId ? -1 : a.leadId > b.leadId ? 1 : 0));

const EMAILS = Array.from({ length: 24 }, (_, index) => `person${index}@company${index % 5}.example`);
const LONG = "long.history@company.example";
const SQO_TWICE = "sqo.twice@company.example";
const ERASED = "erased@private.example";
const BACK = "back.after.erasure@private.example";

beforeAll(async () => {
  table = await createTestTable("lead-histories");
  store = dynamoLeadStore(table);
  for (const [index, email] of EMAILS.entries()) {
    await seedLead(email, 1 + (index % 4), index % 3 === 0 ? ["mql", "sql", "sqo"] : ["mql"]);
  }
  // Longer than a page of every size the tests read: its partition spans several pages.
  await seedLead(LONG, 40, ["mql", undefined, "sql", "sqo"]);
  // The first move to sqo is what counts, not the latest.
  await seedLead(SQO_TWICE, 5, ["sqo", "recycled", "mql", "sqo"]);
  // An erased person leaves a tombstone and records of their events' keys, and no lead; one who came back
  // has a lead again, with only the events since.
  await seedLead(ERASED, 3, ["mql", "sqo"]);
  await seedLead(BACK, 2);
  const erase = eraseLead({
    store: dynamoErasureStore(table),
    clock: () => new Date(day(20)),
    pseudonyms: testPseudonyms,
  });
  for (const email of [ERASED, BACK]) await erase({ idOrEmail: leadIdOf(email), requestedBy: "test" });
  const after = storedEvent({ email: BACK, occurredAt: day(21), sourceEventId: "back-again" });
  await store.commit({
    lead: leadFixture({ email: BACK, stage: "lead", updatedAt: day(21) }),
    expectedVersion: undefined,
    event: after,
    eventKey: TEST_PSEUDONYMS.eventKey(after.eventId),
    transition: transitionFixture({ leadId: leadIdOf(BACK), from: null, to: "lead", at: day(21) }),
  });
  // Items the read must pass over: a marker and an SLA breach in a lead's partition, a run outside any.
  const somebody = leadPk(leadIdOf(EMAILS[0] as string));
  for (const item of [
    { pk: somebody, sk: "MARKER#rep-action-1", entity: "marker", at: day(2) },
    { pk: somebody, sk: `SLA#sla.mql#${day(2)}`, entity: "sla-breach" },
  ]) {
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: marshall(item) }));
  }
  await dynamoRunStore(table).open({
    key: "rescore",
    run: {
      runId: "run-1",
      kind: "rescore",
      model: { version: "m", hash: "h" },
      asOf: day(22),
      notify: false,
      workers: 1,
      createdAt: day(22),
    },
    parts: [{ from: "scan", segment: 0, segments: 1 }],
  });
}, 120_000);

afterAll(() => table?.client.destroy());

describe("every stored lead's history in one pass over the table", () => {
  it("gives each lead the history its own reads give, whatever the parts and the page size", async () => {
    // Prepare
    const expected: LeadHistory[] = [];
    for (const email of [...EMAILS, LONG, SQO_TWICE, ERASED, BACK]) {
      const history = await historyReadPerLead(email);
      if (history) expected.push(history);
    }

    // Act
    const reads = [
      await scanAll({ segments: 1 }),
      await scanAll({ segments: 4 }),
      await scanAll({ segments: 3, pageItems: 5 }),
      await scanAll({ segments: 1, pageItems: 2 }),
    ];

    // Assess
    expect(expected).toHaveLength(EMAILS.length + 3);
    for (const histories of reads) expect(byLeadId(histories)).toEqual(byLeadId(expected));
  });

  it("reads each lead once, in one part", async () => {
    // Act
    const histories = await scanAll({ segments: 4, pageItems: 3 });

    // Assess
    const leadIds = histories.map((history) => history.leadId);
    expect(new Set(leadIds).size).toBe(leadIds.length);
    expect(leadIds).toHaveLength(EMAILS.length + 3);
  });

  it("keeps the events in order across the pages a long history spans", async () => {
    // Act
    const histories = await scanAll({ segments: 2, pageItems: 4 });

    // Assess
    const long = histories.find((history) => history.leadId === leadIdOf(LONG));
    expect(long?.events).toHaveLength(40);
    expect(long?.events).toEqual((await store.loadHistory(leadIdOf(LONG))).events);
    expect(long?.reachedSqoAt).toBe(day(5, 14));
  });

  it("dates sqo by the first move there, and leaves erased people out", async () => {
    // Act
    const histories = new Map((await scanAll({ segments: 4 })).map((history) => [history.leadId, history]));

    // Assess
    expect(histories.get(leadIdOf(SQO_TWICE))?.reachedSqoAt).toBe(day(2, 11));
    expect(histories.has(leadIdOf(ERASED))).toBe(false);
    const back = histories.get(leadIdOf(BACK));
    expect(back?.events.map((event) => event.sourceEventId)).toEqual(["back-again"]);
    expect(back?.reachedSqoAt).toBeUndefined();
  });

  it("reads no transitions when sqo is not asked for", async () => {
    // Act
    const histories = await scanAll({ segments: 2, pageItems: 3 }, false);

    // Assess
    expect(histories).toHaveLength(EMAILS.length + 3);
    expect(histories.filter((history) => history.reachedSqoAt !== undefined)).toEqual([]);
  });
});

describe("reps' decisions, for the qualified label", () => {
  it("reads a rep's first move to sql or disqualified, never a rule's, and only when asked", async () => {
    // Prepare: on a table of its own, three leads moved by rules and reps, one event per move.
    const own = await createTestTable("lead-decisions");
    const ownStore = dynamoLeadStore(own);
    const rep = { type: "rep", id: "link:ana" } as const;
    const moves: Record<string, { to: Stage; by: "rule" | "rep" }[]> = {
      "qualified@decided.example": [
        { to: "mql", by: "rule" },
        { to: "sql", by: "rep" },
        { to: "disqualified", by: "rep" },
      ],
      "turned.down@decided.example": [
        { to: "sql", by: "rule" },
        { to: "disqualified", by: "rep" },
      ],
      "undecided@decided.example": [{ to: "sql", by: "rule" }],
    };
    for (const [email, steps] of Object.entries(moves)) {
      let stage: Stage = "lead";
      for (let index = 0; index <= steps.length; index++) {
        const at = day(1 + index);
        const event = storedEvent({ email, occurredAt: at, sourceEventId: `${email}-${index}` });
        const step =
          index === 0 ? { to: "lead" as Stage, by: "rule" as const } : (steps[index - 1] as (typeof steps)[0]);
        const from = index === 0 ? null : stage;
        stage = step.to;
        const transition = transitionFixture({ leadId: leadIdOf(email), from, to: stage, at });
        await ownStore.commit({
          lead: leadFixture({ email, stage, version: index + 1, eventCount: index + 1, updatedAt: at }),
          expectedVersion: index === 0 ? undefined : index,
          event,
          eventKey: TEST_PSEUDONYMS.eventKey(event.eventId),
          transition: step.by === "rep" ? { ...transition, actor: rep } : transition,
        });
      }
    }
    const scan = dynamoLeadHistoryScan({ ...own, segments: 2 });
    const read = async (options: { reachedSqo: boolean; decisions?: boolean }) => {
      const histories = new Map<string, LeadHistory>();
      for (let segment = 0; segment < scan.segments; segment++) {
        for await (const page of scan.read(segment, options)) {
          for (const history of page) histories.set(history.email, history);
        }
      }
      return histories;
    };

    // Act
    const withDecisions = await read({ reachedSqo: false, decisions: true });
    const without = await read({ reachedSqo: true });
    own.client.destroy();

    // Assess
    expect(Object.fromEntries([...withDecisions].map(([email, history]) => [email, history.decision]))).toEqual({
      "qualified@decided.example": { at: day(3), qualified: true },
      "turned.down@decided.example": { at: day(3), qualified: false },
      "undecided@decided.example": undefined,
    });
    expect([...withDecisions.values()].map((history) => history.events.length).sort()).toEqual([2, 3, 4]);
    expect([...without.values()].filter((history) => history.decision !== undefined)).toEqual([]);
  });
});

describe("a rescore's Scan pages with the leads' events", () => {
  it("bring each lead once, and beside it its whole history, but for a partition the page before began", async () => {
    for (const scanPageItems of [5, 13, 400]) {
      const pages = dynamoLeadPages({ ...table, scanPageItems });
      const seen: string[] = [];
      let withoutEvents = 0;
      let read = 0;
      for (let segment = 0; segment < 3; segment++) {
        let after: string | undefined;
        do {
          const page = await pages.read({ from: "scan", segment, segments: 3 }, after, { events: true });
          read++;
          for (const lead of page.leads) {
            seen.push(lead.leadId);
            const events = page.events?.get(lead.leadId);
            if (events === undefined) withoutEvents++;
            else expect(events).toEqual((await store.loadEvents(lead.leadId, { consistent: true })).events);
          }
          after = page.next;
        } while (after !== undefined);
      }

      const stored = await scanAll({ segments: 1 });
      expect(seen.sort()).toEqual(stored.map((history) => history.leadId).sort());
      // Without its events: a lead whose partition the page before ended in, at most one a page (none
      // when the page holds its segment, or pages end between partitions).
      expect(withoutEvents).toBeLessThanOrEqual(read - 3);
      if (scanPageItems === 400) expect(withoutEvents).toBe(0);
      else expect(withoutEvents).toBeGreaterThan(0);
    }
  });
});
