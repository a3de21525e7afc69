import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signGeneric } from "../../shared/adapters/sources/generic";
import { startRipen } from "../../shared/local/runtime";
import { GENERIC_SECRET, genericPayload } from "../support/generic";

/** A loopback Slack incoming webhook that keeps what it receives. */
async function startSlack() {
  const received: unknown[] = [];
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    response.writeHead(200, { "content-type": "text/plain" }).end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let slack: Awaited<ReturnType<typeof startSlack>>;
let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  slack = await startSlack();
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
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

async function postGeneric(body: string, options: { secret?: string; contentType?: string } = {}) {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${ripen.url}/webhooks/generic`, {
    method: "POST",
    headers: {
      "content-type": options.contentType ?? "application/json",
      "x-ripen-timestamp": String(timestamp),
      "x-ripen-signature": signGeneric(options.secret ?? GENERIC_SECRET, timestamp, body),
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

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

    const message = (await until(() => slack.received[0])) as { text: string };
    expect(message.text).toContain("Grace Example");
    expect(message.text).toMatch(/sales-ready|SQL/i);

    const again = await postGeneric(sent.at(-1) as string);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, stage: "sql", leadId: last.leadId } });

    // Give the poller several rounds to (wrongly) deliver a second alert.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(slack.received).toHaveLength(1);

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
    const response = await postGeneric(body, { secret: "not-the-secret" });
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

    const text = await postGeneric("hello", { contentType: "text/plain" });
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
