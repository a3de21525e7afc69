import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * SavvyCal webhooks (https://savvycal.com/docs/api/webhooks).
 * `x-savvycal-signature: sha256=<hex HMAC-SHA256(webhook secret, raw body)>`, no timestamp. SavvyCal's
 * documented example writes the hex in capitals; either case is accepted.
 * `x-savvycal-webhook-id` names the webhook (its `wh_…` id, the same on every delivery), not the delivery,
 * so it cannot tell one booking from another: the trigger with the event's own `id` is the dedupe key.
 * The lead is the scheduler: the attendee marked `is_scheduler`, else the first attendee who is not the
 * organizer.
 */
export const SIGNATURE_HEADER = "x-savvycal-signature";
export const WEBHOOK_ID_HEADER = "x-savvycal-webhook-id";
const PREFIX = "sha256=";

const EVENT_TYPES = {
  "event.created": "demo.scheduled",
  "event.canceled": "demo.canceled",
} as const;

const Text = z.nullish(z.string());

const Attendee = z.object({
  id: Text,
  email: Text,
  display_name: Text,
  first_name: Text,
  last_name: Text,
  time_zone: Text,
  is_organizer: z.nullish(z.boolean()),
  is_scheduler: z.nullish(z.boolean()),
  fields: z.nullish(z.array(z.object({ id: Text, label: Text, value: z.optional(z.unknown()) }))),
});
type Attendee = z.output<typeof Attendee>;

const SavvyEvent = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  state: Text,
  summary: Text,
  start_at: z.nullish(Instant),
  end_at: z.nullish(Instant),
  duration: z.nullish(z.number()),
  canceled_at: z.nullish(Instant),
  cancel_reason: Text,
  link: z.nullish(z.object({ id: Text, slug: Text, name: Text })),
  scheduler: z.nullish(Attendee),
  attendees: z.nullish(z.array(Attendee)),
});

export const SavvyCalPayload = z.object({
  type: z.enum(["event.created", "event.canceled"]),
  id: Text,
  occurred_at: Instant,
  payload: SavvyEvent,
});
export type SavvyCalPayload = z.input<typeof SavvyCalPayload>;

const Envelope = z.object({ type: z.string() });

/** The headers SavvyCal sends for this body and webhook secret (hex in capitals, as its docs show). */
export function signSavvyCal(
  secret: string,
  rawBody: string | Buffer,
  webhookId = "wh_EXAMPLE",
): Record<string, string> {
  return {
    [SIGNATURE_HEADER]: `${PREFIX}${hmacSha256(secret, rawBody).toString("hex").toUpperCase()}`,
    [WEBHOOK_ID_HEADER]: webhookId,
  };
}

export const savvycal: WebhookSource = {
  name: "savvycal",
  // SavvyCal retries a non-2xx with back-off and has a "disabled" webhook state: a bad payload is
  // acknowledged, so it does not cost the integration.
  refusal: "acknowledge",
  verify(request, { secret }) {
    const header = requireHeader(request.headers, SIGNATURE_HEADER);
    const presented = header.startsWith(PREFIX) ? [header.slice(PREFIX.length)] : [];
    requireSignature(hmacSha256(secret, request.rawBody), presented, "hex");
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { type } = parsePayload(Envelope, body, "SavvyCal webhook");
    if (!Object.hasOwn(EVENT_TYPES, type)) {
      return ignored(`SavvyCal ${type.slice(0, 64)} is not a booking or a cancellation`);
    }
    const { occurred_at, payload: event } = parsePayload(SavvyCalPayload, body, `SavvyCal ${type}`);
    const attendees = event.attendees ?? [];
    const scheduler =
      event.scheduler ??
      attendees.find((attendee) => attendee.is_scheduler === true) ??
      attendees.find((attendee) => attendee.is_organizer !== true);
    const email = firstEmail(scheduler?.email);
    if (!scheduler || !email) return ignored("the SavvyCal booking has no scheduler with an email address");

    const answers = fieldAnswers(scheduler);
    const fromAnswers = identityFromAnswers(answers);
    const name =
      scheduler.display_name?.trim() || fullName(scheduler.first_name, scheduler.last_name) || fromAnswers.name;
    return oneEvent({
      source: "savvycal",
      sourceEventId: dedupeKey(type, event.id),
      type: EVENT_TYPES[type as keyof typeof EVENT_TYPES],
      occurredAt: occurred_at,
      identity: { email, ...(name && { name }), ...(fromAnswers.company && { company: fromAnswers.company }) },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        eventName: event.summary,
        savvycalEvent: event.id,
        link: event.link?.slug ?? event.link?.name,
        startTime: event.start_at,
        endTime: event.end_at,
        durationMinutes: event.duration,
        timezone: scheduler.time_zone,
        cancelReason: event.cancel_reason,
      },
    });
  },
};

function fieldAnswers(attendee: Attendee): Answers {
  const answers: Answers = {};
  for (const field of attendee.fields ?? []) addAnswer(answers, field.label ?? field.id, field.value);
  return answers;
}
