import { createHash, createHmac } from "node:crypto";

/**
 * What stands for a person in storage: keyed hashes (HMAC-SHA256) under a key of Ripen's own, so the
 * table can find a person by email, and recognise a delivery it has seen, without holding a value that
 * anyone who knows the email (or a vendor's id) could recompute. Without the key, a lead id, a tombstone
 * or an erased event's record says nothing about who it was.
 */
export interface Pseudonyms {
  /** The lead id of an email (normalized: trimmed, lower-cased). */
  leadId(email: string): string;
  /** The lead id of an email already hashed with SHA-256 (hex): what tombstones of earlier releases kept. */
  leadIdOfEmailHash(emailSha256: string): string;
  /** The storage key of an event's dedupe id (`<source>:<the sender's id>`). */
  eventKey(eventId: string): string;
}

/**
 * The key `npm start` uses when RIPEN_ID_KEY is not set, so a local data dir keeps its lead ids across
 * restarts. Known to everyone: the functions in AWS refuse it.
 */
export const DEVELOPMENT_ID_KEY = "ripen-development-id-key-never-in-production";

/** A key shorter than this is refused: the hashes are only as strong as the key. */
export const MIN_ID_KEY_LENGTH = 32;

/** Lead ids: `ld_` and 24 hex digits (96 bits), the shape they always had. */
const LEAD_ID_HEX = 24;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailSha256(email: string): string {
  return createHash("sha256").update(normalizeEmail(email)).digest("hex");
}

/**
 * The pseudonyms under one key. Each kind of value is hashed with its own label, so a lead id and an
 * event key of the same text never coincide. A lead id hashes the email's SHA-256 rather than the email,
 * so a tombstone an earlier release keyed by that SHA-256 can be re-keyed without the email.
 */
export function pseudonyms(key: string): Pseudonyms {
  if (key.length < MIN_ID_KEY_LENGTH) {
    throw new Error(`the lead id key must be at least ${MIN_ID_KEY_LENGTH} characters`);
  }
  const hmac = (label: string, value: string) => createHmac("sha256", key).update(`${label}\u0000${value}`).digest();
  const leadIdOfEmailHash = (hash: string) => `ld_${hmac("lead", hash).toString("hex").slice(0, LEAD_ID_HEX)}`;
  return {
    leadId: (email) => leadIdOfEmailHash(emailSha256(email)),
    leadIdOfEmailHash,
    // 128 bits, base64url: 22 characters in every event's key.
    eventKey: (eventId) => hmac("event", eventId).subarray(0, 16).toString("base64url"),
  };
}
