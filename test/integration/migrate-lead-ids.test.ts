import { createHash } from "node:crypto";
import { inflateRawSync } from "node:zlib";
import { type AttributeValue, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { erasureAuditPk } from "#shared/adapters/dynamodb/entities/erasure-audit";
import { eventItem } from "#shared/adapters/dynamodb/entities/event";
import { leadItem, leadPk, stageShard } from "#shared/adapters/dynamodb/entities/lead";
import { stalePk } from "#shared/adapters/dynamodb/entities/stale-marker";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoTombstones } from "#shared/adapters/dynamodb/erasure-store";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { dynamoLeadRekey } from "#shared/adapters/dynamodb/rekey";
import { consentGate } from "#shared/application/consent-gate";
import { replayStaleLeads } from "#shared/application/lead-replay";
import { recordEvent } from "#shared/application/record-event";
import { type MigrationCheckpoint, migrateLeadIds } from "#shared/cli/migrate";
import { ConsentRequiredError } from "#shared/domain/errors";
import { emailSha256 } from "#shared/domain/pseudonyms";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { leadEvent } from "../support/events";
import { leadIdOf, TEST_PSEUDONYMS, testPseudonyms } from "../support/pseudonyms";
import { leadFixture, storedEvent, sweepEngine, transitionFixture } from "../unit/leads/fixtures";

type Item = Record<string, AttributeValue>;

/** The lead id an earlier release derived: a bare SHA-256 of the email. */
const bareId = (email: string) => `ld_${emailSha256(email).slice(0, 24)}`;
const MOVING = "moving.person@example.com";
const MERGED = "merged.person@example.com";
const ERASED = "erased.person@example.com";
const DAY = "2026-10-05";

let table: TestTable;

async function put(item: Item) {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: item }));
}

/** A lead as an earlier release stored it: under the bare id, its events keyed by the sender's id. */
async function seedEarlierLead(email: string, options: { stale?: boolean; events?: number } = {}) {
  const leadId = bareId(email);
  const events = Array.from({ length: options.events ?? 2 }, (_, index) =>
    storedEvent({ email, occurredAt: `${DAY}T0${index}:00:00.000Z`, name: "Earlier Person" }),
  );
  const lead = leadFixture({
    email,
    leadId,
    stage: "mql",
    version: events.length,
    eventCount: events.length,
    ...(options.stale && { stale: true }),
  });
  await put(leadItem(lead));
  for (const event of events) await put(eventItem(leadId, event, event.eventId));
  const id = (version: number) =>
    `tr_${createHash("sha256").update(`${leadId}:${version}`).digest("hex").slice(0, 24)}`;
  const person = { lead: { email, domain: "example.com" } };
  for (const [version, move] of [
    [1, { from: null, to: "lead", at: `${DAY}T00:00:00.000Z` }],
    [2, { from: "lead", to: "mql", at: `${DAY}T01:00:00.000Z` }],
  ] as const) {
    await put(transitionItem({ ...transitionFixture({ leadId, ...move, id: id(version) }), ...person }));
  }
  await put(marshall({ pk: leadPk(leadId), sk: "MARKER#rep-action:accept-1", entity: "marker", expiresAt: 2e9 }));
  if (options.stale)
    await put({ ...marshall({ pk: stalePk(stageShard(leadId)), sk: leadId }), entity: { S: "stale" } });
  return { leadId, events };
}

async function partition(leadId: string): Promise<Record<string, unknown>[]> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId) }),
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item));
}

async function tableText(): Promise<string> {
  const result = await table.client.send(new ScanCommand({ TableName: table.tableName, ConsistentRead: true }));
  return JSON.stringify(
    (result.Items ?? []).map((item) => ({
      ...unmarshall(item),
      ...(item.d?.B && { d: inflateRawSync(item.d.B).toString("utf8") }),
    })),
  );
}

function memoryCheckpoint(): MigrationCheckpoint & { writes: number } {
  let position: Item | undefined;
  return {
    writes: 0,
    read: () => position,
    write(next) {
      position = next;
      this.writes++;
    },
    clear: () => {
      position = undefined;
    },
  };
}

const migrate = () =>
  migrateLeadIds({
    rekey: dynamoLeadRekey({ ...table, pseudonyms: TEST_PSEUDONYMS }),
    checkpoint: memoryCheckpoint(),
  });

let earlier: Awaited<ReturnType<typeof seedEarlierLead>>;
let first: Awaited<ReturnType<typeof migrate>>;

