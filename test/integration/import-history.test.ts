import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { eventItem } from "#shared/adapters/dynamodb/entities/event";
import type { Item } from "#shared/adapters/dynamodb/entities/item";
import { dynamoErasureStore } from "#shared/adapters/dynamodb/erasure-store";
import { dynamoHistoryImportStore, importTransactions } from "#shared/adapters/dynamodb/history-import-store";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import type { GenericPayload } from "#shared/adapters/sources/generic";
import { eraseLead } from "#shared/application/erase-lead";
import { importLeadHistory } from "#shared/application/import-history";
import type { HistoryImportStore, ImportChange } from "#shared/application/ports/history-import";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { type ImportFileDeps, importFile, parseLine } from "#shared/cli/import";
import { loadEngine } from "#shared/runtime/scoring-model";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { memoryLeadStore } from "../support/memory-lead-store";
import { leadIdOf, recordLeads, TEST_PSEUDONYMS, testPseudonyms } from "../support/pseudonyms";

const engine = loadEngine();
let table: TestTable;
let store: LeadStore;
let folder: string;

beforeAll(async () => {
  table = await createTestTable("import-history");
  store = dynamoLeadStore(table);
  folder = await mkdtemp(join(tmpdir(), "ripen-import-"));
});

/** A file of generic webhook bodies (or raw lines), one per line. */
async function jsonl(name: string, lines: readonly (GenericPayload | string)[]): Promise<string> {
  const path = join(folder, name);
  await writeFile(path, lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n"));
  return path;
}

function importInto(target: TestTable, reported: string[] = []) {
  const deps: ImportFileDeps = {
    client: target.client,
    tableName: target.tableName,
    engine,
    pseudonyms: TEST_PSEUDONYMS,
    report: (line) => reported.push(line),
  };
  return (path: string) => importFile(path, deps);
}

/**
 * The lead recordEvent makes of the same events, each delivered at the moment it occurred: on its own
 * DynamoDB table when given, else on a memory store (long histories).
 */
async function recordedAsTheyOccurred(lines: readonly GenericPayload[], target: LeadStore = memoryLeadStore().store) {
  let at = new Date();
  const record = recordLeads({ store: target, engine, clock: () => at, sleep: async () => {} });
  const events = lines.map((line) => parseLine(JSON.stringify(line), new Date()));
  events.sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  for (const event of events) {
    at = new Date(event.occurredAt);
    await record(event);
  }
  return target;
}

const daysAgo = (days: number, minutes = 0) =>
  new Date(Date.now() - days * 86_400_000 + minutes * 60_000).toISOString();

function historyOf(email: string, prefix: string): GenericPayload[] {
  return [
    { type: "demo.completed", eventId: `${prefix}-demo`, occurredAt: daysAgo(1), email },
    {
      type: "page.viewed",
      eventId: `${prefix}-visit`,
      occurredAt: daysAgo(3),
      email,
      properties: { path: "/pricing" },
    },
    {
      type: "form.submitted",
      eventId: `${prefix}-form`,
      occurredAt: daysAgo(2),
      email,
      answers: { budget: "40k", timeline: "this quarter" },
    },
  ];
}

describe("npm run import", () => {
  it("stores a file once: a second run stores nothing new, and the lead is the one webhooks would make", async () => {
    // Prepare: events out of order, two people, and a bad line (line 3).
    const ada = historyOf("ada.import@example.com", "ada");
    const bob: GenericPayload = {
      type: "page.viewed",
      eventId: "bob-1",
      occurredAt: daysAgo(1),
      email: "bob.import@example.com",
    };
    const path = await jsonl("small.jsonl", [
      ada[0],
      bob,
      { ...bob, eventId: "bad", email: "not an email" },
      ada[1],
      ada[2],
    ] as (GenericPayload | string)[]);
    const reported: string[] = [];
    const run = importInto(table, reported);
    // Act
    const first = await run(path);
    const second = await run(path);
    // Assess
    expect(first).toMatchObject({ events: 4, stored: 4, duplicates: 0, refused: 0, badLines: 1, failed: 0 });
    expect(second).toMatchObject({ events: 4, stored: 0, duplicates: 4, refused: 0, badLines: 1, failed: 0 });
    expect(reported[0]).toMatch(/^line 3: .*email/);
    const leadId = leadIdOf("ada.import@example.com");
    const lead = await store.getLead(leadId);
    const webhooks = dynamoLeadStore(await createTestTable("import-history-webhooks"));
    const expected = await (await recordedAsTheyOccurred(ada, webhooks)).getLead(leadId);
    expect(expected?.stage).toBe("sql");
    expect(lead).toMatchObject({ stage: expected?.stage, score: expected?.score, eventCount: 3 });
    const transitions = await store.listTransitions(leadId);
    expect(transitions.map((transition) => transition.to)).toContain("sql");
    expect(transitions.every((transition) => transition.quiet && transition.actor.type === "import")).toBe(true);
  });

  it("commits a lead of 250 new events in several transactions and ends current, as webhooks would", async () => {
    // Prepare
    const email = "many.import@example.com";
    const lines: GenericPayload[] = Array.from({ length: 250 }, (_, index) => ({
      type: index % 50 === 0 ? "form.submitted" : "page.viewed",
      eventId: `many-${index}`,
      occurredAt: daysAgo(5, index),
      email,
      properties: { path: `/docs/${index}` },
    }));
    const path = await jsonl("many.jsonl", lines);
    expect(importTransactions(table.tableName, await changeOf(lines)).length).toBeGreaterThan(2);
    // Act
    const counts = await importInto(table)(path);
    // Assess
    expect(counts).toMatchObject({ stored: 250, duplicates: 0, failed: 0 });
    const leadId = leadIdOf(email);
    const lead = await store.getLead(leadId);
    const expected = await (await recordedAsTheyOccurred(lines)).getLead(leadId);
    expect(lead).toMatchObject({ stage: expected?.stage, score: expected?.score, eventCount: 250 });
    expect(lead?.stale).toBeUndefined();
    expect((await store.loadEvents(leadId, { consistent: true })).events).toHaveLength(250);
    expect(await store.listStale(100)).not.toContain(leadId);
  });

  it("finishes an import that stopped after its first transaction when run again", async () => {
    // Prepare: the first transaction of a 150-event lead committed, the rest never sent.
    const email = "stopped.import@example.com";
    const lines: GenericPayload[] = Array.from({ length: 150 }, (_, index) => ({
      type: "page.viewed",
      eventId: `stopped-${index}`,
      occurredAt: daysAgo(4, index),
      email,
    }));
    const [first] = importTransactions(table.tableName, await changeOf(lines));
    await table.client.send(new TransactWriteItemsCommand({ TransactItems: first?.items }));
    const leadId = leadIdOf(email);
    expect(await store.getLead(leadId)).toMatchObject({ stale: true });
    expect(await store.listStale(100)).toContain(leadId);
    // Act
    const counts = await importInto(table)(await jsonl("stopped.jsonl", lines));
    // Assess: the first transaction held the lead, the tombstone's check, the stale marker and 97 events.
    expect(counts).toMatchObject({ stored: 53, duplicates: 97, failed: 0 });
    const lead = await store.getLead(leadId);
    const expected = await (await recordedAsTheyOccurred(lines)).getLead(leadId);
    expect(lead).toMatchObject({ stage: expected?.stage, score: expected?.score, eventCount: 150 });
    expect(lead?.stale).toBeUndefined();
    expect(await store.listStale(100)).not.toContain(leadId);
  });
});

describe("the import's existence check", () => {
  it("reads in full only the people already stored, refuses the erased at the commit, and imports a mix as before", async () => {
    // Prepare: one person stored (two of their three events), one erased, one new.
    const [stored, erased, fresh] = ["mix.stored@example.com", "mix.erased@example.com", "mix.new@example.com"];
    const storedLines = historyOf(stored ?? "", "mix-stored");
    const erasedLines = historyOf(erased ?? "", "mix-erased");
    const freshLines = historyOf(fresh ?? "", "mix-new");
    await importInto(table)(await jsonl("mix-earlier.jsonl", [...storedLines.slice(0, 2), ...erasedLines]));
    await eraseLead({ store: dynamoErasureStore(table), clock: () => new Date(), pseudonyms: testPseudonyms })({
      idOrEmail: erased ?? "",
      requestedBy: "local",
    });
    const path = await jsonl("mix.jsonl", [...storedLines, ...erasedLines, ...freshLines]);
    const commands: string[] = [];
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        commands.push(command.constructor.name);
        return table.client.send(command as TransactWriteItemsCommand);
      },
    } as unknown as typeof table.client;
    const run = (file: string) =>
      importFile(file, {
        client: counting,
        tableName: table.tableName,
        engine,
        pseudonyms: TEST_PSEUDONYMS,
        report: () => {},
      });

    // Act
    const first = await run(path);
    const queriesFirst = commands.filter((name) => name === "QueryCommand").length;
    const second = await run(path);

    // Assess: the stored person read in full, the others only checked (the erased one's commit met their
    // tombstone); a rerun stores nothing.
    expect(first).toMatchObject({ events: 9, stored: 4, duplicates: 2, refused: 3, failed: 0 });
    expect(second).toMatchObject({ events: 9, stored: 0, duplicates: 6, refused: 3, failed: 0 });
    expect(queriesFirst).toBe(1);
    expect(commands).toContain("BatchGetItemCommand");
    for (const [email, lines] of [
      [stored, storedLines],
      [fresh, freshLines],
    ] as const) {
      const leadId = leadIdOf(email ?? "");
      const expected = await (await recordedAsTheyOccurred(lines)).getLead(leadId);
      expect(await store.getLead(leadId)).toMatchObject({
        stage: expected?.stage,
        score: expected?.score,
        eventCount: 3,
      });
    }
    expect(await store.getLead(leadIdOf(erased ?? ""))).toBeUndefined();
  });

  it("stores the rest of a person whose events were stored without a lead, and counts those as duplicates", async () => {
    // Prepare: two of three events in the partition, no lead and no tombstone (the check finds nothing).
    const lines = historyOf("leftover.check@example.com", "leftover-check");
    const change = await changeOf(lines);
    const put = (item: Item) => ({ Put: { TableName: table.tableName, Item: item } });
    const leftovers = change.events
      .slice(0, 2)
      .map(({ event, key }) => put(eventItem(change.lead.leadId, event, key, 1)));
    await table.client.send(new TransactWriteItemsCommand({ TransactItems: leftovers }));
    // Act
    const counts = await importInto(table)(await jsonl("leftover.jsonl", lines));
    // Assess: their put met the stored events, and the retry read them and replayed all three.
    expect(counts).toMatchObject({ stored: 1, duplicates: 2, failed: 0 });
    const expected = await (await recordedAsTheyOccurred(lines)).getLead(change.lead.leadId);
    expect(await store.getLead(change.lead.leadId)).toMatchObject({ stage: expected?.stage, eventCount: 3 });
  });

  it("retries, reading in full, a lead a webhook created between the check and the commit", async () => {
    // Prepare: a webhook records the person's first event just after the import found no lead.
    const email = "race.check@example.com";
    const leadId = leadIdOf(email);
    const lines = historyOf(email, "race-check");
    const webhook: GenericPayload = {
      type: "page.viewed",
      eventId: "race-check-webhook",
      occurredAt: daysAgo(0),
      email,
    };
    const record = recordLeads({ store, engine, clock: () => new Date() });
    const real = dynamoHistoryImportStore(table);
    const reads: boolean[] = [];
    const racing: typeof real = {
      ...real,
      async readForImport(id, options) {
        const history = await real.readForImport(id, options);
        reads.push(options?.full === true);
        if (reads.length === 1) await record(parseLine(JSON.stringify(webhook), new Date()));
        return history;
      },
    };
    const importLead = importThrough(racing);

    // Act
    const result = await importLead({
      leadId,
      events: lines.map((line) => parseLine(JSON.stringify(line), new Date())),
    });

    // Assess: the new-lead put was refused, the retry read the webhook's lead and kept its event.
    expect(reads).toEqual([false, true]);
    expect(result).toMatchObject({ stored: 3, duplicates: 0, refused: 0 });
    const lead = await store.getLead(leadId);
    expect(lead).toMatchObject({ eventCount: 4, version: 2 });
    const events = (await store.loadEvents(leadId, { consistent: true })).events.map((event) => event.eventId);
    expect(events.sort()).toEqual([webhook, ...lines].map((line) => `generic:${line.eventId}`).sort());
  });
});

