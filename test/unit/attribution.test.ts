import { describe, expect, it } from "vitest";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { loadEngine } from "#shared/runtime/scoring-model";
import { foldHistory } from "../../test/support/evaluate";
import { leadEvent } from "../support/events";

const engine = loadEngine();
const now = new Date("2026-11-24T12:00:00.000Z");

function stored(overrides: Parameters<typeof leadEvent>[0]): StoredEvent {
  const event = leadEvent(overrides);
  return { ...event, eventId: `${event.source}:${event.sourceEventId}`, receivedAt: now.toISOString() };
}

describe("first-touch attribution", () => {
  const events = [
    stored({ source: "calendly", type: "demo.scheduled", occurredAt: "2026-11-22T10:00:00Z" }),
    stored({
      source: "typeform",
      occurredAt: "2026-11-20T10:00:00Z",
      answers: { budget: "50k", timeline: "this quarter" },
    }),
    stored({
      source: "zoom",
      type: "webinar.attended",
      occurredAt: "2026-11-21T10:00:00Z",
      properties: { utm_campaign: "q4-webinar" },
    }),
    stored({
      source: "generic",
      type: "page.viewed",
      occurredAt: "2026-11-23T10:00:00Z",
      properties: { campaign: "retargeting" },
    }),
  ];

  it("credits the lead and its transitions to the earliest event's source and the first campaign named", () => {
    const { lead, transition } = foldHistory({ engine, leadId: "ld_x", current: undefined, events, now });
    expect(lead).toMatchObject({ source: "typeform", campaign: "q4-webinar" });
    expect(transition).toMatchObject({ source: "typeform", campaign: "q4-webinar" });
  });

  it("does not depend on the order the events arrived in", () => {
    const forward = foldHistory({ engine, leadId: "ld_x", current: undefined, events, now }).lead;
    const backward = foldHistory({
      engine,
      leadId: "ld_x",
      current: undefined,
      events: [...events].reverse(),
      now,
    }).lead;
    expect([backward.source, backward.campaign]).toEqual([forward.source, forward.campaign]);
  });
});
