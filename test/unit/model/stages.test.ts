import { describe, expect, it } from "vitest";
import type { Lead } from "#shared/domain/lead";
import { DEFAULT_NOTIFICATIONS } from "#shared/domain/model/grammar/notifications";
import { type NotificationRule, notifiesOnCreation } from "#shared/domain/model/notifications";
import type { ScoringModelInput } from "#shared/domain/model/schema";
import { disqualifyLead, recycleLead } from "#shared/domain/rep-actions";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { foldHistory } from "../../../test/support/evaluate";
import { evaluateEvents } from "../../support/evaluate";
import { engineFor, journey, stored, subject } from "./journeys";

const DAY = 86_400_000;
const T0 = "2026-02-01T00:00:00.000Z";
const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();
const rep = { type: "rep", id: "U0000ANA1" } as const;

const lifecycle: Omit<ScoringModelInput, "version"> = {
  lists: { competitors: ["rival.example"] },
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
    mql: [{ id: "mql-40", label: "Score 40+", when: { score: { min: 40 } } }],
    sql: [
      {
        id: "demo-and-bant",
        label: "Demo with 2 BANT",
        when: { all: [{ rule: "demo" }, { bant: { atLeast: 2 } }] },
      },
    ],
    sqo: [{ id: "opportunity", label: "Opportunity", when: { event: { on: "opportunity.created" } } }],
    disqualify: [
      { id: "competitor", label: "Competitor", when: { field: "domain", inList: "competitors" } },
      { id: "student", label: "Student", when: { field: "attributes.jobTitle", pattern: "student" } },
    ],
    recycle: [{ id: "idle", label: "Idle 60 days", from: ["mql", "sal"], when: { idleDays: { min: 60 } } }],
    reopen: [
      {
        id: "new-booking",
        label: "Booked again",
        when: { event: { on: "demo.scheduled", sinceStageEntered: true } },
      },
    ],
    sla: [{ id: "sql-4h", label: "Accept within 4 hours", stage: "sql", hours: 4 }],
  },
};
const engine = engineFor(lifecycle);

function fold(current: Lead | undefined, events: StoredEvent[], now: string) {
  const last = events.at(-1);
  return foldHistory({
    engine,
    leadId: current?.leadId ?? "ld_test",
    current,
    events,
    ...(last && { trigger: last }),
    now: new Date(now),
  });
}

const budgetAndTiming = { answers: { Budget: "$30k", Timeline: "This month" } };

