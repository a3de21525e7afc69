import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidSignatureError } from "#shared/domain/errors";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * Calendly v2 webhook subscriptions (https://developer.calendly.com/api-docs/webhook-signatures).
 * `Calendly-Webhook-Signature: t=<unix s>,v1=<hex HMAC-SHA256(signing key, "{t}.{raw body}")>`. Calendly
 * does not enforce a window (its sample refuses after 3 minutes); we apply the configured one.
 * The invitee's `uri` with the event name is the dedupe key: a reschedule is a cancel of one invitee
 * and a create of another, each with its own uri.
 */
export const SIGNATURE_HEADER = "calendly-webhook-signature";

const EVENT_TYPES = {
  "invitee.created": "demo.scheduled",
  "invitee.canceled": "demo.canceled",
  "invitee_no_show.created": "demo.no_show",
} as const;

const Text = z.nullish(z.string());

const Invitee = z.object({
  uri: z.string().check(z.minLength(1), z.maxLength(200)),
  email: z.string(),
  name: Text,
  first_name: Text,
  last_name: Text,
  status: Text,
  timezone: Text,
  rescheduled: z.nullish(z.boolean()),
  /** The scheduled event's uri in older payloads; newer ones also embed `scheduled_event`. */
  event: Text,
  scheduled_event: z.nullish(
    z.object({ uri: Text, name: Text, start_time: z.nullish(Instant), end_time: z.nullish(Instant) }),
  ),
  questions_and_answers: z.nullish(z.array(z.object({ question: z.string(), answer: Text }))),
  tracking: z.nullish(z.record(z.string(), z.unknown())),
  cancellation: z.nullish(z.object({ reason: Text, canceled_by: Text, canceler_type: Text })),
  no_show: z.nullish(z.object({ uri: Text, created_at: z.nullish(Instant) })),
});

export const CalendlyPayload = z.object({
  event: z.enum(["invitee.created", "invitee.canceled", "invitee_no_show.created"]),
  created_at: Instant,
  payload: Invitee,
});
export type CalendlyPayload = z.input<typeof CalendlyPayload>;

const Envelope = z.object({ event: z.string() });

/** The headers Calendly sends for this body, signing key and time. */
export function signCalendly(
  secret: string,
  rawBody: string | Buffer,
  timestampSeconds: number,
): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: `t=${timestampSeconds},v1=${hmacSha256(secret, `${timestampSeconds}.`, rawBody).toString("hex")}`,
  };
}

export const calendly: WebhookSource = {
  name: "calendly",
  // Calendly counts a 4xx as a failure and disables the subscription after 24 h of them.
  refusal: "acknowledge",
  verify(request, { secret, now, toleranceSeconds }) {
    const header = requireHeader(request.headers, SIGNATURE_HEADER);
    // "t=…,v1=…": split on commas, then on the first "=" of each part.
    const parts = header.split(",").map((part) => {
      const at = part.indexOf("=");
      return { name: part.slice(0, Math.max(at, 0)).trim(), value: part.slice(at + 1).trim() };
    });
    const timestamp = parts.find((part) => part.name === "t")?.value;
    if (!timestamp) throw new InvalidSignatureError("the Calendly signature has no t= timestamp");
    const presented = parts.filter((part) => part.name === "v1").map((part) => part.value);
    requireSignature(hmacSha256(secret, `${timestamp}.`, request.rawBody), presented, "hex");
    requireFreshTimestamp(timestamp, "s", now, toleranceSeconds);
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { event } = parsePayload(Envelope, body, "Calendly webhook");
    if (!Object.hasOwn(EVENT_TYPES, event)) {
      return ignored(`Calendly ${event.slice(0, 64)} is not a booking, cancellation or no-show`);
    }
    const { created_at, payload: invitee } = parsePayload(CalendlyPayload, body, `Calendly ${event}`);
    const email = firstEmail(invitee.email);
    if (!email) return ignored("the Calendly invitee has no email address");

    const answers: Answers = {};
    for (const { question, answer } of invitee.questions_and_answers ?? []) addAnswer(answers, question, answer);
    const fromAnswers = identityFromAnswers(answers);
    const name = invitee.name?.trim() || fullName(invitee.first_name, invitee.last_name) || fromAnswers.name;
    const type = EVENT_TYPES[event as keyof typeof EVENT_TYPES];
    return oneEvent({
      source: "calendly",
      sourceEventId: dedupeKey(event, invitee.uri),
      type,
      occurredAt: (type === "demo.no_show" && invitee.no_show?.created_at) || created_at,
      identity: { email, ...(name && { name }), ...(fromAnswers.company && { company: fromAnswers.company }) },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        ...invitee.tracking,
        eventName: invitee.scheduled_event?.name,
        scheduledEvent: invitee.scheduled_event?.uri ?? invitee.event,
        startTime: invitee.scheduled_event?.start_time,
        endTime: invitee.scheduled_event?.end_time,
        timezone: invitee.timezone,
        rescheduled: invitee.rescheduled,
        cancelReason: invitee.cancellation?.reason,
        canceledBy: invitee.cancellation?.canceler_type,
      },
    });
  },
};
