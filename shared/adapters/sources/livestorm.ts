import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { InvalidPayloadError } from "#shared/domain/errors";
import { issueDetail } from "#shared/edge/schema-issues";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { queryParameter, requireUrlToken, TOKEN_PARAMETER } from "./signing";
import { dedupeKey, Instant, oneEvent, VendorId } from "./vendor-fields";

/**
 * Livestorm webhooks (https://developers.livestorm.co/docs/webhooks-1). Livestorm signs nothing: each
 * webhook's URL carries the secret as `?token=<RIPEN_SECRET_LIVESTORM>`, compared in constant time, and
 * names its trigger as `&event=people.attended`, since the body (the person, JSON:API style) does not say
 * which trigger sent it. Webhooks are workspace-wide: every session of every event posts here.
 * Livestorm disables a webhook after 5 failed deliveries over about 22 minutes, so a payload that does not
 * fit is acknowledged (200 stored:false), and nothing here waits on anything but the store.
 */
export const EVENT_PARAMETER = "event";

const EVENT_TYPES = {
  "people.registered": "webinar.registered",
  "people.attended": "webinar.attended",
  "people.not_attended": "webinar.no_show",
  "people.watched_replay": "webinar.replay_watched",
} as const;
type Trigger = keyof typeof EVENT_TYPES;
export const LIVESTORM_TRIGGERS = Object.keys(EVENT_TYPES) as Trigger[];

const Text = z.nullish(z.string());
/** Livestorm writes times as unix seconds; an ISO text is taken too. */
const Time = z.nullish(
  z.union([
    z.pipe(
      z.number().check(z.int(), z.nonnegative(), z.lte(8.64e12)),
      z.transform((seconds: number) => new Date(seconds * 1000).toISOString()),
    ),
    Instant,
  ]),
);

const RegistrantDetail = z.object({
  event_id: z.nullish(VendorId),
  session_id: z.nullish(VendorId),
  created_at: Time,
  fields: z.nullish(z.array(z.object({ id: Text, label: Text, value: z.optional(z.unknown()) }))),
  referrer: Text,
  utm_source: Text,
  utm_medium: Text,
  utm_campaign: Text,
  utm_term: Text,
  utm_content: Text,
  attended: z.nullish(z.boolean()),
  attendance_rate: z.nullish(z.number()),
  /** Seconds in the live session. */
  attendance_duration: z.nullish(z.number()),
  has_viewed_replay: z.nullish(z.boolean()),
});

export const LivestormPayload = z.object({
  data: z.object({
    id: VendorId,
    type: z.optional(z.string()),
    attributes: z.object({
      role: Text,
      created_at: Time,
      updated_at: Time,
      first_name: Text,
      last_name: Text,
      email: z.string(),
      registrant_detail: z.nullish(RegistrantDetail),
      replay_view_detail: z.nullish(z.object({ watched_at: Time })),
    }),
  }),
});
export type LivestormPayload = z.input<typeof LivestormPayload>;

/** The query string of the URL to paste into Livestorm for one trigger (the token is the secret). */
export function livestormQuery(secret: string, trigger: Trigger): string {
  return new URLSearchParams({ [TOKEN_PARAMETER]: secret, [EVENT_PARAMETER]: trigger }).toString();
}

// Identity and logistics, not answers.
const NOT_ANSWERS = new Set(["email", "first_name", "last_name", "avatar"]);

export const livestorm: WebhookSource = {
  name: "livestorm",
  refusal: "acknowledge",
  verify(request, { secret }) {
    requireUrlToken(request.rawQueryString, secret);
  },
  toEvents(request, { now }) {
    const trigger = queryParameter(request.rawQueryString, EVENT_PARAMETER) ?? "";
    if (!Object.hasOwn(EVENT_TYPES, trigger)) {
      throw new InvalidPayloadError("the webhook URL does not name a Livestorm trigger Ripen takes", {
        issues: [
          issueDetail(
            [EVENT_PARAMETER],
            "invalid_value",
            `add &${EVENT_PARAMETER}= one of ${LIVESTORM_TRIGGERS.join(", ")} to the webhook's URL`,
          ),
        ],
      });
    }
    const type = EVENT_TYPES[trigger as Trigger];
    const { data } = parsePayload(LivestormPayload, parseJsonBody(request.rawBody), `Livestorm ${trigger}`);
    const person = data.attributes;
    const detail = person.registrant_detail;

    const answers: Answers = {};
    for (const field of detail?.fields ?? []) {
      if (field.id && NOT_ANSWERS.has(field.id)) continue;
      addAnswer(answers, field.label ?? field.id, field.value);
    }
    const fromAnswers = identityFromAnswers(answers);
    const email = firstEmail(person.email);
    if (!email) {
      throw new InvalidPayloadError(`Livestorm ${trigger} does not match its schema`, {
        issues: [issueDetail(["data", "attributes", "email"], "invalid_format", "must be an email address")],
      });
    }
    const name = fullName(person.first_name, person.last_name) ?? fromAnswers.name;
    const watchedAt = person.replay_view_detail?.watched_at;
    const durationSeconds = detail?.attendance_duration;
    const occurredAt =
      (trigger === "people.registered" ? detail?.created_at : trigger === "people.watched_replay" ? watchedAt : null) ??
      person.updated_at ??
      now.toISOString();
    return oneEvent({
      source: "livestorm",
      // One registration (or attendance, or no-show) per person and session; each replay view counts once.
      sourceEventId: dedupeKey(
        trigger,
        detail?.session_id ?? detail?.event_id ?? "-",
        data.id,
        ...(trigger === "people.watched_replay" && watchedAt ? [String(Date.parse(watchedAt))] : []),
      ),
      type,
      occurredAt,
      identity: { email, ...(name && { name }), ...(fromAnswers.company && { company: fromAnswers.company }) },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        livestormEvent: detail?.event_id,
        livestormSession: detail?.session_id,
        durationMinutes:
          typeof durationSeconds === "number" && type === "webinar.attended"
            ? Math.max(0, Math.round(durationSeconds / 60))
            : undefined,
        attendanceRate: type === "webinar.attended" ? detail?.attendance_rate : undefined,
        referrer: detail?.referrer,
        utm_source: detail?.utm_source,
        utm_medium: detail?.utm_medium,
        utm_campaign: detail?.utm_campaign,
        utm_term: detail?.utm_term,
        utm_content: detail?.utm_content,
      },
    });
  },
};
