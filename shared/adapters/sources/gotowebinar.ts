import * as z from "zod/mini";
import type { SourceResult, WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { requireUrlToken, TOKEN_PARAMETER } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent, VendorId } from "./vendor-fields";

/**
 * GoToWebinar webhooks (https://developer.goto.com/guides/GoToWebinar/08_HOW_webhooks). GoTo mentions an
 * `X-Webhook-Signature` made with the developer account's secret key, but its public guide does not say
 * how the signed string is built, so Ripen does not guess at it: the callback URL carries the secret as
 * `?token=<RIPEN_SECRET_GOTOWEBINAR>`, compared in constant time.
 * `webinarKey`, `registrantKey` and the other keys are JSON numbers above 2^53: the strict JSON parser keeps
 * their digits, and they stay exact text here. `registrant.added` is a registration, `registrant.joined` the
 * attendance (GoTo's only attendee event); `webinar.created` and `webinar.changed` carry no lead.
 */
const EVENT_TYPES = {
  "registrant.added": "webinar.registered",
  "registrant.joined": "webinar.attended",
} as const;
type GoToEvent = keyof typeof EVENT_TYPES;

const Text = z.nullish(z.string());
const Key = z.nullish(VendorId);

export const GoToWebinarPayload = z.object({
  eventName: z.enum(["registrant.added", "registrant.joined"]),
  eventVersion: Text,
  product: Text,
  eventKey: z.nullish(z.string().check(z.minLength(1), z.maxLength(200))),
  webinarKey: VendorId,
  registrantKey: VendorId,
  sessionKey: Key,
  webinarTitle: Text,
  experienceType: Text,
  firstName: Text,
  lastName: Text,
  email: z.string(),
  organization: Text,
  jobTitle: Text,
  industry: Text,
  country: Text,
  numberOfEmployees: Text,
  purchasingTimeFrame: Text,
  purchasingRole: Text,
  questionsAndComments: Text,
  /** Answers to the webinar's own registration questions. */
  responses: z.nullish(
    z.array(z.object({ question: Text, answer: Text, responseText: Text, questionKey: Key, answerKey: Key })),
  ),
  status: Text,
  registrationDate: z.nullish(Instant),
  timestamp: Instant,
});
export type GoToWebinarPayload = z.input<typeof GoToWebinarPayload>;

const Envelope = z.object({ eventName: z.string() });

/** The query string of the callback URL to give GoTo (the token is the secret). */
export function gotowebinarQuery(secret: string): string {
  return new URLSearchParams({ [TOKEN_PARAMETER]: secret }).toString();
}

// Registration form fields GoTo names, as answers under the labels the form shows (the model's field
// mapping reads labels: "Number of employees" is companySize, "Role in purchase process" purchaseRole).
const FORM_FIELDS = {
  jobTitle: "Job title",
  industry: "Industry",
  country: "Country",
  numberOfEmployees: "Number of employees",
  purchasingTimeFrame: "Purchasing time frame",
  purchasingRole: "Role in purchase process",
  questionsAndComments: "Questions and comments",
} as const;

export const gotowebinar: WebhookSource = {
  name: "gotowebinar",
  // A 400 shows in GoTo's delivery state; nothing documented disables a webhook over it.
  refusal: "reject",
  verify(request, { secret }) {
    requireUrlToken(request.rawQueryString, secret);
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { eventName } = parsePayload(Envelope, body, "GoToWebinar webhook");
    if (!Object.hasOwn(EVENT_TYPES, eventName)) {
      return ignored(`GoToWebinar ${eventName.slice(0, 64)} is not a registration or an attendance`);
    }
    return registrant(parsePayload(GoToWebinarPayload, body, `GoToWebinar ${eventName}`));
  },
};

function registrant(payload: z.output<typeof GoToWebinarPayload>): SourceResult {
  const email = firstEmail(payload.email);
  if (!email) return ignored("the GoToWebinar registrant has no email address");
  const answers: Answers = {};
  for (const [field, label] of Object.entries(FORM_FIELDS)) {
    addAnswer(answers, label, payload[field as keyof typeof FORM_FIELDS]);
  }
  for (const response of payload.responses ?? []) {
    addAnswer(answers, response.question ?? response.questionKey, response.answer ?? response.responseText);
  }
  const fromAnswers = identityFromAnswers(answers);
  const name = fullName(payload.firstName, payload.lastName) ?? fromAnswers.name;
  const company = payload.organization?.trim() || fromAnswers.company;
  const event = payload.eventName as GoToEvent;
  const type = EVENT_TYPES[event];
  return oneEvent({
    source: "gotowebinar",
    // One registration per registrant and webinar; one attendance per registrant and session (the
    // notification's own key when GoTo sends no session).
    sourceEventId:
      type === "webinar.registered"
        ? dedupeKey(event, payload.webinarKey, payload.registrantKey)
        : dedupeKey(
            event,
            payload.webinarKey,
            payload.registrantKey,
            payload.sessionKey ?? payload.eventKey ?? payload.timestamp,
          ),
    type,
    occurredAt: (type === "webinar.registered" && payload.registrationDate) || payload.timestamp,
    identity: { email, ...(name && { name }), ...(company && { company }) },
    answers,
    attributes: fitAttributes(answers),
    properties: {
      webinarId: payload.webinarKey,
      webinarTopic: payload.webinarTitle,
      registrantKey: payload.registrantKey,
      sessionKey: payload.sessionKey,
      experienceType: payload.experienceType,
    },
  });
}
