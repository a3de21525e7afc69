import { type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { leadPk } from "#shared/adapters/dynamodb/entities/lead";
import { slaBreachFromRecord } from "#shared/adapters/dynamodb/entities/sla-breach";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { IMPORT_ACTOR } from "#shared/application/import-history";
import { type SweepSummary, sweepInstant, sweepSummary } from "#shared/application/maintenance";
import type { LeadStore } from "#shared/application/ports/lead-store";
import type { Actor } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";
import { runLocally } from "#shared/local/lead-runs";
import { runModelOf } from "#shared/runtime/lead-run-workers";
import { createTestTable } from "../support/dynamodb";
import { leadIdOf, TEST_PSEUDONYMS } from "../support/pseudonyms";
import { leadFixture, storedEvent, sweepEngine, transitionFixture } from "../unit/leads/fixtures";

// A history import folds at event time: its stays began in the past, and the next sweep meets them.
const AS_OF = new Date("2026-11-20T03:00:00.000Z");
const clock = () => new Date("2026-11-20T03:25:00.000Z");
const hoursBefore = (hours: number) => new Date(AS_OF.getTime() - hours * 3_600_000).toISOString();
const engine = sweepEngine({ points: 40, halfLifeDays: 30, recycleBelow: 5, slaHours: 24 });
const LIVE: Actor = { type: "rule", id: "stage.sql" };

let client: DynamoDBClient;
let tableName: string;
let store: LeadStore;
let summary: SweepSummary;

/** A lead whose one event is `eventHours` old, in `stage` since `enteredHours` ago by `actor`'s move. */
async function seedStay(email: string, stage: Stage, eventHours: number, enteredHours: number, actor: Actor) {
  const occurredAt = hoursBefore(eventHours);
  const entered = hoursBefore(enteredHours);
  const lead = leadFixture({
    email,
    stage,
    stageEnteredAt: entered,
    updatedAt: entered,
    lastEventAt: occurredAt,
  });
  const event = storedEvent({ email, occurredAt });
  const transition = { ...transitionFixture({ leadId: lead.leadId, from: "lead", to: stage, at: entered }), actor };
  await store.commit({
    lead,
    expectedVersion: undefined,
    event,
    eventKey: TEST_PSEUDONYMS.eventKey(event.eventId),
    transition: actor.type === "import" ? { ...transition, quiet: true } : transition,
  });
}

async function itemsOf(email: string, entity: string) {
  const result = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: marshall({ ":pk": leadPk(leadIdOf(email)) }),
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).filter((item) => unmarshall(item).entity === entity);
}

async function breachOf(email: string) {
  const [record] = await itemsOf(email, "sla-breach");
  return record && slaBreachFromRecord({ eventName: "INSERT", dynamodb: { NewImage: record } });
}

beforeAll(async () => {
  ({ client, tableName } = await createTestTable("leads-maintenance-imported"));
  store = dynamoLeadStore({ client, tableName });
  // sql for ten days through an import: its 24 h SLA fell due nine days before this sweep.
  await seedStay("old-import@people.example", "sql", 240, 240, IMPORT_ACTOR);
  // sql for 30 hours through an import: due 6 hours ago, since the last daily sweep.
  await seedStay("recent-import@people.example", "sql", 30, 30, IMPORT_ACTOR);
  // The same ten-day stay reached live: the sweep alerts it, however late.
  await seedStay("old-live@people.example", "sql", 240, 240, LIVE);
  // mql through an import, idle 150 days: its score fell under 5 long ago.
  await seedStay("idle-import@people.example", "mql", 150 * 24, 150 * 24, IMPORT_ACTOR);
  // mql through an import, idle 90 days and 12 hours: under 5 since this morning, not a day ago.
  await seedStay("just-idle-import@people.example", "mql", 90 * 24 + 12, 90 * 24 + 12, IMPORT_ACTOR);
  summary = sweepSummary(
    (
      await runLocally(
        { kind: "sweep", model: runModelOf(engine), asOf: sweepInstant(clock()) },
        { table: { client, tableName }, engine, workers: 2 },
      )
    ).progress,
  );
});

describe("the sweep over imported history", () => {
  it("records an imported stay's long-due SLA breach, alerting no one", async () => {
    const old = await breachOf("old-import@people.example");

    expect(summary).toMatchObject({ complete: true, slaBreaches: 3, recycled: 2 });
    expect(old?.data).toMatchObject({ stage: "sql", ruleId: "sla.sql", hoursOverdue: 216, notify: [] });
  });

  it("alerts a breach that fell due since the last sweep, imported or not, and any live one", async () => {
    expect((await breachOf("recent-import@people.example"))?.data).toMatchObject({
      hoursOverdue: 6,
      notify: ["slack"],
    });
    expect((await breachOf("old-live@people.example"))?.data).toMatchObject({ hoursOverdue: 216, notify: ["slack"] });
  });

  it("recycles an imported lead idle long ago quietly, and one that just became idle as any lead", async () => {
    const idle = await store.listTransitions(leadIdOf("idle-import@people.example"));
    const justIdle = await store.listTransitions(leadIdOf("just-idle-import@people.example"));

    expect(idle.at(-1)).toMatchObject({ from: "mql", to: "recycled", actor: { id: "recycle.decayed" }, quiet: true });
    expect(justIdle.at(-1)).toMatchObject({ from: "mql", to: "recycled", actor: { id: "recycle.decayed" } });
    expect(justIdle.at(-1)?.quiet).toBeUndefined();
  });
});
