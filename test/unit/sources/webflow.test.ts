import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signWebflow, TIMESTAMP_HEADER, webflow } from "#shared/adapters/sources/webflow";
import { InvalidPayloadError } from "#shared/domain/errors";
import { signatureContract } from "./signature-contract";
import {
  context,
  deliver,
  expectIgnored,
  fixture,
  fixtureText,
  NOW,
  onlyEvent,
  webhookRequest,
  withHeader,
} from "./support";

const SECRET = "test-webflow-secret";
const signed = (body: string | Buffer, options: { secret?: string; at?: Date } = {}) =>
  webhookRequest("webflow", body, signWebflow(options.secret ?? SECRET, body, (options.at ?? NOW).getTime()));
const receive = (body: string) => deliver(webflow, signed(body), context(SECRET));

describe("Webflow signature", () => {
  signatureContract({
    source: webflow,
    secret: SECRET,
    body: fixture("webflow", "form-submission"),
    prettyBody: fixtureText("webflow", "form-submission"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^()(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => `sha256=${value}`,
    requiredHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER],
    retimed: (request) => withHeader(request, TIMESTAMP_HEADER, String(NOW.getTime() - 1)),
  });

  it("reads its timestamp in milliseconds: the same instant in seconds is refused", () => {
    const body = fixture("webflow", "form-submission");
    const seconds = Math.floor(NOW.getTime() / 1000);
    const headers = {
      [TIMESTAMP_HEADER]: String(seconds),
      [SIGNATURE_HEADER]: signWebflow(SECRET, body, seconds)[SIGNATURE_HEADER] ?? "",
    };
    expect(() => webflow.verify(webhookRequest("webflow", body, headers), context(SECRET))).toThrow(/old/);
  });

  it("declares that it may be configured to take unsigned deliveries (site dashboard webhooks)", () => {
    expect(webflow.unsignedUnless).toBe("x-webflow-signature");
  });
});

describe("Webflow form_submission", () => {
  it("becomes one form.submitted keyed by the submission id, answers under their field names", () => {
    const event = onlyEvent(receive(fixture("webflow", "form-submission")));

    expect(event).toMatchObject({
      source: "webflow",
      sourceEventId: "6321ca84df3949bfc6752327",
      type: "form.submitted",
      occurredAt: "2026-11-20T11:58:46.117Z",
      email: "linus@example.com",
      name: "Linus Example",
      company: "Example Foods",
      attributes: { companySize: "11-50" },
      properties: { formName: "Contact Us", path: "/contact", siteId: "65427cf400e02b306eaa049c" },
    });
    expect(event.answers).toEqual({
      "First Name": "Linus",
      "Last Name": "Example",
      email: "linus@example.com",
      Company: "Example Foods",
      "Company size": "11-50",
      Budget: "10k-50k",
      "Phone Number": 15550000000,
    });
  });

  it("maps an unsigned delivery the same way (verification is skipped by configuration, not here)", () => {
    const request = webhookRequest("webflow", fixture("webflow", "form-submission"), {});
    expect(onlyEvent(webflow.toEvents(request, context(""))).sourceEventId).toBe("6321ca84df3949bfc6752327");
  });

  it("accepts the v1 shape site-level webhooks still send", () => {
    const event = onlyEvent(receive(fixture("webflow", "form-submission-v1")));
    expect(event).toMatchObject({
      sourceEventId: "6321ca84df3949bfc6752328",
      email: "some.one@example.com",
      name: "Some One",
      answers: { name: "Some One", email: "some.one@example.com" },
    });
  });

  it("keeps a 20-digit number exactly", () => {
    const body = fixture("webflow", "form-submission").replace("15550000000", "12345678901234567890");
    expect(onlyEvent(receive(body)).answers?.["Phone Number"]).toBe("12345678901234567890");
  });

  it("finds the email in a field whatever its name", () => {
    const body = fixture("webflow", "form-submission").replace('"email":"linus', '"Field 3":"linus');
    expect(onlyEvent(receive(body)).email).toBe("linus@example.com");
  });

  it("acknowledges other triggers without recording them", () => {
    expectIgnored(receive(fixture("webflow", "site-publish")), /site_publish/);
  });

  it("refuses a form_submission without its id with invalid_payload", () => {
    const body = fixture("webflow", "form-submission").replace('"id":"6321ca84df3949bfc6752327",', "");
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
