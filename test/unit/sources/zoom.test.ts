import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, signZoom, TIMESTAMP_HEADER, zoom } from "#shared/adapters/sources/zoom";
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

const SECRET = "test-zoom-secret-token";
const nowSeconds = Math.floor(NOW.getTime() / 1000);
const signed = (body: string | Buffer, options: { secret?: string; at?: Date } = {}) =>
  webhookRequest(
    "zoom",
    body,
    signZoom(options.secret ?? SECRET, body, Math.floor((options.at ?? NOW).getTime() / 1000)),
  );
const receive = (body: string) => deliver(zoom, signed(body), context(SECRET));

describe("Zoom signature", () => {
  signatureContract({
    source: zoom,
    secret: SECRET,
    body: fixture("zoom", "webinar-registration-created"),
    prettyBody: fixtureText("zoom", "webinar-registration-created"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^(v0=)(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => value.replace("v0=", "v1="),
    requiredHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER],
    retimed: (request) => withHeader(request, TIMESTAMP_HEADER, String(nowSeconds - 1)),
  });

  it("matches Zoom's documented construction: v0= hex HMAC of v0:{timestamp}:{body}", () => {
    const body = fixture("zoom", "meeting-started");
    const digest = createHmac("sha256", SECRET).update(`v0:${nowSeconds}:${body}`).digest("hex");
    const headers = { [TIMESTAMP_HEADER]: String(nowSeconds), [SIGNATURE_HEADER]: `v0=${digest}` };
    expect(() => zoom.verify(webhookRequest("zoom", body, headers), context(SECRET))).not.toThrow();
  });
});

describe("Zoom URL validation", () => {
  it("answers the challenge in the same request with the plain and encrypted token", () => {
    const result = receive(fixture("zoom", "url-validation"));

    const encryptedToken = createHmac("sha256", SECRET).update("qgg8vlvZRS6UYooatFL8Aw").digest("hex");
    expect(result).toEqual({
      kind: "reply",
      status: 200,
      body: { plainToken: "qgg8vlvZRS6UYooatFL8Aw", encryptedToken },
    });
  });

  it("verifies the challenge's signature too: a forged validation gets no token", () => {
    const request = signed(fixture("zoom", "url-validation"), { secret: "forger" });
    expect(() => deliver(zoom, request, context(SECRET))).toThrow(InvalidSignatureError);
  });

  it("refuses a challenge without a plainToken with invalid_payload", () => {
    expect(() => receive('{"event":"endpoint.url_validation","payload":{}}')).toThrow(InvalidPayloadError);
  });
});

describe("Zoom webinar events", () => {
  it("turns a registration into webinar.registered with the registrant's answers", () => {
    const event = onlyEvent(receive(fixture("zoom", "webinar-registration-created")));

    expect(event).toMatchObject({
      source: "zoom",
      sourceEventId: "webinar.registration_created:4444AAAiAAAAAiAiAiiAii==:abcdefghij0-klmnopq23456",
      type: "webinar.registered",
      occurredAt: new Date(1795262326000).toISOString(),
      email: "jill@example.com",
      name: "Jill Example",
      company: "Example Foods",
      attributes: { jobTitle: "Head of Growth", industry: "Food", country: "US", companySize: "51-100" },
      properties: { webinarId: "85712345678", webinarTopic: "Lead scoring that sales trusts" },
    });
    expect(event.answers).toEqual({
      job_title: "Head of Growth",
      industry: "Food",
      country: "US",
      no_of_employees: "51-100",
      purchasing_time_frame: "Within a month",
      role_in_purchase_process: "Decision Maker",
      comments: "Looking forward to it",
      "What is your budget?": "$20k-$50k",
    });
  });

  it("keeps a 20-digit webinar id exactly", () => {
    const body = fixture("zoom", "webinar-registration-created").replace(
      '"id":85712345678',
      '"id":98765432109876543210',
    );
    expect(onlyEvent(receive(body)).properties?.webinarId).toBe("98765432109876543210");
  });

  it("turns a participant joining into webinar.attended, keyed by event, webinar, participant and time", () => {
    const event = onlyEvent(receive(fixture("zoom", "webinar-participant-joined")));
    expect(event).toMatchObject({
      sourceEventId: "webinar.participant_joined:4444AAAiAAAAAiAiAiiAii==:55555AAAiAAAAAiAiAiiAii==:1795867260000",
      type: "webinar.attended",
      email: "jill@example.com",
      name: "Jill Example",
      occurredAt: "2026-11-27T16:01:00.000Z",
      properties: { webinarId: "85712345678", joinedAt: "2026-11-27T16:01:00.000Z" },
    });
  });

  it("turns a participant leaving into webinar.attended with the minutes attended", () => {
    const event = onlyEvent(receive(fixture("zoom", "webinar-participant-left")));
    expect(event).toMatchObject({
      type: "webinar.attended",
      occurredAt: "2026-11-27T16:46:00.000Z",
      properties: { durationMinutes: 45, leaveReason: "left the webinar" },
    });
  });

  it("acknowledges a participant without an email (joined without registering)", () => {
    const body = fixture("zoom", "webinar-participant-joined").replace('"email":"jill@example.com"', '"email":""');
    expectIgnored(receive(body), /no email/);
  });

  it("acknowledges meeting events without recording them, so Zoom does not retry", () => {
    expectIgnored(receive(fixture("zoom", "meeting-started")), /meeting\.started/);
  });
});
