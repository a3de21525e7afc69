import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hubspot,
  hubspotSignedUri,
  publicRequestUrl,
  SIGNATURE_HEADER,
  signHubspot,
  TIMESTAMP_HEADER,
} from "#shared/adapters/sources/hubspot";
import { InvalidPayloadError, InvalidSignatureError, SourceNotConfiguredError } from "#shared/domain/errors";
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

const SECRET = "test-hubspot-client-secret";
const PUBLIC_URL = "https://api.example.com";
const hubspotContext = context(SECRET, { publicUrl: PUBLIC_URL });

/** A delivery to PUBLIC_URL/webhooks/hubspot[?query], signed as HubSpot signs the URL it calls. */
function signed(body: string | Buffer, options: { secret?: string; at?: Date; query?: string; method?: string } = {}) {
  const query = options.query ?? "";
  const url = `${PUBLIC_URL}/webhooks/hubspot${query === "" ? "" : `?${query}`}`;
  const headers = signHubspot(options.secret ?? SECRET, {
    ...(options.method !== undefined && { method: options.method }),
    url,
    rawBody: body,
    timestampMs: (options.at ?? NOW).getTime(),
  });
  return webhookRequest("hubspot", body, headers, { rawQueryString: query, method: options.method ?? "POST" });
}
const receive = (body: string) => deliver(hubspot, signed(body), hubspotContext);

describe("HubSpot v3 signature", () => {
  signatureContract({
    source: hubspot,
    secret: SECRET,
    body: fixture("hubspot", "workflow-contact"),
    prettyBody: fixtureText("hubspot", "workflow-contact"),
    signed,
    context: { publicUrl: PUBLIC_URL },
    signatureHeader: SIGNATURE_HEADER,
    digest: /^()(.+)$/,
    encoding: "base64",
    wrongPrefix: (value) => `v3=${value}`,
    requiredHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER],
    retimed: (request) => withHeader(request, TIMESTAMP_HEADER, String(NOW.getTime() - 1)),
  });

  it("matches HubSpot's documented construction: base64 HMAC of method + URI + body + timestamp", () => {
    const body = '{"email":"ada@example.com"}';
    const timestamp = String(NOW.getTime());
    const digest = createHmac("sha256", SECRET)
      .update(`POST${PUBLIC_URL}/webhooks/hubspot${body}${timestamp}`)
      .digest("base64");
    const request = webhookRequest("hubspot", body, { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: digest });
    expect(() => hubspot.verify(request, hubspotContext)).not.toThrow();
  });

  it("verifies a URL with a query string, decoding only the characters HubSpot decodes", () => {
    const query = "form=demo%3Arequest&utm_campaign=q4%20launch&ref=%40partner%2Fnews";
    expect(hubspotSignedUri(`${PUBLIC_URL}/webhooks/hubspot?${query}`)).toBe(
      `${PUBLIC_URL}/webhooks/hubspot?form=demo:request&utm_campaign=q4%20launch&ref=@partner/news`,
    );
    const request = signed(fixture("hubspot", "workflow-contact"), { query });
    expect(() => hubspot.verify(request, hubspotContext)).not.toThrow();
  });

  it("refuses when the query string differs from the one signed", () => {
    const request = { ...signed(fixture("hubspot", "workflow-contact"), { query: "a=1" }), rawQueryString: "a=2" };
    expect(() => hubspot.verify(request, hubspotContext)).toThrow(InvalidSignatureError);
  });

  it("refuses a signature made for another method", () => {
    const request = { ...signed(fixture("hubspot", "workflow-contact"), { method: "PUT" }), method: "POST" };
    expect(() => hubspot.verify(request, hubspotContext)).toThrow(InvalidSignatureError);
  });

  it("refuses a signature made for another public URL (scheme included)", () => {
    const request = signed(fixture("hubspot", "workflow-contact"));
    expect(() => hubspot.verify(request, { ...hubspotContext, publicUrl: "http://api.example.com" })).toThrow(
      InvalidSignatureError,
    );
  });

  it("tolerates a trailing slash on the configured public URL", () => {
    const request = signed(fixture("hubspot", "workflow-contact"));
    expect(() => hubspot.verify(request, { ...hubspotContext, publicUrl: `${PUBLIC_URL}/` })).not.toThrow();
  });

  it("rebuilds the public URL from a base with a stage, whether or not the path repeats the stage", () => {
    expect(publicRequestUrl("https://abc.example.com/prod", "/webhooks/hubspot", "")).toBe(
      "https://abc.example.com/prod/webhooks/hubspot",
    );
    expect(publicRequestUrl("https://abc.example.com/prod/", "/prod/webhooks/hubspot", "a=1")).toBe(
      "https://abc.example.com/prod/webhooks/hubspot?a=1",
    );
    expect(publicRequestUrl("https://abc.example.com", "/webhooks/hubspot", "")).toBe(
      "https://abc.example.com/webhooks/hubspot",
    );
  });

  it("cannot verify without the public URL: a configuration error, not a forged request", () => {
    const request = signed(fixture("hubspot", "workflow-contact"));
    expect(() => hubspot.verify(request, context(SECRET))).toThrow(SourceNotConfiguredError);
  });
});

