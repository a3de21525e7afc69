import * as z from "zod/mini";
import type { SourceResult, WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";
import { dedupeKey, EpochMillis, Instant, ignored, oneEvent, VendorId } from "./vendor-fields";

/**
 * Zoom webhooks (https://developers.zoom.us/docs/api/webhooks/).
 * `x-zm-request-timestamp: <unix s>`, `x-zm-signature: v0=<hex HMAC-SHA256(secret token, "v0:{ts}:{raw body}")>`.
 * Zoom documents no replay window; we apply the configured one (5 minutes by default).
 * `endpoint.url_validation` is a signed challenge answered in the same request with
 * `{plainToken, encryptedToken: hex HMAC-SHA256(secret token, plainToken)}`; Zoom re-validates every 72 h.
 * Webinar ids are numbers (sometimes above 2^53) in some events and strings in others: kept as exact text.
 */
export const SIGNATURE_HEADER = "x-zm-signature";
export const TIMESTAMP_HEADER = "x-zm-request-timestamp";
const PREFIX = "v0=";

const Text = z.nullish(z.string());
/** An id Zoom may send as a number or a string, possibly empty. */
const LooseId = z.nullish(z.pipe(z.union([z.string(), z.number().check(z.int())]), z.transform(String)));

const Webinar = {
  uuid: z.nullish(z.string()),
  id: VendorId,
  topic: Text,
  start_time: Text,
};

const Registrant = z.object({
  id: LooseId,
  email: z.string(),
  first_name: Text,
  last_name: Text,
  org: Text,
  job_title: Text,
  industry: Text,
  country: Text,
  no_of_employees: Text,
  purchasing_time_frame: Text,
  role_in_purchase_process: Text,
  comments: Text,
  custom_questions: z.nullish(z.array(z.object({ title: z.string(), value: Text }))),
});

const Participant = z.object({
  id: LooseId,
  user_id: LooseId,
  user_name: Text,
  email: Text,
  registrant_id: Text,
  participant_uuid: Text,
  join_time: z.nullish(Instant),
  leave_time: z.nullish(Instant),
  leave_reason: Text,
});

export const ZoomRegistrationPayload = z.object({
  event: z.literal("webinar.registration_created"),
  event_ts: EpochMillis,
  payload: z.object({ account_id: Text, object: z.object({ ...Webinar, registrant: Registrant }) }),
});
export const ZoomParticipantPayload = z.object({
  event: z.enum(["webinar.participant_joined", "webinar.participant_left"]),
  event_ts: EpochMillis,
  payload: z.object({ account_id: Text, object: z.object({ ...Webinar, participant: Participant }) }),
});
export type ZoomPayload = z.input<typeof ZoomRegistrationPayload> | z.input<typeof ZoomParticipantPayload>;

const UrlValidation = z.object({
  payload: z.object({ plainToken: z.string().check(z.minLength(1), z.maxLength(1024)) }),
});
const Envelope = z.object({ event: z.string() });

/** The headers Zoom sends for this body, secret token and time. */
export function signZoom(secret: string, rawBody: string | Buffer, timestampSeconds: number): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestampSeconds),
    [SIGNATURE_HEADER]: `${PREFIX}${hmacSha256(secret, `v0:${timestampSeconds}:`, rawBody).toString("hex")}`,
  };
}

export const zoom: WebhookSource = {
  name: "zoom",
  // Zoom does not retry a 4xx; only failed URL validations disable a subscription.
  refusal: "reject",
  verify(request, { secret, now, toleranceSeconds }) {
    const timestamp = requireHeader(request.headers, TIMESTAMP_HEADER);
    const header = requireHeader(request.headers, SIGNATURE_HEADER);
    const presented = header.startsWith(PREFIX) ? [header.slice(PREFIX.length)] : [];
    requireSignature(hmacSha256(secret, `v0:${timestamp}:`, request.rawBody), presented, "hex");
    requireFreshTimestamp(timestamp, "s", now, toleranceSeconds);
  },
  toEvents(request, { secret }) {
    const body = parseJsonBody(request.rawBody);
    const { event } = parsePayload(Envelope, body, "Zoom webhook");
    switch (event) {
      case "endpoint.url_validation": {
        const { plainToken } = parsePayload(UrlValidation, body, "Zoom URL validation").payload;
        return {
          kind: "reply",
          status: 200,
          body: { plainToken, encryptedToken: hmacSha256(secret, plainToken).toString("hex") },
        };
      }
      case "webinar.registration_created":
        return registered(parsePayload(ZoomRegistrationPayload, body, "Zoom webinar.registration_created"));
      case "webinar.participant_joined":
      case "webinar.participant_left":
        return attended(parsePayload(ZoomParticipantPayload, body, `Zoom ${event}`));
      default:
        return ignored(`Zoom ${event.slice(0, 64)} is not a webinar registration or attendance`);
    }
  },
};

function registered({ event, event_ts, payload }: z.output<typeof ZoomRegistrationPayload>): SourceResult {
  const { registrant, ...webinar } = payload.object;
  const email = firstEmail(registrant.email);
  if (!email) return ignored("the Zoom registrant has no email address");
  const answers: Answers = {};
  for (const field of [
    "job_title",
    "industry",
    "country",
    "no_of_employees",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "comments",
  ] as const) {
    addAnswer(answers, field, registrant[field]);
  }
  for (const question of registrant.custom_questions ?? []) addAnswer(answers, question.title, question.value);
  const name = fullName(registrant.first_name, registrant.last_name);
  const company = registrant.org?.trim();
  return oneEvent({
    source: "zoom",
    // One registration per registrant and webinar; the email stands in when Zoom omits the registrant id.
    sourceEventId: dedupeKey(event, webinar.uuid || webinar.id, registrant.id || email),
    type: "webinar.registered",
    occurredAt: event_ts,
    identity: { email, ...(name && { name }), ...(company && { company }) },
    answers,
    attributes: fitAttributes(answers),
    properties: { webinarId: webinar.id, webinarTopic: webinar.topic, webinarStart: webinar.start_time },
  });
}

function attended({ event, event_ts, payload }: z.output<typeof ZoomParticipantPayload>): SourceResult {
  const { participant, ...webinar } = payload.object;
  const email = firstEmail(participant.email);
  // Attendees who joined without registering may have no email: there is no lead to credit.
  if (!email) return ignored("the Zoom participant has no email address");
  const participantKey =
    participant.participant_uuid || participant.registrant_id || participant.id || participant.user_id || email;
  const { join_time: joinedAt, leave_time: leftAt } = participant;
  const durationMinutes =
    joinedAt && leftAt ? Math.max(0, Math.round((Date.parse(leftAt) - Date.parse(joinedAt)) / 60_000)) : undefined;
  const name = participant.user_name?.trim();
  return oneEvent({
    source: "zoom",
    sourceEventId: dedupeKey(event, webinar.uuid || webinar.id, participantKey, String(Date.parse(event_ts))),
    type: "webinar.attended",
    occurredAt: leftAt ?? joinedAt ?? event_ts,
    identity: { email, ...(name && { name }) },
    properties: {
      webinarId: webinar.id,
      webinarTopic: webinar.topic,
      joinedAt,
      leftAt,
      durationMinutes,
      leaveReason: participant.leave_reason,
      zoomEvent: event,
    },
  });
}
