import { describe, expect, it } from "vitest";
import { environmentSecrets } from "#shared/adapters/secrets";
import { calendly, signCalendly } from "#shared/adapters/sources/calendly";
import { WEBHOOK_SOURCES } from "#shared/adapters/sources/index";
import { signTypeform } from "#shared/adapters/sources/typeform";
import { type IngestWebhookDeps, ingestWebhook } from "#shared/application/ingest-webhook";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import {
  InvalidPayloadError,
  InvalidSignatureError,
  SourceNotConfiguredError,
  UnknownSourceError,
  UnsupportedMediaTypeError,
} from "#shared/domain/errors";
import type { LeadEvent } from "#shared/domain/lead-event";
import { DEFAULT_FUTURE_TOLERANCE_SECONDS } from "#shared/domain/lead-event";
import { loadEngine } from "#shared/runtime/scoring-model";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../support/generic";
import { memoryLeadStore } from "../support/memory-lead-store";
import { recordLeads } from "../support/pseudonyms";
import { fixture, NOW, webhookRequest } from "./sources/support";

function setup(secrets: Record<string, string> = { RIPEN_SECRET_GENERIC: GENERIC_SECRET }) {
  const memory = memoryLeadStore();
  const ingest = ingestWebhook({
    sources: WEBHOOK_SOURCES,
    secrets: environmentSecrets(secrets),
    record: recordLeads({
      store: memory.store,
      engine: loadEngine(),
      clock: () => new Date(),
    }),
    clock: () => new Date(),
    toleranceSeconds: 300,
    unsigned: new Set(),
  });
  return { memory, ingest };
}

describe("ingestWebhook", () => {
  it("records a verified generic event and answers with the lead's stage and score", async () => {
    const { memory, ingest } = setup();
    const outcome = await ingest("generic", signedGenericRequest(genericPayload()));
    const [lead] = [...memory.leads.values()];
    expect(outcome.statusCode).toBe(200);
    expect(outcome.body).toEqual({ leadId: lead?.leadId, stage: lead?.stage, score: lead?.score, duplicate: false });
    expect(lead?.email).toBe("ada@example.com");
  });

  it("answers duplicate: true for the same delivery again", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload());
    await ingest("generic", request);
    const again = await ingest("generic", request);
    expect(again.body).toMatchObject({ duplicate: true });
    expect([...memory.events.values()].flat()).toHaveLength(1);
  });

  it("refuses an unknown source with unknown_source", async () => {
    const { ingest } = setup();
    await expect(ingest("mailchimp", signedGenericRequest(genericPayload()))).rejects.toBeInstanceOf(
      UnknownSourceError,
    );
  });

  it("refuses a body that is not JSON by media type, before anything else", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { headers: { "content-type": "text/plain" } });
    await expect(ingest("generic", request)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    expect(memory.leads.size).toBe(0);
  });

  it("accepts a JSON media type with parameters", async () => {
    const { ingest } = setup();
    const request = signedGenericRequest(genericPayload(), {
      headers: { "content-type": "Application/JSON; charset=utf-8" },
    });
    await expect(ingest("generic", request)).resolves.toMatchObject({ statusCode: 200 });
  });

  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON; Charset=UTF-8",
    'application/json; charset="utf-8"',
    "application/json;charset=utf8",
    "application/cloudevents+json; charset=UTF-8",
  ])("takes a body declared as %s", async (contentType) => {
    const { ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { headers: { "content-type": contentType } });
    await expect(ingest("generic", request)).resolves.toMatchObject({ statusCode: 200 });
  });

  it.each([
    ["application/json; charset=iso-8859-1", "iso-8859-1"],
    ['application/json; charset="ISO-8859-1"', "ISO-8859-1"],
    ["application/json; charset=windows-1252", "windows-1252"],
    ["application/json; charset=utf-16", "utf-16"],
    ["application/json; charset=", ""],
  ])("refuses a body declared as %s with unsupported_media_type, storing nothing", async (contentType, charset) => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { headers: { "content-type": contentType } });
    const error = await ingest("generic", request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((error as Error).message).toBe(`the body must be UTF-8, declared charset "${charset}"`);
    expect(memory.leads.size).toBe(0);
  });

  it("never processes a delivery that fails to verify", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload(), { secret: "wrong" });
    await expect(ingest("generic", request)).rejects.toBeInstanceOf(InvalidSignatureError);
    expect(memory.leads.size).toBe(0);
  });

  it("answers a temporary source_not_configured when the source has no secret, storing nothing", async () => {
    const { memory, ingest } = setup({});
    await expect(ingest("generic", signedGenericRequest(genericPayload()))).rejects.toBeInstanceOf(
      SourceNotConfiguredError,
    );
    expect(memory.leads.size).toBe(0);
  });

  it("refuses a signed payload whose email is not an email, with the path in details", async () => {
    const { memory, ingest } = setup();
    const request = signedGenericRequest(genericPayload({ email: "not-an-email" }));
    const error = await ingest("generic", request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as InvalidPayloadError).details).toMatchObject({ issues: [{ path: "email" }] });
    expect(memory.leads.size).toBe(0);
  });
});

