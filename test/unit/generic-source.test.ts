import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generic } from "../../shared/adapters/sources/generic";
import type { WebhookRequest } from "../../shared/adapters/sources/source";
import { InvalidPayloadError, InvalidSignatureError, StaleTimestampError } from "../../shared/domain/errors";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../support/generic";

const now = new Date("2026-11-20T12:00:00.000Z");
const nowSeconds = Math.floor(now.getTime() / 1000);
const context = { secret: GENERIC_SECRET, now, toleranceSeconds: 300 };
const verify = (request: WebhookRequest) => generic.verify(request, context);

function withHeader(request: WebhookRequest, name: string, value: string | undefined): WebhookRequest {
  const headers = { ...request.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...request, headers };
}

describe("generic source signature", () => {
  const valid = () => signedGenericRequest(genericPayload(), { timestamp: nowSeconds });

  it("accepts a body signed with the secret over timestamp.body", () => {
    expect(() => verify(valid())).not.toThrow();
  });

  it("accepts a pretty-printed body signed over its exact bytes", () => {
    const pretty = JSON.stringify(genericPayload(), null, 2);
    expect(() => verify(signedGenericRequest(pretty, { timestamp: nowSeconds }))).not.toThrow();
  });

  it("accepts any matching v1 entry, so a secret can be rotated", () => {
    const request = valid();
    const header = `v1=${"0".repeat(64)}, ${request.headers["x-ripen-signature"]}`;
    expect(() => verify(withHeader(request, "x-ripen-signature", header))).not.toThrow();
  });

  it.each([
    ["the signature header is missing", (r: WebhookRequest) => withHeader(r, "x-ripen-signature", undefined)],
    ["the timestamp header is missing", (r: WebhookRequest) => withHeader(r, "x-ripen-timestamp", undefined)],
    ["the secret is wrong", () => signedGenericRequest(genericPayload(), { secret: "other", timestamp: nowSeconds })],
    [
      "one byte of the body changed",
      (r: WebhookRequest) => {
        const rawBody = Buffer.from(r.rawBody);
        rawBody[10] = (rawBody[10] ?? 0) ^ 1;
        return { ...r, rawBody };
      },
    ],
    [
      "the prefix is wrong",
      (r: WebhookRequest) => withHeader(r, "x-ripen-signature", r.headers["x-ripen-signature"]?.replace("v1=", "v0=")),
    ],
    [
      "the digest is base64 instead of hex",
      (r: WebhookRequest) => {
        const digest = createHmac("sha256", GENERIC_SECRET).update(`${nowSeconds}.`).update(r.rawBody).digest("base64");
        return withHeader(r, "x-ripen-signature", `v1=${digest}`);
      },
    ],
    [
      "the timestamp was changed after signing",
      (r: WebhookRequest) => withHeader(r, "x-ripen-timestamp", String(nowSeconds - 1)),
    ],
  ])("refuses with invalid_signature when %s", (_case, tamper) => {
    expect(() => verify(tamper(valid()))).toThrow(InvalidSignatureError);
  });

  it("refuses a correctly signed delivery older than the tolerance with stale_timestamp", () => {
    const request = signedGenericRequest(genericPayload(), { timestamp: nowSeconds - 301 });
    expect(() => verify(request)).toThrow(StaleTimestampError);
  });

  it("refuses a correctly signed delivery dated too far in the future", () => {
    const request = signedGenericRequest(genericPayload(), { timestamp: nowSeconds + 301 });
    expect(() => verify(request)).toThrow(StaleTimestampError);
  });

  it("accepts a delivery at the edge of the window", () => {
    expect(() => verify(signedGenericRequest(genericPayload(), { timestamp: nowSeconds - 300 }))).not.toThrow();
  });
});

describe("generic source payload", () => {
  it("maps the documented fields to a canonical event", () => {
    const payload = genericPayload({
      eventId: "abc-1",
      type: "demo.completed",
      attributes: { companySize: 120, country: "DE" },
      answers: { budget: "50k", "use case": ["routing", "scoring"] },
      properties: { durationMinutes: 42 },
    });
    const result = generic.toEvents(signedGenericRequest(payload), context);
    expect(result).toEqual({
      kind: "events",
      events: [
        {
          source: "generic",
          sourceEventId: "abc-1",
          type: "demo.completed",
          occurredAt: "2026-11-20T10:00:00Z",
          email: "ada@example.com",
          name: "Ada Example",
          company: "Example Ltd",
          attributes: { companySize: 120, country: "DE" },
          answers: { budget: "50k", "use case": ["routing", "scoring"] },
          properties: { durationMinutes: 42 },
        },
      ],
    });
  });

  it("refuses malformed JSON with invalid_payload", () => {
    expect(() => generic.toEvents(signedGenericRequest("{not json"), context)).toThrow(InvalidPayloadError);
  });

  it("refuses unknown top-level fields and missing required ones, naming them", () => {
    const { eventId: _omitted, ...payload } = genericPayload({ surprise: true });
    try {
      generic.toEvents(signedGenericRequest(payload), context);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPayloadError);
      const { issues } = (error as InvalidPayloadError).details as {
        issues: { path: string; code: string; message: string }[];
      };
      expect(issues.map((issue) => issue.path)).toContain("eventId");
      expect(issues.find((issue) => issue.code === "unrecognized_keys")?.message).toContain("surprise");
    }
  });
});

/** The dotted paths a refused generic body names (fails the test when it is accepted). */
function refusedPaths(body: string | object): string[] {
  try {
    generic.toEvents(signedGenericRequest(body), context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPayloadError);
    const { issues } = (error as InvalidPayloadError).details as { issues: { path: string }[] };
    return issues.map((issue) => issue.path);
  }
  return expect.unreachable("the body was accepted");
}

const sourceEventId = (body: string) => {
  const result = generic.toEvents(signedGenericRequest(body), context);
  return result.kind === "events" ? result.events[0]?.sourceEventId : undefined;
};

describe("generic source ids and keys", () => {
  const bodyWithId = (id: string) => JSON.stringify(genericPayload({ eventId: "ID" })).replace('"ID"', id);

  it.each([
    ["42", "42"],
    [String(2n ** 60n), "1152921504606846976"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
    ['"42"', "42"],
  ])("accepts the integer or string eventId %s, kept as its exact digits", (id, expected) => {
    expect(sourceEventId(bodyWithId(id))).toBe(expected);
  });

  it.each(["1.5", "1e300", "true", "null", '""', "{}"])("refuses the eventId %s, naming it", (id) => {
    expect(refusedPaths(bodyWithId(id))).toEqual(expect.arrayContaining(["eventId"]));
  });

  it.each([
    ['{"eventId":"a","eventId":"b"}', "eventId"],
    ['{"answers":{"email":"a@example.com","email":"b@example.com"}}', "answers.email"],
  ])("refuses a duplicate key, naming it: %s", (fields, path) => {
    const body = JSON.stringify(genericPayload()).replace(/^\{/, `${fields.slice(0, -1)},`);
    expect(refusedPaths(body)).toEqual([path]);
  });

  it.each(
    ["attributes", "answers", "properties"].flatMap((field) =>
      ["constructor", "__proto__", "toString", "hasOwnProperty"].map((key) => [field, key]),
    ),
  )("refuses %s keyed %s, naming the field", (field, key) => {
    const body = JSON.stringify(genericPayload()).replace(/^\{/, `{"${field}":{"ok":"x","${key}":"y"},`);
    expect(refusedPaths(body)).toEqual([`${field}.${key}`]);
  });
});
