import { describe, expect, it } from "vitest";
import { GenericPayload } from "#shared/adapters/sources/generic";
import { historyEvents } from "#shared/cli/history";

const UNTIL = new Date("2026-12-01T00:00:00.000Z");

describe("the synthetic history (npm run history)", () => {
  const events = [...historyEvents({ leads: 500, seed: 7, until: UNTIL })];

  it("is lines of the generic webhook's format, none after --until, every event id once", () => {
    for (const event of events) expect(GenericPayload.safeParse(event).success, JSON.stringify(event)).toBe(true);
    expect(events.every((event) => String(event.occurredAt) < UNTIL.toISOString())).toBe(true);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  });

  it("gives about four leads in five an outcome, after everything else the lead did", () => {
    // Prepare
    const byLead = new Map<string, typeof events>();
    for (const event of events) byLead.set(String(event.email), [...(byLead.get(String(event.email)) ?? []), event]);
    const outcomes = events.filter((event) => String(event.type).startsWith("opportunity."));

    // Assess
    expect(outcomes.length / byLead.size).toBeGreaterThan(0.7);
    expect(outcomes.length / byLead.size).toBeLessThan(0.9);
    for (const outcome of outcomes) {
      const lead = byLead.get(String(outcome.email)) ?? [];
      expect(lead.every((event) => String(event.occurredAt) <= String(outcome.occurredAt))).toBe(true);
    }
  });

  it("is the same for the same seed, and another for another", () => {
    expect([...historyEvents({ leads: 500, seed: 7, until: UNTIL })]).toEqual(events);
    expect([...historyEvents({ leads: 500, seed: 8, until: UNTIL })]).not.toEqual(events);
  });
});
