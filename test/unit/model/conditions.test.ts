import { describe, expect, it } from "vitest";
import type { LeadCondition } from "#shared/domain/model/grammar/conditions";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { evaluateEvents } from "../../support/evaluate";
import { engineFor, stored, subject } from "./journeys";

const DAY = 86_400_000;
const T0 = "2026-03-01T00:00:00.000Z";
const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();

/** Whether a lead condition holds, asked through an mql rule of an otherwise empty model. */
function holds(
  when: LeadCondition,
  events: StoredEvent[],
  options: { now?: string; stageEnteredAt?: string; attributes?: Record<string, string | number>; email?: string } = {},
): boolean {
  const engine = engineFor({
    lists: { vip: ["Acme.example", "globex.example"] },
    fit: [{ id: "big", label: "Big", when: { field: "attributes.companySize", range: { min: 500 } }, points: 20 }],
    engagement: {
      halfLifeDays: 10,
      rules: [
        { id: "view", label: "View", on: "page.viewed", points: 10 },
        { id: "unsubscribed", label: "Unsubscribed", on: "email.unsubscribed", points: -15 },
      ],
    },
    stages: { mql: [{ id: "probe", label: "Probe", when }] },
  });
  const evaluation = evaluateEvents(
    engine,
    subject({
      stageEnteredAt: options.stageEnteredAt ?? T0,
      attributes: options.attributes ?? {},
      ...(options.email && { email: options.email }),
    }),
    events,
    new Date(options.now ?? at(0)),
  );
  return evaluation.verdict.stage === "mql";
}

const view = (days: number, properties: Record<string, string | number> = {}) =>
  stored({ type: "page.viewed", at: at(days), id: `view-${days}`, properties });

describe("value tests", () => {
  const lead = (attributes: Record<string, string | number>) => [
    stored({ type: "form.submitted", at: T0, attributes }),
  ];

  it("equals: strings case- and space-insensitive, numbers also as text", () => {
    expect(holds({ field: "attributes.country", equals: "de" }, lead({ country: " DE " }))).toBe(true);
    expect(holds({ field: "attributes.size", equals: 50 }, lead({ size: "50" }))).toBe(true);
    expect(holds({ field: "attributes.size", equals: 50 }, lead({ size: "500" }))).toBe(false);
  });

  it("in and inList: any of the values, case-insensitively", () => {
    expect(holds({ field: "attributes.country", in: ["FR", "DE"] }, lead({ country: "fr" }))).toBe(true);
    expect(holds({ field: "domain", inList: "vip" }, lead({}), { email: "x@Globex.example" })).toBe(true);
    expect(holds({ field: "domain", inList: "vip" }, lead({}), { email: "x@initech.example" })).toBe(false);
  });

  it("range: numbers, and text that starts with a number", () => {
    expect(holds({ field: "attributes.size", range: { min: 50, max: 200 } }, lead({ size: "51-200" }))).toBe(true);
    expect(holds({ field: "attributes.size", range: { min: 1000 } }, lead({ size: "1,000+" }))).toBe(true);
    expect(holds({ field: "attributes.size", range: { max: 10 } }, lead({ size: "a few" }))).toBe(false);
  });

  it("pattern: a case-insensitive regular expression", () => {
    expect(holds({ field: "attributes.jobTitle", pattern: "^head of" }, lead({ jobTitle: "Head Of Growth" }))).toBe(
      true,
    );
  });

  it("exists: present and not empty, or absent", () => {
    expect(holds({ field: "attributes.phone", exists: true }, lead({ phone: "" }))).toBe(false);
    expect(holds({ field: "attributes.phone", exists: false }, lead({}))).toBe(true);
  });

  it("all, any and not combine tests", () => {
    const events = lead({ country: "DE", size: 20 });
    expect(
      holds(
        {
          all: [
            { field: "attributes.country", equals: "DE" },
            { not: { field: "attributes.size", range: { min: 100 } } },
          ],
        },
        events,
      ),
    ).toBe(true);
    expect(
      holds(
        {
          any: [
            { field: "attributes.country", equals: "FR" },
            { field: "email", pattern: "@acme" },
          ],
        },
        events,
      ),
    ).toBe(true);
  });

  it("lists of answers match when any element does", () => {
    const events = [stored({ type: "form.submitted", at: T0, answers: { interests: ["Billing", "Reporting"] } })];
    const engine = engineFor({
      engagement: {
        rules: [
          {
            id: "r",
            label: "R",
            on: "form.submitted",
            where: { field: "answers.interests", equals: "reporting" },
            points: 1,
          },
        ],
      },
    });

    expect(evaluateEvents(engine, subject(), events, new Date(T0)).score).toBe(1);
  });
});

