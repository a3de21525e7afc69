import { type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { bandSortKey, leadPk, stageShard } from "#shared/adapters/dynamodb/entities/lead";
import { slaBreachFromRecord } from "#shared/adapters/dynamodb/entities/sla-breach";
import { dynamoStageIndex } from "#shared/adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { breachId, type SweepSummary, sweepInstant, sweepSummary } from "#shared/application/maintenance";
import type { LeadStore } from "#shared/application/ports/lead-store";
import type { Lead } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";
import { runLocally } from "#shared/local/lead-runs";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { createTestTable } from "../support/dynamodb";
import { leadIdOf, TEST_PSEUDONYMS } from "../support/pseudonyms";
import { leadFixture, REP_A, storedEvent, sweepEngine } from "../unit/leads/fixtures";

const AS_OF = new Date("2026-11-20T03:00:00.000Z");
const clock = () => new Date("2026-11-20T03:25:00.000Z");
const daysBefore = (days: number) => new Date(AS_OF.getTime() - days * 86_400_000).toISOString();
const hoursBefore = (hours: number) => new Date(AS_OF.getTime() - hours * 3_600_000).toISOString();
const engine = sweepEngine({ points: 40, halfLifeDays: 30, recycleBelow: 5, slaHours: 24 });

let client: DynamoDBClient;
let tableName: string;
let store: LeadStore;
const progress: { message: string; fields: Record<string, unknown> }[] = [];

/** A lead with one event `ageDays` old, stored as the write path left it then. */
async function seedLead(
  email: string,
  stage: Stage,
  options: { ageDays: number; entered?: string; owner?: boolean; updatedAt?: string },
) {
  const occurredAt = daysBefore(options.ageDays);
  const updatedAt = options.updatedAt ?? occurredAt;
  const lead = leadFixture({
    email,
    stage,
    score: 40,
    engagement: 40,
    stageEnteredAt: options.entered ?? occurredAt,
    updatedAt,
    lastEventAt: occurredAt,
    ...(options.owner && { owner: REP_A }),
  });
  const event = storedEvent({ email, occurredAt });
  await store.commit({ lead, expectedVersion: undefined, event, eventKey: TEST_PSEUDONYMS.eventKey(event.eventId) });
  return lead;
}

/** The hour's sweep as a run on this machine (the scheduled sweep's run, worked by local workers). */
const sweep = async (): Promise<SweepSummary> => {
  const result = await runLocally(
    { kind: "sweep", model: runModelOf(engine), asOf: sweepInstant(clock()) },
    { table: { client, tableName }, engine, workers: 3, log: (message, fields) => progress.push({ message, fields }) },
  );
  return sweepSummary(result.progress);
};

async function partition(leadId: string) {
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId) }),
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => unmarshall(item));
}

let first: SweepSummary;
const seeded: Record<string, Lead> = {};

beforeAll(async () => {
  ({ client, tableName } = await createTestTable("leads-maintenance"));
  store = dynamoLeadStore({ client, tableName });
  seeded.decayed = await seedLead("decayed@people.example", "mql", { ageDays: 60 });
  seeded.stale = await seedLead("stale@people.example", "mql", { ageDays: 150 });
  seeded.waiting = await seedLead("waiting@people.example", "sql", { ageDays: 2, entered: hoursBefore(30) });
  seeded.owned = await seedLead("owned@people.example", "sql", { ageDays: 2, entered: hoursBefore(30), owner: true });
  seeded.fresh = await seedLead("fresh@people.example", "mql", { ageDays: 90, updatedAt: "2026-11-20T03:10:00.000Z" });
  seeded.closed = await seedLead("closed@people.example", "sqo", { ageDays: 90 });
  first = await sweep();
});

describe("the maintenance sweep", () => {
  it("re-evaluates decay over the open stages and moves the score the rep queue sorts by", async () => {
    const decayed = await store.getLead(leadIdOf("decayed@people.example"));

    expect(first).toMatchObject({ asOf: AS_OF.toISOString(), complete: true, examined: 5, recycled: 1, current: 1 });
    expect(decayed).toMatchObject({ stage: "mql", score: 10, version: 2, updatedAt: AS_OF.toISOString() });
    const shard = stageShard(seeded.decayed?.leadId as string);
    const page = await dynamoStageIndex({ client, tableName }).read({
      partition: { stage: "mql", shard },
      sort: "score",
      order: "desc",
      after: undefined,
      limit: 50,
    });
    // 40 decayed to 10: the lead left band 4 for band 1, and the sweep moved its queue entry.
    expect(page.entries.map((entry) => entry.sortKey)).toContain(bandSortKey(1, seeded.decayed?.leadId as string));
    expect(page.entries.map((entry) => entry.sortKey)).not.toContain(bandSortKey(4, seeded.decayed?.leadId as string));
  });

  it("applies the model's recycle rule with its transition, and leaves closed stages alone", async () => {
    const stale = await store.getLead(leadIdOf("stale@people.example"));
    const transitions = await store.listTransitions(leadIdOf("stale@people.example"));

    expect(stale).toMatchObject({ stage: "recycled", stageEnteredAt: AS_OF.toISOString() });
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({
      from: "mql",
      to: "recycled",
      at: AS_OF.toISOString(),
      actor: { id: "recycle.decayed" },
    });
    expect(await store.getLead(leadIdOf("closed@people.example"))).toEqual(seeded.closed);
    expect(await store.getLead(leadIdOf("fresh@people.example"))).toEqual(seeded.fresh);
  });

  it("records an SLA breach once, with the alert's detail, for an sql nobody accepted", async () => {
    const waitingId = leadIdOf("waiting@people.example");
    const records = (await partition(waitingId)).filter((item) => item.entity === "sla-breach");
    const owned = (await partition(leadIdOf("owned@people.example"))).filter((item) => item.entity === "sla-breach");

    expect(first.slaBreaches).toBe(1);
    expect(owned).toEqual([]);
    expect(records).toHaveLength(1);
    const detail = slaBreachFromRecord({ eventName: "INSERT", dynamodb: { NewImage: marshall(records[0]) } });
    expect(detail?.metadata.breachId).toBe(breachId(waitingId, "sla.sql", hoursBefore(30)));
    expect(detail?.data).toMatchObject({ stage: "sql", ruleId: "sla.sql", hoursOverdue: 6, dueAt: hoursBefore(6) });
  });

  it("is idempotent: a second run in the same hour changes nothing", async () => {
    const before = await Promise.all(Object.values(seeded).map((lead) => partition(lead.leadId)));

    const second = await sweep();

    expect(second).toMatchObject({ rescored: 0, moved: 0, recycled: 0, slaBreaches: 0, conflicts: 0, complete: true });
    expect(await Promise.all(Object.values(seeded).map((lead) => partition(lead.leadId)))).toEqual(before);
  });

  it("logs progress per part without personal data", () => {
    expect(progress.filter((line) => line.message === "part done").length).toBeGreaterThan(0);
    expect(JSON.stringify(progress)).not.toContain("@");
  });
});
