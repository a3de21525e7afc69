import { hmacSha256, requireFreshTimestamp, requireHeader, requireSignature } from "#shared/adapters/sources/signing";
import { InvalidSignatureError } from "#shared/domain/errors";

/** Slack's replay window: requests older (or newer) than five minutes are refused. */
export const SLACK_TOLERANCE_SECONDS = 300;

/**
 * Verifies a request from Slack (interactivity, slash commands, Events API): `X-Slack-Signature` is
 * `v0=` + hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing secret.
 * Throws StaleTimestampError outside the window, InvalidSignatureError for anything else.
 */
export function verifySlackSignature(
  request: { headers: Readonly<Record<string, string>>; rawBody: Buffer },
  secret: string,
  now: Date,
  toleranceSeconds = SLACK_TOLERANCE_SECONDS,
): void {
  const timestamp = requireHeader(request.headers, "X-Slack-Request-Timestamp");
  const signature = requireHeader(request.headers, "X-Slack-Signature");
  requireFreshTimestamp(timestamp, "s", now, toleranceSeconds);
  if (!signature.startsWith("v0=")) throw new InvalidSignatureError("X-Slack-Signature is not a v0 signature");
  const expected = hmacSha256(secret, `v0:${timestamp}:`, request.rawBody);
  requireSignature(expected, [signature.slice(3)], "hex");
}

/** Signs a body as Slack does: for tests and local tools that play Slack. */
export function signSlackRequest(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v0=${hmacSha256(secret, `v0:${timestamp}:`, rawBody).toString("hex")}`;
}
