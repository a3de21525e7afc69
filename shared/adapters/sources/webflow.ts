import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { type Answers, addAnswer, firstEmail, fitAttributes, identityFromAnswers, isEmail } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";
import { dedupeKey, Instant, ignored, oneEvent } from "./vendor-fields";

/**
 * Webflow webhooks (https://developers.webflow.com/data/docs/working-with-webhooks).
 * `x-webflow-timestamp: <unix ms>`, `x-webflow-signature: <hex HMAC-SHA256(secret, "{timestamp}:{raw body}")>`,
 * with the OAuth client secret or the API-created webhook's secret; 5-minute window.
 * Webhooks created in the site dashboard are not signed: whether those are accepted is configuration
 * (RIPEN_ALLOW_UNSIGNED), which is why this source declares `unsignedUnless`.
 * `payload.id` is the submission's id and the dedupe key.
 */
export const TIMESTAMP_HEADER = "x-webflow-timestamp";
export const SIGNATURE_HEADER = "x-webflow-signature";

export const WebflowPayload = z.object({
  triggerType: z.literal("form_submission"),
  payload: z.object({
    id: z.string().check(z.minLength(1), z.maxLength(200)),
    name: z.optional(z.string()),
    siteId: z.optional(z.string()),
    formId: z.optional(z.string()),
    pageId: z.optional(z.string()),
    publishedPath: z.optional(z.string()),
    pageUrl: z.optional(z.string()),
    submittedAt: Instant,
    data: z.record(z.string(), z.unknown()),
    schema: z.optional(z.array(z.object({ fieldName: z.string(), fieldType: z.optional(z.string()) }))),
  }),
});
export type WebflowPayload = z.input<typeof WebflowPayload>;

/** The v1 shape, still sent by some site-level webhooks created before the v2 API. */
const WebflowV1Submission = z.object({
  _id: z.string().check(z.minLength(1), z.maxLength(200)),
  name: z.optional(z.string()),
  site: z.optional(z.string()),
  d: Instant,
  data: z.record(z.string(), z.unknown()),
});
export const WebflowV1Payload = z.pipe(
  WebflowV1Submission,
  z.transform(({ _id, name, site, d, data }: z.output<typeof WebflowV1Submission>) => ({
    payload: { id: _id, name, siteId: site, submittedAt: d, data },
  })),
);

const Envelope = z.object({ triggerType: z.optional(z.string()) });

type Submission = z.output<typeof WebflowPayload>["payload"];

/** The headers Webflow sends for this body, secret and time. */
export function signWebflow(secret: string, rawBody: string | Buffer, timestampMs: number): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(timestampMs),
    [SIGNATURE_HEADER]: hmacSha256(secret, `${timestampMs}:`, rawBody).toString("hex"),
  };
}

export const webflow: WebhookSource = {
  name: "webflow",
  // Webflow retries a failure three times, 10 minutes apart; it does not disable the webhook.
  refusal: "reject",
  unsignedUnless: SIGNATURE_HEADER,
  verify(request, { secret, now, toleranceSeconds }) {
    const timestamp = requireHeader(request.headers, TIMESTAMP_HEADER);
    const presented = requireHeader(request.headers, SIGNATURE_HEADER);
    // The signature is checked before the clock so a forged request learns nothing about the window.
    requireSignature(hmacSha256(secret, `${timestamp}:`, request.rawBody), [presented], "hex");
    requireFreshTimestamp(timestamp, "ms", now, toleranceSeconds);
  },
  toEvents(request) {
    const body = parseJsonBody(request.rawBody);
    const { triggerType } = parsePayload(Envelope, body, "Webflow webhook");
    if (triggerType !== undefined && triggerType !== "form_submission") {
      return ignored(`Webflow ${triggerType.slice(0, 64)} is not a submission`);
    }
    const { payload }: { payload: Submission } =
      triggerType === undefined
        ? parsePayload(WebflowV1Payload, body, "Webflow v1 form submission")
        : parsePayload(WebflowPayload, body, "Webflow form_submission");

    const answers: Answers = {};
    const emailFields = new Set(
      (payload.schema ?? []).filter((field) => /email/i.test(field.fieldType ?? "")).map((field) => field.fieldName),
    );
    const emails: unknown[] = [];
    for (const [fieldName, value] of Object.entries(payload.data)) {
      if (emailFields.has(fieldName)) emails.push(value);
      addAnswer(answers, fieldName, value);
    }
    const identity = identityFromAnswers(answers);
    // Forms often name the field "Field 2"; any value that is an address will do as a last resort.
    const email = firstEmail(...emails, identity.email, ...Object.values(payload.data).filter(isEmail));
    if (!email) return ignored("the Webflow submission has no email field");

    return oneEvent({
      source: "webflow",
      sourceEventId: dedupeKey(payload.id),
      type: "form.submitted",
      occurredAt: payload.submittedAt,
      identity: { ...identity, email },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        formName: payload.name,
        formId: payload.formId,
        siteId: payload.siteId,
        path: payload.publishedPath,
        pageUrl: payload.pageUrl,
      },
    });
  },
};
