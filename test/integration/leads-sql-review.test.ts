import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parseDocument } from "yaml";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import type { LeadPage } from "#shared/application/list-leads";
import { LeadEvent } from "#shared/domain/lead-event";
import { startRipen } from "#shared/local/runtime";
import { loadEngine } from "#shared/runtime/scoring-model";
import { createTestTable } from "../support/dynamodb";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { qualifyThroughLink } from "../support/lead-page-actions";
import { leadIdOf, recordLeads } from "../support/pseudonyms";
import { postGeneric } from "../support/webhook-sender";
import { DEFAULT_MODEL_PATH } from "../unit/model/journeys";

/**
 * The SDR gate (stages.sqlReview) through the write path on DynamoDB Local: webhooks that meet the default
 * model's sql rule, the rep queue, and a rep's Qualify through the lead page's link.
 */

const LINK_KEY = "sql-review-test-key-0123456789abcdef";
type Ripen = Awaited<ReturnType<typeof startRipen>>;
let modelDir: string;
let gated: Ripen;

const start = (name: string, env: Record<string, string> = {}) =>
  startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    inMemory: true,
    tableName: `${name}-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET, RIPEN_LINK_KEY: LINK_KEY, ...env },
    log: () => {},
  });

beforeAll(async () => {
  modelDir = await mkdtemp(join(tmpdir(), "ripen-sql-review-"));
  const model = parseDocument(await readFile(DEFAULT_MODEL_PATH, "utf8"));
  model.setIn(["stages", "sqlReview"], true);
  const modelPath = join(modelDir, "ripen.model.yaml");
  await writeFile(modelPath, String(model));
  // The handlers read their environment once per process: the gate-off case records without them, below.
  gated = await start("sql-review-on", { RIPEN_MODEL: modelPath });
}, 120_000);

afterAll(async () => {
  await gated?.stop();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

interface StoredLead {
  stage: string;
  stageEnteredAt: string;
  review?: { since: string; ruleId: string; reason: string };
}
interface StoredTransition {
  from: string | null;
  to: string;
  actor: { type: string; id: string };
}

/** Budget and timeline on a form, then a completed demo: the default model's sql rule. */
function sqlEvents(email: string) {
  const form = { type: "form.submitted", answers: { budget: "30k", timeline: "this quarter" } };
  const now = new Date().toISOString();
  return [
    genericPayload({ email, eventId: `${email}-form`, occurredAt: now, ...form }),
    genericPayload({ email, eventId: `${email}-demo`, occurredAt: now, type: "demo.completed" }),
  ];
}

/** What the webhook answered to the last delivery of meetSqlRule. */
let lastAnswer: Record<string, unknown> = {};

/** The events of sqlEvents through the generic webhook; the lead's id. */
async function meetSqlRule(ripen: Ripen, email: string): Promise<string> {
  const events = sqlEvents(email);
  let leadId = "";
  for (const event of events) {
    const response = await postGeneric(ripen.url, JSON.stringify(event));
    expect(response.status).toBe(200);
    leadId = (response.body as { leadId: string }).leadId;
    lastAnswer = response.body as Record<string, unknown>;
  }
  return leadId;
}

async function leadJson(ripen: Ripen, leadId: string) {
  const response = await fetch(`${ripen.url}/leads/${leadId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { lead: StoredLead; transitions: StoredTransition[] };
}

async function queue(ripen: Ripen): Promise<LeadPage> {
  const response = await fetch(`${ripen.url}/leads?stage=lead,mql,sal,recycled&review=waiting`);
  expect(response.status).toBe(200);
  return (await response.json()) as LeadPage;
}

describe("the SDR gate on DynamoDB Local", () => {
  it("keeps a lead that meets an sql rule sql-ready, in the rep queue, until a rep qualifies it", async () => {
    // Prepare
    const leadId = await meetSqlRule(gated, `waits-${Date.now()}@example.com`);

    const answer = lastAnswer;

    // Act
    const waiting = await leadJson(gated, leadId);
    const listed = await queue(gated);
    const qualified = await qualifyThroughLink(gated.url, LINK_KEY, leadId, "ana");
    const after = await leadJson(gated, leadId);
    const listedAfter = await queue(gated);

    // Assess
    expect(answer).toMatchObject({ leadId, stage: waiting.lead.stage, sqlReady: true });
    expect(waiting.lead.stage).not.toBe("sql");
    expect(waiting.transitions.map((transition) => transition.to)).not.toContain("sql");
    expect(waiting.lead.review).toMatchObject({ ruleId: expect.any(String), reason: expect.any(String) });
    expect(Date.parse(waiting.lead.review?.since ?? "")).toBeGreaterThan(0);
    expect(listed.leads.filter((lead) => lead.leadId === leadId).map((lead) => lead.review)).toEqual([
      waiting.lead.review,
    ]);
    expect(qualified.status).toBe(303);
    expect(after.lead.stage).toBe("sql");
    expect(after.lead.review).toBeUndefined();
    expect(after.transitions.at(-1)).toMatchObject({
      from: waiting.lead.stage,
      to: "sql",
      actor: { type: "rep", id: "link:ana" },
    });
    expect(listedAfter.leads.map((lead) => lead.leadId)).not.toContain(leadId);
  });

  it("keeps the lead waiting, with its first since, when more events come before the decision", async () => {
    // Prepare
    const email = `still-${Date.now()}@example.com`;
    const leadId = await meetSqlRule(gated, email);
    const first = await leadJson(gated, leadId);

    // Act
    const more = genericPayload({
      email,
      eventId: `${email}-view`,
      type: "page.viewed",
      occurredAt: new Date().toISOString(),
    });
    expect((await postGeneric(gated.url, JSON.stringify(more))).status).toBe(200);
    const later = await leadJson(gated, leadId);

    // Assess
    expect(later.lead.stage).toBe(first.lead.stage);
    expect(later.lead.review).toEqual(first.lead.review);
  });

  it("changes nothing with the gate off: the default model's rules move the lead to sql themselves", async () => {
    // Prepare: the write path (recordEvent) on a table of its own, with the default model as it ships.
    const table = await createTestTable("sql-review-off");
    const store = dynamoLeadStore(table);
    const record = recordLeads({ store, engine: loadEngine(DEFAULT_MODEL_PATH), clock: () => new Date() });
    const email = `moves-${Date.now()}@example.com`;

    // Act
    const results = [];
    for (const event of sqlEvents(email))
      results.push(await record(LeadEvent.parse({ source: "generic", sourceEventId: event.eventId, ...event })));
    const lead = await store.getLead(leadIdOf(email));
    const { Items: waits } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": { S: `LEAD#${leadIdOf(email)}` }, ":prefix": { S: "SQLREADY#" } },
      }),
    );
    table.client.destroy();

    // Assess
    expect(results.map((result) => result.lead.stage)).toEqual([expect.any(String), "sql"]);
    expect(lead?.stage).toBe("sql");
    expect(lead?.review).toBeUndefined();
    // No wait began, so nothing asks for a review: no sql-ready item, nothing for the stream to alert.
    expect(waits).toEqual([]);
  });
});