const nowSeconds = Math.floor(NOW.getTime() / 1000);
const SECRETS = {
  RIPEN_SECRET_GENERIC: GENERIC_SECRET,
  RIPEN_SECRET_CALENDLY: "test-calendly-key",
  RIPEN_SECRET_TYPEFORM: "test-typeform-secret",
};

/** The use case at NOW with a recorder in place of the store: what reaches `record` is what was stored. */
function atNow(overrides: Partial<IngestWebhookDeps> = {}) {
  const stored: LeadEvent[] = [];
  const ingest = ingestWebhook({
    sources: WEBHOOK_SOURCES,
    secrets: environmentSecrets(SECRETS),
    record: async (event) => {
      stored.push(event);
      return { lead: { leadId: "ld_1", stage: "lead", score: 0 }, duplicate: false } as unknown as Awaited<
        ReturnType<IngestWebhookDeps["record"]>
      >;
    },
    clock: () => NOW,
    toleranceSeconds: 300,
    unsigned: new Set(),
    ...overrides,
  });
  return { stored, ingest };
}

const generic = (body: string | object) => signedGenericRequest(body, { timestamp: nowSeconds });
const calendlyRequest = (body: string, secret = SECRETS.RIPEN_SECRET_CALENDLY) =>
  webhookRequest("calendly", body, signCalendly(secret, body, nowSeconds));
const typeformRequest = (body: string) =>
  webhookRequest("typeform", body, signTypeform(SECRETS.RIPEN_SECRET_TYPEFORM, body));

/** The paths an InvalidPayloadError names. */
async function refusedPaths(outcome: Promise<unknown>): Promise<string[]> {
  const error = await outcome.then(
    () => expect.unreachable("the delivery was accepted"),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InvalidPayloadError);
  return ((error as InvalidPayloadError).details as { issues: { path: string }[] }).issues.map((issue) => issue.path);
}

describe("ingestWebhook bounds occurredAt by the receiving clock", () => {
  const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString();

  it("defaults the future tolerance to a day", () => {
    expect(DEFAULT_FUTURE_TOLERANCE_SECONDS).toBe(86_400);
  });

  it.each([
    ["just inside the tolerance", at(86_400), true],
    ["just outside the tolerance", at(86_401), false],
    ["in the year 2999", "2999-01-01T00:00:00Z", false],
    ["in the year 0001", "0001-01-01T00:00:00Z", false],
    ["at the floor, 2000-01-01", "2000-01-01T00:00:00Z", true],
  ])("an occurredAt %s (%s) is stored when %s, else refused naming occurredAt", async (_case, occurredAt, accepted) => {
    const { stored, ingest } = atNow();
    const outcome = ingest("generic", generic(genericPayload({ occurredAt })));
    if (accepted) {
      await expect(outcome).resolves.toMatchObject({ statusCode: 200 });
      expect(stored).toHaveLength(1);
    } else {
      expect(await refusedPaths(outcome)).toEqual(["occurredAt"]);
      expect(stored).toHaveLength(0);
    }
  });

  it("takes the tolerance from its deps", async () => {
    const { ingest } = atNow({ futureToleranceSeconds: 60 });
    await expect(ingest("generic", generic(genericPayload({ occurredAt: at(60) })))).resolves.toMatchObject({
      statusCode: 200,
    });
    expect(await refusedPaths(ingest("generic", generic(genericPayload({ occurredAt: at(61) }))))).toEqual([
      "occurredAt",
    ]);
  });
});

