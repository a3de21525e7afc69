import { describe, expect, it } from "vitest";
import { generic } from "#shared/adapters/sources/generic";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import { InvalidPayloadError } from "#shared/domain/errors";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../support/generic";
import { signatureContract } from "./sources/signature-contract";
import { withHeader } from "./sources/support";

const now = new Date("2026-11-20T12:00:00.000Z");
const nowSeconds = Math.floor(now.getTime() / 1000);
const context = { secret: GENERIC_SECRET, now, toleranceSeconds: 300 };
const verify = (request: WebhookRequest) => generic.verify(request, context);

describe("generic source signature", () => {
  const body = JSON.stringify(genericPayload({ eventId: "evt-contract" }));
  signatureContract({
    source: generic,
    secret: GENERIC_SECRET,
    body,
    prettyBody: JSON.stringify(JSON.parse(body), null, 2),
    signed: (raw, options = {}) =>
      signedGenericRequest(raw, {
        ...(options.secret !== undefined && { secret: options.secret }),
        timestamp: Math.floor((options.at ?? now).getTime() / 1000),
      }),
    signatureHeader: "x-ripen-signature",
    digest: /^(v1=)(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => value.replace("v1=", "v0="),
    requiredHeaders: ["x-ripen-signature", "x-ripen-timestamp"],
    retimed: (request) => withHeader(request, "x-ripen-timestamp", String(nowSeconds - 1)),
  });

  it("accepts any matching v1 entry, so a secret can be rotated", () => {
    const request = signedGenericRequest(genericPayload(), { timestamp: nowSeconds });
    const header = `v1=${"0".repeat(64)}, ${request.headers["x-ripen-signature"]}`;
    expect(() => verify(withHeader(request, "x-ripen-signature", header))).not.toThrow();
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
