import { describe, expect, it } from "vitest";
import { sweepLead } from "#shared/application/maintenance";
import type { Lead } from "#shared/domain/lead";
import { foldLead } from "#shared/domain/lead-fold";
import type { ScoringModelInput } from "#shared/domain/model/schema";
import { acceptLead, disqualifyLead, qualifyLead, recycleLead } from "#shared/domain/rep-actions";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { memoryLeadStore } from "../../support/memory-lead-store";
import { engineFor, journey, stored } from "./journeys";

const DAY = 86_400_000;
const T0 = "2026-02-01T00:00:00.000Z";
const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();
const rep = { type: "rep", id: "U0000ANA1" } as const;
const ana = { id: "ana", name: "Ana", email: "ana@vendor.example" };

function model(sqlReview?: boolean): Omit<ScoringModelInput, "version"> {
  return {
    engagement: {
      halfLifeDays: 30,
      rules: [
        { id: "view", label: "Viewed a page", on: "page.viewed", points: 5 },
        { id: "form", label: "Form", on: "form.submitted", points: 40 },
        { id: "demo", label: "Demo", on: "demo.completed", points: 30 },
        { id: "booked", label: "Booked", on: "demo.scheduled", points: 10 },
      ],
    },
    stages: {
      ...(sqlReview !== undefined && { sqlReview }),
      mql: [{ id: "mql-40", label: "Score 40+", when: { score: { min: 40 } } }],
      sql: [{ id: "demo-done", label: "Demo completed", when: { rule: "demo" } }],
      sqo: [{ id: "opportunity", label: "Opportunity", when: { event: { on: "opportunity.created" } } }],
      disqualify: [{ id: "student", label: "Student", when: { field: "attributes.jobTitle", pattern: "student" } }],
      recycle: [{ id: "idle", label: "Idle 60 days", from: ["mql", "sal"], when: { idleDays: { min: 60 } } }],
      reopen: [
        {
          id: "new-booking",
          label: "Booked again",
          when: { event: { on: "demo.scheduled", sinceStageEntered: true } },
        },
      ],
      sla: [
        { id: "mql-72h", label: "Work an MQL within 3 days", stage: "mql", hours: 72 },
        ...(sqlReview
          ? [{ id: "review-24h", label: "Qualify or disqualify within a day", stage: "review" as const, hours: 24 }]
          : []),
      ],
    },
  };
}
const gated = engineFor(model(true));
const open = engineFor(model());

const toMql = [stored({ type: "page.viewed", at: at(0) }), stored({ type: "form.submitted", at: at(1) })];
const demo = stored({ type: "demo.completed", at: at(2) });

/** The lead re-evaluated as it stands at `now` (a sweep or a rescore). */
function reevaluate(engine: ScoringEngine, lead: Lead, now: string, history?: readonly StoredEvent[]) {
  const folded = foldLead({
    engine,
    leadId: lead.leadId,
    current: lead,
    now: new Date(now),
    ...(history && { history }),
  });
  if (!folded) throw new Error("the fold needs the history");
  return folded;
}

