import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { leadItem } from "#shared/adapters/dynamodb/entities/lead";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import type { FunnelView } from "#shared/application/funnel";
import type { LeadPage } from "#shared/application/list-leads";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { leadFixture, REP_A, transitionFixture } from "../unit/leads/fixtures";

let ripen: Awaited<ReturnType<typeof startRipen>>;
const leads = Array.from({ length: 5 }, (_, index) =>
  leadFixture({ email: `api-${index}@api.example`, stage: "sql", score: 70 + index, owner: REP_A }),
);

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    tableName: `leads-api-${Date.now()}`,
    log: () => {},
  });
  const client = localDynamoDbClient(ripen.endpoint);
  await batchWrite(client, ripen.tableName, [
    ...leads.map((lead) => ({ PutRequest: { Item: leadItem(lead) } })),
    ...leads.map((lead) => ({
      PutRequest: {
        Item: transitionItem(
          transitionFixture({ leadId: lead.leadId, from: null, to: "sql", at: "2026-11-03T10:00:00.000Z" }),
        ),
      },
    })),
  ]);
  client.destroy();
}, 120_000);

afterAll(async () => {
  await ripen?.stop();
});

async function get<Body = unknown>(path: string): Promise<{ status: number; type: string; body: Body }> {
  const response = await fetch(`${ripen.url}${path}`);
  const type = response.headers.get("content-type") ?? "";
  const body = type.startsWith("application/json") ? await response.json() : await response.text();
  return { status: response.status, type, body: body as Body };
}

describe("the leads API over HTTP (the read function behind the local server)", () => {
  it("pages the rep queue with a cursor", async () => {
    const first = await get<LeadPage>(`/leads?stage=sql&owner=${REP_A.id}&limit=3`);
    const second = await get<LeadPage>(`/leads?stage=sql&owner=${REP_A.id}&limit=3&cursor=${first.body.next}`);

    expect(first.status).toBe(200);
    // All five share the 70–79 band: the pages split the band, each page ordered by exact score.
    const scores = (page: LeadPage) => page.leads.map((lead) => lead.score);
    expect(scores(first.body)).toEqual([...scores(first.body)].sort((a, b) => b - a));
    expect(scores(second.body)).toEqual([...scores(second.body)].sort((a, b) => b - a));
    expect([...scores(first.body), ...scores(second.body)].sort((a, b) => b - a)).toEqual([74, 73, 72, 71, 70]);
    expect(first.body.leads).toHaveLength(3);
    expect(second.body.next).toBeUndefined();
  });

  it("answers 400 invalid_query with the problems for a bad query or cursor", async () => {
    const unknownStage = await get("/leads?stage=ripe");
    const noStage = await get("/leads?limit=5");
    const badCursor = await get("/leads?stage=sql&cursor=bm9wZQ");

    expect(unknownStage).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_query", details: { issues: [{ path: "stage.0" }] } } },
    });
    expect(noStage.status).toBe(400);
    expect(badCursor.body).toMatchObject({
      error: { code: "invalid_query", message: "cursor is not one this API returned" },
    });
  });

  it("finds by email, rolls up an account, reports the funnel", async () => {
    const byEmail = await get<LeadPage>("/leads?email=API-2@api.example");
    const account = await get("/accounts/api.example");
    const missing = await get("/accounts/nobody.example");
    const funnel = await get<FunnelView>("/funnel?from=2026-11-01&to=2026-11-30&by=month");

    expect(byEmail.body.leads).toHaveLength(1);
    expect(account.body).toMatchObject({ leadCount: 5, combinedScore: 360, mostAdvancedStage: "sql" });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: "account_not_found" } } });
    expect(funnel.body.total.stages.map((stage) => stage.entered)).toEqual([5, 5, 5, 5, 0]);
    expect(funnel.body.segments.map((segment) => segment.key)).toEqual(["2026-11"]);
  });

  it("serves the funnel page as HTML that loads nothing from elsewhere", async () => {
    const page = await get("/funnel/view?from=2026-11-01&to=2026-11-30&by=");

    expect(page.status).toBe(200);
    expect(page.type).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<svg id="funnel-chart"');
    expect(page.body).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });

  it("erases a person with DELETE, idempotently, after which the lead is gone", async () => {
    const target = leads[0] as (typeof leads)[number];
    const erase = () => fetch(`${ripen.url}/leads/${target.leadId}`, { method: "DELETE" });

    const first = await erase();
    const again = await erase();

    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      leadId: target.leadId,
      deleted: { lead: 1, transition: 1 },
      stubsKept: 1,
    });
    expect(await again.json()).toMatchObject({ alreadyErased: true, deleted: {} });
    expect((await get(`/leads/${target.leadId}`)).status).toBe(404);
  });
});