describe("stage rules", () => {
  it("enter the funnel at lead on a first event that qualifies for nothing", () => {
    const result = fold(undefined, [stored({ type: "page.viewed", at: at(0) })], at(0));

    expect(result.transition).toMatchObject({ from: null, to: "lead", actor: { type: "rule", id: "first-event" } });
  });

  it("move forward on a score threshold, with the rule as actor and reason", () => {
    const { lead, stages } = journey(engine, [
      stored({ type: "page.viewed", at: at(0) }),
      stored({ type: "form.submitted", at: at(1) }),
    ]);

    expect(stages).toEqual(["lead", "mql"]);
    expect(lead.stage).toBe("mql");
  });

  it("skip stages when a later stage's rule already holds", () => {
    const events = [
      stored({ type: "form.submitted", at: at(0), ...budgetAndTiming }),
      stored({ type: "demo.completed", at: at(1) }),
    ];
    const { stages } = journey(engine, events);
    const direct = fold(undefined, events, at(1));

    expect(stages).toEqual(["mql", "sql"]);
    expect(direct.transition).toMatchObject({ from: null, to: "sql", reason: "Demo with 2 BANT" });
  });

  it("reach sqo from an event the model names", () => {
    const { lead } = journey(engine, [
      stored({ type: "page.viewed", at: at(0) }),
      stored({ type: "opportunity.created", at: at(1) }),
    ]);

    expect(lead.stage).toBe("sqo");
  });

  it("never move a lead back automatically when its score decays", () => {
    const events = [stored({ type: "form.submitted", at: at(0) })];
    const mql = fold(undefined, events, at(0)).lead;

    const later = fold(mql, events, at(45));

    expect(later.lead.score).toBeLessThan(40);
    expect(later.lead.stage).toBe("mql");
    expect(later.transition).toBeUndefined();
  });

  it("disqualify by rule from any stage, with the rule as the reason", () => {
    const { lead, stages } = journey(engine, [
      stored({ type: "form.submitted", at: at(0), ...budgetAndTiming }),
      stored({ type: "demo.completed", at: at(1) }),
      stored({ type: "form.submitted", at: at(2), attributes: { jobTitle: "Student" } }),
    ]);

    expect(stages).toEqual(["mql", "sql", "disqualified"]);
    expect(lead.stage).toBe("disqualified");
  });

  it("disqualify a competitor on the first event", () => {
    const result = fold(undefined, [stored({ type: "form.submitted", at: at(0), email: "spy@rival.example" })], at(0));

    expect(result.transition).toMatchObject({ to: "disqualified", actor: { type: "rule", id: "competitor" } });
  });

  it("recycle an idle mql by rule, and bring it back only on new activity", () => {
    const events = [stored({ type: "form.submitted", at: at(0) })];
    const mql = fold(undefined, events, at(0)).lead;

    const idle = fold(mql, events, at(61));
    expect(idle.transition).toMatchObject({ from: "mql", to: "recycled", reason: "Idle 60 days" });

    // The sweep again: nothing new, so it stays recycled.
    expect(fold(idle.lead, events, at(62)).transition).toBeUndefined();

    // A page view is new activity but not enough on its own; a new form is.
    const view = [...events, stored({ type: "page.viewed", at: at(63) })];
    const viewed = fold(idle.lead, view, at(63));
    expect(viewed.lead.stage).toBe("recycled");
    const back = fold(viewed.lead, [...view, stored({ type: "form.submitted", at: at(64), id: "again" })], at(64));
    expect(back.transition).toMatchObject({ from: "recycled", to: "mql" });
  });

  it("keep a disqualified lead out until a reopen rule matches, then judge it on what it did since", () => {
    const events = [
      stored({ type: "form.submitted", at: at(0), ...budgetAndTiming }),
      stored({ type: "demo.completed", at: at(1) }),
    ];
    const sql = fold(undefined, events, at(1)).lead;
    const disqualified = disqualifyLead(sql, "No project this year", rep, new Date(at(2))).lead;

    const more = [...events, stored({ type: "form.submitted", at: at(3), id: "f2" })];
    expect(fold(disqualified, more, at(3)).lead.stage).toBe("disqualified");

    const booked = [...more, stored({ type: "demo.scheduled", at: at(4) })];
    const reopened = fold(disqualified, booked, at(4));
    expect(reopened.transition).toMatchObject({
      from: "disqualified",
      to: "mql",
      actor: { type: "rule", id: "new-booking" },
      reason: "Booked again; re-entered as mql",
    });
  });

  it("do not reopen a lead a disqualifier rule still matches", () => {
    const events = [stored({ type: "form.submitted", at: at(0), email: "spy@rival.example" })];
    const out = fold(undefined, events, at(0)).lead;

    const again = fold(
      out,
      [...events, stored({ type: "demo.scheduled", at: at(5), email: "spy@rival.example" })],
      at(5),
    );

    expect(again.lead.stage).toBe("disqualified");
    expect(again.transition).toBeUndefined();
  });

  it("bring a rep-recycled lead back only on new evidence", () => {
    const events = [
      stored({ type: "form.submitted", at: at(0), ...budgetAndTiming }),
      stored({ type: "demo.completed", at: at(1) }),
    ];
    const sql = fold(undefined, events, at(1)).lead;
    const recycled = recycleLead(sql, "Revisit next quarter", rep, new Date(at(2))).lead;

    const view = fold(recycled, [...events, stored({ type: "page.viewed", at: at(3) })], at(3));

    expect(view.lead.stage).toBe("recycled");
  });
});

describe("acceptance", () => {
  const routed: Omit<ScoringModelInput, "version"> = {
    ...lifecycle,
    stages: { ...lifecycle.stages, acceptance: "auto" },
    routing: { owners: [{ id: "ana", name: "Ana", email: "ana@example.com", slackUserId: "U0000ANA1" }] },
  };

  it("manual: the routed rep is alerted but does not own the lead until accepting", () => {
    const manual = engineFor({ ...routed, stages: lifecycle.stages });
    const result = foldHistory({
      engine: manual,
      leadId: "ld_1",
      current: undefined,
      events: [stored({ type: "form.submitted", at: at(0) })],
      now: new Date(at(0)),
    });

    expect(result.lead.stage).toBe("mql");
    expect(result.lead.owner).toBeUndefined();
    expect(result.transition?.owner?.id).toBe("ana");
  });

  it("auto: a qualified lead is accepted at once by its routed owner", () => {
    const auto = engineFor(routed);
    const result = foldHistory({
      engine: auto,
      leadId: "ld_1",
      current: undefined,
      events: [stored({ type: "form.submitted", at: at(0) })],
      now: new Date(at(0)),
    });

    expect(result.lead).toMatchObject({ stage: "sal", owner: { id: "ana" } });
    expect(result.transition?.reason).toBe("Score 40+; accepted automatically");
  });
});

describe("SLA", () => {
  it("reports an sql not accepted within the hours the model allows", () => {
    const lead = { stage: "sql", stageEnteredAt: "2026-02-01T08:00:00.000Z" } as const;

    expect(engine.slaBreaches(lead, new Date("2026-02-01T11:59:00.000Z"))).toEqual([]);
    expect(engine.slaBreaches(lead, new Date("2026-02-01T13:00:00.000Z"))).toEqual([
      {
        ruleId: "sql-4h",
        label: "Accept within 4 hours",
        stage: "sql",
        since: "2026-02-01T08:00:00.000Z",
        dueAt: "2026-02-01T12:00:00.000Z",
        hoursOverdue: 1,
        notify: ["slack", "email"],
      },
    ]);
    const owner = { id: "ana", name: "Ana", email: "ana@example.com" };
    expect(engine.slaBreaches({ ...lead, owner }, new Date("2026-02-01T13:00:00.000Z"))).toEqual([]);
  });
});