describe("the SDR gate (stages.sqlReview)", () => {
  it("is off by default: an sql rule moves the lead to sql, and no lead is marked", () => {
    const { lead, stages } = journey(open, [...toMql, demo]);

    expect(stages).toEqual(["lead", "mql", "sql"]);
    expect(lead.review).toBeUndefined();
  });

  it("when on, an sql rule marks the lead sql-ready in its stage, since the event, with the rule", () => {
    const { lead, stages } = journey(gated, [...toMql, demo]);

    expect(stages).toEqual(["lead", "mql"]);
    expect(lead.stage).toBe("mql");
    expect(lead.review).toEqual({ since: at(2), ruleId: "demo-done", reason: "Demo completed" });
  });

  it("keeps the first since while the lead waits, through more events, a sweep and a replay", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;
    const events = [...toMql, demo, stored({ type: "page.viewed", at: at(3) })];
    const later = journey(gated, events.slice(-1), waiting).lead;
    const swept = reevaluate(gated, later, at(4));
    const replayed = reevaluate(gated, { ...swept.lead, stale: true }, at(5), events);

    for (const lead of [later, swept.lead, replayed.lead]) {
      expect(lead.stage).toBe("mql");
      expect(lead.review).toEqual({ since: at(2), ruleId: "demo-done", reason: "Demo completed" });
    }
    expect(swept.transition).toBeUndefined();
    expect(replayed.transition).toBeUndefined();
  });

  it("holds an sqo verdict too: nothing passes sql without a rep", () => {
    const { lead, stages } = journey(gated, [...toMql, stored({ type: "opportunity.created", at: at(2) })]);

    expect(stages).toEqual(["lead", "mql"]);
    expect(lead.review).toMatchObject({ ruleId: "opportunity", since: at(2) });
  });

  it("lets a first event that meets an sql rule enter the funnel at lead, sql-ready", () => {
    const { lead, stages } = journey(gated, [stored({ type: "demo.completed", at: at(0) })]);

    expect(stages).toEqual(["lead"]);
    expect(lead.review).toMatchObject({ since: at(0), ruleId: "demo-done" });
  });

  it("moves a waiting lead to sql on the rep's Qualify, with the rep as actor, and the wait ends for good", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;

    const { lead, transition } = qualifyLead(waiting, rep, new Date(at(3)));
    const next = journey(gated, [stored({ type: "opportunity.created", at: at(4) })], lead);

    expect(transition).toMatchObject({ from: "mql", to: "sql", actor: rep });
    expect(lead.stage).toBe("sql");
    expect(lead.review).toBeUndefined();
    expect(reevaluate(gated, lead, at(3)).lead.review).toBeUndefined();
    // Past sql the rules move it as before.
    expect(next.stages).toEqual(["sqo"]);
  });

  it("disqualifies a waiting lead on the rep's Disqualify, ending the wait", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;

    const { lead, transition } = disqualifyLead(waiting, "No budget this year", rep, new Date(at(3)));
    const swept = reevaluate(gated, lead, at(4));

    expect(transition).toMatchObject({ from: "mql", to: "disqualified", actor: rep, reason: "No budget this year" });
    expect(lead.review).toBeUndefined();
    expect(swept.lead.stage).toBe("disqualified");
    expect(swept.lead.review).toBeUndefined();
  });

  it("keeps the wait when the rep only accepts the lead (→ sal): accepting is not qualifying", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;

    const accepted = acceptLead(waiting, ana, rep, new Date(at(3))).lead;
    const swept = reevaluate(gated, accepted, at(4));

    expect(accepted.stage).toBe("sal");
    expect(swept.lead.stage).toBe("sal");
    expect(swept.lead.review).toEqual(waiting.review);
  });

  it("holds a recycled lead that earns sql again, and a reopened one comes back at lead", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;
    const recycled = recycleLead(waiting, "Not now", rep, new Date(at(3))).lead;
    const newDemo = stored({ type: "demo.completed", at: at(4) });
    // Replayed, as the write path folds a lead a rep moved out of the funnel.
    const again = foldLead({
      engine: gated,
      leadId: recycled.leadId,
      current: { ...recycled, stale: true },
      event: newDemo,
      history: [...toMql, demo],
      now: new Date(at(4)),
    });
    const disqualified = disqualifyLead(waiting, "Wrong team", rep, new Date(at(3))).lead;
    const reopened = journey(
      gated,
      [stored({ type: "demo.scheduled", at: at(4) }), stored({ type: "demo.completed", at: at(5) })],
      disqualified,
    );

    expect(again?.transition).toBeUndefined();
    expect(again?.lead).toMatchObject({ stage: "recycled", review: { since: at(4), ruleId: "demo-done" } });
    expect(reopened.lead.stage).toBe("lead");
    expect(reopened.lead.review).toMatchObject({ since: at(5), ruleId: "demo-done" });
  });

  it("leaves a lead already at sql alone when the gate is switched on", () => {
    const sql = journey(open, [...toMql, demo]).lead;
    const onGate = reevaluate(gated, { ...sql, stale: true }, at(3), [...toMql, demo]);

    expect(onGate.lead.stage).toBe("sql");
    expect(onGate.lead.review).toBeUndefined();
  });
});

describe("an SLA rule on the review", () => {
  it("falls due a rule's hours after the wait began, whatever the owner, and not for a lead that is not waiting", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;
    const accepted = acceptLead(waiting, ana, rep, new Date(at(2.5))).lead;
    const plain = journey(gated, toMql).lead;

    const early = gated.slaBreaches(accepted, new Date(at(2.9)));
    const late = gated.slaBreaches(accepted, new Date(at(3.5)));

    expect(early).toEqual([]);
    expect(late).toEqual([
      expect.objectContaining({ ruleId: "review-24h", stage: "sal", since: at(2), dueAt: at(3), hoursOverdue: 12 }),
    ]);
    expect(gated.slaBreaches(plain, new Date(at(3.5))).map((breach) => breach.ruleId)).toEqual([]);
    expect(gated.slaBreaches(plain, new Date(at(5))).map((breach) => [breach.ruleId, breach.since])).toEqual([
      ["mql-72h", at(1)],
    ]);
  });

  it("ends with the wait: a qualified lead breaches it no more", () => {
    const waiting = journey(gated, [...toMql, demo]).lead;
    const qualified = qualifyLead(waiting, rep, new Date(at(2.5))).lead;

    expect(gated.slaBreaches(qualified, new Date(at(10))).map((breach) => breach.ruleId)).toEqual([]);
  });

  it("is refused in a model without the gate: it would never fall due", () => {
    const ungated = model();
    const stages = {
      ...ungated.stages,
      sla: [{ id: "review-24h", label: "Decide", stage: "review" as const, hours: 24 }],
    };

    expect(() => engineFor({ ...ungated, stages })).toThrow(/an SLA on the review needs stages\.sqlReview: true/);
  });
});

