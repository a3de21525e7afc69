/**
 * The stable, machine-readable names callers see in `{"error":{"code","message","details"}}`. An error
 * class can only take one of these, and edge/http-errors.ts must give each a status: a new code fails
 * the type check until it has one.
 */
export const ERROR_CODES = [
  "account_not_found",
  "admin_token_not_configured",
  "admin_token_required",
  "consent_required",
  "contention",
  "host_not_allowed",
  "invalid_admin_token",
  "invalid_model",
  "invalid_payload",
  "invalid_query",
  "invalid_signature",
  "invalid_transition",
  "lead_not_found",
  "method_not_allowed",
  "not_configured",
  "not_found",
  "origin_not_allowed",
  "payload_too_large",
  "source_not_configured",
  "stale_timestamp",
  "unknown_action",
  "unknown_source",
  "unsupported_media_type",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Every error Ripen raises on purpose. `code` is the stable, machine-readable name callers see in
 * `{"error":{"code","message","details"}}`; edge/http-errors.ts maps codes to HTTP statuses, once.
 */
export abstract class RipenError extends Error {
  abstract readonly code: ErrorCode;
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
export class RouteNotFoundError extends RipenError {
  readonly code = "not_found";
}
export class MethodNotAllowedError extends RipenError {
  readonly code = "method_not_allowed";
}
export class PayloadTooLargeError extends RipenError {
  readonly code = "payload_too_large";
}
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
/** A query parameter or cursor the API cannot use (zod issues in details). */
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
/** The request names a Host this server does not answer for (DNS rebinding, a stray tunnel). */
export class HostNotAllowedError extends RipenError {
  readonly code = "host_not_allowed";
}
/** A browser page from another origin asked for a read or erase route. */
export class OriginNotAllowedError extends RipenError {
  readonly code = "origin_not_allowed";
}
/** An admin route was called without the admin token. */
export class AdminTokenRequiredError extends RipenError {
  readonly code = "admin_token_required";
}
/** An admin route was called with a token that is not the admin token. */
export class InvalidAdminTokenError extends RipenError {
  readonly code = "invalid_admin_token";
}
/** The admin routes are closed: they would need a token and none is configured. */
export class AdminTokenNotConfiguredError extends RipenError {
  readonly code = "admin_token_not_configured";
}
