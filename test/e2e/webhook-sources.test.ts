import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { signStandardWebhook } from "#shared/adapters/sources/generic";
import type { SourceName } from "#shared/domain/lead-event";
import { startRipen } from "#shared/local/runtime";
import { fixture, fixtureText, senderHeaders, senderQuery } from "../unit/sources/support";

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
  gotowebinar: "http-gotowebinar-token-0123456789abcdef",
  livestorm: "http-livestorm-token-0123456789abcdef",
  savvycal: "http-savvycal-secret",
  generic: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
} as const;
type Vendor = keyof typeof SECRETS;

let ripen: Awaited<ReturnType<typeof startRipen>>;
/** Every line the local server logs, to check what it never says. */
const logged: string[] = [];

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
    log: (line) => logged.push(line),
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
  const secret = delivery.secret ?? SECRETS[source];
  // Livestorm and GoToWebinar are given the secret as a token in their URL.
  const query = delivery.query ?? senderQuery(source as SourceName, secret);
  const path = `/webhooks/${source}${query ? `?${query}` : ""}`;
  const signed = senderHeaders(source as SourceName, secret, body, {
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
  ["gotowebinar", "registrant-added", "grace.goto@example.com"],
  ["livestorm", "people-registered", "louise@example.com"],
  ["savvycal", "event-created", "sally@example.com"],
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

describe("the newer senders over HTTP", () => {
  const standard = (body: string, id: string, options: { at?: Date; secret?: string } = {}) =>
    fetch(`${ripen.url}/webhooks/generic`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signStandardWebhook(
          options.secret ?? SECRETS.generic,
          id,
          Math.floor((options.at ?? new Date()).getTime() / 1000),
          body,
        ),
      },
      body,
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));

  it("records a Standard Webhooks delivery without eventId once, keyed by webhook-id", async () => {
    const body = fixture("generic", "standard-webhook");
    const first = await standard(body, "msg_e2e_standard_1");
    expect(first).toMatchObject({ status: 200, body: { duplicate: false } });
    const retry = await standard(body, "msg_e2e_standard_1");
    expect(retry).toMatchObject({ status: 200, body: { duplicate: true, leadId: first.body.leadId } });
    expect(await storedLead("svea@example.com")).toBe(200);
  });

  it("refuses a stale Standard Webhooks delivery with 401 stale_timestamp, and another key with 401", async () => {
    const body = fixture("generic", "standard-webhook").replaceAll("svea@example.com", "stale.svea@example.com");
    const stale = await standard(body, "msg_e2e_standard_2", { at: new Date(Date.now() - 10 * 60_000) });
    expect(stale).toMatchObject({ status: 401, body: { error: { code: "stale_timestamp" } } });
    const forged = await standard(body, "msg_e2e_standard_2", { secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    expect(forged).toMatchObject({ status: 401, body: { error: { code: "invalid_signature" } } });
    expect(await storedLead("stale.svea@example.com")).toBe(404);
  });

  it("keeps GoToWebinar's keys above 2^53 exact in the stored timeline", async () => {
    const body = fixture("gotowebinar", "registrant-joined").replaceAll(
      "grace.goto@example.com",
      "keys.goto@example.com",
    );
    expect((await post("gotowebinar", body)).status).toBe(200);
    const lead = await (await fetch(`${ripen.url}/leads/${encodeURIComponent("keys.goto@example.com")}`)).text();
    expect(lead).toContain('"4511665432126123456"');
    expect(lead).not.toContain("4511665432126123000");
  });

  it("records a Livestorm attendance posted to the URL for its trigger", async () => {
    const body = fixture("livestorm", "people-attended").replaceAll(
      "louise@example.com",
      "attended.livestorm@example.com",
    );
    const query = new URLSearchParams({ token: SECRETS.livestorm, event: "people.attended" }).toString();
    const response = await post("livestorm", body, { query });
    expect(response).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(await storedLead("attended.livestorm@example.com")).toBe(200);
  });

  it("acknowledges a Livestorm payload that does not fit with 200 stored:false, so Livestorm keeps the webhook", async () => {
    const body = fixture("livestorm", "people-registered").replace(
      '"email":"louise@example.com","avatar_link"',
      '"email":7,"avatar_link"',
    );
    expect(body).toContain('"email":7');
    const response = await post("livestorm", body);
    expect(response).toMatchObject({
      status: 200,
      body: {
        stored: false,
        refused: { code: "invalid_payload", details: { issues: [{ path: "data.attributes.email" }] } },
      },
    });
  });

  it("never logs a URL token, accepted or refused, in the server's lines or the functions' output", async () => {
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    try {
      await post("livestorm", fixture("livestorm", "people-registered"));
      await post("livestorm", fixture("livestorm", "people-registered"), { secret: "wrong-livestorm-token-123456" });
      await post("gotowebinar", fixture("gotowebinar", "registrant-added"), { secret: "wrong-goto-token-123456" });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const lines = [...logged, ...written];
    expect(lines.some((line) => line.includes("/webhooks/livestorm"))).toBe(true);
    for (const token of [SECRETS.livestorm, SECRETS.gotowebinar, "wrong-livestorm-token", "wrong-goto-token"]) {
      expect(lines.filter((line) => line.includes(token))).toEqual([]);
    }
  });

  it("acknowledges a SavvyCal payload that does not fit with 200 stored:false", async () => {
    const body = fixture("savvycal", "event-created").replace('"occurred_at":"2026-11-20T11:58:47Z",', "");
    const response = await post("savvycal", body);
    expect(response).toMatchObject({
      status: 200,
      body: { stored: false, refused: { code: "invalid_payload", details: { issues: [{ path: "occurred_at" }] } } },
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