describe("the import's group commit", () => {
  it("shares one transaction between leads, and a lead whose event is already stored fails alone", async () => {
    // Prepare: three people; one event of the second is stored already (a webhook got there first).
    const people = ["pack.one@example.com", "pack.two@example.com", "pack.three@example.com"];
    const files = people.map((email, index) => historyOf(email, `pack${index}`));
    await importInto(table)(await jsonl("pack-earlier.jsonl", [files[1]?.[0] as GenericPayload]));
    let transactions = 0;
    const counting = {
      send: (command: unknown) => {
        if (command instanceof TransactWriteItemsCommand) transactions++;
        return table.client.send(command as TransactWriteItemsCommand);
      },
    } as unknown as typeof table.client;
    // The second lead's first read misses that webhook (its lead and event), as if it committed just after.
    const real = dynamoHistoryImportStore({ client: counting, tableName: table.tableName });
    const raced = leadIdOf(people[1] ?? "");
    let missed = false;
    // The three first reads answer together, so the three commits reach the store side by side.
    let firstReads = 0;
    let allRead = () => {};
    const together = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    const racing: typeof real = {
      ...real,
      async readForImport(leadId) {
        const history = await real.readForImport(leadId);
        if (firstReads < people.length) {
          if (++firstReads === people.length) allRead();
          await together;
        }
        if (leadId !== raced || missed) return history;
        missed = true;
        return { ...history, lead: undefined, events: [] };
      },
    };
    const importLead = importThrough(racing);

    // Act: the three at once, as the CLI imports leads side by side.
    const results = await Promise.all(
      files.map((lines) =>
        importLead({
          leadId: leadIdOf(lines[0]?.email ?? ""),
          events: lines.map((line) => parseLine(JSON.stringify(line), new Date())),
        }),
      ),
    );

    // Assess: every new event stored once; fewer transactions than one per lead and retry.
    expect(results.map(({ stored, duplicates }) => [stored, duplicates])).toEqual([
      [3, 0],
      [2, 1],
      [3, 0],
    ]);
    for (const email of people) expect((await store.loadHistory(leadIdOf(email))).events).toHaveLength(3);
    // Together: the shared one (cancelled: the second lead's duplicate), the other two again, then the second.
    expect(transactions).toBeLessThanOrEqual(3);
  });
});

