import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, identityFromAnswers } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * Tally webhooks (https://tally.so/help/webhooks).
 * `Tally-Signature: <base64 HMAC-SHA256(signing secret, body)>`, no prefix, no timestamp. Tally's own
 * sample re-serializes the parsed body; we check the raw bytes, which is what was signed.
 * `data.responseId` identifies the submission and is the dedupe key.
 */
export const SIGNATURE_HEADER = "tally-signature";

const Option = z.object({ id: z.string(), text: z.optional(z.string()) });

const Field = z.object({
  key: z.string(),
  label: z.nullish(z.string()),
  type: z.string(),
  value: z.unknown(),
  options: z.optional(z.array(Option)),
});
type Field = z.infer<typeof Field>;

export const TallyPayload = z.object({
  eventId: z.string().check(z.minLength(1)),
  eventType: z.literal("FORM_RESPONSE"),
  createdAt: Instant,
  data: z.object({
    responseId: z.string().check(z.minLength(1), z.maxLength(200)),
    submissionId: z.optional(z.string()),
    respondentId: z.optional(z.string()),
    formId: z.string().check(z.minLength(1)),
    formName: z.optional(z.string()),
    createdAt: Instant,
    fields: z.array(Field),
  }),
});
export type TallyPayload = z.input<typeof TallyPayload>;

const Envelope = z.object({ eventType: z.string() });

/** The headers Tally sends for this body and signing secret. */
export function signTally(secret: string, rawBody: string | Buffer): Record<string, string> {
  return { [SIGNATURE_HEADER]: hmacSha256(secret, rawBody).toString("base64") };
}

export const tally: WebhookSource = {
  name: "tally",
  // Tally retries a failure five times, then drops it; it does not disable the webhook.
  refusal: "reject",
  verify(request, { secret }) {
    const presented = requireHeader(request.headers, SIGNATURE_HEADER);
    requireSignature(hmacSha256(secret, request.rawBody), [presented], "base64");
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { eventType } = parsePayload(Envelope, body, "Tally webhook");
    if (eventType !== "FORM_RESPONSE") return ignored(`Tally ${eventType.slice(0, 64)} is not a submission`);
    const { eventId, data } = parsePayload(TallyPayload, body, "Tally FORM_RESPONSE");

    const answers: Answers = {};
    const emails: unknown[] = [];
    for (const field of data.fields) {
      // Checkbox questions repeat each option as its own true/false field; the list on the question says it all.
      if (field.type === "CHECKBOXES" && typeof field.value === "boolean") continue;
      const value = fieldValue(field);
      if (field.type === "INPUT_EMAIL") emails.push(value);
      addAnswer(answers, field.label?.trim() || field.key, value);
    }
    const identity = identityFromAnswers(answers);
    const email = firstEmail(...emails, identity.email);
    if (!email) return ignored("the Tally response has no email answer");

    return oneEvent({
      source: "tally",
      sourceEventId: dedupeKey(data.responseId),
      type: "form.submitted",
      occurredAt: data.createdAt,
      identity: { ...identity, email },
      answers,
      attributes: fitAttributes(answers),
      properties: { formId: data.formId, formName: data.formName, tallyEventId: eventId },
    });
  },
};

/** Choice answers arrive as option ids: the option texts are what the respondent picked. */
function fieldValue(field: Field): unknown {
  const { value, options } = field;
  if (!options || options.length === 0) return fileNames(value) ?? value;
  const texts = new Map(options.map((option) => [option.id, option.text ?? option.id]));
  const picked = (Array.isArray(value) ? value : [value]).map((id) =>
    typeof id === "string" ? (texts.get(id) ?? id) : id,
  );
  const single = field.type === "MULTIPLE_CHOICE" || field.type === "DROPDOWN";
  return single && picked.length === 1 ? picked[0] : picked;
}

/** File uploads arrive as [{name, url, …}]: keep the names. */
function fileNames(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || !value.every((file) => typeof file === "object" && file !== null)) return undefined;
  const names = value.map((file) => (file as { name?: unknown }).name).filter((name) => typeof name === "string");
  return names.length === 0 ? undefined : names;
}
