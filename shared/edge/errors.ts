import { RipenError } from "#shared/domain/errors";

/** The codes of the refusals only the HTTP entry makes; edge/http-errors.ts gives each a status. */
export const EDGE_ERROR_CODES = [
  "admin_token_not_configured",
  "admin_token_required",
  "host_not_allowed",
  "invalid_admin_token",
  "method_not_allowed",
  "not_found",
  "origin_not_allowed",
  "payload_too_large",
  "unavailable",
] as const;
export type EdgeErrorCode = (typeof EDGE_ERROR_CODES)[number];

/**
 * A refusal made where the request enters, before any use case sees it: no route, another method, a
 * body too large, or an access rule. `headers` go out with the refusal: what the caller needs to succeed.
 */
export abstract class EdgeError extends RipenError<EdgeErrorCode> {
  readonly headers: Readonly<Record<string, string>> = {};
}

/** The challenge sent with a 401: a browser asks for the token (as the password) instead of failing. */
const ADMIN_CHALLENGE = { "www-authenticate": 'Basic realm="Ripen", charset="UTF-8"' };

export class RouteNotFoundError extends EdgeError {
  readonly code = "not_found";
}
/** The path has routes, none for this method: Allow names the methods it has. */
export class MethodNotAllowedError extends EdgeError {
  readonly code = "method_not_allowed";
  override readonly headers: Readonly<Record<string, string>>;

  constructor(allowed: readonly string[]) {
    super(`use ${allowed.join(" or ")}`);
    this.headers = { allow: allowed.join(", ") };
  }
}
export class PayloadTooLargeError extends EdgeError {
  readonly code = "payload_too_large";
}
/** The request names a Host this server does not answer for (DNS rebinding, a stray tunnel). */
export class HostNotAllowedError extends EdgeError {
  readonly code = "host_not_allowed";
}
/** A browser page from another origin asked for a read or erase route. */
export class OriginNotAllowedError extends EdgeError {
  readonly code = "origin_not_allowed";
}
/** An admin route was called without the admin token. */
export class AdminTokenRequiredError extends EdgeError {
  readonly code = "admin_token_required";
  override readonly headers = ADMIN_CHALLENGE;
}
/** An admin route was called with a token that is not the admin token. */
export class InvalidAdminTokenError extends EdgeError {
  readonly code = "invalid_admin_token";
  override readonly headers = ADMIN_CHALLENGE;
}
/** The admin routes are closed: they would need a token and none is configured. */
export class AdminTokenNotConfiguredError extends EdgeError {
  readonly code = "admin_token_not_configured";
}
