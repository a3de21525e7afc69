import type { MiddlewareObj } from "@middy/core";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { DOMAIN_ERROR_CODES, type DomainErrorCode, RipenError } from "#shared/domain/errors";
import { countMetric, logger } from "#shared/runtime/powertools";
import { EDGE_ERROR_CODES, EdgeError, type EdgeErrorCode } from "./errors";

/** Every code a caller can see in `{"error":{"code"}}`: the domain's errors' and the edge's own refusals'. */
export type ErrorCode = DomainErrorCode | EdgeErrorCode;
export const ERROR_CODES: readonly ErrorCode[] = [...DOMAIN_ERROR_CODES, ...EDGE_ERROR_CODES];

/** HTTP status per error code: the one place errors become statuses, one for every code. */
const STATUS = {
  // A refusal the sender must not retry: the person was erased (see ConsentRequiredError).
  consent_required: 202,
  invalid_payload: 400,
  invalid_query: 400,
  invalid_signature: 401,
  stale_timestamp: 401,
  admin_token_required: 401,
  invalid_admin_token: 401,
  origin_not_allowed: 403,
  // Closed by configuration: a retry changes nothing until RIPEN_ADMIN_TOKEN is set.
  admin_token_not_configured: 403,
  unknown_source: 404,
  lead_not_found: 404,
  account_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  invalid_transition: 409,
  payload_too_large: 413,
  // The request was sent to a name this server does not answer for (RFC 9110 "Misdirected Request").
  host_not_allowed: 421,
  unsupported_media_type: 415,
  // A Slack interaction Ripen never offered (an action id from another app or an old message).
  unknown_action: 400,
  // Temporary conditions: 503 so senders retry (never 404/410, which make some senders give up).
  source_not_configured: 503,
  not_configured: 503,
  contention: 503,
  // Storage or a secret store throttling, failing or out of reach: the request changed nothing.
  unavailable: 503,
  // A model that fails validation stops a build or an init; no request reaches one.
  invalid_model: 500,
} as const satisfies Record<ErrorCode, number>;

/** The status of every code, for the API's description (openapi.ts). */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = STATUS;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}

/** The HTTP status of an error Ripen raised on purpose. */
export function statusOf(error: RipenError<ErrorCode>): number {
  return STATUS[error.code];
}

/**
 * A refusal (a status below 500) in the contract's shape, message and details included, with the headers
 * an edge refusal carries (Allow, the admin challenge). Logs nothing.
 */
export function refusalResponse(error: RipenError<ErrorCode>) {
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) },
  };
  return jsonResponse(statusOf(error), body, error instanceof EdgeError ? error.headers : {});
}

/** An error raised on purpose with a code the table knows; any other is answered as unexpected. */
function isRipenError(error: unknown): error is RipenError<ErrorCode> {
  return error instanceof RipenError && Object.hasOwn(STATUS, error.code);
}

/** Maps an error to the contract's error shape. Only errors below 500 show their message. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (isRipenError(error)) {
    const statusCode = statusOf(error);
    if (statusCode < 500) {
      // The code only: a refusal's message can name the person (a rep action on a named lead).
      logger.info("request refused", { code: error.code });
      countMetric("RequestsRefused", { code: error.code });
      return refusalResponse(error);
    }
    logger.warn("temporary failure", { code: error.code, reason: error.message });
    return temporaryResponse(error.code);
  }
  if (isTemporary(error)) {
    // The error's name and fault only: an SDK error's message can carry a key (a lead id, an event's key).
    const { name, $fault } = error as Error & { $fault?: string };
    logger.warn("temporary failure", { code: "unavailable", error: name, fault: $fault });
    return temporaryResponse("unavailable");
  }
  logger.error("unhandled error", unhandledErrorFields(error));
  return internalErrorResponse();
}

/** How many of a stack's frames, and how deep a chain of causes, an unhandled error's log line keeps. */
const LOGGED_FRAMES = 12;
const LOGGED_CAUSES = 3;

/**
 * What the log says of an error nobody expected: its name, where it was raised (the stack's frames),
 * and the same for its causes; never its message. The message is not Ripen's to choose (a parser may
 * quote the body it choked on, a URL error the link it read, token included), so it may carry personal
 * data or a secret. The frames are code locations only.
 */
export function unhandledErrorFields(error: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { error: errorSummary(error) };
  let cause = error instanceof Error ? error.cause : undefined;
  const causes: unknown[] = [];
  while (cause !== undefined && causes.length < LOGGED_CAUSES) {
    causes.push(errorSummary(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (causes.length > 0) fields.causes = causes;
  return fields;
}

function errorSummary(error: unknown): { name: string; frames?: string[] } {
  if (!(error instanceof Error)) return { name: typeof error };
  // The message goes first, so no line of it (a quoted body may hold line breaks) passes for a frame.
  const stack = error.stack ?? "";
  const message = String(error.message);
  const after =
    message !== "" && stack.includes(message) ? stack.slice(stack.indexOf(message) + message.length) : stack;
  const frames = after
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => FRAME.test(line))
    .slice(0, LOGGED_FRAMES);
  return { name: safeName(error.name), ...(frames.length > 0 && { frames }) };
}

/** A stack frame naming a code location: a function (optional) and a file, line and column. */
const FRAME = /^at (?:(?:async )?[\w$.<>[\] ]{1,200} \()?(?:file:\/\/|node:|\/)[\w$@./+-]{1,500}:\d+:\d+\)?$/;

/** An error's name is a class name; anything else set there is not logged. */
function safeName(name: unknown): string {
  return typeof name === "string" && /^[A-Za-z_$][\w$.]{0,99}$/.test(name) ? name : "Error";
}

/** A temporary failure's answer: its status, a message that says nothing of the cause, and when to retry. */
function temporaryResponse(code: ErrorCode): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(
    STATUS[code],
    { error: { code, message: "temporarily unavailable, retry later" } },
    { "retry-after": "5" },
  );
}

/** Throttling as AWS services name it (the SDK's retry strategy knows these names, not a flag). */
const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "TransactionInProgressException",
]);
/** A connection that failed or was cut: nothing reached the service, or its answer never came back. */
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

/**
 * A failure a retry can cure: an AWS service throttling or failing on its side (5xx), a timeout, or a
 * connection refused or cut. Every write Ripen makes is conditional and idempotent, so the sender's
 * retry after a 503 stores the event once, whether or not this attempt's commit landed.
 */
export function isTemporary(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const failure = error as Error & { $fault?: string; $retryable?: unknown; code?: string; cause?: unknown };
  if (failure.$fault === "server" || failure.$retryable !== undefined || THROTTLING.has(failure.name)) return true;
  if (failure.name === "TimeoutError" || (failure.code !== undefined && NETWORK.has(failure.code))) return true;
  return failure.cause !== undefined && failure.cause !== error && isTemporary(failure.cause);
}

/** What an unexpected failure answers: no message, no details (they could hold anything). */
export function internalErrorResponse(): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(500, { error: { code: "internal", message: "internal error" } });
}

/** middy error handler, placed last: turns any error into the contract's shape. */
export function httpErrorHandler(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      request.response = errorResponse(request.error);
    },
  };
}
