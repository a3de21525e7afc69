import { inflateRawSync } from "node:zlib";
import { type DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { domainPk, leadPk, stagePk, stageShard } from "#shared/adapters/dynamodb/entities/lead";
import { transitionDayPk } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoErasureStore, dynamoTombstones } from "#shared/adapters/dynamodb/erasure-store";
import { dynamoTransitionLog } from "#shared/adapters/dynamodb/funnel-queries";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { consentGate } from "#shared/application/consent-gate";
import { eraseLead } from "#shared/application/erase-lead";
import { FunnelQuery, readFunnel } from "#shared/application/funnel";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { ConsentRequiredError, LeadNotFoundError } from "#shared/domain/errors";
import { createTestTable } from "../support/dynamodb";
import { leadEvent } from "../support/events";
import { leadIdOf, recordLeads, TEST_PSEUDONYMS, testPseudonyms } from "../support/pseudonyms";
import { leadFixture, REP_A, storedEvent, sweepEngine, transitionFixture } from "../unit/leads/fixtures";

const EMAIL = "erin.erasable@private.example";
const NAME = "Erin Erasable";
const COMPANY = "Private Example GmbH";
const LEAD_ID = leadIdOf(EMAIL);
const DAY = "2026-11-05";
const now = new Date(`${DAY}T12:00:00Z`);

let client: DynamoDBClient;
let tableName: string;
let store: LeadStore;
let erase: ReturnType<typeof eraseLead>;
let funnel: ReturnType<typeof readFunnel>;

/** A person with everything Ripen keeps about one: lead, events, two transitions, a marker, a raw copy, an SLA record. */
async function seedPerson() {
  const first = storedEvent({ email: EMAIL, occurredAt: `${DAY}T09:00:00.000Z`, name: NAME, company: COMPANY });
  const second = storedEvent({
    email: EMAIL,
    occurredAt: `${DAY}T10:00:00.000Z`,
    answers: { budget: "50k", phone: "+49 30 1234567" },
  });
  const base = { email: EMAIL, name: NAME, company: COMPANY, owner: REP_A, bant: {} };
  const asLead = leadFixture({ ...base, stage: "lead", updatedAt: `${DAY}T09:00:00.000Z` });
  const asMql = leadFixture({ ...base, stage: "mql", score: 45, version: 2, updatedAt: `${DAY}T10:00:00.000Z` });
  const personal = { lead: { email: EMAIL, name: NAME, company: COMPANY, domain: "private.example" } };
  await store.commit({
    lead: asLead,
    expectedVersion: undefined,
    event: first,
    eventKey: TEST_PSEUDONYMS.eventKey(first.eventId),
    transition: {
      ...transitionFixture({ leadId: LEAD_ID, from: null, to: "lead", at: asLead.updatedAt, source: "typeform" }),
      ...personal,
    },
  });
  await store.commit({
    lead: asMql,
    expectedVersion: 1,
    event: second,
    eventKey: TEST_PSEUDONYMS.eventKey(second.eventId),
    marker: { key: "rep-action:accept-1", ttlSeconds: 3600 },
    // Its snapshot behind: a stale-lead marker names the lead outside its partition.
    stale: "mark",
    transition: {
      ...transitionFixture({ leadId: LEAD_ID, from: "lead", to: "mql", at: asMql.updatedAt, source: "typeform" }),
      ...personal,
      reason: `${NAME} asked for pricing`,
    },
  });
  for (const item of [
    {
      pk: leadPk(LEAD_ID),
      sk: "RAW#typeform:evt-1",
      entity: "raw",
      body: `{"email":"${EMAIL}"}`,
      expiresAt: 2_000_000_000,
    },
    { pk: leadPk(LEAD_ID), sk: `SLA#sla.mql#${asMql.stageEnteredAt}`, entity: "sla-breach", detail: { email: EMAIL } },
  ]) {
    await client.send(new PutItemCommand({ TableName: tableName, Item: marshall(item) }));
  }
}

async function query(input: { index?: string; key: string; value: string }) {
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      ...(input.index && { IndexName: input.index }),
      KeyConditionExpression: "#k = :v",
      ExpressionAttributeNames: { "#k": input.key },
      ExpressionAttributeValues: marshall({ ":v": input.value }),
    }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item));
}

