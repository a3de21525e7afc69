import { describe, expect, it } from "vitest";
import { NotConfiguredError } from "#shared/domain/errors";
import { verifyLink } from "#shared/domain/links";
import { alertPageLinks } from "#shared/runtime/links";
import { sqlAlert } from "../alerts/fixtures";

const KEY = "alert-page-links-key-0123456789abcdef";
const now = new Date("2026-12-01T10:00:00Z");
const warnings: string[] = [];
const settings = {
  publicUrl: "https://api.example.com/",
  days: 7,
  key: async () => KEY,
  clock: () => now,
  log: { warn: (message: string) => warnings.push(message) },
};

describe("alert page links", () => {
  it("links an alert to its lead's page, for the lead's owner, for the configured days", async () => {
    // Prepare
    const alert = sqlAlert();
    const link = await alertPageLinks(settings);

    // Act
    const url = new URL(link?.(alert) ?? "");
    const [, , , leadId = "", token = ""] = url.pathname.split("/");

    // Assess
    expect(url.origin).toBe("https://api.example.com");
    expect(url.pathname.startsWith(`/links/leads/${alert.leadId}/`)).toBe(true);
    expect(leadId).toBe(alert.leadId);
    const claims = verifyLink(KEY, decodeURIComponent(token), { subject: alert.leadId, scopes: ["lead"], now });
    expect(claims).toEqual({ scope: "lead", expiresAt: now.getTime() / 1000 + 7 * 86_400, rep: alert.owner?.id });
  });

  it("makes no link without a public URL, and none without a key, saying so", async () => {
    expect(await alertPageLinks({ ...settings, publicUrl: undefined })).toBeUndefined();
    const missing = async () => {
      throw new NotConfiguredError("no link key");
    };
    expect(await alertPageLinks({ ...settings, key: missing })).toBeUndefined();
    expect(warnings).toEqual(["alerts go without a link to their lead page"]);
  });

  it("throws when the key cannot be read now, so the bus retries the alert", async () => {
    const failing = async () => {
      throw new Error("secrets manager unavailable");
    };
    await expect(alertPageLinks({ ...settings, key: failing })).rejects.toThrow("unavailable");
  });
});