describe("ingestWebhook answers a refused payload as its source's policy says", () => {
  it("declares the policy per source: those that disable webhooks after repeated failures acknowledge", () => {
    const policies = Object.fromEntries(
      Object.values(WEBHOOK_SOURCES).map((source) => [source?.name, source?.refusal]),
    );
    expect(policies).toEqual({
      typeform: "reject",
      tally: "reject",
      webflow: "reject",
      hubspot: "reject",
      zoom: "reject",
      calendly: "acknowledge",
      calcom: "reject",
      gotowebinar: "reject",
      livestorm: "acknowledge",
      savvycal: "acknowledge",
      generic: "reject",
    });
  });

  it("refuses a bad generic payload with 400 invalid_payload naming the field", async () => {
    const { stored, ingest } = atNow();
    expect(await refusedPaths(ingest("generic", generic(genericPayload({ attributes: { constructor: 1 } }))))).toEqual([
      "attributes.constructor",
    ]);
    expect(stored).toHaveLength(0);
  });

  it.each([
    [
      "a payload that does not fit Calendly's schema",
      fixture("calendly", "invitee-created").replace('"created_at":"2026-11-20T11:58:48.000000Z",', ""),
      "created_at",
    ],
    [
      "a duplicate key",
      fixture("calendly", "invitee-created").replace('{"created_at":', '{"event":"invitee.canceled","created_at":'),
      "event",
    ],
    [
      "an occurredAt in the year 2999",
      fixture("calendly", "invitee-created").replace("2026-11-20T11:58:48.000000Z", "2999-11-20T11:58:48.000000Z"),
      "occurredAt",
    ],
    [
      "a question that would become the answer key constructor",
      fixture("calendly", "invitee-created").replace('"question":"Company size"', '"question":"constructor"'),
      "answers.constructor",
    ],
  ])("acknowledges %s from Calendly with 200 stored:false, naming the field", async (_case, body, path) => {
    const { stored, ingest } = atNow();
    const outcome = await ingest("calendly", calendlyRequest(body));
    expect(outcome).toMatchObject({
      statusCode: 200,
      refused: "invalid_payload",
      body: {
        stored: false,
        refused: { code: "invalid_payload", message: expect.any(String), details: { issues: [{ path }] } },
      },
    });
    expect(stored).toHaveLength(0);
  });

  it("still stores a good Calendly delivery", async () => {
    const { stored, ingest } = atNow();
    const outcome = await ingest("calendly", calendlyRequest(fixture("calendly", "invitee-created")));
    expect(outcome.refused).toBeUndefined();
    expect(stored).toHaveLength(1);
  });

  it("still answers 401 for a Calendly delivery that fails to verify, even with a bad payload", async () => {
    const { stored, ingest } = atNow();
    const forged: WebhookRequest = calendlyRequest('{"event":1,"event":2}', "forger");
    await expect(ingest("calendly", forged)).rejects.toBeInstanceOf(InvalidSignatureError);
    expect(calendly.refusal).toBe("acknowledge");
    expect(stored).toHaveLength(0);
  });

  it.each([
    ["constructor", "answers.constructor"],
    ["__proto__", "answers.__proto__"],
    ["hasOwnProperty", "answers.hasOwnProperty"],
  ])("refuses a Typeform field ref %s with 400, naming the answer", async (ref, path) => {
    const { stored, ingest } = atNow();
    const body = fixture("typeform", "form-response").replaceAll('"ref":"budget"', `"ref":"${ref}"`);
    expect(await refusedPaths(ingest("typeform", typeformRequest(body)))).toEqual([path]);
    expect(stored).toHaveLength(0);
  });
});