describe("notifications", () => {
  it("default to the move into sql on Slack and email, and to mql in the marketing channel", () => {
    expect(engine.channelsFor({ from: "mql", to: "sql" })).toEqual(["slack", "email"]);
    expect(engine.channelsFor({ from: "lead", to: "mql" })).toEqual(["marketing"]);
    expect(engine.channelsFor({ from: "mql", to: "sal" })).toEqual([]);
  });

  it("follow the model's rules, including where the lead came from", () => {
    const custom = engineFor({
      notifications: [
        { id: "marketing", to: ["mql"], channels: ["email"] },
        { id: "back", to: ["mql"], from: ["recycled"], channels: ["slack"] },
      ],
    });

    expect(custom.channelsFor({ from: "lead", to: "mql" })).toEqual(["email", "marketing"]);
    expect(custom.channelsFor({ from: "recycled", to: "mql" })).toEqual(["email", "slack", "marketing"]);
    expect(custom.channelsFor({ from: "mql", to: "sql" })).toEqual([]);
  });

  it("send the marketing channel only what the model routes there, once a rule names it", () => {
    const custom = engineFor({
      notifications: [{ id: "sales-ready-to-marketing", to: ["sql"], channels: ["marketing", "email"] }],
    });

    expect(custom.channelsFor({ from: "lead", to: "mql" })).toEqual([]);
    expect(custom.channelsFor({ from: "mql", to: "sql" })).toEqual(["marketing", "email"]);
  });
});

describe("notifiesOnCreation", () => {
  it.each<[string, boolean, NotificationRule[]]>([
    ["the default rules", false, DEFAULT_NOTIFICATIONS],
    ["a rule on every entry into lead", true, [{ id: "new", to: ["lead"], channels: ["slack"] }]],
    ["a rule on lead among other stages", true, [{ id: "any", to: ["sql", "lead"], channels: ["email"] }]],
    [
      "a rule on reopened leads only",
      false,
      [{ id: "reopened", to: ["lead"], from: ["disqualified"], channels: ["slack"] }],
    ],
  ])("with %s: %s", (_, expected, rules) => {
    expect(notifiesOnCreation(rules)).toBe(expected);
  });
});

describe("routing", () => {
  const team = engineFor({
    lists: { emea: ["DE", "FR"] },
    routing: {
      owners: [
        { id: "ana", name: "Ana", email: "ana@example.com" },
        { id: "ben", name: "Ben", email: "ben@example.com" },
        { id: "cy", name: "Cy", email: "cy@example.com" },
        { id: "dee", name: "Dee", email: "dee@example.com" },
      ],
      rules: [
        { id: "enterprise", when: { field: "attributes.companySize", range: { min: 1000 } }, owners: ["ana"] },
        { id: "emea", when: { field: "attributes.country", inList: "emea" }, owners: ["ben", "cy"] },
      ],
      fallback: ["cy", "dee"],
    },
  });
  const ownerOf = (leadId: string, attributes: Record<string, string | number>) =>
    evaluateEvents(team, subject({ leadId, attributes }), [stored({ type: "page.viewed", at: T0 })], new Date(T0)).owner
      ?.id;

  it("routes by the first matching rule: segment before territory", () => {
    expect(ownerOf("ld_1", { companySize: 5000, country: "DE" })).toBe("ana");
    expect(["ben", "cy"]).toContain(ownerOf("ld_1", { companySize: 50, country: "FR" }));
    expect(["cy", "dee"]).toContain(ownerOf("ld_1", { country: "US" }));
  });

  it("is deterministic per lead and spreads leads over the team", () => {
    const ids = Array.from({ length: 400 }, (_, index) => `ld_${index.toString(16).padStart(6, "0")}`);
    const first = ids.map((id) => ownerOf(id, { country: "DE" }));
    const second = ids.map((id) => ownerOf(id, { country: "DE" }));

    expect(second).toEqual(first);
    const ben = first.filter((owner) => owner === "ben").length;
    expect(ben).toBeGreaterThan(150);
    expect(ben).toBeLessThan(250);
  });

  it("exposes the team so a Slack user can be matched to an owner", () => {
    expect(team.owners.map((owner) => owner.id)).toEqual(["ana", "ben", "cy", "dee"]);
  });

  it("names no owner when the model has no routing", () => {
    expect(
      evaluateEvents(engine, subject(), [stored({ type: "page.viewed", at: T0 })], new Date(T0)).owner,
    ).toBeUndefined();
  });
});
