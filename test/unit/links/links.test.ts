import { describe, expect, it } from "vitest";
import {
  FUNNEL_SUBJECT,
  InvalidLinkError,
  type LinkRefusal,
  linkExpiry,
  pageNonce,
  signLink,
  verifyLink,
  verifyPageNonce,
} from "#shared/domain/links";

const KEY = "k".repeat(40);
const LEAD = "ld_0123456789abcdef01234567";
const OTHER = "ld_fedcba9876543210fedcba98";
const now = new Date("2026-12-01T10:00:00Z");
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const token = signLink(KEY, LEAD, { scope: "lead", expiresAt: linkExpiry(now, 7), rep: "ana" });

function refusal(run: () => unknown): LinkRefusal | "accepted" {
  try {
    run();
    return "accepted";
  } catch (error) {
    if (error instanceof InvalidLinkError) return error.refusal;
    throw error;
  }
}

describe("signed links", () => {
  it("opens its own lead within its lifetime, with the rep it was made for", () => {
    // Act
    const claims = verifyLink(KEY, token, { subject: LEAD, scopes: ["lead"], now: later(7 * 86_400 - 1) });

    // Assess
    expect(claims).toEqual({ scope: "lead", expiresAt: linkExpiry(now, 7), rep: "ana" });
  });

  it("refuses another lead's page, an expired link, and a scope it was not given", () => {
    expect(refusal(() => verifyLink(KEY, token, { subject: OTHER, scopes: ["lead"], now }))).toBe("signature");
    expect(refusal(() => verifyLink(KEY, token, { subject: LEAD, scopes: ["lead"], now: later(7 * 86_400) }))).toBe(
      "expired",
    );
    const view = signLink(KEY, LEAD, { scope: "lead:view", expiresAt: linkExpiry(now, 1) });
    expect(refusal(() => verifyLink(KEY, view, { subject: LEAD, scopes: ["lead"], now }))).toBe("scope");
    expect(refusal(() => verifyLink(KEY, token, { subject: FUNNEL_SUBJECT, scopes: ["funnel"], now }))).toBe(
      "signature",
    );
  });

  it("refuses any altered character, a token made with another key, and garbage", () => {
    // Every single-character change in either part, in turn.
    for (let index = 0; index < token.length; index++) {
      const character = token[index] === "A" ? "B" : "A";
      const altered = `${token.slice(0, index)}${character}${token.slice(index + 1)}`;
      if (altered === token) continue;
      expect(refusal(() => verifyLink(KEY, altered, { subject: LEAD, scopes: ["lead"], now }))).not.toBe("accepted");
    }
    const foreign = signLink("x".repeat(40), LEAD, { scope: "lead", expiresAt: linkExpiry(now, 7) });
    expect(refusal(() => verifyLink(KEY, foreign, { subject: LEAD, scopes: ["lead"], now }))).toBe("signature");
    for (const garbage of ["", ".", "a.b", `${"a".repeat(500)}.${"b".repeat(43)}`, `${token}.x`]) {
      expect(refusal(() => verifyLink(KEY, garbage, { subject: LEAD, scopes: ["lead"], now }))).toBe("malformed");
    }
  });

  it("refuses claims that extend the expiry, even re-encoded, because the MAC covers them", () => {
    // Prepare
    const [, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ s: "lead", e: linkExpiry(now, 90), r: "ana" })).toString("base64url");

    // Act + Assess
    expect(refusal(() => verifyLink(KEY, `${forged}.${signature}`, { subject: LEAD, scopes: ["lead"], now }))).toBe(
      "signature",
    );
  });

  it("makes funnel links for the funnel only, and bounds lifetimes", () => {
    expect(() => signLink(KEY, LEAD, { scope: "funnel", expiresAt: 1 })).toThrow(RangeError);
    expect(() => linkExpiry(now, 0)).toThrow(RangeError);
    expect(() => linkExpiry(now, 91)).toThrow(RangeError);
    const funnel = signLink(KEY, FUNNEL_SUBJECT, { scope: "funnel", expiresAt: linkExpiry(now, 30) });
    expect(verifyLink(KEY, funnel, { subject: FUNNEL_SUBJECT, scopes: ["funnel"], now }).scope).toBe("funnel");
  });
});

describe("page nonces", () => {
  const nonce = pageNonce(KEY, token, now, "page-id-0123456789");

  it("gives back the page id for a form sent from the page within its time", () => {
    expect(verifyPageNonce(KEY, token, nonce, later(3600))).toBe("page-id-0123456789");
  });

  it("refuses a nonce for another token, an altered one, and one from a page too old", () => {
    const other = signLink(KEY, OTHER, { scope: "lead", expiresAt: linkExpiry(now, 7) });
    expect(refusal(() => verifyPageNonce(KEY, other, nonce, now))).toBe("signature");
    expect(refusal(() => verifyPageNonce(KEY, token, nonce.replace("page-id", "page-ix"), now))).toBe("signature");
    expect(refusal(() => verifyPageNonce(KEY, token, "nonsense", now))).toBe("signature");
    expect(refusal(() => verifyPageNonce(KEY, token, nonce, later(13 * 3600)))).toBe("expired");
  });
});

describe("the MAC's last character", () => {
  it("is compared as written: a variant that decodes to the same bytes is refused", () => {
    // Prepare: base64url's 43rd character carries two unused bits; its neighbours decode alike.
    const last = token.at(-1) ?? "";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const index = alphabet.indexOf(last);
    const sibling = alphabet[index ^ 1] ?? "";

    // Act + Assess
    expect(
      refusal(() => verifyLink(KEY, `${token.slice(0, -1)}${sibling}`, { subject: LEAD, scopes: ["lead"], now })),
    ).toBe("signature");
  });
});
