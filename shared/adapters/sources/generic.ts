import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { EventAnswers, EventAttributes, EventProperties, EventType } from "#shared/domain/lead-event";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";

/**
 * Ripen's own webhook format, for any tool (or a Zapier / Make step). Documented in the README.
 * Signed with `X-Ripen-Timestamp: <unix seconds>` and
 * `X-Ripen-Signature: v1=<hex HMAC-SHA256(secret, "{timestamp}.{raw body}")>` (several `v1=` entries,
 * comma-separated, are accepted so a secret can be rotated).
 */
export const GenericPayload = z.strictObject({
  type: EventType,
  /**
   * Your unique id for this event: the dedupe key. Send the same id when you retry. A string, or an
   * integer of any size (kept as its exact digits: 42 is the id "42").
   */
  eventId: z.pipe(
    z.union([z.string().check(z.minLength(1), z.maxLength(256)), z.number().check(z.int())]),
    z.transform(String),
  ),
  occurredAt: z.iso.datetime({ offset: true }),
  email: z.string(),
  name: z.optional(z.string()),
  company: z.optional(z.string()),
  attributes: z.optional(EventAttributes),
  answers: z.optional(EventAnswers),
  properties: z.optional(EventProperties),
});
export type GenericPayload = z.input<typeof GenericPayload>;

export const TIMESTAMP_HEADER = "x-ripen-timestamp";
export const SIGNATURE_HEADER = "x-ripen-signature";

/** The signature header value for a body, as a sender computes it. */
export function signGeneric(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v1=${hmacSha256(secret, `${timestamp}.`, rawBody).toString("hex")}`;
}

export const generic: WebhookSource = {
  name: "generic",
  // Ripen's own senders are told which field to fix.
  refusal: "reject",
  verify(request, { secret, now, toleranceSeconds }) {
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
    const payload = parsePayload(GenericPayload, parseJsonBody(request.rawBody), "generic event");
    return {
      kind: "events",
      events: [
        {
          source: "generic",
          sourceEventId: payload.eventId,
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
