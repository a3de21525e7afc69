import { describe, expect, it } from "vitest";
import { type LIVESTORM_TRIGGERS, livestorm, livestormQuery } from "#shared/adapters/sources/livestorm";
import { InvalidSignatureError } from "#shared/domain/errors";
import { context, deliver, fixture, fixtureText, onlyEvent, webhookRequest } from "./support";
import { tokenContract } from "./token-contract";

const SECRET = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
type Trigger = (typeof LIVESTORM_TRIGGERS)[number];
const receive = (body: string, trigger: Trigger) =>
  deliver(
    livestorm,
    webhookRequest("livestorm", body, {}, { rawQueryString: livestormQuery(SECRET, trigger) }),
    context(SECRET),
  );
const PERSON = "8f2b6c3e-0a4d-4f6e-9b1a-2c3d4e5f6a7b";
const SESSION = "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d";
const EVENT = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";

describe("Livestorm secret URL token", () => {
  tokenContract({
    source: livestorm,
    secret: SECRET,
    body: fixture("livestorm", "people-registered"),
    prettyBody: fixtureText("livestorm", "people-registered"),
    query: (token) => new URLSearchParams({ token, event: "people.registered" }).toString(),
  });

  it("takes the token percent-encoded in the URL", () => {
    const secret = "s3cret/with+signs=&more";
    const request = webhookRequest(
      "livestorm",
      fixture("livestorm", "people-registered"),
      {},
      {
        rawQueryString: livestormQuery(secret, "people.registered"),
      },
    );
    expect(request.rawQueryString).not.toContain("/");
    expect(() => livestorm.verify(request, context(secret))).not.toThrow();
    expect(() => livestorm.verify(request, context(SECRET))).toThrow(InvalidSignatureError);
  });
});

describe("Livestorm people events", () => {
  it("turns people.registered into webinar.registered, keyed by trigger, session and person", () => {
    const event = onlyEvent(receive(fixture("livestorm", "people-registered"), "people.registered"));
    expect(event).toMatchObject({
      source: "livestorm",
      sourceEventId: `people.registered:${SESSION}:${PERSON}`,
      type: "webinar.registered",
      occurredAt: "2026-11-18T10:00:00.000Z",
      email: "louise@example.com",
      name: "Louise Example",
      company: "Example Logistics",
      attributes: { jobTitle: "Head of Marketing", companySize: "201-500" },
      properties: {
        livestormEvent: EVENT,
        livestormSession: SESSION,
        utm_source: "newsletter",
        utm_campaign: "q4-webinar",
      },
    });
    // Identity fields are the lead's identity, not answers.
    expect(event.answers).toEqual({
      Company: "Example Logistics",
      "Job title": "Head of Marketing",
      "Company size": "201-500",
    });
  });

  it("turns people.attended into webinar.attended with the minutes attended", () => {
    const event = onlyEvent(receive(fixture("livestorm", "people-attended"), "people.attended"));
    expect(event).toMatchObject({
      sourceEventId: `people.attended:${SESSION}:${PERSON}`,
      type: "webinar.attended",
      occurredAt: "2026-11-19T16:47:00.000Z",
      properties: { durationMinutes: 45, attendanceRate: 85 },
    });
  });

  it("turns people.not_attended into webinar.no_show", () => {
    const event = onlyEvent(receive(fixture("livestorm", "people-not-attended"), "people.not_attended"));
    expect(event).toMatchObject({
      sourceEventId: `people.not_attended:${SESSION}:${PERSON}`,
      type: "webinar.no_show",
      occurredAt: "2026-11-19T17:00:00.000Z",
    });
    expect(event.properties).not.toHaveProperty("durationMinutes");
  });

  it("turns people.watched_replay into webinar.replay_watched at the time it was watched", () => {
    const event = onlyEvent(receive(fixture("livestorm", "people-watched-replay"), "people.watched_replay"));
    expect(event).toMatchObject({
      sourceEventId: `people.watched_replay:${SESSION}:${PERSON}:${Date.parse("2026-11-20T09:00:00Z")}`,
      type: "webinar.replay_watched",
      occurredAt: "2026-11-20T09:00:00.000Z",
    });
  });

  it("gives a redelivery the same key and another trigger for the same person another one", () => {
    const body = fixture("livestorm", "people-registered");
    const again = onlyEvent(receive(body, "people.registered")).sourceEventId;
    expect(onlyEvent(receive(body, "people.registered")).sourceEventId).toBe(again);
    expect(onlyEvent(receive(body, "people.not_attended")).sourceEventId).not.toBe(again);
  });

  it("refuses a URL without a trigger Ripen takes, naming the event parameter", () => {
    const request = webhookRequest(
      "livestorm",
      fixture("livestorm", "people-registered"),
      {},
      {
        rawQueryString: new URLSearchParams({ token: SECRET, event: "session.started" }).toString(),
      },
    );
    expect(() => deliver(livestorm, request, context(SECRET))).toThrow(
      expect.objectContaining({
        code: "invalid_payload",
        details: { issues: [expect.objectContaining({ path: "event" })] },
      }),
    );
  });

  it("refuses a person without an email address with invalid_payload", () => {
    const body = fixture("livestorm", "people-registered").replace('"email":"louise@example.com",', '"email":"",');
    expect(() => receive(body, "people.registered")).toThrow(expect.objectContaining({ code: "invalid_payload" }));
  });
});
