import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseDocument } from "yaml";
import { dynamoTransitionRange } from "#shared/adapters/dynamodb/transition-range";
import type { FunnelView } from "#shared/application/funnel";
import type { BusEntry } from "#shared/application/recovery/ports";
import { republishRange } from "#shared/application/recovery/republish";
import { localBusPublisher } from "#shared/local/recovery";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { compileModelFile } from "#shared/runtime/scoring-model";
import type { AlertStub } from "../support/alert-stubs";
import { type AlertingRipen, startAlertingRipen } from "../support/alerting-ripen";
import { genericPayload } from "../support/generic";
import { qualifyThroughLink } from "../support/lead-page-actions";
import { postGeneric } from "../support/webhook-sender";
import { DEFAULT_MODEL_PATH } from "../unit/model/journeys";

/**
 * The SDR gate's alert on DynamoDB Local, through the local runtime's stream, Pipe, bus and notifiers to
 * loopback Slack and SES servers: a lead that becomes sql-ready asks its owner, once, to decide; the
 * funnel then counts the wait.
 */

const LINK_KEY = "sql-ready-alert-test-key-0123456789ab";
let modelDir: string;
let running: AlertingRipen;

beforeAll(async () => {
  modelDir = await mkdtemp(join(tmpdir(), "ripen-sql-ready-"));
  const model = parseDocument(await readFile(DEFAULT_MODEL_PATH, "utf8"));
  model.setIn(["stages", "sqlReview"], true);
  const modelPath = join(modelDir, "ripen.model.yaml");
  await writeFile(modelPath, String(model));
  running = await startAlertingRipen("sql-ready-alert", {
    env: { RIPEN_MODEL: modelPath, RIPEN_LINK_KEY: LINK_KEY },
  });
}, 120_000);

afterAll(async () => {
  await running?.stop();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

const HEADLINE = "SQL-ready, qualify or disqualify: Sam Ready";
const asking = (stub: AlertStub) => stub.delivered().filter((request) => request.body.includes(HEADLINE));
const salesReady = (stub: AlertStub) =>
  stub.delivered().filter((request) => request.body.includes("Sales-ready: Sam Ready"));

async function send(body: Record<string, unknown>) {
  const response = await postGeneric(running.ripen.url, JSON.stringify(body));
  expect(response.status).toBe(200);
  return response.body as { leadId: string; stage: string; duplicate: boolean; sqlReady?: boolean };
}

async function leadJson(leadId: string) {
  const response = await fetch(`${running.ripen.url}/leads/${leadId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    lead: { stage: string; review?: { since: string } };
    transitions: { to: string; at: string }[];
  };
}

/** One day's funnel report, as GET /funnel answers it. */
async function funnelOf(day: string) {
  const response = await fetch(`${running.ripen.url}/funnel?from=${day}&to=${day}`);
  expect(response.status).toBe(200);
  return (await response.json()) as FunnelView;
}

/** The wait-for-review items stored in the lead's partition. */
async function sqlReadyItems(leadId: string) {
  const { Items } = await running.table.client.send(
    new QueryCommand({
      TableName: running.table.tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": { S: `LEAD#${leadId}` }, ":prefix": { S: "SQLREADY#" } },
    }),
  );
  return Items ?? [];
}

