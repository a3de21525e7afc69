import type { LeadEventInput, SourceName } from "#shared/domain/lead-event";

/** A webhook as it arrived: the exact bytes, lower-cased headers, and the URL the sender called. */
export interface WebhookRequest {
  method: string;
  /** The raw body, exactly as sent. Signatures are checked over these bytes, never a re-serialization. */
  rawBody: Buffer;
  /** Header names lower-cased; repeated headers joined with "," (as API Gateway does). */
  headers: Readonly<Record<string, string>>;
  /** The path the sender called, e.g. /webhooks/hubspot. */
  path: string;
  /** The raw query string without `?`, as sent ("" when none). */
  rawQueryString: string;
}

export interface VerifyContext {
  secret: string;
  now: Date;
  /** Accepted clock skew for senders that sign a timestamp, in seconds (default 300). */
  toleranceSeconds: number;
  /** The public base URL senders call (scheme://host[/stage]), for senders that sign the URL. */
  publicUrl?: string;
}

/** What a delivery turns into: canonical events to record, or an immediate answer (a challenge). */
export type SourceResult =
  | { kind: "events"; events: LeadEventInput[] }
  | { kind: "reply"; status: number; body: unknown };

/**
 * How a verified delivery whose payload is refused (not JSON, not the vendor's schema, outside the
 * event's bounds) is answered. "reject": 400 invalid_payload naming the field. "acknowledge": 200
 * `{"stored":false,"refused":{code,message,details}}`, for senders that switch a webhook off after
 * repeated 4xx, so one bad payload does not cost the integration. A signature failure is a 401 either way.
 */
export type PayloadRefusal = "reject" | "acknowledge";

/**
 * One sender. `verify` throws InvalidSignatureError or StaleTimestampError and must compare in
 * constant time; `toEvents` maps the vendor's payload (validated by its zod schema) to canonical
 * events and throws InvalidPayloadError with the zod issues when it does not fit.
 */
export interface WebhookSource {
  readonly name: SourceName;
  /**
   * Set when this source may be configured to accept unsigned deliveries (Webflow site webhooks):
   * the header whose presence means the delivery is signed, and so must verify all the same.
   */
  readonly unsignedUnless?: string;
  /** How this sender is told its payload was refused (the README's table lists every source's). */
  readonly refusal: PayloadRefusal;
  verify(request: WebhookRequest, context: VerifyContext): void;
  toEvents(request: WebhookRequest, context: VerifyContext): SourceResult;
}

/**
 * A source whose module is loaded on its first delivery: a bundled function then evaluates (and builds
 * the zod schemas of) only the senders that actually post to it, after its init rather than during it.
 */
export type SourceLoader = () => Promise<WebhookSource>;

/** The sources a webhook route accepts, by name: each one loaded already, or loaded when first needed. */
export type WebhookSources = Partial<Record<string, WebhookSource | SourceLoader>>;

/** Where sender secrets come from: environment locally, Secrets Manager in AWS. */
export interface SecretProvider {
  /** The secret for a name like RIPEN_SECRET_TYPEFORM, or undefined when not configured. */
  get(name: string): Promise<string | undefined>;
}
