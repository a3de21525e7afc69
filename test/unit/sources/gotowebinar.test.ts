import { describe, expect, it } from "vitest";
import { gotowebinar, gotowebinarQuery } from "#shared/adapters/sources/gotowebinar";
import { parseJsonBody } from "#shared/adapters/sources/json-body";
import { InvalidPayloadError } from "#shared/domain/errors";
import { context, deliver, expectIgnored, fixture, fixtureText, onlyEvent, webhookRequest } from "./support";
import { tokenContract } from "./token-contract";

const SECRET = "fedcba9876543210fedcba9876543210";
const receive = (body: string) =>
  deliver(
    gotowebinar,
    webhookRequest("gotowebinar", body, {}, { rawQueryString: gotowebinarQuery(SECRET) }),
    context(SECRET),
  );
const WEBINAR = "4511665432126123456";
const REGISTRANT = "24576065432313123456";

describe("GoToWebinar secret URL token", () => {
  tokenContract({
    source: gotowebinar,
    secret: SECRET,
    body: fixture("gotowebinar", "registrant-added"),
    prettyBody: fixtureText("gotowebinar", "registrant-added"),
    query: (token) => new URLSearchParams({ token }).toString(),
  });
});

describe("GoToWebinar registrant events", () => {
  it("reads webinarKey and registrantKey above 2^53 as their exact digits", () => {
    expect(Number(WEBINAR) > Number.MAX_SAFE_INTEGER).toBe(true);
    // What a plain JSON.parse would have made of them: other numbers.
    expect(String(JSON.parse(fixture("gotowebinar", "registrant-added")).webinarKey)).not.toBe(WEBINAR);
    expect(parseJsonBody(Buffer.from(fixture("gotowebinar", "registrant-added")))).toMatchObject({
      webinarKey: WEBINAR,
      registrantKey: REGISTRANT,
    });
  });

  it("turns registrant.added into webinar.registered keyed by event, webinar and registrant", () => {
    const event = onlyEvent(receive(fixture("gotowebinar", "registrant-added")));
    expect(event).toMatchObject({
      source: "gotowebinar",
      sourceEventId: `registrant.added:${WEBINAR}:${REGISTRANT}`,
      type: "webinar.registered",
      occurredAt: "2026-11-18T10:15:00.000Z",
      email: "grace.goto@example.com",
      name: "Grace Example",
      company: "Example Shipping",
      attributes: { jobTitle: "VP Operations", companySize: "201-500" },
      properties: { webinarId: WEBINAR, registrantKey: REGISTRANT, webinarTopic: "Lead scoring that sales trusts" },
    });
    expect(event.answers).toEqual({
      "Job title": "VP Operations",
      "Number of employees": "201-500",
      "What is your budget?": "$20k-$50k",
      "When do you plan to buy?": "This quarter",
    });
  });

  it("turns registrant.joined into webinar.attended keyed by its notification when GoTo sends no session", () => {
    const event = onlyEvent(receive(fixture("gotowebinar", "registrant-joined")));
    expect(event).toMatchObject({
      sourceEventId: `registrant.joined:${WEBINAR}:${REGISTRANT}:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d`,
      type: "webinar.attended",
      occurredAt: "2026-11-19T16:02:00.000Z",
    });
  });

  it("keys an attendance by session when GoTo names one, so each session of a series counts once", () => {
    const body = fixture("gotowebinar", "registrant-joined").replace(
      '"webinarKey":',
      '"sessionKey":98765432109876543210,"webinarKey":',
    );
    expect(onlyEvent(receive(body)).sourceEventId).toBe(
      `registrant.joined:${WEBINAR}:${REGISTRANT}:98765432109876543210`,
    );
  });

  it("acknowledges webinar events without recording them", () => {
    expectIgnored(receive(fixture("gotowebinar", "webinar-created")), /webinar\.created/);
  });

  it("refuses a registrant event without its registrantKey with invalid_payload", () => {
    const body = fixture("gotowebinar", "registrant-added").replace(`"registrantKey":${REGISTRANT},`, "");
    expect(() => receive(body)).toThrow(InvalidPayloadError);
  });
});