describe("the request a wait for review makes of the owner (FoldResult.sqlReady)", () => {
  /** Each event folded as ingest does, with what each fold asked. */
  function folds(engine: ScoringEngine, events: readonly StoredEvent[], start?: Lead) {
    let lead = start;
    const results = [];
    for (const event of events) {
      const folded = foldLead({
        engine,
        leadId: "ld_0000000000000000000000aa",
        current: lead,
        event,
        now: new Date(event.occurredAt),
      });
      if (!folded) throw new Error("an incremental fold needs the snapshot");
      results.push(folded);
      lead = folded.lead;
    }
    return results;
  }

  it("is made once, by the fold that starts the wait, with the rule, the stage it waits in and the routed owner", () => {
    const results = folds(gated, [...toMql, demo, stored({ type: "page.viewed", at: at(3) })]);

    expect(results.map((result) => result.sqlReady !== undefined)).toEqual([false, false, true, false]);
    const request = results[2]?.sqlReady;
    expect(request).toMatchObject({
      leadId: "ld_0000000000000000000000aa",
      since: at(2),
      stage: "mql",
      ruleId: "demo-done",
      reason: "Demo completed",
      modelVersion: "test-1",
      eventId: demo.eventId,
    });
    expect(request?.requestId).toMatch(/^sr_[0-9a-f]{24}$/);
    expect(request?.reasons.map((hit) => hit.ruleId)).toContain("demo");
    expect(request?.quiet).toBeUndefined();
  });

  it("is made by a sweep or replay that starts a wait too, and never while the same wait goes on", () => {
    const mql = folds(gated, toMql).at(-1)?.lead as Lead;
    const replayed = reevaluate(gated, { ...mql, stale: true }, at(2.5), [...toMql, demo]);
    const swept = reevaluate(gated, replayed.lead, at(3));

    expect(replayed.sqlReady).toMatchObject({ since: at(2.5), ruleId: "demo-done" });
    expect(swept.sqlReady).toBeUndefined();
  });

  it("is made again for a new wait after a decision ended the last one, with another id", () => {
    const first = folds(gated, [...toMql, demo])[2]?.sqlReady;
    const waiting = journey(gated, [...toMql, demo]).lead;
    const recycled = recycleLead(waiting, "Not now", rep, new Date(at(3))).lead;
    const again = foldLead({
      engine: gated,
      leadId: "ld_0000000000000000000000aa",
      current: { ...recycled, stale: true },
      event: stored({ type: "demo.completed", at: at(4) }),
      history: [...toMql, demo],
      now: new Date(at(4)),
    });

    expect(again?.sqlReady).toMatchObject({ since: at(4), stage: "recycled" });
    expect(again?.sqlReady?.requestId).not.toBe(first?.requestId);
  });

  it("is never made with the gate off", () => {
    const results = folds(open, [...toMql, demo]);

    expect(results.map((result) => result.sqlReady)).toEqual([undefined, undefined, undefined]);
    expect(results.at(-1)?.transition?.to).toBe("sql");
  });
});

describe("the sweep and the SDR gate", () => {
  it("writes a lead whose wait for review begins at the sweep, with its request, and nothing more the next hour", async () => {
    // Prepare: a lead folded by a model with no sql rule, then the gated model (another snapshot: replayed).
    const { sql: _none, ...ungatedStages } = model(true).stages ?? {};
    const before = engineFor({ ...model(true), stages: { ...ungatedStages, sqlReview: false, sla: [] } });
    const events = [...toMql, demo];
    const lead = journey(before, events).lead;
    const memory = memoryLeadStore();
    await memory.store.commit({ lead, expectedVersion: undefined });
    memory.events.set(lead.leadId, events);
    const deps = {
      store: memory.store,
      engine: gated,
      breaches: { record: async () => true },
      clock: () => new Date(at(3)),
    };

    // Act
    await sweepLead({ ...deps, asOf: new Date(at(3)) })(lead, "mql", {});
    const swept = memory.leads.get(lead.leadId) as Lead;
    await sweepLead({ ...deps, asOf: new Date(at(3.05)) })(swept, "mql", {});

    // Assess
    expect(lead.review).toBeUndefined();
    expect(swept).toMatchObject({ stage: "mql", review: { since: at(3), ruleId: "demo-done" } });
    expect([...memory.sqlReady.values()]).toEqual([
      expect.objectContaining({ leadId: lead.leadId, since: at(3), stage: "mql", ruleId: "demo-done" }),
    ]);
    expect(memory.sqlReady.size).toBe(1);
  });
});
