import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signTally, tally } from "#shared/adapters/sources/tally";
import { InvalidPayloadError } from "#shared/domain/errors";
import { signatureContract } from "./signature-contract";
import { context, deliver, expectIgnored, fixture, fixtureText, onlyEvent, webhookRequest } from "./support";

const SECRET = "test-tally-signing-secret";
const signed = (body: string | Buffer, options: { secret?: string } = {}) =>
  webhookRequest("tally", body, signTally(options.secret ?? SECRET, body));
const receive = (body: string) => deliver(tally, signed(body), context(SECRET));

describe("Tally signature", () => {
  signatureContract({
    source: tally,
    secret: SECRET,
    body: fixture("tally", "form-response"),
    prettyBody: fixtureText("tally", "form-response"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^()(.+)$/,
    encoding: "base64",
    wrongPrefix: (value) => `sha256=${value}`,
    requiredHeaders: [SIGNATURE_HEADER],
  });
});

describe("Tally FORM_RESPONSE", () => {
  it("becomes one form.submitted keyed by the response id, answers under their labels and choices as texts", () => {
    const event = onlyEvent(receive(fixture("tally", "form-response")));

    expect(event).toMatchObject({
      source: "tally",
      sourceEventId: "2wgx4n",
      type: "form.submitted",
      occurredAt: "2026-11-20T11:58:45.000Z",
      email: "grace@example.com",
      name: "Grace Example",
      company: "Example Robotics",
      attributes: { companySize: "201-500" },
      properties: {
        formId: "VwbNEw",
        formName: "Request a demo",
        tallyEventId: "a4cb511e-d513-4fa5-baee-b815d718dfd1",
      },
    });
    expect(event.answers).toEqual({
      "Full name": "Grace Example",
      "Work email": "grace@example.com",
      Company: "Example Robotics",
      "Company size": "201-500",
      "Budget (USD)": 40000,
      "Which features?": ["Scoring", "Alerts"],
      Timeline: "Within 3 months",
      "How sure are you?": 8,
      "Attach a brief": ["brief.pdf"],
      utm_source: "linkedin",
    });
  });

  it("keeps a 20-digit number answer exactly", () => {
    const body = fixture("tally", "form-response").replace('"value":40000', '"value":12345678901234567890');
    expect(onlyEvent(receive(body)).answers?.["Budget (USD)"]).toBe("12345678901234567890");
  });

  it("acknowledges other event types without recording them", () => {
    expectIgnored(receive(JSON.stringify({ eventId: "e", eventType: "FORM_DELETED", data: {} })), /FORM_DELETED/);
  });

  it("acknowledges a response without an email answer", () => {
    const body = fixture("tally", "form-response").replaceAll("grace@example.com", "grace at example");
    expectIgnored(receive(body), /no email/);
  });

  it("refuses a FORM_RESPONSE without its response id with invalid_payload", () => {
    const body = fixture("tally", "form-response").replace('"responseId":"2wgx4n",', "");
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
