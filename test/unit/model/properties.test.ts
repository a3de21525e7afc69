import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Lead } from "#shared/domain/lead";
import { type StoredEvent, topReasons } from "#shared/domain/scoring-engine";
import { funnelRank, type Stage } from "#shared/domain/stages";
import { foldHistory } from "../../../test/support/evaluate";
import { evaluateEvents } from "../../support/evaluate";
import { defaultEngine, engineFor, stored, subject, sumOfHits } from "./journeys";

const engine = defaultEngine();
const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00.000Z");

const formTitles = ["Newsletter", "Whitepaper", "Contact us", "Request a proposal", "Webinar signup", "Feedback"];
const answerSets: Record<string, string>[] = [
  {},
  { Budget: "$25k" },
  { Budget: "No budget" },
  { Timeline: "This quarter" },
  { "Job title": "VP Sales", Need: "Pipeline visibility" },
  { "Job title": "Student" },
  { "Company size": "201-500", Country: "DE" },
];

/** One event of the kinds the default model cares about, at a time within four months. */
const anEvent = fc
  .record({
    kind: fc.constantFrom(
      "page.viewed",
      "form.submitted",
      "webinar.registered",
      "webinar.attended",
      "workshop.attended",
      "trial.started",
      "demo.scheduled",
      "demo.completed",
      "demo.no_show",
      "content.downloaded",
      "proposal.requested",
      "opportunity.created",
      "opportunity.lost",
    ),
    minute: fc.integer({ min: 0, max: 120 * 24 * 60 }),
    path: fc.constantFrom("/", "/pricing", "/careers", "/blog/x"),
    formTitle: fc.constantFrom(...formTitles),
    answers: fc.constantFrom(...answerSets),
    minutes: fc.integer({ min: 0, max: 90 }),
  })
  .map((draw) => {
    const properties: Record<string, string | number> = {};
    if (draw.kind === "page.viewed") properties.path = draw.path;
    if (draw.kind === "form.submitted") properties.formTitle = draw.formTitle;
    if (draw.kind === "webinar.attended") properties.durationMinutes = draw.minutes;
    return {
      type: draw.kind,
      at: new Date(START + draw.minute * 60_000).toISOString(),
      properties,
      answers: draw.kind === "form.submitted" ? draw.answers : {},
    };
  });

/** A lead's history: distinct events (ids made unique), in the order they were drawn. */
const aHistory = fc
  .array(anEvent, { minLength: 1, maxLength: 25 })
  .map((drafts) => drafts.map((draft, index) => stored({ ...draft, id: `e${index}` })));
const aNow = fc.integer({ min: 0, max: 200 }).map((days) => new Date(START + days * DAY));
const shuffled = <T>(items: readonly T[]) =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

