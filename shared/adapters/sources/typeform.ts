import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * Typeform webhooks (https://www.typeform.com/developers/webhooks/).
 * `Typeform-Signature: sha256=<base64 HMAC-SHA256(secret, raw body)>`; no timestamp, so no replay window.
 * One `form_response` per submission; `form_response.token` is the response's id and the dedupe key.
 */
export const SIGNATURE_HEADER = "typeform-signature";
const PREFIX = "sha256=";

const Field = z.object({
  id: z.string(),
  type: z.optional(z.string()),
  ref: z.optional(z.string()),
  title: z.optional(z.string()),
});

const Answer = z.object({
  type: z.string(),
  field: z.object({ id: z.string(), type: z.optional(z.string()), ref: z.optional(z.string()) }),
  text: z.optional(z.string()),
  email: z.optional(z.string()),
  phone_number: z.optional(z.string()),
  url: z.optional(z.string()),
  file_url: z.optional(z.string()),
  date: z.optional(z.string()),
  // A number above 2^53 arrives as its exact digits.
  number: z.optional(z.union([z.number(), z.string()])),
  boolean: z.optional(z.boolean()),
  choice: z.optional(z.object({ label: z.optional(z.string()), other: z.optional(z.string()) })),
  choices: z.optional(z.object({ labels: z.optional(z.array(z.string())), other: z.optional(z.string()) })),
  payment: z.optional(z.object({ amount: z.string() })),
});
type Answer = z.infer<typeof Answer>;

export const TypeformPayload = z.object({
  event_id: z.string().check(z.minLength(1)),
  event_type: z.literal("form_response"),
  form_response: z.object({
    form_id: z.string().check(z.minLength(1)),
    token: z.string().check(z.minLength(1), z.maxLength(200)),
    landed_at: z.optional(Instant),
    submitted_at: Instant,
    hidden: z.optional(z.record(z.string(), z.unknown())),
    calculated: z.optional(z.object({ score: z.optional(z.number()) })),
    definition: z.optional(
      z.object({ id: z.optional(z.string()), title: z.optional(z.string()), fields: z.optional(z.array(Field)) }),
    ),
    answers: z.optional(z.array(Answer)),
  }),
});
export type TypeformPayload = z.input<typeof TypeformPayload>;

const Envelope = z.object({ event_type: z.string() });

/** The headers Typeform sends for this body and secret. */
export function signTypeform(secret: string, rawBody: string | Buffer): Record<string, string> {
  return { [SIGNATURE_HEADER]: `${PREFIX}${hmacSha256(secret, rawBody).toString("base64")}` };
}

export const typeform: WebhookSource = {
  name: "typeform",
  // Typeform disables a webhook only on 404/410: a 400 shows in its delivery log.
  refusal: "reject",
  verify(request, { secret }) {
    const header = requireHeader(request.headers, SIGNATURE_HEADER);
    const presented = header.startsWith(PREFIX) ? [header.slice(PREFIX.length)] : [];
    requireSignature(hmacSha256(secret, request.rawBody), presented, "base64");
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { event_type } = parsePayload(Envelope, body, "Typeform webhook");
    if (event_type !== "form_response") return ignored(`Typeform ${event_type.slice(0, 64)} is not a submission`);
    const { event_id, form_response: response } = parsePayload(TypeformPayload, body, "Typeform form_response");

    const fields = new Map((response.definition?.fields ?? []).map((field) => [field.id, field]));
    const answers: Answers = {};
    // The same answers by question title, where "What's your name?" says what a ref may not.
    const byTitle: Answers = {};
    const emails: unknown[] = [];
    for (const answer of response.answers ?? []) {
      const field = fields.get(answer.field.id);
      const value = answerValue(answer);
      if (answer.type === "email") emails.push(value);
      addAnswer(answers, fieldLabel(answer.field.ref ?? field?.ref, field?.title, answer.field.id), value);
      addAnswer(byTitle, field?.title, value);
    }
    const hidden = response.hidden ?? {};
    const identity = { ...identityFromAnswers(answers), ...identityFromAnswers(byTitle) };
    const email = firstEmail(...emails, identity.email, hidden.email);
    if (!email) return ignored("the Typeform response has no email answer");

    return oneEvent({
      source: "typeform",
      sourceEventId: dedupeKey(response.token),
      type: "form.submitted",
      occurredAt: response.submitted_at,
      identity: { ...identity, email },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        ...hidden,
        formId: response.form_id,
        formTitle: response.definition?.title,
        typeformEventId: event_id,
        quizScore: response.calculated?.score,
      },
    });
  },
};

function answerValue(answer: Answer): unknown {
  switch (answer.type) {
    case "choice":
      return answer.choice?.other ?? answer.choice?.label;
    case "choices":
      return [...(answer.choices?.labels ?? []), ...(answer.choices?.other ? [answer.choices.other] : [])];
    case "payment":
      return answer.payment?.amount;
    default:
      return answer[answer.type as keyof Answer];
  }
}

// Refs Typeform generates (UUIDs, ULIDs) are stable but unreadable; a ref someone typed is both.
const GENERATED_REF =
  /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$|^([a-z0-9]{6}-){3}[a-z0-9]{6}$/i;

/** The readable, stable key for an answer: the field's ref when someone named it, else its title. */
function fieldLabel(ref: string | undefined, title: string | undefined, id: string): string {
  if (ref && !GENERATED_REF.test(ref)) return ref;
  return title?.trim() || ref || id;
}
