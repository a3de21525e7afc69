import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SIGNATURE_HEADER, savvycal, signSavvyCal, WEBHOOK_ID_HEADER } from "#shared/adapters/sources/savvycal";
import { InvalidSignatureError } from "#shared/domain/errors";
import { signatureContract } from "./signature-contract";
import {
  context,
  deliver,
  expectIgnored,
  fixture,
  fixtureText,
  onlyEvent,
  webhookRequest,
  withHeader,
} from "./support";

const SECRET = "test-savvycal-webhook-secret";
const signed = (body: string | Buffer, options: { secret?: string } = {}) =>
  webhookRequest("savvycal", body, signSavvyCal(options.secret ?? SECRET, body));
const receive = (body: string) => deliver(savvycal, signed(body), context(SECRET));
const EVENT = "event_01JEXAMPLE0000000000000001";

describe("SavvyCal signature", () => {
  signatureContract({
    source: savvycal,
    secret: SECRET,
    body: fixture("savvycal", "event-created"),
    prettyBody: fixtureText("savvycal", "event-created"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^(sha256=)(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => value.replace("sha256=", "sha1="),
    requiredHeaders: [SIGNATURE_HEADER],
  });

  it("matches SavvyCal's documented construction: sha256= and the hex HMAC of the raw body, in capitals", () => {
    const body = fixture("savvycal", "event-created");
    const digest = createHmac("sha256", SECRET).update(body).digest("hex");
    expect(signSavvyCal(SECRET, body)[SIGNATURE_HEADER]).toBe(`sha256=${digest.toUpperCase()}`);
    for (const hex of [digest.toUpperCase(), digest.toLowerCase()]) {
      const request = webhookRequest("savvycal", body, { [SIGNATURE_HEADER]: `sha256=${hex}` });
      expect(() => savvycal.verify(request, context(SECRET))).not.toThrow();
    }
  });

  it("does not need x-savvycal-webhook-id to verify, and a forged one does not help", () => {
    const request = signed(fixture("savvycal", "event-created"));
    expect(() => savvycal.verify(withHeader(request, WEBHOOK_ID_HEADER, undefined), context(SECRET))).not.toThrow();
    const forged = signed(fixture("savvycal", "event-created"), { secret: "forger" });
    expect(() => savvycal.verify(forged, context(SECRET))).toThrow(InvalidSignatureError);
  });
});

describe("SavvyCal bookings", () => {
  it("turns event.created into demo.scheduled for the scheduler, keyed by trigger and event id", () => {
    const event = onlyEvent(receive(fixture("savvycal", "event-created")));
    expect(event).toMatchObject({
      source: "savvycal",
      sourceEventId: `event.created:${EVENT}`,
      type: "demo.scheduled",
      occurredAt: "2026-11-20T11:58:47.000Z",
      email: "sally@example.com",
      name: "Sally Example",
      company: "Example Robotics",
      attributes: { companySize: "51-200" },
      properties: {
        eventName: "Ripen demo",
        link: "demo",
        startTime: "2026-11-24T15:00:00.000Z",
        durationMinutes: 30,
        timezone: "America/Chicago",
      },
    });
    expect(event.answers).toEqual({
      Company: "Example Robotics",
      "Company size": "51-200",
      "What are we discussing today?": "Scoring our inbound demo requests",
    });
  });

  it("turns event.canceled into demo.canceled with the reason", () => {
    const event = onlyEvent(receive(fixture("savvycal", "event-canceled")));
    expect(event).toMatchObject({
      sourceEventId: `event.canceled:${EVENT}`,
      type: "demo.canceled",
      email: "sally@example.com",
      properties: { cancelReason: "Found another time" },
    });
  });

  it("keys on the booking, not on x-savvycal-webhook-id, which is the same for every delivery of a webhook", () => {
    const first = fixture("savvycal", "event-created");
    const second = first.replaceAll(EVENT, "event_01JEXAMPLE0000000000000099");
    const keys = [first, second].map((body) => onlyEvent(receive(body)).sourceEventId);
    expect(new Set(keys).size).toBe(2);
    expect(signed(first).headers[WEBHOOK_ID_HEADER]).toBe(signed(second).headers[WEBHOOK_ID_HEADER]);
  });

  it("finds the scheduler among the attendees when the scheduler field is missing", () => {
    const document = JSON.parse(fixtureText("savvycal", "event-created")) as { payload: Record<string, unknown> };
    delete document.payload.scheduler;
    expect(onlyEvent(receive(JSON.stringify(document))).email).toBe("sally@example.com");
  });

  it("acknowledges other webhook types without recording them", () => {
    expectIgnored(receive(fixture("savvycal", "poll-response-created")), /poll\.response\.created/);
  });

  it("acknowledges a booking made by the organizer alone (no scheduler with an email)", () => {
    const document = JSON.parse(fixtureText("savvycal", "event-created")) as {
      payload: { scheduler?: unknown; attendees: { is_organizer: boolean }[] };
    };
    delete document.payload.scheduler;
    document.payload.attendees = document.payload.attendees.filter((attendee) => attendee.is_organizer);
    expectIgnored(receive(JSON.stringify(document)), /no scheduler/);
  });
});
