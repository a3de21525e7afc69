import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signTypeform, typeform } from "#shared/adapters/sources/typeform";
import { InvalidPayloadError } from "#shared/domain/errors";
import { signatureContract } from "./signature-contract";
import { context, deliver, expectIgnored, fixture, fixtureText, onlyEvent, webhookRequest } from "./support";

const SECRET = "test-typeform-secret";
const signed = (body: string | Buffer, options: { secret?: string } = {}) =>
  webhookRequest("typeform", body, signTypeform(options.secret ?? SECRET, body));
const receive = (body: string) => deliver(typeform, signed(body), context(SECRET));

describe("Typeform signature", () => {
  signatureContract({
    source: typeform,
    secret: SECRET,
    body: fixture("typeform", "form-response"),
    prettyBody: fixtureText("typeform", "form-response"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^(sha256=)(.+)$/,
    encoding: "base64",
    wrongPrefix: (value) => value.replace("sha256=", "sha1="),
    requiredHeaders: [SIGNATURE_HEADER],
  });

  it("refuses the digest without its sha256= prefix", () => {
    const request = signed(fixture("typeform", "form-response"));
    const bare = request.headers[SIGNATURE_HEADER]?.slice("sha256=".length) ?? "";
    expect(() =>
      typeform.verify({ ...request, headers: { ...request.headers, [SIGNATURE_HEADER]: bare } }, context(SECRET)),
    ).toThrow();
  });
});

describe("Typeform form_response", () => {
  it("becomes one form.submitted keyed by the response token, with every answer under its ref or title", () => {
    const event = onlyEvent(receive(fixture("typeform", "form-response")));

    expect(event).toMatchObject({
      source: "typeform",
      sourceEventId: "01HZX3K9Q7T2M4B6C8D0E2F4G6",
      type: "form.submitted",
      occurredAt: "2026-11-20T11:58:44.000Z",
      email: "ada@example.com",
      name: "Ada Example",
      company: "Example Analytics Ltd",
      attributes: { companySize: "51-200" },
      properties: { formId: "lT4Z3j", formTitle: "Talk to sales", utm_source: "newsletter", utm_campaign: "q4-launch" },
    });
    expect(event.answers).toEqual({
      readable_ref_short_text: "Ada Example",
      work_email: "ada@example.com",
      // A generated ref (a UUID) is not readable: the title stands in.
      Company: "Example Analytics Ltd",
      company_size: "51-200",
      budget: 25000,
      timeline: "This quarter",
      products: ["Scoring", "Alerts", "Reporting"],
      decision_maker: true,
      start_date: "2027-01-15",
      website: "https://example.com",
    });
  });

  it("keeps a 20-digit number answer exactly", () => {
    const body = fixture("typeform", "form-response").replace('"number":25000', '"number":12345678901234567890');
    expect(onlyEvent(receive(body)).answers?.budget).toBe("12345678901234567890");
  });

  it("acknowledges a partial response without recording it", () => {
    expectIgnored(receive(fixture("typeform", "form-response-partial")), /form_response_partial/);
  });

  it("acknowledges a response without an email answer", () => {
    const body = fixture("typeform", "form-response").replaceAll("ada@example.com", "not-an-email");
    expectIgnored(receive(body), /no email/);
  });

  it("refuses a form_response that does not match Typeform's schema with invalid_payload", () => {
    const body = JSON.stringify({ event_id: "x", event_type: "form_response", form_response: { token: 42 } });
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
