/**
 * The stable, machine-readable names the domain's errors go by in `{"error":{"code","message","details"}}`.
 * The edge adds the codes of its own refusals (edge/errors.ts); edge/http-errors.ts must give every code
 * of both a status: a new code fails the type check until it has one.
 */
export const DOMAIN_ERROR_CODES = [
  "account_not_found",
  "consent_required",
  "contention",
  "invalid_model",
  "invalid_payload",
  "invalid_query",
  "invalid_signature",
  "invalid_transition",
  "lead_not_found",
  "not_configured",
  "source_not_configured",
  "stale_timestamp",
  "unknown_action",
  "unknown_source",
  "unsupported_media_type",
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * Every error Ripen raises on purpose. `code` is the stable, machine-readable name callers see in
 * `{"error":{"code","message","details"}}`; edge/http-errors.ts maps codes to HTTP statuses, once. A
 * class takes one of DOMAIN_ERROR_CODES unless it names another list (the edge's refusals do).
 */
export abstract class RipenError<Code extends string = DomainErrorCode> extends Error {
  abstract readonly code: Code;
  readonly details?: unknown;

  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    if (details !== undefined) this.details = details;
  }
}

export class InvalidPayloadError extends RipenError {
  readonly code = "invalid_payload";
}
export class InvalidSignatureError extends RipenError {
  readonly code = "invalid_signature";
}
export class StaleTimestampError extends RipenError {
  readonly code = "stale_timestamp";
}
export class UnknownSourceError extends RipenError {
  readonly code = "unknown_source";
}
export class LeadNotFoundError extends RipenError {
  readonly code = "lead_not_found";
}
/** A body in a media type or charset its reader cannot take: ingest and the Slack reader decide, per source. */
export class UnsupportedMediaTypeError extends RipenError {
  readonly code = "unsupported_media_type";
}
export class InvalidTransitionError extends RipenError {
  readonly code = "invalid_transition";
}
/** A source is known but not configured (no secret): a temporary condition, so senders retry. */
export class SourceNotConfiguredError extends RipenError {
  readonly code = "source_not_configured";
}
/**
 * Ripen itself is missing a setting it cannot run without (the lead id key): a temporary condition for
 * the caller, a 503, so senders retry once an operator has fixed it. The message stays in the logs.
 */
export class NotConfiguredError extends RipenError {
  readonly code = "not_configured";
}
/** Too many concurrent writers on one lead; the sender's retry will succeed. */
export class ContentionError extends RipenError {
  readonly code = "contention";
}
/**
 * A query parameter or cursor the API cannot use (zod issues in details). The read use cases raise it too
 * (a cursor from another query, a reversed date range), so it is theirs, not only the edge's.
 */
export class InvalidQueryError extends RipenError {
  readonly code = "invalid_query";
}
/** No lead has this company domain. */
export class AccountNotFoundError extends RipenError {
  readonly code = "account_not_found";
}
/**
 * The person was erased and asked not to be recorded again: the event is refused, nothing is stored.
 * Answered with a 2xx, because senders disable webhooks that keep failing (Calendly after a day of 4xx).
 */
export class ConsentRequiredError extends RipenError {
  readonly code = "consent_required";
}