beforeAll(async () => {
  table = await createTestTable("migrate-lead-ids");
  earlier = await seedEarlierLead(MOVING, { stale: true });
  // A person erased by an earlier release: a tombstone with the email's bare hash, and an audit.
  await put(
    marshall({
      pk: leadPk(bareId(ERASED)),
      sk: "TOMBSTONE",
      entity: "tombstone",
      leadId: bareId(ERASED),
      emailHash: emailSha256(ERASED),
      erasedOn: DAY,
    }),
  );
  await put(
    marshall({
      pk: erasureAuditPk(DAY),
      sk: `${DAY}T12:00:00.000Z#${bareId(ERASED)}`,
      entity: "audit",
      leadId: bareId(ERASED),
      at: `${DAY}T12:00:00.000Z`,
      stubsKept: 1,
    }),
  );
  // A person whose events came in under the new id after the release went live, before the migration ran.
  await seedEarlierLead(MERGED, { events: 3 });
  const record = recordEvent({
    pseudonyms: testPseudonyms,
    store: dynamoLeadStore(table),
    engine: sweepEngine(),
    clock: () => new Date(`${DAY}T20:00:00.000Z`),
    sleep: async () => {},
  });
  await record(leadEvent({ email: MERGED, sourceEventId: "after-the-release", occurredAt: `${DAY}T19:00:00.000Z` }));
  first = await migrate();
});

describe("npm run migrate -- lead-ids", () => {
  it("moves a person's whole partition to the keyed lead id, events under keyed keys, and leaves nothing behind", async () => {
    const moved = await partition(leadIdOf(MOVING));

    expect(await partition(earlier.leadId)).toEqual([]);
    expect(moved.map((item) => item.entity).sort()).toEqual([
      "event",
      "event",
      "lead",
      "marker",
      "transition",
      "transition",
    ]);
    for (const event of earlier.events) {
      expect(moved.some((item) => item.sk === `EVENT#${TEST_PSEUDONYMS.eventKey(event.eventId)}`)).toBe(true);
    }
    expect(moved.filter((item) => item.entity === "transition").every((item) => item.leadId === leadIdOf(MOVING))).toBe(
      true,
    );
    expect(first).toMatchObject({ moved: 3, merged: 1, auditsRekeyed: 1, auditsStripped: 0 });
  });

  it("keeps recognising the moved person's earlier deliveries as duplicates", async () => {
    const store = dynamoLeadStore(table);
    const [event] = earlier.events;
    if (!event) throw new Error("no event seeded");

    const read = await store.readForEvent(leadIdOf(MOVING), TEST_PSEUDONYMS.eventKey(event.eventId));

    expect(read.recorded).toBe(true);
    expect(read.lead?.leadId).toBe(leadIdOf(MOVING));
  });

  it("moves a stale lead's marker with it, so the worker still replays it", async () => {
    expect(
      await table.client
        .send(
          new QueryCommand({
            TableName: table.tableName,
            KeyConditionExpression: "pk = :pk AND sk = :sk",
            ExpressionAttributeValues: marshall({
              ":pk": stalePk(stageShard(leadIdOf(MOVING))),
              ":sk": leadIdOf(MOVING),
            }),
          }),
        )
        .then((result) => result.Count),
    ).toBe(1);
  });

  it("merges a lead its new id got meanwhile: every event counted once the worker replays it", async () => {
    const store = dynamoLeadStore(table);
    expect((await store.getLead(leadIdOf(MERGED)))?.stale).toBe(true);

    await replayStaleLeads({ store, engine: sweepEngine(), clock: () => new Date(`${DAY}T21:00:00.000Z`) });

    const lead = await store.getLead(leadIdOf(MERGED));
    expect(lead?.stale).toBeUndefined();
    expect(lead?.eventCount).toBe(4);
    expect(await partition(bareId(MERGED))).toEqual([]);
  });

  it("re-keys an earlier tombstone from its email hash, dropping the hash, and the person stays blocked", async () => {
    const tombstone = (await partition(leadIdOf(ERASED))).find((item) => item.entity === "tombstone");
    const gate = consentGate(dynamoTombstones(table));

    expect(tombstone).toEqual({
      pk: leadPk(leadIdOf(ERASED)),
      sk: "TOMBSTONE",
      entity: "tombstone",
      leadId: leadIdOf(ERASED),
      erasedOn: DAY,
    });
    await expect(gate.assertMayCreate(leadIdOf(ERASED), leadEvent({ email: ERASED }))).rejects.toBeInstanceOf(
      ConsentRequiredError,
    );
  });

  it("leaves no bare hash of any email in the table", async () => {
    const text = await tableText();

    for (const email of [MOVING, MERGED, ERASED]) {
      expect(text).not.toContain(createHash("sha256").update(email).digest("hex").slice(0, 24));
    }
  });

  it("finds everything current when it runs again", async () => {
    const again = await migrate();

    expect(again).toMatchObject({ moved: 0, merged: 0, auditsRekeyed: 0, auditsStripped: 0 });
    expect(again.current).toBeGreaterThanOrEqual(3);
  });
});
