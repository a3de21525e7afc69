import { backoff, type RetryPolicy } from "#shared/application/pacing/retry";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";
import type { SlackMessage } from "./blocks";

/** Where a message goes: an incoming webhook (its channel is fixed), or chat.postMessage with a bot token. */
export type SlackDestination =
  | { kind: "webhook"; url: string }
  | { kind: "bot"; token: string; channel: string; apiUrl: string };

/** chat.postMessage errors that mean "not now" rather than "never". */
const TRANSIENT_API_ERRORS = new Set([
  "ratelimited",
  "service_unavailable",
  "internal_error",
  "fatal_error",
  "request_timeout",
  "team_added_to_org",
]);

/**
 * Posts one message, once. Throws AlertUnavailableError for 429 (with Retry-After), 5xx and network
 * errors, AlertRejectedError for everything else Slack refuses (invalid_payload, channel_not_found,
 * `ok: false` from chat.postMessage). URLs and tokens are secrets: errors carry statuses and Slack's
 * error codes only.
 */
export async function postSlackMessage(
  destination: SlackDestination,
  message: SlackMessage,
  timeoutMs = 3000,
): Promise<void> {
  const request: { url: string; headers: Record<string, string>; body: object } =
    destination.kind === "webhook"
      ? { url: destination.url, headers: {}, body: message }
      : {
          url: `${destination.apiUrl.replace(/\/$/, "")}/chat.postMessage`,
          headers: { authorization: `Bearer ${destination.token}` },
          body: { channel: destination.channel, unfurl_links: false, unfurl_media: false, ...message },
        };
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8", ...request.headers },
      body: JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new AlertUnavailableError(`slack unreachable: ${(error as Error).name}`);
  }
  const body = await response.text().catch(() => "");
  const where = destination.kind === "webhook" ? "slack webhook" : "slack chat.postMessage";
  if (response.status === 429 || response.status >= 500) {
    throw new AlertUnavailableError(
      `${where} answered ${response.status}${errorCode(body) ? ` ${errorCode(body)}` : ""}`,
      retryAfterSeconds(response.headers.get("retry-after")),
    );
  }
  if (!response.ok) throw new AlertRejectedError(`${where} answered ${response.status}: ${errorCode(body) ?? "error"}`);
  if (destination.kind === "webhook") return;
  const result = parseApiResult(body);
  if (result?.ok === true) return;
  const code = result?.error ?? "unreadable response";
  if (!result || TRANSIENT_API_ERRORS.has(code)) throw new AlertUnavailableError(`${where} failed: ${code}`);
  throw new AlertRejectedError(`${where} failed: ${code}`);
}

function parseApiResult(body: string): { ok?: unknown; error?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { ok, error } = parsed as { ok?: unknown; error?: unknown };
    return { ok, ...(typeof error === "string" && { error: error.slice(0, 100) }) };
  } catch {
    return undefined;
  }
}

/** Slack's error codes are short words (`invalid_payload`, `channel_not_found`); anything else is dropped. */
function errorCode(body: string): string | undefined {
  const fromJson = parseApiResult(body)?.error;
  if (fromJson) return fromJson;
  const text = body.trim();
  return /^[a-z_]{1,60}$/.test(text) ? text : undefined;
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/** Retries within one invocation: brief, bounded, and never past the function's deadline. */
export const SLACK_RETRY: RetryPolicy = { attempts: 4, baseMs: 250, capMs: 2000 };

/**
 * When retrying must stop: a few seconds at most, and never so late that the function times out
 * mid-post (the bus retries the whole event later anyway).
 */
export function retryDeadline(now: number, remainingMs: number | undefined, maxMs = 8000, marginMs = 2000): number {
  return now + Math.max(0, Math.min(maxMs, (remainingMs ?? maxMs + marginMs) - marginMs));
}

export interface RetryOptions {
  policy?: RetryPolicy;
  sleep: (milliseconds: number) => Promise<void>;
  now: () => number;
  /** Epoch milliseconds after which no retry starts (the Lambda's remaining time, less a margin). */
  deadline: number;
  onRetry?: (reason: string, delayMs: number) => void;
}

/**
 * Runs `operation` until it succeeds, it is rejected for good, the attempts run out or the next try
 * would start after the deadline. 429 waits the Retry-After Slack asked for; 5xx and network errors
 * back off with full jitter. The last error is rethrown: the bus retries the event later.
 */
export async function withSlackRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? SLACK_RETRY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof AlertUnavailableError) || attempt + 1 >= policy.attempts) throw error;
      const delay = error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : backoff(policy, attempt);
      if (options.now() + delay > options.deadline) throw error;
      options.onRetry?.(error.message, delay);
      await options.sleep(delay);
    }
  }
}

/**
 * Posts to an interaction's response_url (replace the message, or answer the rep ephemerally). The URL
 * comes from a payload whose signature was verified; it is still never logged.
 */
export async function postToResponseUrl(url: string, message: object, timeoutMs = 1500): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8" },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`response_url answered ${response.status}`);
}