describe("npm run import, for an erased person", () => {
  it("refuses every event of the file, and the erased events stay recorded as duplicates' keys", async () => {
    // Prepare: imported, then erased.
    const email = "erased.import@example.com";
    const path = await jsonl("erased.jsonl", historyOf(email, "erased"));
    const run = importInto(table);
    await run(path);
    const erase = eraseLead({
      store: dynamoErasureStore(table),
      clock: () => new Date(),
      pseudonyms: testPseudonyms,
    });
    await erase({ idOrEmail: email, requestedBy: "local" });
    // Act
    const again = await run(path);
    // Assess
    expect(again).toMatchObject({ stored: 0, duplicates: 0, refused: 3, failed: 0 });
    const leadId = leadIdOf(email);
    expect(await store.getLead(leadId)).toBeUndefined();
    const read = await dynamoHistoryImportStore(table).readForImport(leadId, { full: true });
    expect(read.events).toHaveLength(0);
    expect(read.erasedKeys.size).toBe(3);
    expect(read.erased).toBe(true);
  });
});

describe("npm run import, racing an erasure", () => {
  const erase = () =>
    eraseLead({ store: dynamoErasureStore(table), clock: () => new Date(), pseudonyms: testPseudonyms });
  /** Everything left in the person's partition, by entity (the tombstone and erased events' records included). */
  async function partition(leadId: string) {
    const read = await dynamoHistoryImportStore(table).readForImport(leadId, { full: true });
    return { lead: read.lead, events: read.events.length, erased: read.erased };
  }

  it("stores nothing of a new person erased between the existence check and the commit", async () => {
    // Prepare: the erasure (by email: nothing is stored yet) lands after the check found no lead.
    const email = "race.erased.new@example.com";
    const leadId = leadIdOf(email);
    const lines = historyOf(email, "race-erased-new");
    const real = dynamoHistoryImportStore(table);
    const erasures: string[] = [];
    const racing: typeof real = {
      ...real,
      async commitImport(change, onCommitted) {
        if (erasures.length === 0) erasures.push((await erase()({ idOrEmail: email, requestedBy: "local" })).erasedOn);
        return real.commitImport(change, onCommitted);
      },
    };

    // Act
    const result = await importThrough(racing)({
      leadId,
      events: lines.map((line) => parseLine(JSON.stringify(line), new Date())),
    });

    // Assess: the commit met the tombstone: no lead, no event, every event refused.
    expect(erasures).toHaveLength(1);
    expect(result).toMatchObject({ stored: 0, duplicates: 0, refused: 3 });
    expect(await partition(leadId)).toEqual({ lead: undefined, events: 0, erased: true });
  });

  it("stores nothing of a stored person erased between the read and the commit", async () => {
    // Prepare: two of the person's events imported; the erasure lands after the next import read them.
    const email = "race.erased.stored@example.com";
    const leadId = leadIdOf(email);
    const lines = historyOf(email, "race-erased-stored");
    await importThrough(dynamoHistoryImportStore(table))({
      leadId,
      events: lines.slice(0, 2).map((line) => parseLine(JSON.stringify(line), new Date())),
    });
    const real = dynamoHistoryImportStore(table);
    let erased = false;
    const racing: typeof real = {
      ...real,
      async commitImport(change, onCommitted) {
        if (!erased) {
          erased = true;
          await erase()({ idOrEmail: email, requestedBy: "local" });
        }
        return real.commitImport(change, onCommitted);
      },
    };

    // Act
    const result = await importThrough(racing)({
      leadId,
      events: lines.map((line) => parseLine(JSON.stringify(line), new Date())),
    });

    // Assess: the version check failed (the lead was deleted), and the retry's read saw the tombstone.
    expect(erased).toBe(true);
    expect(result).toMatchObject({ stored: 0, refused: 3 });
    expect(await partition(leadId)).toEqual({ lead: undefined, events: 0, erased: true });
  });

  it("stores nothing of a new person erased between the transactions of a long history", async () => {
    // Prepare: 250 events (three transactions); the erasure lands after the first committed.
    const email = "race.erased.long@example.com";
    const leadId = leadIdOf(email);
    const lines: GenericPayload[] = Array.from({ length: 250 }, (_, index) => ({
      type: "page.viewed",
      eventId: `race-erased-long-${index}`,
      occurredAt: daysAgo(10, index),
      email,
    }));
    let transactions = 0;
    const racingClient = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteItemsCommand && ++transactions === 2) {
          await erase()({ idOrEmail: email, requestedBy: "local" });
        }
        return table.client.send(command as TransactWriteItemsCommand);
      },
    } as unknown as typeof table.client;

    // Act
    const result = await importThrough(dynamoHistoryImportStore({ client: racingClient, tableName: table.tableName }))({
      leadId,
      events: lines.map((line) => parseLine(JSON.stringify(line), new Date())),
    });

    // Assess: the erasure removed what the first transaction wrote; the next met the tombstone.
    expect(transactions).toBe(2);
    expect(result).toMatchObject({ stored: 0, refused: 250 });
    expect(await partition(leadId)).toEqual({ lead: undefined, events: 0, erased: true });
  });
});

/** One lead's import through `store`, retried at once (no backoff) when its commit meets a change. */
function importThrough(store: HistoryImportStore) {
  return importLeadHistory({
    store,
    engine,
    clock: () => new Date(),
    pseudonyms: TEST_PSEUDONYMS,
    tombstones: { tombstoneOf: async () => undefined },
    sleep: async () => {},
  });
}

/** The change an import of these lines into an empty lead makes (folded on a memory store). */
async function changeOf(lines: readonly GenericPayload[]) {
  const events = lines.map((line) => parseLine(JSON.stringify(line), new Date()));
  const now = new Date();
  const leadId = TEST_PSEUDONYMS.leadId(events[0]?.email ?? "");
  let captured: ImportChange | undefined;
  await importLeadHistory({
    store: {
      readForImport: async () => ({ lead: undefined, events: [], erasedKeys: new Set() }),
      commitImport: async (change) => {
        captured = change;
        return change.lead;
      },
    },
    engine,
    clock: () => now,
    pseudonyms: TEST_PSEUDONYMS,
    tombstones: { tombstoneOf: async () => undefined },
  })({ leadId, events });
  if (!captured) throw new Error("nothing to commit");
  return captured;
}
