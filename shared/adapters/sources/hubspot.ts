import { createHash } from "node:crypto";
import * as z from "zod/mini";
import type { WebhookSource } from "#shared/application/ports/webhook-source";
import { SourceNotConfiguredError } from "#shared/domain/errors";
import { type Answers, addAnswer, firstEmail, fitAttributes, fullName } from "./answers";
import { parseJsonBody, parsePayload } from "./json-body";
import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "./signing";
import { dedupeKey, EpochMillis, Instant, ignored, oneEvent, VendorId } from "./vendor-fields";

/**
 * HubSpot (https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/request-validation).
 * v3: `X-HubSpot-Request-Timestamp: <unix ms>` and `X-HubSpot-Signature-v3: <base64 HMAC-SHA256(app client secret,
 * METHOD + URI + raw body + timestamp)>`, refused when older than 5 minutes. The URI is the full public URL
 * HubSpot called (scheme, host, path, query), with the characters of HUBSPOT_DECODED decoded. Behind API
 * Gateway the URL is rebuilt from the configured public base URL (RIPEN_PUBLIC_URL).
 *
 * A workflow's "Send a webhook" action posts the enrolled contact (all properties, or a custom body of
 * chosen properties): that is a form submission when the workflow is triggered by one. Webhooks-API
 * subscriptions post arrays of CRM change notices that carry no email, so they are acknowledged and skipped.
 */
export const SIGNATURE_HEADER = "x-hubspot-signature-v3";
export const TIMESTAMP_HEADER = "x-hubspot-request-timestamp";

/** HubSpot decodes these percent-encodings in the URI before signing; everything else stays as sent. */
const HUBSPOT_DECODED: Readonly<Record<string, string>> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

/** The URI as HubSpot puts it in the signed string. */
export function hubspotSignedUri(url: string): string {
  return url.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (encoded) => HUBSPOT_DECODED[encoded.toUpperCase()] ?? encoded,
  );
}

/**
 * The URL the sender called: the public base URL, the path, and the query string exactly as received.
 * A base URL with a stage (`https://host/prod`) is not repeated when the path already carries it.
 */
export function publicRequestUrl(publicUrl: string, path: string, rawQueryString: string): string {
  const base = publicUrl.replace(/\/+$/, "");
  const basePath = /^[a-z][a-z0-9+.-]*:\/\/[^/]+(\/.*)?$/i.exec(base)?.[1] ?? "";
  const url =
    basePath !== "" && path.startsWith(`${basePath}/`) ? `${base.slice(0, -basePath.length)}${path}` : `${base}${path}`;
  return `${url}${rawQueryString === "" ? "" : `?${rawQueryString}`}`;
}

/** The headers HubSpot sends for this request (`url` as HubSpot calls it, query string included). */
export function signHubspot(
  secret: string,
  request: { method?: string; url: string; rawBody: string | Buffer; timestampMs: number },
): Record<string, string> {
  const method = (request.method ?? "POST").toUpperCase();
  const timestamp = String(request.timestampMs);
  const digest = hmacSha256(secret, method, hubspotSignedUri(request.url), request.rawBody, timestamp);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: digest.toString("base64") };
}

/** A property as HubSpot sends it: `{value, versions…}` in the full contact, a bare value in a custom body. */
const PropertyValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.object({ value: z.nullish(z.union([z.string(), z.number(), z.boolean()])) }),
]);

const FormSubmission = z.object({
  "conversion-id": z.string().check(z.minLength(1), z.maxLength(200)),
  timestamp: EpochMillis,
  "form-id": z.optional(z.string()),
  title: z.optional(z.string()),
  "page-url": z.optional(z.string()),
});

export const HubspotContactPayload = z.looseObject({
  eventId: z.optional(VendorId),
  vid: z.optional(VendorId),
  "canonical-vid": z.optional(VendorId),
  objectId: z.optional(VendorId),
  "portal-id": z.optional(VendorId),
  portalId: z.optional(VendorId),
  properties: z.optional(z.record(z.string(), PropertyValue)),
  "form-submissions": z.optional(z.array(FormSubmission)),
});
export type HubspotContactPayload = z.input<typeof HubspotContactPayload>;

