import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startRipen } from "#shared/local/runtime";
import { type AlertStub, startSlackStub } from "../support/alert-stubs";
import { GENERIC_SECRET, genericPayload } from "../support/generic";
import { postGeneric as sendGeneric } from "../support/webhook-sender";

let slack: AlertStub;
let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  slack = await startSlackStub();
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName: `e2e-skeleton-${Date.now()}`,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET, SLACK_WEBHOOK_URL: slack.url },
    pollIntervalMs: 100,
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
  await slack?.stop();
});

const postGeneric = (body: string, secret?: string) => sendGeneric(ripen.url, body, secret);

describe("a signed webhook travels ingest → DynamoDB → stage → stream → bus → Slack", () => {
  const email = "grace@example.com";
  // A form with budget and timeline, then a completed demo: the default model's startup SQL.
  const journey = [
    { type: "form.submitted", answers: { budget: "50k", timeline: "this quarter" } },
    { type: "webinar.attended", properties: { durationMinutes: 45 } },
    { type: "demo.completed" },
  ];

  it("ripens a lead to sql and alerts Slack exactly once, ignoring a redelivery", async () => {
    let last: Record<string, unknown> = {};
    const sent: string[] = [];
    for (const [index, step] of journey.entries()) {
      const body = JSON.stringify(
        genericPayload({ email, ...step, eventId: `journey-${index}`, name: "Grace Example" }),
      );
      sent.push(body);
      const response = await postGeneric(body);
      expect(response.status).toBe(200);
      last = response.body;
      if (last.stage === "sql") break;
    }
    expect(last).toMatchObject({ stage: "sql", duplicate: false });

    const message = await vi.waitFor(() => {
      const [delivered] = slack.delivered();
      if (!delivered) throw new Error("no Slack message yet");
      return JSON.parse(delivered.body) as { text: string };
    });
    expect(message.text).toContain("Grace Example");
    expect(message.text).toMatch(/sales-ready|SQL/i);

    const again = await postGeneric(sent.at(-1) as string);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, stage: "sql", leadId: last.leadId } });

    // Give the poller several rounds to (wrongly) deliver a second alert.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slack.delivered()).toHaveLength(1);

    const lead = await fetch(`${ripen.url}/leads/${last.leadId}`);
    const view = (await lead.json()) as {
      lead: { stage: string };
      explanation: { score: number; hits: { decayedPoints: number }[] };
    };
    expect(lead.status).toBe(200);
    expect(view.lead.stage).toBe("sql");
    const sum = view.explanation.hits.reduce((total, hit) => total + hit.decayedPoints, 0);
    expect(Math.round(sum * 100) / 100).toBe(view.explanation.score);
  });

  it("refuses a bad signature with 401 and stores nothing", async () => {
    const body = JSON.stringify(genericPayload({ email: "mallory@example.com" }));
    const response = await postGeneric(body, "not-the-secret");
    expect(response).toEqual({
      status: 401,
      body: { error: { code: "invalid_signature", message: "signature does not match" } },
    });
    const lookup = await fetch(`${ripen.url}/leads/mallory@example.com`);
    expect(lookup.status).toBe(404);
  });

  it("refuses malformed JSON with 400 and details", async () => {
    const response = await postGeneric('{"type":"form.submitted",');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: "invalid_payload", details: { parseError: expect.any(String) } },
    });
  });

  it("answers 404 unknown_source, 415 for a non-JSON body and 413 above 256 KB", async () => {
    const unknown = await fetch(`${ripen.url}/webhooks/mailchimp`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "unknown_source" } });

    const text = await fetch(`${ripen.url}/webhooks/generic`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hello",
    }).then(async (response) => ({ status: response.status, body: await response.json() }));
    expect(text).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });

    const large = await postGeneric(JSON.stringify({ padding: "x".repeat(300 * 1024) }));
    expect(large).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
  });

  it("answers GET /health", async () => {
    const response = await fetch(`${ripen.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });
});
