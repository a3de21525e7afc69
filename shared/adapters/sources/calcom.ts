import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidSignatureError } from "#shared/domain/errors";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * Cal.com webhooks (https://cal.com/docs/developing/guides/automation/webhooks).
 * `X-Cal-Signature-256: <hex HMAC-SHA256(webhook secret, raw body)>`, no timestamp. A webhook saved without
 * a secret sends the literal `no-secret-provided`, which we refuse: set a secret on the webhook.
 * `payload.uid` (the booking) with the trigger is the dedupe key.
 */
export const SIGNATURE_HEADER = "x-cal-signature-256";
export const NO_SECRET = "no-secret-provided";

const EVENT_TYPES = {
  BOOKING_CREATED: "demo.scheduled",
  BOOKING_RESCHEDULED: "demo.scheduled",
  BOOKING_CANCELLED: "demo.canceled",
  MEETING_ENDED: "demo.completed",
} as const;
type Trigger = keyof typeof EVENT_TYPES;

const Text = z.nullish(z.string());
const Person = z.object({ email: z.string(), name: Text, timeZone: Text });

const Booking = z.object({
  uid: z.string().check(z.minLength(1), z.maxLength(200)),
  bookingId: z.nullish(z.union([z.string(), z.number()])),
  title: Text,
  type: Text,
  eventTypeId: z.nullish(z.union([z.string(), z.number()])),
  startTime: z.nullish(Instant),
  endTime: z.nullish(Instant),
  attendees: z.nullish(z.array(Person)),
  /** Booking questions by their key, each `{label, value}`. */
  responses: z.nullish(z.record(z.string(), z.unknown())),
  cancellationReason: Text,
  rescheduleUid: Text,
});

export const CalcomPayload = z.object({
  triggerEvent: z.enum(["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED", "MEETING_ENDED"]),
  createdAt: Instant,
  payload: Booking,
});
export type CalcomPayload = z.input<typeof CalcomPayload>;

const Envelope = z.object({ triggerEvent: z.string(), payload: z.optional(z.unknown()) });

// Responses that are identity or logistics rather than answers.
const NOT_ANSWERS = new Set(["name", "email", "guests", "location", "rescheduleReason"]);

/** The headers Cal.com sends for this body and webhook secret. */
export function signCalcom(secret: string, rawBody: string | Buffer): Record<string, string> {
  return { [SIGNATURE_HEADER]: hmacSha256(secret, rawBody).toString("hex") };
}

export const calcom: WebhookSource = {
  name: "calcom",
  // Cal.com posts once and does not disable a webhook.
  refusal: "reject",
  verify(request, { secret }) {
    const presented = requireHeader(request.headers, SIGNATURE_HEADER);
    if (presented === NO_SECRET) {
      throw new InvalidSignatureError("the Cal.com webhook has no secret: set one on the webhook and in Ripen");
    }
    requireSignature(hmacSha256(secret, request.rawBody), [presented], "hex");
  },
  toEvents(request, { now }) {
    const body = parseJsonBody(request.rawBody);
    const { triggerEvent, payload } = parsePayload(Envelope, body, "Cal.com webhook");
    if (!Object.hasOwn(EVENT_TYPES, triggerEvent)) {
      return ignored(`Cal.com ${triggerEvent.slice(0, 64)} is not a booking, cancellation or ended meeting`);
    }
    // Scheduled triggers (MEETING_ENDED) have been sent flat, with the booking beside triggerEvent.
    const envelope =
      payload === undefined ? { triggerEvent, createdAt: now.toISOString(), ...(body as object), payload: body } : body;
    const { createdAt, payload: booking } = parsePayload(CalcomPayload, envelope, `Cal.com ${triggerEvent}`);

    const responses = Object.fromEntries(
      Object.entries(booking.responses ?? {}).map(([key, response]) => [key, responseValue(response)]),
    );
    const answers: Answers = {};
    for (const [key, value] of Object.entries(responses)) if (!NOT_ANSWERS.has(key)) addAnswer(answers, key, value);
    const booker = booking.attendees?.[0];
    const email = firstEmail(responses.email, booker?.email);
    if (!email) return ignored("the Cal.com booking has no attendee email");
    const name = personName(responses.name) ?? (booker?.name?.trim() || undefined);
    const { company } = identityFromAnswers(answers);

    return oneEvent({
      source: "calcom",
      sourceEventId: dedupeKey(triggerEvent, booking.uid),
      type: EVENT_TYPES[triggerEvent as Trigger],
      occurredAt: createdAt,
      identity: { email, ...(name && { name }), ...(company && { company }) },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        eventName: booking.title,
        eventType: booking.type,
        startTime: booking.startTime,
        endTime: booking.endTime,
        rescheduled: triggerEvent === "BOOKING_RESCHEDULED" || undefined,
        rescheduledFrom: booking.rescheduleUid,
        cancelReason: booking.cancellationReason,
      },
    });
  },
};

/** `{label, value}` → value; a bare value stays as it is. */
function responseValue(response: unknown): unknown {
  return typeof response === "object" && response !== null && !Array.isArray(response) && "value" in response
    ? response.value
    : response;
}

/** The name question is text, or `{firstName, lastName}` when the form splits it. */
function personName(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim() || undefined;
  if (typeof value !== "object" || value === null) return undefined;
  const { firstName, lastName } = value as { firstName?: unknown; lastName?: unknown };
  return fullName(
    typeof firstName === "string" ? firstName : undefined,
    typeof lastName === "string" ? lastName : undefined,
  );
}