const EpochMillisOrInstant = z.union([EpochMillis, Instant]);

// HubSpot's own bookkeeping, not anything the contact answered.
const SYSTEM_PROPERTY =
  /^(hs_|ip_|num_|first_conversion_|recent_conversion_|associatedcompany|createdate$|lastmodifieddate$|lifecyclestage$)/;
const ENVELOPE_KEYS = new Set(["eventId", "vid", "canonical-vid", "objectId", "portal-id", "portalId", "properties"]);

export const hubspot: WebhookSource = {
  name: "hubspot",
  // HubSpot workflow webhooks do not retry a 4xx (except 429) and are not disabled by one.
  refusal: "reject",
  verify(request, { secret, now, toleranceSeconds, publicUrl }) {
    const timestamp = requireHeader(request.headers, TIMESTAMP_HEADER);
    const presented = requireHeader(request.headers, SIGNATURE_HEADER);
    if (publicUrl === undefined) {
      throw new SourceNotConfiguredError(
        "HubSpot signs the URL it calls: configure the public base URL (RIPEN_PUBLIC_URL)",
      );
    }
    const uri = hubspotSignedUri(publicRequestUrl(publicUrl, request.path, request.rawQueryString));
    const expected = hmacSha256(secret, request.method.toUpperCase(), uri, request.rawBody, timestamp);
    requireSignature(expected, [presented], "base64");
    requireFreshTimestamp(timestamp, "ms", now, toleranceSeconds);
  },
  toEvents(request, { now }) {
    const body = parseJsonBody(request.rawBody);
    if (Array.isArray(body)) {
      return ignored("HubSpot CRM change notices carry no contact email; send contacts from a workflow webhook");
    }
    const payload = parsePayload(HubspotContactPayload, body, "HubSpot workflow webhook");
    const properties = propertyValues(payload);
    const email = firstEmail(properties.email);
    if (!email) return ignored("the HubSpot contact has no email property");

    const answers: Answers = {};
    for (const [name, value] of Object.entries(properties)) {
      if (!SYSTEM_PROPERTY.test(name)) addAnswer(answers, name, value);
    }
    const submission = latest(payload["form-submissions"] ?? []);
    const name = fullName(text(properties.firstname), text(properties.lastname));
    const company = text(properties.company);
    return oneEvent({
      source: "hubspot",
      sourceEventId: dedupeKey(
        payload.eventId ??
          (submission
            ? `form:${submission["conversion-id"]}`
            : `body:${createHash("sha256").update(request.rawBody).digest("hex")}`),
      ),
      type: "form.submitted",
      occurredAt: submission?.timestamp ?? instant(properties.recent_conversion_date) ?? now.toISOString(),
      identity: { email, ...(name && { name }), ...(company && { company }) },
      answers,
      attributes: fitAttributes(answers),
      properties: {
        formTitle: submission?.title ?? text(properties.recent_conversion_event_name),
        formId: submission?.["form-id"],
        pageUrl: submission?.["page-url"],
        contactId: payload["canonical-vid"] ?? payload.vid ?? payload.objectId ?? text(properties.hs_object_id),
        portalId: payload["portal-id"] ?? payload.portalId,
      },
    });
  },
};

/** Property values by name, from `properties` or, for a custom request body, from the top level. */
function propertyValues(payload: z.output<typeof HubspotContactPayload>): Record<string, unknown> {
  const source: Record<string, unknown> =
    payload.properties ??
    Object.fromEntries(
      Object.entries(payload).filter(([key]) => !ENVELOPE_KEYS.has(key) && key !== "form-submissions"),
    );
  return Object.fromEntries(
    Object.entries(source).map(([name, property]) => [
      name,
      typeof property === "object" && property !== null && "value" in property ? property.value : property,
    ]),
  );
}

function latest<T extends { timestamp: string }>(submissions: readonly T[]): T | undefined {
  return submissions.reduce<T | undefined>(
    (newest, next) => (!newest || next.timestamp > newest.timestamp ? next : newest),
    undefined,
  );
}

function text(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** HubSpot dates are epoch milliseconds (as text in the contact record) or ISO text in newer payloads. */
function instant(value: unknown): string | undefined {
  const parsed = EpochMillisOrInstant.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
