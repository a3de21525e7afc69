import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { InvalidSignatureError, StaleTimestampError } from "#shared/domain/errors";

export type DigestEncoding = "hex" | "base64";

/** HMAC-SHA256 over the parts in order; a text key is its UTF-8 bytes. */
export function hmacSha256(secret: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/**
 * Compares a signature the sender presented with the digest we computed, in constant time.
 * The presented text is decoded strictly in the expected encoding: hex sent where base64 is due
 * (or the reverse) decodes to the wrong length or bytes and fails.
 */
export function signatureMatches(expected: Buffer, presented: string, encoding: DigestEncoding): boolean {
  const decoded = decodeStrict(presented.trim(), encoding);
  if (!decoded || decoded.length !== expected.length) return false;
  return timingSafeEqual(decoded, expected);
}

function decodeStrict(text: string, encoding: DigestEncoding): Buffer | undefined {
  if (encoding === "hex")
    return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? Buffer.from(text, "hex") : undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  return Buffer.from(text, "base64");
}

/** Throws unless one of the presented signatures matches. */
export function requireSignature(expected: Buffer, presented: readonly string[], encoding: DigestEncoding): void {
  // Check every candidate so timing does not reveal which one matched.
  let matched = false;
  for (const candidate of presented) matched = signatureMatches(expected, candidate, encoding) || matched;
  if (!matched) throw new InvalidSignatureError("signature does not match");
}

/** The named header, or InvalidSignatureError naming it. */
export function requireHeader(headers: Readonly<Record<string, string>>, name: string): string {
  const value = headers[name.toLowerCase()];
  if (value === undefined || value.trim() === "") throw new InvalidSignatureError(`missing ${name} header`);
  return value.trim();
}

/**
 * Parses a sender's timestamp (`unit` seconds or milliseconds) and enforces the replay window in both
 * directions: too old is a replay, too far in the future is a forgery or a broken clock.
 */
export function requireFreshTimestamp(text: string, unit: "s" | "ms", now: Date, toleranceSeconds: number): number {
  if (!/^\d{1,16}$/.test(text)) throw new InvalidSignatureError("timestamp is not a number");
  const millis = unit === "s" ? Number(text) * 1000 : Number(text);
  const skew = (now.getTime() - millis) / 1000;
  if (skew > toleranceSeconds) throw new StaleTimestampError(`timestamp is ${Math.round(skew)} s old`);
  if (-skew > toleranceSeconds) throw new StaleTimestampError(`timestamp is ${Math.round(-skew)} s in the future`);
  return millis;
}

/** The query parameter that carries a sender's secret URL token. */
export const TOKEN_PARAMETER = "token";
/** A token longer than this is refused unread (the secrets Ripen suggests are 32 random bytes as hex). */
export const MAX_TOKEN_LENGTH = 512;

/**
 * For senders that sign nothing (Livestorm, GoToWebinar): the secret travels in the URL they call, as
 * `?token=<secret>`. Exactly one token must be present, and it is compared with the secret in constant
 * time: both are hashed first, so neither the comparison nor an early length check says how long the
 * secret is. Errors never quote the token. It proves the caller knows the URL, nothing about the body.
 */
export function requireUrlToken(rawQueryString: string, secret: string): void {
  const tokens = new URLSearchParams(rawQueryString).getAll(TOKEN_PARAMETER);
  if (tokens.length === 0) throw new InvalidSignatureError(`missing ${TOKEN_PARAMETER} query parameter`);
  if (tokens.length > 1) throw new InvalidSignatureError(`more than one ${TOKEN_PARAMETER} query parameter`);
  const token = tokens[0] as string;
  const matches =
    token.length <= MAX_TOKEN_LENGTH &&
    timingSafeEqual(createHash("sha256").update(token).digest(), createHash("sha256").update(secret).digest());
  if (!matches) throw new InvalidSignatureError(`the ${TOKEN_PARAMETER} query parameter does not match`);
}

/** The query parameter, when given exactly once. */
export function queryParameter(rawQueryString: string, name: string): string | undefined {
  const values = new URLSearchParams(rawQueryString).getAll(name);
  return values.length === 1 ? values[0] : undefined;
}
