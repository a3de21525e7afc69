import { beforeAll, describe, expect, it } from "vitest";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoTransitionLog } from "#shared/adapters/dynamodb/funnel-queries";
import type { FunnelView } from "#shared/application/funnel";
import { FunnelQuery, readFunnel } from "#shared/application/funnel";
import { createTestTable } from "../support/dynamodb";
import { transitionFixture } from "../unit/leads/fixtures";

let funnel: ReturnType<typeof readFunnel>;
const clock = () => new Date("2026-11-20T12:00:00Z");

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();

beforeAll(async () => {
  const { client, tableName } = await createTestTable("leads-funnel");
  const transitions = [
    // a: lead → mql → sal → sql → sqo, one stage a day, from typeform.
    transitionFixture({ leadId: "a", from: null, to: "lead", at: at(2), source: "typeform", campaign: "webinar-q4" }),
    transitionFixture({ leadId: "a", from: "lead", to: "mql", at: at(3), source: "typeform", campaign: "webinar-q4" }),
    transitionFixture({ leadId: "a", from: "mql", to: "sal", at: at(4), source: "typeform" }),
    transitionFixture({ leadId: "a", from: "sal", to: "sql", at: at(5), source: "calendly" }),
    transitionFixture({ leadId: "a", from: "sql", to: "sqo", at: at(6), source: "calendly" }),
    // b: a booked demo takes it from lead straight to sql, skipping mql and sal.
    transitionFixture({ leadId: "b", from: null, to: "lead", at: at(3, 9), source: "calendly" }),
    transitionFixture({ leadId: "b", from: "lead", to: "sql", at: at(3, 15), source: "calendly" }),
    // c: a marketing lead recycled later.
    transitionFixture({ leadId: "c", from: null, to: "lead", at: at(10), source: "tally" }),
    transitionFixture({ leadId: "c", from: "lead", to: "mql", at: at(10, 6), source: "tally" }),
    transitionFixture({ leadId: "c", from: "mql", to: "recycled", at: at(12), source: "tally" }),
    // d: outside every range below but the last.
    transitionFixture({ leadId: "d", from: null, to: "lead", at: "2026-10-15T08:00:00.000Z", source: "tally" }),
  ];
  await batchWrite(
    client,
    tableName,
    transitions.map((transition) => ({ PutRequest: { Item: transitionItem(transition) } })),
  );
  funnel = readFunnel({ log: dynamoTransitionLog({ client, tableName }), clock });
});

const stages = (view: FunnelView) => view.total.stages.map((row) => row.entered);

describe("GET /funnel from the transition-by-day index", () => {
  it("counts entries per stage over a range, a skipped stage counted as passed", async () => {
    const view = await funnel(FunnelQuery.parse({ from: "2026-11-01", to: "2026-11-30" }));

    expect(view).toMatchObject({ from: "2026-11-01", to: "2026-11-30", days: 30, transitions: 10 });
    // lead: a b c; mql: a b(skipped) c; sal: a b(skipped); sql: a b; sqo: a.
    expect(stages(view)).toEqual([3, 3, 2, 2, 1]);
    expect(view.total.stages[1]).toMatchObject({ stage: "mql", convertedToNext: 2, conversionToNext: 0.6667 });
    expect(view.total.stages[0]?.timeInStage).toMatchObject({ stays: 3, medianHours: 6 });
    expect(view.total.exits).toEqual({ disqualified: 0, recycled: 1 });
  });

  it("reads only the days asked for: the range's ends are whole UTC days", async () => {
    const view = await funnel(FunnelQuery.parse({ from: "2026-11-03", to: "2026-11-03" }));

    expect(view.transitions).toBe(3);
    expect(stages(view)).toEqual([1, 2, 1, 1, 0]);
  });

  it("answers an empty range with zeros", async () => {
    const view = await funnel(FunnelQuery.parse({ from: "2026-11-13", to: "2026-11-19" }));

    expect(view.transitions).toBe(0);
    expect(view.total.leads).toBe(0);
    expect(stages(view)).toEqual([0, 0, 0, 0, 0]);
    expect(view.total.stages[0]?.conversionToNext).toBeNull();
  });

  it("groups by the source and campaign the index projects", async () => {
    const bySource = await funnel(FunnelQuery.parse({ from: "2026-11-01", to: "2026-11-30", by: "source" }));
    const byCampaign = await funnel(FunnelQuery.parse({ from: "2026-11-01", to: "2026-11-30", by: "campaign" }));

    expect(Object.fromEntries(bySource.segments.map((segment) => [segment.key, segment.leads]))).toEqual({
      typeform: 1,
      calendly: 2,
      tally: 1,
    });
    expect(bySource.segments.find((segment) => segment.key === "calendly")?.stages.map((row) => row.entered)).toEqual([
      1, 1, 1, 2, 1,
    ]);
    expect(byCampaign.segments.find((segment) => segment.key === "webinar-q4")?.leads).toBe(1);
  });

  it("defaults to the 30 days up to today", async () => {
    const view = await funnel(FunnelQuery.parse({}));

    expect(view).toMatchObject({ from: "2026-10-22", to: "2026-11-20", days: 30 });
    // Every November transition; d's, on 2026-10-15, is older than 30 days.
    expect(view.transitions).toBe(10);
  });
});