beforeAll(async () => {
  ({ client, tableName } = await createTestTable("leads-erase"));
  store = dynamoLeadStore({ client, tableName });
  erase = eraseLead({ store: dynamoErasureStore({ client, tableName }), clock: () => now, pseudonyms: testPseudonyms });
  funnel = readFunnel({ log: dynamoTransitionLog({ client, tableName }), clock: () => now });
  await seedPerson();
});

describe("DELETE /leads/{id}: GDPR erasure", () => {
  it("removes every item of the person, from the table and every index, and keeps the funnel's numbers", async () => {
    // Prepare
    const funnelBefore = await funnel(FunnelQuery.parse({ from: DAY, to: DAY }));
    expect(funnelBefore.total.leads).toBe(1);
    expect((await query({ key: "pk", value: leadPk(LEAD_ID) })).length).toBe(8);

    // Act
    const result = await erase({ idOrEmail: LEAD_ID, requestedBy: "arn:aws:iam::123456789012:user/privacy-officer" });

    // Assess: what was done
    expect(result).toEqual({
      leadId: LEAD_ID,
      erasedOn: DAY,
      deleted: { lead: 1, event: 2, transition: 2, marker: 1, raw: 1, "sla-breach": 1 },
      stubsKept: 2,
      alreadyErased: false,
    });
    // The base partition holds the tombstone (the day, under the keyed lead id) and a record of each erased
    // event's keyed dedupe key, nothing else.
    const eventKeys = (await query({ key: "pk", value: leadPk(LEAD_ID) }))
      .filter((item) => item.entity === "erased-event")
      .map((item) => item.sk);
    expect(await query({ key: "pk", value: leadPk(LEAD_ID) })).toEqual(
      [
        ...eventKeys.map((sk) => ({ pk: leadPk(LEAD_ID), sk, entity: "erased-event" })),
        {
          pk: leadPk(LEAD_ID),
          sk: "TOMBSTONE",
          entity: "tombstone",
          leadId: LEAD_ID,
          erasedOn: DAY,
          erasedAt: now.toISOString(),
        },
      ].sort((a, b) => (a.sk < b.sk ? -1 : 1)),
    );
    expect(eventKeys).toHaveLength(2);
    for (const sk of eventKeys) expect(sk).toMatch(/^EVENT#[A-Za-z0-9_-]{22}$/);
    // The stage indexes (by score and by time entered) and the domain index no longer know the lead.
    const stagePartition = stagePk("mql", stageShard(LEAD_ID));
    expect(await query({ index: "gsi1v2", key: "gsi1pk", value: stagePartition })).toEqual([]);
    expect(await query({ index: "gsi2v2", key: "gsi2pk", value: stagePartition })).toEqual([]);
    expect(await query({ index: "gsi3v2", key: "gsi3pk", value: domainPk("private.example") })).toEqual([]);
    // The day index holds PII-free stubs under a random id, not the lead's.
    const stubs = await query({ index: "gsi3v2", key: "gsi3pk", value: transitionDayPk(DAY) });
    expect(stubs).toHaveLength(2);
    for (const stub of stubs) {
      expect(stub.pk).toMatch(/^ERASED#anon_[0-9a-f]{24}$/);
      expect(stub.leadId).not.toBe(LEAD_ID);
      expect(Object.keys(stub).sort()).toEqual([
        "actor",
        "at",
        "from",
        "gsi3pk",
        "gsi3sk",
        "leadId",
        "pk",
        "sk",
        "source",
        "to",
      ]);
    }
    // The funnel counts the erased person exactly as before.
    const funnelAfter = await funnel(FunnelQuery.parse({ from: DAY, to: DAY }));
    expect(funnelAfter.total).toEqual(funnelBefore.total);
  });

  it("leaves no personal data anywhere in the table (checked by a Scan, in this test only)", async () => {
    const everything = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
    // Packed bodies (lead and transition items) are read as their text too.
    const text = JSON.stringify(
      (everything.Items ?? []).map((item) => ({
        ...unmarshall(item),
        ...(item.d?.B && { d: inflateRawSync(item.d.B).toString("utf8") }),
      })),
    );

    for (const secret of [EMAIL, NAME, COMPANY, "+49 30 1234567", "50k", "asked for pricing", "private.example"]) {
      expect(text).not.toContain(secret);
    }
    const mentions = (everything.Items ?? [])
      .map((item) => unmarshall(item))
      .filter((item) => JSON.stringify(item).includes(LEAD_ID))
      .map((item) => item.entity);
    expect(mentions.sort()).toEqual(["audit", "erased-event", "erased-event", "tombstone"]);
  });

  it("audits the erasure without personal data", async () => {
    const audits = await query({ key: "pk", value: `AUDIT#ERASURE#${DAY.slice(0, 7)}` });

    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      action: "lead.erased",
      leadId: LEAD_ID,
      requestedBy: "arn:aws:iam::123456789012:user/privacy-officer",
      stubsKept: 2,
    });
  });

  it("answers a repeated request as already erased and changes nothing", async () => {
    const again = await erase({ idOrEmail: EMAIL, requestedBy: "local" });

    expect(again).toEqual({ leadId: LEAD_ID, erasedOn: DAY, deleted: {}, stubsKept: 0, alreadyErased: true });
    expect(await query({ key: "pk", value: leadPk(LEAD_ID) })).toHaveLength(3);
    expect(await query({ index: "gsi3v2", key: "gsi3pk", value: transitionDayPk(DAY) })).toHaveLength(2);
  });

  it("answers 404 for an id that never held anything", async () => {
    await expect(erase({ idOrEmail: leadIdOf("never@seen.example"), requestedBy: "local" })).rejects.toBeInstanceOf(
      LeadNotFoundError,
    );
  });

  it("refuses to re-create the erased person until an event gives consent again, when configured", async () => {
    const record = recordLeads({
      store,
      engine: sweepEngine(),
      clock: () => now,
      erasures: consentGate(dynamoTombstones({ client, tableName })),
    });

    await expect(record(leadEvent({ email: EMAIL.toUpperCase() }))).rejects.toBeInstanceOf(ConsentRequiredError);
    expect(await store.getLead(LEAD_ID)).toBeUndefined();

    const consented = await record(leadEvent({ email: EMAIL, answers: { consent: "yes" } }));
    expect(consented.lead.leadId).toBe(LEAD_ID);
    // Once re-created, the person's later events need no consent of their own.
    await expect(record(leadEvent({ email: EMAIL }))).resolves.toMatchObject({ duplicate: false });
  });

  it("refuses a new person erased between the consent check and the commit, and stores nothing", async () => {
    // Prepare: the erasure (by email: nothing is stored yet) lands after the gate found no tombstone.
    const email = "raced.erasure@private.example";
    const leadId = leadIdOf(email);
    let erased = false;
    const racing: LeadStore = {
      ...store,
      async commit(change) {
        if (!erased) {
          erased = true;
          await erase({ idOrEmail: email, requestedBy: "local" });
        }
        return store.commit(change);
      },
    };
    const record = recordLeads({
      store: racing,
      engine: sweepEngine(),
      clock: () => now,
      erasures: consentGate(dynamoTombstones({ client, tableName })),
    });

    // Act
    const recording = record(leadEvent({ email }));

    // Assess: the commit met the tombstone; the gate, asked again, refused; nothing of the person stored.
    await expect(recording).rejects.toBeInstanceOf(ConsentRequiredError);
    expect(erased).toBe(true);
    expect(await store.getLead(leadId)).toBeUndefined();
    const partition = await query({ key: "pk", value: leadPk(leadId) });
    expect(partition.map((item) => item.sk)).toEqual(["TOMBSTONE"]);
  });

  it("records an erased person again when re-creation is not blocked", async () => {
    const email = "unblocked@private.example";
    const record = recordLeads({
      store,
      engine: sweepEngine(),
      clock: () => now,
    });
    await record(leadEvent({ email }));
    await erase({ idOrEmail: email, requestedBy: "local" });

    const again = await record(leadEvent({ email }));

    expect(again.lead.leadId).toBe(leadIdOf(email));
  });
});