describe("lead conditions", () => {
  it("score, fit and engagement thresholds, in points (decayed to now)", () => {
    const big = { attributes: { companySize: 800 } };
    expect(holds({ score: { min: 30 } }, [view(0)], big)).toBe(true);
    expect(holds({ fit: { min: 20, max: 20 } }, [view(0)], big)).toBe(true);
    expect(holds({ engagement: { min: 10 } }, [view(0)], { now: at(0) })).toBe(true);
    expect(holds({ engagement: { min: 10 } }, [view(0)], { now: at(1) })).toBe(false);
    expect(holds({ engagement: { max: -1 } }, [stored({ type: "email.unsubscribed", at: T0 })])).toBe(true);
  });

  it("bant: at least N of the listed criteria satisfied", () => {
    const events = [
      stored({ type: "form.submitted", at: T0, answers: { Budget: "$10k", Timeline: "Not sure", "Job title": "CEO" } }),
    ];
    expect(holds({ bant: { atLeast: 2 } }, events)).toBe(true);
    expect(holds({ bant: { atLeast: 3 } }, events)).toBe(false);
    expect(holds({ bant: { of: ["timing"] } }, events)).toBe(false);
    expect(holds({ bant: { of: ["budget", "timing"] } }, events)).toBe(true);
  });

  it("event: how many events of a type, matching a condition, within a window or since the stage began", () => {
    const events = [view(0, { path: "/pricing" }), view(5, { path: "/pricing" }), view(9, { path: "/blog" })];
    expect(holds({ event: { on: "page.viewed", atLeast: 3 } }, events, { now: at(10) })).toBe(true);
    expect(
      holds({ event: { on: "page.*", where: { field: "properties.path", equals: "/pricing" }, atLeast: 2 } }, events),
    ).toBe(true);
    expect(holds({ event: { on: "page.viewed", withinDays: 6, atLeast: 2 } }, events, { now: at(10) })).toBe(true);
    expect(holds({ event: { on: "page.viewed", withinDays: 6, atLeast: 3 } }, events, { now: at(10) })).toBe(false);
    expect(
      holds({ event: { on: "page.viewed", sinceStageEntered: true, atLeast: 2 } }, events, { stageEnteredAt: at(4) }),
    ).toBe(true);
    expect(holds({ event: { on: "demo.completed" } }, events)).toBe(false);
  });

  it("rule: a fit rule matched, or an engagement rule matched N events", () => {
    expect(holds({ rule: "big" }, [view(0)], { attributes: { companySize: 900 } })).toBe(true);
    expect(holds({ rule: "view", atLeast: 2 }, [view(0), view(1)])).toBe(true);
    expect(holds({ rule: "view", atLeast: 3 }, [view(0), view(1)])).toBe(false);
  });

  it("idleDays and daysInStage: time since the latest event and since the stage began", () => {
    expect(holds({ idleDays: { min: 30 } }, [view(0), view(10)], { now: at(39) })).toBe(false);
    expect(holds({ idleDays: { min: 30 } }, [view(0), view(10)], { now: at(40) })).toBe(true);
    expect(holds({ daysInStage: { min: 7 } }, [view(0)], { now: at(7), stageEnteredAt: T0 })).toBe(true);
  });
});
