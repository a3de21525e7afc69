import type { SESv2Client } from "@aws-sdk/client-sesv2";
import { describe, expect, it } from "vitest";
import { alertEmail } from "#shared/adapters/email/alert-email";
import { addressHash, recipientsFor, sesAlertSender } from "#shared/adapters/email/ses";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";
import { recordingLog, sqlAlert } from "./fixtures";

describe("the alert email", () => {
  it("names the lead and the stage in the subject", () => {
    expect(alertEmail(sqlAlert()).subject).toBe(
      "[Ripen] Sales-ready: Ada Lovelace · Analytical Engines: SQL, score 82",
    );
  });

  it("carries the same facts in both parts", () => {
    // Act
    const { html, text } = alertEmail(sqlAlert(), { leadUrl: "https://crm.example.com/leads/ld_1" });

    // Assess
    for (const fact of ["SQL (was MQL)", "Grace Hopper", "Demo completed (+50)", "typeform · autumn-webinar"]) {
      expect(text).toContain(fact);
      expect(html).toContain(fact);
    }
    expect(text).toContain("Budget: 50k (met)");
    expect(text).toContain("Authority: unknown");
    expect(html).toContain('<a href="https://crm.example.com/leads/ld_1">');
  });

  it("escapes form input in HTML and keeps the subject on one line", () => {
    // Prepare
    const alert = sqlAlert({
      lead: {
        email: "x@example.com",
        name: '<script>alert("x")</script>\r\nBcc: all@example.com',
        domain: "example.com",
      },
    });

    // Act
    const { html, subject } = alertEmail(alert);

    // Assess
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it("lists ten reasons and counts the rest", () => {
    const reasons = Array.from({ length: 25 }, (_, index) => ({
      ruleId: `r${index}`,
      axis: "fit" as const,
      label: `Reason ${index}`,
      hits: 1,
      points: 1,
      decayedPoints: 1,
    }));

    const { text } = alertEmail(sqlAlert({ reasons }));

    expect(text).toContain("Reason 9 (+1)");
    expect(text).not.toContain("Reason 10 (+1)");
    expect(text).toContain("and 15 more");
  });
});

describe("email recipients", () => {
  it("is the owner when the owner has an email", () => {
    expect(recipientsFor(sqlAlert(), ["sales@ripen.test"])).toEqual(["grace@ripen.test"]);
  });

  it("falls back to the configured addresses without an owner email", () => {
    const unowned = sqlAlert({ owner: { id: "slack:U1", name: "Someone", email: "" } });

    expect(recipientsFor(unowned, ["sales@ripen.test", "not an address"])).toEqual(["sales@ripen.test"]);
    expect(recipientsFor(sqlAlert({ owner: undefined }), [])).toEqual([]);
  });

  it("logs addresses only as a short hash", () => {
    expect(addressHash(" Grace@Ripen.test ")).toBe(addressHash("grace@ripen.test"));
    expect(addressHash("grace@ripen.test")).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe("SES refusals", () => {
  /** An SES client whose every send fails as the SDK reports it. */
  const failingWith = (name: string, fault?: "client" | "server") =>
    ({
      send: async () => {
        throw Object.assign(new Error(name), { name, ...(fault && { $fault: fault }) });
      },
    }) as unknown as SESv2Client;

  it.each([
    ["a rejected message", "MessageRejected", "client" as const, AlertRejectedError],
    ["an unverified sender", "MailFromDomainNotVerifiedException", "client" as const, AlertRejectedError],
    ["throttling", "TooManyRequestsException", "client" as const, AlertUnavailableError],
    ["an SES outage", "InternalFailure", "server" as const, AlertUnavailableError],
    ["a network failure", "TimeoutError", undefined, AlertUnavailableError],
  ])("reports %s as %s", async (_, name, fault, expected) => {
    // Prepare
    const sender = sesAlertSender({
      client: failingWith(name, fault),
      from: "alerts@ripen.test",
      fallbackRecipients: [],
      log: recordingLog().log,
    });

    // Act
    const sending = sender.send(sqlAlert(), "owner");

    // Assess
    await expect(sending).rejects.toBeInstanceOf(expected);
    await expect(sending).rejects.toThrow(name);
  });
});
