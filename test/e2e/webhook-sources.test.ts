import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SourceName } from "#shared/domain/lead-event";
import { startRipen } from "#shared/local/runtime";
import { fixture, fixtureText, senderHeaders } from "../unit/sources/support";

/**
 * Real senders' deliveries over HTTP, through the ingest handler the Lambda runs, on DynamoDB Local
 * (the local runtime): status codes and bodies as a sender sees them.
 */
const SECRETS = {
  typeform: "http-typeform-secret",
  tally: "http-tally-secret",
  webflow: "http-webflow-secret",
  hubspot: "http-hubspot-secret",
  zoom: "http-zoom-secret",
  calendly: "http-calendly-secret",
  calcom: "http-calcom-secret",
} as const;
type Vendor = keyof typeof SECRETS;

let ripen: Awaited<ReturnType<typeof startRipen>>;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    // Stream checkpoints and dead letters in a temporary directory, removed on stop.
    inMemory: true,
    tableName: `sources-http-${Date.now()}`,
    env: {
      ...Object.fromEntries(
        Object.entries(SECRETS).map(([source, secret]) => [`RIPEN_SECRET_${source.toUpperCase()}`, secret]),
      ),
      RIPEN_ALLOW_UNSIGNED: "webflow",
    },
    pollIntervalMs: 100,
    log: () => {},
  });
});

afterAll(async () => {
  await ripen?.stop();
});

interface Delivery {
  secret?: string;
  at?: Date;
  query?: string;
  headers?: Record<string, string>;
}