describe("scoring properties (default model)", () => {
  it("does not depend on the order events arrive in", () => {
    fc.assert(
      fc.property(
        aHistory.chain((events) => fc.tuple(fc.constant(events), shuffled(events))),
        aNow,
        ([events, reordered], now) => {
          expect(evaluateEvents(engine, subject(), reordered, now)).toEqual(
            evaluateEvents(engine, subject(), events, now),
          );
        },
      ),
    );
  });

  it("does not change when events are delivered more than once", () => {
    fc.assert(
      fc.property(
        aHistory.chain((events) =>
          fc.tuple(fc.constant(events), fc.array(fc.constantFrom(...events), { minLength: 1, maxLength: 10 })),
        ),
        aNow,
        ([events, again], now) => {
          expect(evaluateEvents(engine, subject(), [...events, ...again], now)).toEqual(
            evaluateEvents(engine, subject(), events, now),
          );
        },
      ),
    );
  });

  it("explains the score exactly: the hits add up to it, and fit and engagement to their axes", () => {
    fc.assert(
      fc.property(aHistory, aNow, (events, now) => {
        const evaluation = evaluateEvents(engine, subject(), events, now);

        expect(sumOfHits(evaluation.hits)).toBe(Math.round(evaluation.score * 100));
        expect(sumOfHits(evaluation.hits.filter((hit) => hit.axis === "fit"))).toBe(Math.round(evaluation.fit * 100));
        expect(Math.round(evaluation.fit * 100) + Math.round(evaluation.engagement * 100)).toBe(
          Math.round(evaluation.score * 100),
        );
      }),
    );
  });

  it("decays monotonically: later, no hit weighs more, and positive engagement never grows", () => {
    const positive = engineFor({
      engagement: {
        halfLifeDays: 21,
        rules: [
          { id: "any", label: "Anything", on: ["page.viewed", "form.submitted", "demo.completed"], points: 3.3 },
          { id: "demo", label: "Demo", on: "demo.completed", points: 40, cap: { max: 1, perDays: 30 } },
        ],
      },
    });
    fc.assert(
      fc.property(aHistory, fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), (events, a, b) => {
        const earlier = new Date(START + 121 * DAY + Math.min(a, b) * DAY);
        const later = new Date(START + 121 * DAY + Math.max(a, b) * DAY);
        const before = evaluateEvents(engine, subject(), events, earlier);
        const after = evaluateEvents(engine, subject(), events, later);

        expect(after.hits.map((hit) => [hit.ruleId, hit.hits])).toEqual(
          before.hits.map((hit) => [hit.ruleId, hit.hits]),
        );
        after.hits.forEach((hit, index) => {
          expect(Math.abs(hit.decayedPoints)).toBeLessThanOrEqual(Math.abs(before.hits[index]?.decayedPoints ?? 0));
        });
        expect(evaluateEvents(positive, subject(), events, later).engagement).toBeLessThanOrEqual(
          evaluateEvents(positive, subject(), events, earlier).engagement,
        );
      }),
    );
  });

  it("folds into a copy: the snapshot a fold starts from is left as it was, whatever the fold changes", () => {
    const stages = fc.constantFrom<Stage>("lead", "mql", "recycled", "disqualified");
    fc.assert(
      fc.property(aHistory, stages, fc.integer({ min: 0, max: 120 }), (events, stage, enteredDay) => {
        // Out of the funnel a snapshot also folds the events since leaving: both scopes are exercised.
        const enteredMs = START + enteredDay * DAY;
        const enteredAt = new Date(enteredMs).toISOString();
        let snapshot = engine.enterStage(engine.empty(), stage);
        const seen: StoredEvent[] = [];
        for (const event of events) {
          const before = structuredClone(snapshot);
          const folded = engine.fold(snapshot, event, enteredMs);
          engine.foldFacts(snapshot, event);
          engine.enterStage(snapshot, "mql");

          expect(snapshot).toStrictEqual(before);
          seen.push(event);
          // A late event a window cap can't place is replayed, as the write path does.
          snapshot = folded ?? engine.replay(seen, enteredAt, stage);
        }
      }),
    );
  });

  it("gives as its reasons what topReasons picks from its hits, made before them, after them or after another evaluation", () => {
    fc.assert(
      fc.property(aHistory, aHistory, aNow, fc.integer({ min: 0, max: 8 }), (events, others, now, count) => {
        const first = evaluateEvents(engine, subject(), events, now);
        const beforeHits = first.reasons(count);
        const overtaken = evaluateEvents(engine, subject(), events, now);
        // Another evaluation since: what the first summed is no longer at hand, and is decayed again.
        evaluateEvents(engine, subject(), others, new Date(now.getTime() + 7 * DAY));
        const afterAnother = overtaken.reasons(count);
        const read = evaluateEvents(engine, subject(), events, now);
        const expected = topReasons(read.hits, count);

        expect(beforeHits).toEqual(expected);
        expect(afterAnother).toEqual(expected);
        expect(read.reasons(count)).toEqual(expected);
        expect(first.reasons()).toEqual(topReasons(first.hits));
      }),
    );
  });

  it("enters a stage in place only when told the snapshot is its caller's own, with what a copy would hold", () => {
    const stages = fc.constantFrom<Stage>("lead", "mql", "sql", "recycled", "disqualified");
    fc.assert(
      fc.property(aHistory, stages, stages, fc.integer({ min: 0, max: 120 }), (events, from, to, enteredDay) => {
        const enteredAt = new Date(START + enteredDay * DAY).toISOString();
        const kept = engine.replay(events, enteredAt, from);
        const before = structuredClone(kept);
        const copied = engine.enterStage(kept, to);
        const own = engine.replay(events, enteredAt, from);
        const changed = engine.enterStage(own, to, true);

        expect(kept).toStrictEqual(before);
        expect(copied).not.toBe(kept);
        expect(changed).toBe(own);
        expect(changed).toStrictEqual(copied);
      }),
    );
  });

  it("never moves a lead backwards automatically; leaving the funnel always has a rule and a reason", () => {
    fc.assert(
      fc.property(aHistory, fc.array(fc.integer({ min: 0, max: 90 }), { maxLength: 4 }), (events, sweeps) => {
        let lead: Lead | undefined;
        const seen: StoredEvent[] = [];
        const ordered = [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1));
        const steps: { events: StoredEvent[]; now: Date }[] = ordered.map((event) => {
          seen.push(event);
          return { events: [...seen], now: new Date(event.occurredAt) };
        });
        // Maintenance sweeps after the last event: decay, recycle rules, no new activity.
        const last = Date.parse(ordered.at(-1)?.occurredAt ?? "");
        for (const days of sweeps.sort((a, b) => a - b))
          steps.push({ events: [...seen], now: new Date(last + days * DAY) });

        for (const step of steps) {
          const result = foldHistory({
            engine,
            leadId: "ld_property",
            current: lead,
            events: step.events,
            now: step.now,
          });
          const transition = result.transition;
          if (transition && transition.from !== null) {
            expect(transition.actor.type).toBe("rule");
            expect(transition.reason).not.toBe("");
            const from = funnelRank(transition.from);
            const to = funnelRank(transition.to);
            if (from >= 0 && to >= 0) expect(to).toBeGreaterThan(from);
            if (to < 0) expect(["disqualified", "recycled"]).toContain(transition.to);
          }
          lead = result.lead;
        }
      }),
    );
  });
});
