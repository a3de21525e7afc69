import { createHmac, timingSafeEqual } from "node:crypto";
import { InvalidSignatureError, StaleTimestampError } from "#shared/domain/errors";

export type DigestEncoding = "hex" | "base64";

export function hmacSha256(secret: string, ...parts: (string | Buffer)[]): Buffer {
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
