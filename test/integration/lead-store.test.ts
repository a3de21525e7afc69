import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { leadPk } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { DuplicateEventError, type LeadStore, VersionConflictError } from "#shared/application/ports/lead-store";
import { loadEngine } from "#shared/runtime/scoring-model";
import { foldHistory } from "../../test/support/evaluate";
import { createTestTable } from "../support/dynamodb";
import { leadEvent } from "../support/events";
import { leadIdOf, recordLeads, TEST_PSEUDONYMS } from "../support/pseudonyms";

const engine = loadEngine();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let store: LeadStore;
let countItems: (leadId: string, prefix: string) => Promise<number>;

beforeAll(async () => {
  const { client, tableName } = await createTestTable("lead-store");
  store = dynamoLeadStore({ client, tableName });
  countItems = async (leadId, prefix) => {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId), ":prefix": prefix }),
        ConsistentRead: true,
      }),
    );
    return result.Count ?? 0;
  };
});

const record = () => recordLeads({ store, engine, clock: () => new Date(), sleep });

describe("DynamoDB lead store", () => {
  it("round-trips a lead and its events exactly", async () => {
    const event = leadEvent({
      email: "roundtrip@example.com",
      name: "Round Trip",
      attributes: { companySize: 250, country: "FR", partner: false },
      answers: { budget: "over 50k", channels: ["email", "slack"] },
      properties: { path: "/pricing" },
    });
    const { lead } = await record()(event);

    const history = await store.loadHistory(lead.leadId, { consistent: true });

    expect(history.lead).toEqual(lead);
    expect(history.events).toHaveLength(1);
    expect(history.events[0]).toMatchObject({
      eventId: `generic:${event.sourceEventId}`,
      answers: { budget: "over 50k", channels: ["email", "slack"] },
      attributes: { companySize: 250, country: "FR", partner: false },
    });
  });

  it("appends an event once: the same event again is refused and nothing changes", async () => {
    const event = leadEvent({ email: "append@example.com" });
    const first = await record()(event);
    const leadId = first.lead.leadId;
    const history = await store.loadHistory(leadId, { consistent: true });
    const stored = history.events[0];
    if (!stored || !history.lead) throw new Error("first event not stored");
    const { lead } = foldHistory({ engine, leadId, current: history.lead, events: history.events, now: new Date() });

    const eventKey = TEST_PSEUDONYMS.eventKey(stored.eventId);
    await expect(
      store.commit({ lead, expectedVersion: history.lead.version, event: stored, eventKey }),
    ).rejects.toBeInstanceOf(DuplicateEventError);

    expect(await store.getLead(leadId)).toEqual(history.lead);
    expect(await countItems(leadId, "EVENT#")).toBe(1);
  });

  it("refuses a write at a stale version and writes none of its items", async () => {
    const first = await record()(leadEvent({ email: "stale@example.com" }));
    await record()(leadEvent({ email: "stale@example.com", type: "page.viewed" }));
    const leadId = first.lead.leadId;
    const newEvent = { ...leadEvent({ email: "stale@example.com" }), eventId: "generic:late", receivedAt: "" };

    const eventKey = TEST_PSEUDONYMS.eventKey(newEvent.eventId);
    await expect(
      store.commit({ lead: { ...first.lead, version: 2 }, expectedVersion: 1, event: newEvent, eventKey }),
    ).rejects.toBeInstanceOf(VersionConflictError);

    expect((await store.getLead(leadId))?.version).toBe(2);
    expect(await countItems(leadId, `EVENT#${eventKey}`)).toBe(0);
  });

  it("writes a transition only when the stage changes", async () => {
    const email = "transitions@example.com";
    const leadId = leadIdOf(email);
    await record()(leadEvent({ email, type: "page.viewed" }));
    await record()(leadEvent({ email, type: "page.viewed" }));
    expect(await countItems(leadId, "TRANSITION#")).toBe(1);

    await record()(leadEvent({ email, answers: { budget: "50k", timeline: "this quarter" } }));
    const { lead } = await record()(leadEvent({ email, type: "demo.completed" }));
    const transitions = await store.listTransitions(leadId);

    expect(lead?.stage).toBe("sql");
    expect(transitions.at(-1)).toMatchObject({ to: "sql", actor: { type: "rule" } });
    expect(new Set(transitions.map((transition) => transition.to)).size).toBe(transitions.length);
  });

  it("keeps every one of many concurrent events for one lead, counting each once", async () => {
    const email = "concurrent@example.com";
    const events = Array.from({ length: 12 }, () => leadEvent({ email, type: "page.viewed" }));

    const results = await Promise.all(events.map((event) => record()(event)));

    const lead = await store.getLead(leadIdOf(email));
    expect(results.every((result) => !result.duplicate)).toBe(true);
    expect(lead?.eventCount).toBe(12);
    expect(lead?.version).toBe(12);
    expect(await countItems(leadIdOf(email), "EVENT#")).toBe(12);
  });

  it("records the same delivery sent concurrently exactly once", async () => {
    const event = leadEvent({ email: "dupes@example.com" });

    const results = await Promise.all(Array.from({ length: 8 }, () => record()({ ...event })));

    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(await countItems(leadIdOf("dupes@example.com"), "EVENT#")).toBe(1);
    expect((await store.getLead(leadIdOf("dupes@example.com")))?.version).toBe(1);
  });
});
