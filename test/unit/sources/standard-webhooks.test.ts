import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  generic,
  signGeneric,
  signStandardWebhook,
  standardWebhooksKey,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "#shared/adapters/sources/generic";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import {
  InvalidPayloadError,
  InvalidSignatureError,
  RipenError,
  SourceNotConfiguredError,
  StaleTimestampError,
} from "#shared/domain/errors";
import { signatureContract } from "./signature-contract";
import { context, deliver, fixture, fixtureText, NOW, onlyEvent, webhookRequest, withHeader } from "./support";

/** The secret and message of the specification's published example (standard-webhooks, libraries' tests). */
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const SECRET = VECTOR.secret;
const MESSAGE_ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
const nowSeconds = Math.floor(NOW.getTime() / 1000);

/**
 * Signs as a Standard Webhooks sender does, written out here rather than through Ripen's own signer: the
 * key is the base64 after whsec_, or the secret's UTF-8 bytes.
 */
function sign(secret: string, id: string, seconds: number, body: string | Buffer): string {
  const key = secret.startsWith("whsec_") ? Buffer.from(secret.slice(6), "base64") : Buffer.from(secret);
  const digest = createHmac("sha256", key).update(`${id}.${seconds}.`).update(body).digest("base64");
  return `v1,${digest}`;
}

const signed = (body: string | Buffer, options: { secret?: string; at?: Date; id?: string } = {}) => {
  const seconds = Math.floor((options.at ?? NOW).getTime() / 1000);
  const id = options.id ?? MESSAGE_ID;
  return webhookRequest("generic", body, {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(seconds),
    [WEBHOOK_SIGNATURE_HEADER]: sign(options.secret ?? SECRET, id, seconds, body),
  });
};
const receive = (request: WebhookRequest) => deliver(generic, request, context(SECRET));