describe("HubSpot workflow webhook", () => {
  it("turns a contact sent from a form workflow into form.submitted keyed by the form submission", () => {
    const event = onlyEvent(receive(fixture("hubspot", "workflow-contact")));

    expect(event).toMatchObject({
      source: "hubspot",
      sourceEventId: "form:5f7bcf43-1c7e-4c8b-9c0a-2d1e3f4a5b6c",
      type: "form.submitted",
      occurredAt: new Date(1795262326000).toISOString(),
      email: "margaret@example.com",
      name: "Margaret Example",
      company: "Example Aerospace",
      attributes: { jobTitle: "VP Engineering", companySize: "500-1000", industry: "Aerospace" },
      properties: { formTitle: "Demo request", pageUrl: "https://www.example.com/demo", contactId: "3234574" },
    });
    expect(event.answers).toEqual({
      email: "margaret@example.com",
      firstname: "Margaret",
      lastname: "Example",
      company: "Example Aerospace",
      jobtitle: "VP Engineering",
      numemployees: "500-1000",
      industry: "Aerospace",
      budget: "75000",
      timeline: "Next quarter",
    });
  });

  it("takes a custom request body of chosen properties, keyed by the body's digest", () => {
    const event = onlyEvent(receive(fixture("hubspot", "workflow-custom-body")));
    expect(event).toMatchObject({
      sourceEventId: expect.stringMatching(/^body:[0-9a-f]{64}$/),
      email: "katherine@example.com",
      name: "Katherine Example",
      occurredAt: "2026-11-20T11:58:46.000Z",
      answers: { budget: "120000", company: "Example Orbital" },
      properties: { contactId: "51" },
    });
  });

  it("keeps a 20-digit contact id exactly", () => {
    const body = fixture("hubspot", "workflow-contact").replace(
      '"canonical-vid":3234574',
      '"canonical-vid":12345678901234567890',
    );
    expect(onlyEvent(receive(body)).properties?.contactId).toBe("12345678901234567890");
  });

  it.each([
    ["42", "42"],
    ["-42", "-42"],
    [String(2n ** 60n), "1152921504606846976"],
    ['"evt-42"', "evt-42"],
  ])("takes an eventId %s as the dedupe key, kept as its exact digits", (id, expected) => {
    const body = fixture("hubspot", "workflow-contact").replace('{"vid":', `{"eventId":${id},"vid":`);
    expect(onlyEvent(receive(body)).sourceEventId).toBe(expected);
  });

  it.each(["1.5", "true", '""'])("refuses an eventId %s with invalid_payload", (id) => {
    const body = fixture("hubspot", "workflow-contact").replace('{"vid":', `{"eventId":${id},"vid":`);
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });

  it("acknowledges Webhooks-API change notices, which carry no email", () => {
    expectIgnored(receive(fixture("hubspot", "crm-events")), /no contact email/);
  });

  it("acknowledges a contact without an email", () => {
    expectIgnored(receive('{"firstname":"Nobody"}'), /no email/);
  });

  it("refuses a form submission without its conversion id with invalid_payload", () => {
    const body = fixture("hubspot", "workflow-contact").replace(
      '"conversion-id":"5f7bcf43-1c7e-4c8b-9c0a-2d1e3f4a5b6c",',
      "",
    );
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
