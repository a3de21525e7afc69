import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { NotConfiguredError } from "#shared/domain/errors";
import { DEVELOPMENT_ID_KEY, emailSha256, pseudonyms } from "#shared/domain/pseudonyms";
import { errorResponse } from "#shared/edge/http-errors";
import { pseudonymSource } from "#shared/runtime/pseudonyms";

const KEY = "a-key-of-at-least-thirty-two-characters";

describe("pseudonyms", () => {
  it("give an email the same lead id whatever its case and spaces, and a lead id of the usual shape", () => {
    const ids = pseudonyms(KEY);

    expect(ids.leadId(" Ada@Example.COM ")).toBe(ids.leadId("ada@example.com"));
    expect(ids.leadId("ada@example.com")).toMatch(/^ld_[0-9a-f]{24}$/);
  });

  it("depend on the key: without it, the email's hash gives nothing away", () => {
    const email = "ada@example.com";
    const bare = createHash("sha256").update(email).digest("hex");

    const one = pseudonyms(KEY).leadId(email);
    const other = pseudonyms(`${KEY}-other`).leadId(email);

    expect(one).not.toBe(other);
    expect(one).not.toContain(bare.slice(0, 24));
    expect(pseudonyms(KEY).eventKey("typeform:abc")).not.toBe(pseudonyms(`${KEY}-other`).eventKey("typeform:abc"));
  });

  it("hash a lead id and an event key of the same text apart, and an event key into 22 URL-safe characters", () => {
    const ids = pseudonyms(KEY);

    expect(ids.eventKey("ada@example.com")).not.toBe(ids.leadId("ada@example.com").slice(3));
    expect(ids.eventKey("generic:evt-1")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ids.eventKey("generic:evt-1\u00ff")).not.toBe(ids.eventKey("generic:evt-1\u00fe"));
  });

  it("re-key an earlier release's tombstone from the email's SHA-256 alone", () => {
    const ids = pseudonyms(KEY);

    expect(ids.leadIdOfEmailHash(emailSha256("Ada@Example.com"))).toBe(ids.leadId("ada@example.com"));
  });

  it("refuse a short key", () => {
    expect(() => pseudonyms("short")).toThrow(/at least 32/);
  });
});

describe("the deployment's key", () => {
  it("is RIPEN_ID_KEY, read once", async () => {
    const source = pseudonymSource({ RIPEN_ID_KEY: KEY });

    const [first, second] = await Promise.all([source(), source()]);

    expect(first).toBe(second);
    expect(first.leadId("ada@example.com")).toBe(pseudonyms(KEY).leadId("ada@example.com"));
  });

  it("refuses a key that is also a sender's or Slack's signing secret", async () => {
    await expect(pseudonymSource({ RIPEN_ID_KEY: KEY, RIPEN_SECRET_TYPEFORM: KEY })()).rejects.toThrow(
      /RIPEN_SECRET_TYPEFORM/,
    );
    await expect(pseudonymSource({ RIPEN_ID_KEY: KEY, SLACK_SIGNING_SECRET: KEY })()).rejects.toBeInstanceOf(
      NotConfiguredError,
    );
  });

  it("takes the development key only in the local runtime", async () => {
    await expect(pseudonymSource({ RIPEN_ID_KEY: DEVELOPMENT_ID_KEY, RIPEN_LOCAL: "1" })()).resolves.toBeDefined();
    await expect(pseudonymSource({ RIPEN_ID_KEY: DEVELOPMENT_ID_KEY })()).rejects.toBeInstanceOf(NotConfiguredError);
  });

  it("refuses no key or a short one with a 503 the sender retries, and tries again on the next call", async () => {
    const env: NodeJS.ProcessEnv = {};
    const source = pseudonymSource(env);

    const missing = await source().catch((error: unknown) => error);
    const short = await pseudonymSource({ RIPEN_ID_KEY: "short" })().catch((error: unknown) => error);
    env.RIPEN_ID_KEY = KEY;
    const later = await source();

    expect(missing).toBeInstanceOf(NotConfiguredError);
    expect(short).toBeInstanceOf(NotConfiguredError);
    expect(errorResponse(missing)).toMatchObject({ statusCode: 503, headers: { "retry-after": "5" } });
    expect(later.leadId("ada@example.com")).toBe(pseudonyms(KEY).leadId("ada@example.com"));
  });
});
