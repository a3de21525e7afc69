import { describe, expect, it } from "vitest";
import { calcom, NO_SECRET, SIGNATURE_HEADER, signCalcom } from "#shared/adapters/sources/calcom";
import { InvalidPayloadError, InvalidSignatureError } from "#shared/domain/errors";
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

const SECRET = "test-calcom-webhook-secret";
const signed = (body: string | Buffer, options: { secret?: string } = {}) =>
  webhookRequest("calcom", body, signCalcom(options.secret ?? SECRET, body));
const receive = (body: string) => deliver(calcom, signed(body), context(SECRET));

describe("Cal.com signature", () => {
  signatureContract({
    source: calcom,
    secret: SECRET,
    body: fixture("calcom", "booking-created"),
    prettyBody: fixtureText("calcom", "booking-created"),
    signed,
    signatureHeader: SIGNATURE_HEADER,
    digest: /^()(.+)$/,
    encoding: "hex",
    wrongPrefix: (value) => `sha256=${value}`,
    requiredHeaders: [SIGNATURE_HEADER],
  });

  it("refuses no-secret-provided (a webhook saved without a secret) with invalid_signature", () => {
    const request = withHeader(signed(fixture("calcom", "booking-created")), SIGNATURE_HEADER, NO_SECRET);
    expect(() => calcom.verify(request, context(SECRET))).toThrow(InvalidSignatureError);
    expect(() => calcom.verify(request, context(SECRET))).toThrow(/no secret/);
  });
});

describe("Cal.com triggers", () => {
  it("turns BOOKING_CREATED into demo.scheduled keyed by trigger and booking uid, answers by response key", () => {
    const event = onlyEvent(receive(fixture("calcom", "booking-created")));

    expect(event).toMatchObject({
      source: "calcom",
      sourceEventId: "BOOKING_CREATED:bFJeNb2uX8ANpT3JL5EfXw",
      type: "demo.scheduled",
      occurredAt: "2026-11-20T11:58:49.538Z",
      email: "alan@example.com",
      name: "Alan Example",
      company: "Example Compute",
      attributes: { companySize: "11-50" },
      properties: { eventType: "demo-30", startTime: "2026-11-25T10:00:00.000Z" },
    });
    expect(event.answers).toEqual({
      company: "Example Compute",
      "company-size": "11-50",
      budget: "$10k-$25k",
      notes: "Budget is approved for Q1",
    });
  });

  it("turns BOOKING_CANCELLED into demo.canceled with the reason", () => {
    const event = onlyEvent(receive(fixture("calcom", "booking-cancelled")));
    expect(event).toMatchObject({
      sourceEventId: "BOOKING_CANCELLED:bFJeNb2uX8ANpT3JL5EfXw",
      type: "demo.canceled",
      properties: { cancelReason: "Conflict" },
    });
  });

  it("turns MEETING_ENDED into demo.completed, the booker taken from the attendees", () => {
    const event = onlyEvent(receive(fixture("calcom", "meeting-ended")));
    expect(event).toMatchObject({
      sourceEventId: "MEETING_ENDED:bFJeNb2uX8ANpT3JL5EfXw",
      type: "demo.completed",
      email: "alan@example.com",
      name: "Alan Example",
      occurredAt: "2026-11-25T10:31:00.000Z",
    });
  });

  it("accepts MEETING_ENDED sent flat, the booking beside triggerEvent", () => {
    const { payload, ...envelope } = JSON.parse(fixture("calcom", "meeting-ended"));
    const event = onlyEvent(receive(JSON.stringify({ ...envelope, ...payload })));
    expect(event).toMatchObject({ sourceEventId: "MEETING_ENDED:bFJeNb2uX8ANpT3JL5EfXw", type: "demo.completed" });
  });

  it("keeps a 20-digit answer exactly", () => {
    const body = fixture("calcom", "booking-created").replace('"value":"11-50"', '"value":12345678901234567890');
    expect(onlyEvent(receive(body)).answers?.["company-size"]).toBe("12345678901234567890");
  });

  it("acknowledges the PING test trigger without recording it", () => {
    expectIgnored(receive(fixture("calcom", "ping")), /PING/);
  });

  it("refuses a booking without its uid with invalid_payload", () => {
    const body = fixture("calcom", "booking-created").replace('"uid":"bFJeNb2uX8ANpT3JL5EfXw",', "");
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