async function post(source: Vendor, body: string | Buffer, delivery: Delivery = {}) {
  const path = `/webhooks/${source}${delivery.query ? `?${delivery.query}` : ""}`;
  const signed = senderHeaders(source as SourceName, delivery.secret ?? SECRETS[source], body, {
    at: delivery.at ?? new Date(),
    url: `${ripen.url}${path}`,
  });
  const response = await fetch(`${ripen.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...signed, ...delivery.headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function storedLead(email: string) {
  return (await fetch(`${ripen.url}/leads/${encodeURIComponent(email)}`)).status;
}

const DELIVERIES: readonly (readonly [Vendor, string, string])[] = [
  ["typeform", "form-response", "ada@example.com"],
  ["tally", "form-response", "grace@example.com"],
  ["webflow", "form-submission", "linus@example.com"],
  ["hubspot", "workflow-contact", "margaret@example.com"],
  ["zoom", "webinar-registration-created", "jill@example.com"],
  ["calendly", "invitee-created", "mary@example.com"],
  ["calcom", "booking-created", "alan@example.com"],
];

describe.each(DELIVERIES)("POST /webhooks/%s (%s)", (source, name, email) => {
  it("records the documented payload (200) and answers duplicate: true to the same delivery again", async () => {
    const body = fixture(source, name);
    const first = await post(source, body);
    expect(first).toMatchObject({ status: 200, body: { duplicate: false, leadId: expect.any(String) } });
    expect(first.body.stage).toEqual(expect.any(String));

    const again = await post(source, body);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, leadId: first.body.leadId } });
    expect(await storedLead(email)).toBe(200);
  });

  it("records the pretty-printed document signed over its exact bytes", async () => {
    const response = await post(source, fixtureText(source, name));
    expect(response.status).toBe(200);
  });

  // Webflow is configured here to take unsigned deliveries; a delivery that is signed must still verify.
  it("refuses another secret with 401 invalid_signature and stores nothing", async () => {
    const stranger = `mallory.${source}@example.com`;
    const body = fixture(source, name).replaceAll(email, stranger);
    const response = await post(source, body, { secret: "not-the-secret" });
    expect(response).toMatchObject({ status: 401, body: { error: { code: "invalid_signature" } } });
    expect(await storedLead(stranger)).toBe(404);
  });
});

describe("sender quirks over HTTP", () => {
  it("answers Zoom's URL validation challenge with 200 and the encrypted token", async () => {
    const response = await post("zoom", fixture("zoom", "url-validation"));
    expect(response).toEqual({
      status: 200,
      body: {
        plainToken: "qgg8vlvZRS6UYooatFL8Aw",
        encryptedToken: createHmac("sha256", SECRETS.zoom).update("qgg8vlvZRS6UYooatFL8Aw").digest("hex"),
      },
    });
  });

  it("acknowledges a Zoom meeting event with 200 ignored, so Zoom does not retry", async () => {
    const response = await post("zoom", fixture("zoom", "meeting-started"));
    expect(response).toMatchObject({ status: 200, body: { ignored: true } });
  });

  it("refuses a stale Zoom delivery with 401 stale_timestamp", async () => {
    const response = await post("zoom", fixture("zoom", "webinar-participant-left"), {
      at: new Date(Date.now() - 10 * 60_000),
    });
    expect(response).toMatchObject({ status: 401, body: { error: { code: "stale_timestamp" } } });
  });

  it("refuses Cal.com's no-secret-provided with 401", async () => {
    const response = await post("calcom", fixture("calcom", "booking-cancelled"), {
      headers: { "x-cal-signature-256": "no-secret-provided" },
    });
    expect(response).toMatchObject({ status: 401, body: { error: { code: "invalid_signature" } } });
  });

  it("verifies HubSpot against the URL it called, query string included", async () => {
    const response = await post("hubspot", fixture("hubspot", "workflow-custom-body"), {
      query: "workflow=demo%3Arequest&campaign=q4%20launch",
    });
    expect(response).toMatchObject({ status: 200, body: { duplicate: false } });
  });

  it("takes an unsigned Webflow delivery when RIPEN_ALLOW_UNSIGNED names webflow", async () => {
    const response = await fetch(`${ripen.url}/webhooks/webflow`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: fixture("webflow", "form-submission-v1"),
    });
    expect(response.status).toBe(200);
  });

  it("acknowledges a Calendly payload that does not fit with 200 stored:false and the schema's issues", async () => {
    // Calendly disables a subscription that keeps answering 4xx: a refusal must not cost the integration.
    const body = fixture("calendly", "invitee-created").replace('"created_at":"2026-11-20T11:58:48.000000Z",', "");
    const response = await post("calendly", body);
    expect(response).toMatchObject({
      status: 200,
      body: { stored: false, refused: { code: "invalid_payload", details: { issues: [{ path: "created_at" }] } } },
    });
  });
});

/** The text with one byte inserted right after the first occurrence of `after`. */
function withByteAfter(text: string, after: string, byte: number): Buffer {
  const at = text.indexOf(after) + after.length;
  expect(at).toBeGreaterThanOrEqual(after.length);
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([byte]), Buffer.from(text.slice(at))]);
}

describe("bodies that are not UTF-8 over HTTP", () => {
  // Read leniently, 0xFF and 0xFE both became U+FFFD: the second delivery was taken for the first and dropped.
  it("refuses both of two Tally deliveries whose ids differ only in 0xFF and 0xFE, storing neither", async () => {
    const email = "utf8.tally@example.com";
    const body = fixture("tally", "form-response").replaceAll("grace@example.com", email);
    for (const byte of [0xff, 0xfe]) {
      const response = await post("tally", withByteAfter(body, '"responseId":"2wgx4n', byte));
      expect(response).toMatchObject({
        status: 400,
        body: { error: { code: "invalid_payload", details: { issues: [{ code: "invalid_utf8" }] } } },
      });
    }
    expect(await storedLead(email)).toBe(404);
  });

  it("acknowledges both such Calendly deliveries with 200 stored:false, storing neither", async () => {
    const email = "utf8.calendly@example.com";
    const body = fixture("calendly", "invitee-created").replaceAll("mary@example.com", email);
    for (const byte of [0xff, 0xfe]) {
      const response = await post("calendly", withByteAfter(body, "/invitees/AAAAAAAAAAAAAAAA", byte));
      expect(response).toMatchObject({
        status: 200,
        body: { stored: false, refused: { code: "invalid_payload", details: { issues: [{ code: "invalid_utf8" }] } } },
      });
    }
    expect(await storedLead(email)).toBe(404);
  });

  it("refuses a body declared as ISO-8859-1 with 415 unsupported_media_type, storing nothing", async () => {
    const email = "latin1.typeform@example.com";
    const body = fixture("typeform", "form-response").replaceAll("ada@example.com", email);
    const response = await post("typeform", body, {
      headers: { "content-type": "application/json; charset=iso-8859-1" },
    });
    expect(response).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });
    expect(await storedLead(email)).toBe(404);
  });
});
