import { createHmac, timingSafeEqual } from "node:crypto";
import { RipenError } from "./errors";

/**
 * Signed links: what lets a rep open a lead's page (and act on it) from an alert, or a manager the
 * funnel, without AWS credentials. A token is an HMAC-SHA256, under a key of its own, over what it opens
 * (the lead id, or "funnel"), its scope, its expiry and the rep it was made for; the subject is not in
 * the token but in the URL beside it, so a token shown with another lead fails its check.
 *
 * Token: `<base64url claims JSON>.<base64url MAC>`; the MAC is checked (in constant time) before the
 * claims are parsed. A page's form carries a nonce the page was made with, MACed the same way over the
 * token, so an action is only ever a POST the page itself offered, and its id makes a second click a replay.
 */

/** What a token lets its bearer do. */
export const LINK_SCOPES = {
  /** The lead's page and its actions (accept, qualify, disqualify, recycle). */
  lead: { subject: "lead", act: true },
  /** The lead's page only. */
  "lead:view": { subject: "lead", act: false },
  /** The funnel page. */
  funnel: { subject: "funnel", act: false },
} as const;
export type LinkScope = keyof typeof LINK_SCOPES;

/** The subject of a funnel token (a lead token's is the lead id). */
export const FUNNEL_SUBJECT = "funnel";
/** How long a link opens its page unless configured otherwise. */
export const DEFAULT_LINK_DAYS = 7;
/** The longest lifetime a link may be given. */
export const MAX_LINK_DAYS = 90;
/** How long a page's form may be sent after the page was shown. */
export const PAGE_NONCE_SECONDS = 12 * 3600;
/** The shortest link key accepted. */
export const MIN_LINK_KEY_LENGTH = 32;
/** The longest token accepted (a rep id of 128 characters fits with room). */
export const MAX_TOKEN_LENGTH = 400;
/** The longest rep id a link names. */
export const MAX_REP_LENGTH = 128;

export interface LinkClaims {
  scope: LinkScope;
  /** Unix seconds after which the link opens nothing. */
  expiresAt: number;
  /** The owner id of the rep the link was made for: actions through it are theirs. */
  rep?: string;
}

export type LinkRefusal = "malformed" | "signature" | "expired" | "scope";

/** A link that opens nothing: altered, made for another lead, expired, or beyond its scope. */
export class InvalidLinkError extends RipenError {
  readonly code = "invalid_signature";
  constructor(
    readonly refusal: LinkRefusal,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^([A-Za-z0-9_-]{1,340})\.([A-Za-z0-9_-]{43})$/;
const NONCE = /^([0-9]{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/;

const mac = (key: string, purpose: string, parts: readonly string[]) =>
  createHmac("sha256", key)
    .update(`ripen-${purpose}/v1\n${parts.join("\n")}`)
    .digest();
const base64url = (bytes: Buffer) => bytes.toString("base64url");

/** The token that opens `subject` (a lead id, or FUNNEL_SUBJECT) within `claims`. */
export function signLink(key: string, subject: string, claims: LinkClaims): string {
  if (claims.rep !== undefined && (claims.rep === "" || claims.rep.length > MAX_REP_LENGTH)) {
    throw new RangeError(`a link's rep id is 1 to ${MAX_REP_LENGTH} characters`);
  }
  if (LINK_SCOPES[claims.scope].subject === "funnel" && subject !== FUNNEL_SUBJECT) {
    throw new RangeError("a funnel link opens the funnel only");
  }
  const body = base64url(
    Buffer.from(JSON.stringify({ s: claims.scope, e: claims.expiresAt, ...(claims.rep && { r: claims.rep }) })),
  );
  return `${body}.${base64url(mac(key, "link", [subject, body]))}`;
}

/**
 * The claims of a token presented for `subject`, if it opens it at `now` for one of `scopes`; otherwise
 * InvalidLinkError. The MAC is compared in constant time and before anything of the token is parsed.
 */
export function verifyLink(
  key: string,
  token: string,
  expected: { subject: string; scopes: readonly LinkScope[]; now: Date },
): LinkClaims {
  const match = token.length <= MAX_TOKEN_LENGTH ? TOKEN.exec(token) : null;
  const [, body = "", signature = ""] = match ?? [];
  if (!match) throw new InvalidLinkError("malformed", "this link is not one Ripen made");
  if (!macMatches(mac(key, "link", [expected.subject, body]), signature)) {
    throw new InvalidLinkError("signature", "this link was altered, or it opens something else");
  }
  const claims = parseClaims(body);
  if (!claims) throw new InvalidLinkError("malformed", "this link is not one Ripen made");
  if (claims.expiresAt * 1000 <= expected.now.getTime()) {
    throw new InvalidLinkError("expired", "this link has expired");
  }
  if (!expected.scopes.includes(claims.scope)) {
    throw new InvalidLinkError("scope", "this link does not allow that");
  }
  return claims;
}

function parseClaims(body: string): LinkClaims | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  const { s, e, r } = (parsed ?? {}) as { s?: unknown; e?: unknown; r?: unknown };
  if (typeof s !== "string" || !Object.hasOwn(LINK_SCOPES, s)) return undefined;
  if (typeof e !== "number" || !Number.isSafeInteger(e)) return undefined;
  if (r !== undefined && (typeof r !== "string" || r === "" || r.length > MAX_REP_LENGTH)) return undefined;
  return { scope: s as LinkScope, expiresAt: e, ...(r !== undefined && { rep: r }) };
}

/**
 * Constant time for a presented MAC of the right length; a wrong length says only that. Compared as text:
 * decoding first would accept the variants of the last character that differ only in unused bits.
 */
function macMatches(expected: Buffer, presented: string): boolean {
  const want = Buffer.from(base64url(expected));
  const got = Buffer.from(presented);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The unix seconds a link made at `now` for `days` stops working. */
export function linkExpiry(now: Date, days: number): number {
  if (!(days > 0 && days <= MAX_LINK_DAYS)) throw new RangeError(`a link lives 1 to ${MAX_LINK_DAYS} days`);
  return Math.floor(now.getTime() / 1000) + Math.round(days * 86_400);
}

/**
 * The nonce a page's form carries: when the page was made, a random id (the action's idempotency key),
 * and a MAC over both and the token the page was opened with.
 */
export function pageNonce(key: string, token: string, now: Date, randomId: string): string {
  const issuedAt = String(Math.floor(now.getTime() / 1000));
  return `${issuedAt}.${randomId}.${base64url(mac(key, "page", [token, issuedAt, randomId]))}`;
}

/**
 * The page id a form's nonce carries, if the nonce was made for this token and is at most
 * PAGE_NONCE_SECONDS old; otherwise InvalidLinkError ("expired" for an old page: reload it).
 */
export function verifyPageNonce(key: string, token: string, nonce: string, now: Date): string {
  const match = nonce.length <= 200 ? NONCE.exec(nonce) : null;
  const [, issuedAt = "", randomId = "", signature = ""] = match ?? [];
  if (!match || !macMatches(mac(key, "page", [token, issuedAt, randomId]), signature)) {
    throw new InvalidLinkError("signature", "this form did not come from this lead's page");
  }
  const age = now.getTime() / 1000 - Number(issuedAt);
  // A little skew between the functions' clocks is no reason to refuse.
  if (age > PAGE_NONCE_SECONDS || age < -300) {
    throw new InvalidLinkError("expired", "this page is too old to act from: reload it and try again");
  }
  return randomId;
}
