import * as z from "zod/mini";
import type { WebhookRequest, WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidPayloadError, SourceNotConfiguredError } from "#shared/domain/errors";
import { EventAnswers, EventAttributes, EventProperties, EventType } from "#shared/domain/lead-event";
import { issueDetail } from "#shared/edge/schema-issues";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";

/**
 * Ripen's own webhook format, for any tool (or a Zapier / Make step). Documented in the README.
 * Signed in either of two ways:
 * - Ripen's: `X-Ripen-Timestamp: <unix seconds>` and
 *   `X-Ripen-Signature: v1=<hex HMAC-SHA256(secret, "{timestamp}.{raw body}")>` (several `v1=` entries,
 *   comma-separated, are accepted so a secret can be rotated);
 * - Standard Webhooks (https://www.standardwebhooks.com, as Svix and many platforms send): `webhook-id`,
 *   `webhook-timestamp: <unix seconds>`, `webhook-signature: v1,<base64 HMAC-SHA256(key,
 *   "{webhook-id}.{webhook-timestamp}.{raw body}")>` (space-separated entries; `v1a,` Ed25519 entries are
 *   not checked). The key is the base64 after `whsec_` for a secret written that way, else the secret's
 *   UTF-8 bytes. A delivery carrying any `webhook-*` header is verified this way only.
 */
const EventId = z.pipe(
  z.union([z.string().check(z.minLength(1), z.maxLength(256)), z.number().check(z.int())]),
  z.transform(String),
);

export const GenericPayload = z.strictObject({
  type: EventType,
  /**
   * Your unique id for this event: the dedupe key. Send the same id when you retry. A string, or an
   * integer of any size (kept as its exact digits: 42 is the id "42"). Optional under Standard
   * Webhooks, where `webhook-id` is the key when it is missing.
   */
  eventId: EventId,
  occurredAt: z.iso.datetime({ offset: true }),
  email: z.string(),
  name: z.optional(z.string()),
  company: z.optional(z.string()),
  attributes: z.optional(EventAttributes),
  answers: z.optional(EventAnswers),
  properties: z.optional(EventProperties),
});
export type GenericPayload = z.input<typeof GenericPayload>;

/** The same format signed the standard way: `eventId` may be left out. */
const StandardPayload = z.extend(GenericPayload, { eventId: z.optional(EventId) });

export const TIMESTAMP_HEADER = "x-ripen-timestamp";
export const SIGNATURE_HEADER = "x-ripen-signature";

export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";
const STANDARD_HEADERS = [WEBHOOK_ID_HEADER, WEBHOOK_TIMESTAMP_HEADER, WEBHOOK_SIGNATURE_HEADER] as const;
const SECRET_PREFIX = "whsec_";
/** A `webhook-id` stands in for `eventId`, so it has the same bound. */
const MAX_WEBHOOK_ID_LENGTH = 256;

/** A delivery signed the standard way carries at least one of its headers. */
function isStandardWebhook(request: WebhookRequest): boolean {
  return STANDARD_HEADERS.some((name) => request.headers[name] !== undefined);
}

/**
 * The HMAC key for Standard Webhooks: `whsec_<base64>` is decoded, as the specification serializes
 * secrets; any other secret is used as its UTF-8 bytes. A `whsec_` secret that is not base64 is a
 * configuration error (503, so the sender retries once it is fixed), never a refusal of the sender.
 */
export function standardWebhooksKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) return Buffer.from(secret, "utf8");
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (encoded === "" || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new SourceNotConfiguredError(`the generic secret starts with ${SECRET_PREFIX} but the rest is not base64`);
  }
  return Buffer.from(encoded, "base64");
}

/** The Standard Webhooks headers a sender adds for this message id, time (unix seconds) and body. */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string | Buffer,
): Record<string, string> {
  const digest = hmacSha256(standardWebhooksKey(secret), `${id}.${timestampSeconds}.`, rawBody).toString("base64");
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestampSeconds),
    [WEBHOOK_SIGNATURE_HEADER]: `v1,${digest}`,
  };
}

/** The signature header value for a body, as a sender computes it. */
export function signGeneric(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v1=${hmacSha256(secret, `${timestamp}.`, rawBody).toString("hex")}`;
}

export const generic: WebhookSource = {
  name: "generic",
  // Ripen's own senders are told which field to fix.
  refusal: "reject",
  verify(request, { secret, now, toleranceSeconds }) {
    if (isStandardWebhook(request)) {
      const id = requireHeader(request.headers, WEBHOOK_ID_HEADER);
      const timestamp = requireHeader(request.headers, WEBHOOK_TIMESTAMP_HEADER);
      const presented = requireHeader(request.headers, WEBHOOK_SIGNATURE_HEADER)
        .split(/\s+/)
        .filter((entry) => entry.startsWith("v1,"))
        .map((entry) => entry.slice(3));
      const key = standardWebhooksKey(secret);
      requireSignature(hmacSha256(key, `${id}.${timestamp}.`, request.rawBody), presented, "base64");
      requireFreshTimestamp(timestamp, "s", now, toleranceSeconds);
      return;
    }
    const timestamp = requireHeader(request.headers, TIMESTAMP_HEADER);
    const header = requireHeader(request.headers, SIGNATURE_HEADER);
    const presented = header
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.startsWith("v1="))
      .map((part) => part.slice(3));
    // The signature is checked before the clock so a forged request learns nothing about the window.
    requireSignature(hmacSha256(secret, `${timestamp}.`, request.rawBody), presented, "hex");
    requireFreshTimestamp(timestamp, "s", now, toleranceSeconds);
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const payload = isStandardWebhook(request)
      ? parsePayload(StandardPayload, body, "generic event")
      : parsePayload(GenericPayload, body, "generic event");
    return {
      kind: "events",
      events: [
        {
          source: "generic",
          sourceEventId: payload.eventId ?? webhookId(request),
          type: payload.type,
          occurredAt: payload.occurredAt,
          email: payload.email,
          ...(payload.name !== undefined && { name: payload.name }),
          ...(payload.company !== undefined && { company: payload.company }),
          attributes: payload.attributes ?? {},
          answers: payload.answers ?? {},
          properties: payload.properties ?? {},
        },
      ],
    };
  },
};

/** The `webhook-id` as the dedupe key, within the bound an `eventId` has. */
function webhookId(request: WebhookRequest): string {
  const id = request.headers[WEBHOOK_ID_HEADER]?.trim() ?? "";
  if (id === "" || id.length > MAX_WEBHOOK_ID_LENGTH) {
    throw new InvalidPayloadError("the webhook-id header cannot be the event's id", {
      issues: [
        issueDetail(
          [WEBHOOK_ID_HEADER],
          "too_big",
          `without eventId, webhook-id is the dedupe key: 1 to ${MAX_WEBHOOK_ID_LENGTH} characters`,
        ),
      ],
    });
  }
  return id;
}
