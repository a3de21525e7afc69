import { describe, expect, it } from "vitest";
import {
  type Example,
  type LeadHistory,
  labelledExamples,
  splitByFirstEvent,
} from "#shared/domain/calibration/training-set";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { storedEvent } from "../leads/fixtures";

const NOW = new Date("2026-06-01T00:00:00.000Z");

const event = (leadId: string, day: number, type: string): StoredEvent =>
  storedEvent({
    email: `${leadId}@example.com`,
    occurredAt: new Date(Date.UTC(2026, 0, day, 10)).toISOString(),
    type,
    sourceEventId: `${leadId}-${type}-${day}`,
  });

const lead = (leadId: string, events: [number, string][], reachedSqoDay?: number): LeadHistory => ({
  leadId,
  email: `${leadId}@example.com`,
  events: events.map(([day, type]) => event(leadId, day, type)),
  ...(reachedSqoDay !== undefined && { reachedSqoAt: new Date(Date.UTC(2026, 0, reachedSqoDay, 10)).toISOString() }),
});

const LEADS = [
  lead("won", [
    [1, "form.submitted"],
    [5, "demo.completed"],
    [9, "opportunity.won"],
    [12, "page.viewed"],
  ]),
  lead("lost", [
    [2, "page.viewed"],
    [6, "opportunity.lost"],
  ]),
  lead("open-old", [[3, "page.viewed"]]),
  lead("open-young", [[140, "page.viewed"]]),
  lead(
    "sqo-only",
    [
      [4, "form.submitted"],
      [8, "opportunity.created"],
      [9, "demo.completed"],
    ],
    8,
  ),
  lead("outcome-first", [[7, "opportunity.lost"]]),
];

const summary = (examples: readonly Example[]) =>
  examples.map((example) => ({
    lead: example.leadId,
    positive: example.positive,
    asOf: example.asOf.slice(0, 10),
    events: example.events.map((stored) => stored.type),
  }));

describe("labelled examples", () => {
  it("label by won or lost, and take features only from before the first outcome", () => {
    // Act
    const { examples, unlabelled } = labelledExamples(LEADS, { label: "won", now: NOW });

    // Assess
    expect(summary(examples)).toEqual([
      { lead: "won", positive: true, asOf: "2026-01-09", events: ["form.submitted", "demo.completed"] },
      { lead: "lost", positive: false, asOf: "2026-01-06", events: ["page.viewed"] },
    ]);
    // No outcome (three leads), and a lead whose outcome came before anything else.
    expect(unlabelled).toBe(4);
  });

  it("count a lead with no outcome as negative once `withinDays` have passed since its first event, not before", () => {
    // Act
    const { examples } = labelledExamples(LEADS, { label: "won", withinDays: 60, now: NOW });

    // Assess
    const open = summary(examples).filter((example) => example.lead.startsWith("open") || example.lead === "sqo-only");
    expect(open).toEqual([
      { lead: "open-old", positive: false, asOf: "2026-03-04", events: ["page.viewed"] },
      {
        lead: "sqo-only",
        positive: false,
        asOf: "2026-03-05",
        events: ["form.submitted", "opportunity.created", "demo.completed"],
      },
    ]);
  });

  it("label by reaching sqo when asked, with the features from before it reached sqo", () => {
    // Act
    const { examples } = labelledExamples(LEADS, { label: "sqo", now: NOW });

    // Assess
    expect(summary(examples).find((example) => example.lead === "sqo-only")).toEqual({
      lead: "sqo-only",
      positive: true,
      asOf: "2026-01-08",
      events: ["form.submitted"],
    });
    expect(summary(examples).find((example) => example.lead === "won")?.positive).toBe(true);
  });
});

describe("labelled by reps' decisions (qualified)", () => {
  const decided = (leadId: string, events: [number, string][], day: number, qualified: boolean): LeadHistory => ({
    ...lead(leadId, events),
    decision: { at: new Date(Date.UTC(2026, 0, day, 10)).toISOString(), qualified },
  });

  it("takes a rep's qualify as positive and disqualify as negative, with the features from before it", () => {
    // Prepare
    const leads = [
      decided(
        "qualified",
        [
          [1, "form.submitted"],
          [3, "demo.completed"],
          [6, "page.viewed"],
        ],
        5,
        true,
      ),
      decided(
        "turned-down",
        [
          [2, "page.viewed"],
          [4, "form.submitted"],
        ],
        4,
        false,
      ),
      decided(
        "lost-first",
        [
          [1, "page.viewed"],
          [2, "opportunity.lost"],
        ],
        8,
        true,
      ),
      ...LEADS,
    ];

    // Act
    const { examples } = labelledExamples(leads, { label: "qualified", now: NOW });
    const byWon = labelledExamples(leads, { label: "won", now: NOW });

    // Assess
    expect(summary(examples).slice(0, 3)).toEqual([
      { lead: "qualified", positive: true, asOf: "2026-01-05", events: ["form.submitted", "demo.completed"] },
      { lead: "turned-down", positive: false, asOf: "2026-01-04", events: ["page.viewed"] },
      // An outcome before the decision labels the lead, as for won.
      { lead: "lost-first", positive: false, asOf: "2026-01-02", events: ["page.viewed"] },
    ]);
    expect(summary(examples).find((example) => example.lead === "won")?.positive).toBe(true);
    // Other labels ignore the decisions.
    expect(byWon.examples.map((example) => example.leadId)).not.toContain("qualified");
  });
});

describe("the split by first event", () => {
  it("trains on the earliest leads and holds out the latest share, the same on every run", () => {
    // Prepare: ten examples whose first events are days 10..1, given newest first.
    const examples: Example[] = Array.from({ length: 10 }, (_, index) => ({
      leadId: `l${index}`,
      email: `l${index}@example.com`,
      firstEventAt: new Date(Date.UTC(2026, 0, 10 - index)).toISOString(),
      positive: index % 2 === 0,
      asOf: "2026-02-01T00:00:00.000Z",
      events: [],
    }));

    // Act
    const split = splitByFirstEvent(examples, 0.3);

    // Assess
    expect(split.train.map((example) => example.leadId)).toEqual(["l9", "l8", "l7", "l6", "l5", "l4", "l3"]);
    expect(split.holdout.map((example) => example.leadId)).toEqual(["l2", "l1", "l0"]);
    expect(split.cutoff).toBe("2026-01-08T00:00:00.000Z");
    expect(splitByFirstEvent([...examples].reverse(), 0.3)).toEqual(split);
  });

  it("refuses a holdout share outside (0, 1)", () => {
    expect(() => splitByFirstEvent([], 0)).toThrow(RangeError);
    expect(() => splitByFirstEvent([], 1)).toThrow(RangeError);
  });
});
