import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { calendly, SIGNATURE_HEADER, signCalendly } from "#shared/adapters/sources/calendly";
import { InvalidPayloadError, InvalidSignatureError } from "#shared/domain/errors";
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

const SECRET = "test-calendly-signing-key";
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const signed = (body: string | Buffer, options: { secret?: string; at?: Date } = {}) =>
  webhookRequest(
    "calendly",
    body,
    signCalendly(options.secret ?? SECRET, body, Math.floor((options.at ?? NOW).getTime() / 1000)),
  );
const receive = (body: string) => deliver(calendly, signed(body), context(SECRET));
const INVITEE = "https://api.calendly.com/scheduled_events/GBGBDCAADAEDCRZ2/invitees/AAAAAAAAAAAAAAAA";

describe("Calendly signature", () => {
  signatureContract({
    source: calendly,
    secret: SECRET,
    body: fixture("calendly", "invitee-created"),
    prettyBody: fixtureText("calendly", "invitee-created"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^(t=\d+,v1=)(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => value.replace("v1=", "v0="),
    requiredHeaders: [SIGNATURE_HEADER],
    retimed: (request) =>
      withHeader(
        request,
        SIGNATURE_HEADER,
        request.headers[SIGNATURE_HEADER]?.replace(/^t=\d+/, `t=${nowSeconds - 1}`),
      ),
  });

  it("matches Calendly's documented construction: t=…,v1= hex HMAC of {t}.{body}", () => {
    const body = fixture("calendly", "invitee-created");
    const digest = createHmac("sha256", SECRET).update(`${nowSeconds}.${body}`).digest("hex");
    const request = webhookRequest("calendly", body, { [SIGNATURE_HEADER]: `t=${nowSeconds},v1=${digest}` });
    expect(() => calendly.verify(request, context(SECRET))).not.toThrow();
  });

  it("refuses a signature header without its t= part", () => {
    const request = signed(fixture("calendly", "invitee-created"));
    const noTime = request.headers[SIGNATURE_HEADER]?.replace(/^t=\d+,/, "");
    expect(() => calendly.verify(withHeader(request, SIGNATURE_HEADER, noTime), context(SECRET))).toThrow(
      InvalidSignatureError,
    );
  });
});

describe("Calendly invitee events", () => {
  it("turns invitee.created into demo.scheduled keyed by event and invitee uri", () => {
    const event = onlyEvent(receive(fixture("calendly", "invitee-created")));

    expect(event).toMatchObject({
      source: "calendly",
      sourceEventId: `invitee.created:${INVITEE}`,
      type: "demo.scheduled",
      occurredAt: "2026-11-20T11:58:48.000Z",
      email: "mary@example.com",
      name: "Mary Example",
      company: "Example Labs",
      attributes: { companySize: "201-500" },
      properties: {
        eventName: "Ripen demo",
        startTime: "2026-11-24T15:00:00.000Z",
        utm_source: "newsletter",
        utm_campaign: "q4-launch",
      },
    });
    expect(event.answers).toEqual({
      "Company name": "Example Labs",
      "What would you like to discuss?": "We need scoring for 2,000 inbound leads a month; budget approved",
      "Company size": "201-500",
    });
  });

  it("turns invitee.canceled into demo.canceled with the reason", () => {
    const event = onlyEvent(receive(fixture("calendly", "invitee-canceled")));
    expect(event).toMatchObject({
      sourceEventId: `invitee.canceled:${INVITEE}`,
      type: "demo.canceled",
      properties: { cancelReason: "Found another time", canceledBy: "invitee" },
    });
  });

  it("turns invitee_no_show.created into demo.no_show at the time it was marked", () => {
    const event = onlyEvent(receive(fixture("calendly", "invitee-no-show-created")));
    expect(event).toMatchObject({
      sourceEventId: `invitee_no_show.created:${INVITEE}`,
      type: "demo.no_show",
      occurredAt: "2026-11-24T15:20:00.000Z",
    });
  });

  it("keeps a 20-digit answer exactly", () => {
    const body = fixture("calendly", "invitee-created").replace(
      '"answer":"201-500"',
      '"answer":"12345678901234567890"',
    );
    expect(onlyEvent(receive(body)).answers?.["Company size"]).toBe("12345678901234567890");
  });

  it("acknowledges other subscriptions without recording them", () => {
    expectIgnored(receive(fixture("calendly", "routing-form-submission-created")), /routing_form_submission/);
  });

  it("refuses an invitee without its uri with invalid_payload", () => {
    const body = fixture("calendly", "invitee-created").replace(`,"uri":"${INVITEE}"`, "");
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