describe("the sql-ready alert (stages.sqlReview)", () => {
  it("asks the owner once on Slack and by email, through a duplicate and more events, and the funnel counts the wait", async () => {
    // Prepare: budget and timeline on a form, then a completed demo: the default model's sql rule.
    const email = "sam.ready@example.com";
    const now = () => new Date().toISOString();
    const form = genericPayload({
      email,
      name: "Sam Ready",
      eventId: "ready-form",
      occurredAt: now(),
      type: "form.submitted",
      answers: { budget: "30k", timeline: "this quarter" },
    });
    const demo = genericPayload({
      email,
      name: "Sam Ready",
      eventId: "ready-demo",
      occurredAt: now(),
      type: "demo.completed",
    });
    await send(form);
    const held = await send(demo);
    const leadId = held.leadId;

    // Act: the same demo delivered again, and a later event while the lead waits.
    const duplicate = await send(demo);
    const later = await send(
      genericPayload({ email, name: "Sam Ready", eventId: "ready-view", occurredAt: now(), type: "page.viewed" }),
    );
    await vi.waitFor(
      () => {
        expect(asking(running.slack).length).toBeGreaterThan(0);
        expect(asking(running.ses).length).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 200 },
    );
    const waiting = await leadJson(leadId);
    // The rep decides: the move to sql alerts as any other; once it has, every earlier record was published.
    expect((await qualifyThroughLink(running.ripen.url, LINK_KEY, leadId, "ana")).status).toBe(303);
    await vi.waitFor(() => expect(salesReady(running.slack).length).toBeGreaterThan(0), {
      timeout: 30_000,
      interval: 200,
    });
    const qualified = await leadJson(leadId);
    const day = new Date().toISOString().slice(0, 10);
    const funnel = await funnelOf(day);
    const stored = await sqlReadyItems(leadId);
    // An erasure takes the wait with the person: the funnel no longer counts it.
    expect((await fetch(`${running.ripen.url}/leads/${leadId}`, { method: "DELETE" })).status).toBe(200);
    const afterErasure = await funnelOf(day);

    // Assess
    expect(held).toMatchObject({ sqlReady: true, duplicate: false });
    expect(duplicate.duplicate).toBe(true);
    expect(later).toMatchObject({ sqlReady: true, duplicate: false });
    expect(stored).toHaveLength(1);
    expect(await sqlReadyItems(leadId)).toEqual([]);
    expect(afterErasure.review).toMatchObject({ waited: 0 });
    expect(asking(running.slack)).toHaveLength(1);
    expect(asking(running.ses)).toHaveLength(1);
    const slack = asking(running.slack)[0]?.body ?? "";
    expect(slack).toContain("ripen.qualify");
    expect(slack).toContain("ripen.disqualify");
    expect(slack.replaceAll("\\/", "/")).toContain(`/links/leads/${leadId}/`);
    expect(asking(running.ses)[0]?.body.replaceAll("\\/", "/")).toContain(`/links/leads/${leadId}/`);
    expect(qualified.lead.stage).toBe("sql");
    const since = waiting.lead.review?.since ?? "";
    const decidedAt = qualified.transitions.at(-1)?.at ?? "";
    const hours = Math.round(((Date.parse(decidedAt) - Date.parse(since)) / 3_600_000) * 100) / 100;
    expect(funnel.review).toEqual({ waited: 1, qualified: 1, disqualified: 0, undecided: 0, medianHours: hours });
  }, 60_000);

  it("is rebuilt from the table by npm run republish, and a repeat asks the owner nothing more", async () => {
    // Prepare: a lead that waits for review, its alert delivered.
    const email = "rae.republish@example.com";
    const started = new Date(Date.now() - 1000).toISOString();
    const base = { email, name: "Rae Republish", occurredAt: new Date().toISOString() };
    await send(
      genericPayload({
        ...base,
        eventId: "rae-form",
        type: "form.submitted",
        answers: { budget: "30k", timeline: "this quarter" },
      }),
    );
    const { leadId } = await send(genericPayload({ ...base, eventId: "rae-demo", type: "demo.completed" }));
    const askingRae = () =>
      running.slack.delivered().filter((request) => request.body.includes("qualify or disqualify: Rae Republish"));
    await vi.waitFor(() => expect(askingRae()).toHaveLength(1), { timeout: 30_000, interval: 200 });
    const put: BusEntry[] = [];
    const bus = localBusPublisher(running.ripen.bus);
    const republish = republishRange({
      recorded: dynamoTransitionRange({ client: running.table.client, tableName: running.table.tableName }),
      channelsFor: loadCompiledEngine(compileModelFile(join(modelDir, "ripen.model.yaml")).compiled).channelsFor,
      bus: {
        put: async (entries) => {
          put.push(...entries);
          await bus.put(entries);
        },
      },
    });

    // Act: the range republished, as for a Pipe's failed batch.
    const found = await republish({ from: started, to: new Date().toISOString(), dryRun: false });
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Assess: the wait went back on the bus to the owner's channels; the ledger kept the alert to one.
    expect(found.waits).toBeGreaterThanOrEqual(1);
    const rebuilt = put.filter((entry) => entry.detailType === "Lead SQL Ready");
    expect(rebuilt.map((entry) => entry.detail)).toContainEqual(
      expect.objectContaining({
        channels: ["slack", "email"],
        data: expect.objectContaining({ lead: expect.objectContaining({ leadId }) }),
      }),
    );
    expect(askingRae()).toHaveLength(1);
  }, 60_000);
});
