import { describe, expect, it } from "vitest";
import { eventsBeforeOutcome, leadOutcome, outcomeOfEvent } from "#shared/domain/outcomes";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { storedEvent } from "../leads/fixtures";

const at = (day: number, type: string, id = `${type}-${day}`): StoredEvent =>
  storedEvent({
    email: "ada@example.com",
    occurredAt: `2026-03-${String(day).padStart(2, "0")}T10:00:00.000Z`,
    type,
    sourceEventId: id,
  });

describe("outcomes", () => {
  it("are the opportunity.won and opportunity.lost events, nothing else", () => {
    expect(outcomeOfEvent({ type: "opportunity.won" })).toBe("won");
    expect(outcomeOfEvent({ type: "opportunity.lost" })).toBe("lost");
    expect(outcomeOfEvent({ type: "opportunity.created" })).toBeUndefined();
    expect(outcomeOfEvent({ type: "demo.completed" })).toBeUndefined();
  });

  it("label a lead by its latest outcome, whatever order the events come in", () => {
    // Prepare: lost, then the deal reopened and was won; given newest first.
    const events = [at(20, "opportunity.won"), at(3, "form.submitted"), at(12, "opportunity.lost")];

    // Act
    const outcome = leadOutcome(events);

    // Assess
    expect(outcome).toEqual({
      outcome: "won",
      at: "2026-03-20T10:00:00.000Z",
      firstAt: "2026-03-12T10:00:00.000Z",
    });
  });

  it("leave a lead without an outcome unlabelled, and all its events available", () => {
    const events = [at(1, "form.submitted"), at(2, "demo.completed")];
    expect(leadOutcome(events)).toBeUndefined();
    expect(eventsBeforeOutcome(events).map((event) => event.type)).toEqual(["form.submitted", "demo.completed"]);
  });

  it("keep everything at or after the first outcome out of what calibration may learn from", () => {
    // Prepare: an attribute-bearing form at the same instant as the loss, and a demo after it.
    const events = [
      at(1, "form.submitted"),
      at(5, "demo.completed"),
      at(9, "opportunity.lost"),
      at(9, "form.submitted", "same-instant"),
      at(15, "demo.completed", "after"),
      at(20, "opportunity.won"),
    ];

    // Act
    const features = eventsBeforeOutcome(events);

    // Assess
    expect(features.map((event) => event.sourceEventId)).toEqual(["form.submitted-1", "demo.completed-5"]);
  });
});