describe("Standard Webhooks on the generic route: signature", () => {
  signatureContract({
    source: generic,
    secret: SECRET,
    body: fixture("generic", "standard-webhook"),
    prettyBody: fixtureText("generic", "standard-webhook"),
    signed,
    signatureHeader: WEBHOOK_SIGNATURE_HEADER,
    digest: /^(v1,)(.+)$/,
    encoding: "base64",
    wrongPrefix: (value) => value.replace("v1,", "v2,"),
    requiredHeaders: [WEBHOOK_ID_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_SIGNATURE_HEADER],
    retimed: (request) => withHeader(request, WEBHOOK_TIMESTAMP_HEADER, String(nowSeconds - 1)),
  });

  it("signs the specification's published example exactly", () => {
    const headers = signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(headers[WEBHOOK_SIGNATURE_HEADER]).toBe(VECTOR.signature);
  });

  it("verifies the published example at its time and refuses it 5 minutes and a second later", () => {
    const request = webhookRequest("generic", VECTOR.body, {
      [WEBHOOK_ID_HEADER]: VECTOR.id,
      [WEBHOOK_TIMESTAMP_HEADER]: String(VECTOR.timestamp),
      [WEBHOOK_SIGNATURE_HEADER]: VECTOR.signature,
    });
    const at = (seconds: number) => context(VECTOR.secret, { now: new Date(seconds * 1000) });
    expect(() => generic.verify(request, at(VECTOR.timestamp))).not.toThrow();
    expect(() => generic.verify(request, at(VECTOR.timestamp + 301))).toThrow(StaleTimestampError);
  });

  it("decodes whsec_ secrets as base64 and takes any other secret's UTF-8 bytes as the key", () => {
    expect(standardWebhooksKey(VECTOR.secret)).toEqual(Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64"));
    expect(standardWebhooksKey("plain secret")).toEqual(Buffer.from("plain secret", "utf8"));
    const body = fixture("generic", "standard-webhook");
    // The example's key without its prefix is text, not base64: its signature no longer matches.
    const unprefixed = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    expect(() => generic.verify(signed(body), context(unprefixed))).toThrow(InvalidSignatureError);
    expect(() => generic.verify(signed(body, { secret: unprefixed }), context(unprefixed))).not.toThrow();
  });

  it("answers a whsec_ secret that is not base64 as a configuration problem (503), not the sender's", () => {
    const body = fixture("generic", "standard-webhook");
    expect(() => generic.verify(signed(body), context("whsec_not base64!"))).toThrow(SourceNotConfiguredError);
  });

  it("accepts any matching v1 entry among space-separated ones, so a secret can be rotated", () => {
    const request = signed(fixture("generic", "standard-webhook"));
    const valid = request.headers[WEBHOOK_SIGNATURE_HEADER] as string;
    const rotated = `v1,${Buffer.alloc(32).toString("base64")} v1a,${"A".repeat(88)} ${valid}`;
    expect(() => receive(withHeader(request, WEBHOOK_SIGNATURE_HEADER, rotated))).not.toThrow();
  });

  it("does not take an Ed25519 (v1a) entry as a v1 signature", () => {
    const request = signed(fixture("generic", "standard-webhook"));
    const asymmetric = (request.headers[WEBHOOK_SIGNATURE_HEADER] as string).replace("v1,", "v1a,");
    expect(() => receive(withHeader(request, WEBHOOK_SIGNATURE_HEADER, asymmetric))).toThrow(InvalidSignatureError);
  });

  it("refuses a webhook-id changed after signing", () => {
    const request = signed(fixture("generic", "standard-webhook"));
    expect(() => receive(withHeader(request, WEBHOOK_ID_HEADER, "msg_other"))).toThrow(InvalidSignatureError);
  });

  it("verifies a delivery with any webhook-* header the standard way only: Ripen's own signature does not rescue it", () => {
    const body = fixture("generic", "standard-webhook").replace("{", '{"eventId":"evt-1",');
    const request = webhookRequest("generic", body, {
      "x-ripen-timestamp": String(nowSeconds),
      "x-ripen-signature": signGeneric(SECRET, nowSeconds, body),
      [WEBHOOK_ID_HEADER]: MESSAGE_ID,
    });
    expect(() => receive(request)).toThrow(InvalidSignatureError);
    expect(() => receive(withHeader(request, WEBHOOK_ID_HEADER, undefined))).not.toThrow();
  });
});

describe("Standard Webhooks on the generic route: the dedupe key", () => {
  it("takes webhook-id as the event's id when the body has no eventId", () => {
    const event = onlyEvent(receive(signed(fixture("generic", "standard-webhook"))));
    expect(event).toMatchObject({
      source: "generic",
      sourceEventId: MESSAGE_ID,
      type: "trial.started",
      email: "svea@example.com",
      name: "Svea Example",
      company: "Example Cloud",
      attributes: { companySize: "51-200", plan: "team" },
      properties: { campaign: "q4-launch" },
    });
  });

  it("keeps the body's eventId as the key when there is one", () => {
    const body = fixture("generic", "standard-webhook").replace("{", '{"eventId":"trial-42",');
    expect(onlyEvent(receive(signed(body))).sourceEventId).toBe("trial-42");
  });

  it("gives every redelivery of a message the same key, whatever its time", () => {
    const body = fixture("generic", "standard-webhook");
    const first = onlyEvent(receive(signed(body, { at: new Date(NOW.getTime() - 120_000) })));
    const retry = onlyEvent(receive(signed(body)));
    expect(retry.sourceEventId).toBe(first.sourceEventId);
  });

  it("refuses a webhook-id over 256 characters as the key, naming the header", () => {
    const request = signed(fixture("generic", "standard-webhook"), { id: `msg_${"x".repeat(253)}` });
    expect(() => receive(request)).toThrow(
      expect.objectContaining({
        code: "invalid_payload",
        details: { issues: [expect.objectContaining({ path: WEBHOOK_ID_HEADER })] },
      }),
    );
  });

  it("refuses unknown top-level fields, as under Ripen's own signature", () => {
    const body = fixture("generic", "standard-webhook").replace("{", '{"surprise":true,');
    expect(() => receive(signed(body))).toThrow(
      expect.objectContaining({
        code: "invalid_payload",
        details: { issues: [expect.objectContaining({ code: "unrecognized_keys" })] },
      }),
    );
  });

  it("still requires eventId under Ripen's own signature", () => {
    const body = fixture("generic", "standard-webhook");
    const request = webhookRequest("generic", body, {
      "x-ripen-timestamp": String(nowSeconds),
      "x-ripen-signature": signGeneric(SECRET, nowSeconds, body),
    });
    expect(() => receive(request)).toThrow(InvalidPayloadError);
  });
});

describe("fuzzing Standard Webhooks on the generic route", () => {
  it("verifies validly signed arbitrary JSON and maps it to valid events or Ripen's errors only", () => {
    fc.assert(
      fc.property(fc.json(), fc.stringMatching(/^msg_[A-Za-z0-9]{1,40}$/), (body, id) => {
        const request = signed(body, { id });
        expect(() => generic.verify(request, context(SECRET))).not.toThrow();
        try {
          generic.toEvents(request, context(SECRET));
        } catch (error) {
          if (!(error instanceof RipenError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });

  it("throws nothing but Ripen's errors for arbitrary standard headers", () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(..."v1a, =+/0123456789abcdef") }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), text, text, text, (bytes, id, timestamp, signature) => {
        const request = webhookRequest("generic", Buffer.from(bytes), {
          [WEBHOOK_ID_HEADER]: id,
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signature,
        });
        try {
          generic.verify(request, context(SECRET));
        } catch (error) {
          if (!(error instanceof RipenError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});
