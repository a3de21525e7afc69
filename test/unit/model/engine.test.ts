import { describe, expect, it } from "vitest";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import type { ScoringModel } from "#shared/domain/model/schema";
import { roundPoints } from "#shared/domain/scoring-engine";
import { loadModel } from "#shared/runtime/scoring-model";
import { evaluateEvents } from "../../support/evaluate";
import { cents, DEFAULT_MODEL_PATH, engineFor, stored, subject, sumOfHits } from "./journeys";

const DAY = 86_400_000;
const T0 = "2026-01-10T00:00:00.000Z";
const daysAfter = (days: number, from = T0) => new Date(Date.parse(from) + days * DAY);
const at = (days: number) => daysAfter(days).toISOString();

describe("fit rules", () => {
  const engine = engineFor({
    lists: { "free-mail": ["gmail.com"], industries: ["SaaS", "Consulting"] },
    fit: [
      {
        id: "mid",
        label: "Mid-market",
        when: { field: "attributes.companySize", range: { min: 50, max: 1000 } },
        points: 10,
      },
      { id: "cfo", label: "Finance leader", when: { field: "attributes.jobTitle", pattern: "\\bcfo\\b" }, points: 8 },
      { id: "de", label: "Germany", when: { field: "attributes.country", equals: "de" }, points: 3 },
      { id: "eu", label: "EU", when: { field: "attributes.country", in: ["FR", "DE"] }, points: 1 },
      { id: "saas", label: "SaaS", when: { field: "attributes.industry", inList: "industries" }, points: 5 },
      { id: "phone", label: "Gave a phone", when: { field: "attributes.phone", exists: true }, points: 2 },
      { id: "gmail", label: "Free mail", when: { field: "domain", inList: "free-mail" }, points: -15 },
    ],
  });

  it("scores each matching attribute once, positive and negative, naming the attribute", () => {
    const evaluation = evaluateEvents(
      engine,
      subject({ email: "x@gmail.com" }),
      [
        stored({
          type: "form.submitted",
          at: T0,
          attributes: { companySize: "51-200", jobTitle: "CFO", country: "DE", industry: "saas", phone: "+49" },
        }),
      ],
      new Date(T0),
    );

    expect(evaluation.hits.map((hit) => [hit.ruleId, hit.attribute, hit.decayedPoints])).toEqual([
      ["mid", "companySize", 10],
      ["cfo", "jobTitle", 8],
      ["de", "country", 3],
      ["eu", "country", 1],
      ["saas", "industry", 5],
      ["phone", "phone", 2],
      ["gmail", "domain", -15],
    ]);
    expect(evaluation.fit).toBe(14);
    expect(evaluation.engagement).toBe(0);
    expect(evaluation.score).toBe(14);
  });

  it("uses the latest value of an attribute, and never decays fit", () => {
    const evaluation = evaluateEvents(
      engine,
      subject(),
      [
        stored({ type: "form.submitted", at: at(0), attributes: { companySize: 20 } }),
        stored({ type: "form.submitted", at: at(1), attributes: { companySize: 300 } }),
      ],
      daysAfter(400),
    );

    expect(evaluation.attributes.companySize).toBe(300);
    expect(evaluation.fit).toBe(10);
  });

  it("tests the first present of several fields", () => {
    const listed = engineFor({
      fit: [
        {
          id: "senior",
          label: "Senior",
          when: { field: ["attributes.jobTitle", "attributes.seniority"], pattern: "director" },
          points: 4,
        },
      ],
    });
    const score = (attributes: Record<string, string>) =>
      evaluateEvents(listed, subject(), [stored({ type: "form.submitted", at: T0, attributes })], new Date(T0)).score;

    expect(score({ seniority: "Director" })).toBe(4);
    expect(score({ jobTitle: "Engineer", seniority: "Director" })).toBe(0);
  });
});

describe("engagement rules", () => {
  it("match the event type and conditions on its properties, answers and source", () => {
    const engine = engineFor({
      engagement: {
        rules: [
          {
            id: "pricing",
            label: "Pricing",
            on: "page.viewed",
            where: { field: "properties.path", pattern: "^/pricing" },
            points: 5,
          },
          {
            id: "long-webinar",
            label: "30 min",
            on: "webinar.*",
            where: { field: "properties.minutes", range: { min: 30 } },
            points: 7,
          },
          {
            id: "typeform-budget",
            label: "Budget answered on Typeform",
            on: ["form.submitted"],
            where: {
              all: [
                { field: "source", equals: "typeform" },
                { field: "answers.budget", exists: true },
              ],
            },
            points: 3,
          },
          {
            id: "not-careers",
            label: "Not careers",
            on: "page.viewed",
            where: { not: { field: "properties.path", pattern: "careers" } },
            points: 1,
          },
        ],
      },
    });
    const events = [
      stored({ type: "page.viewed", at: at(0), id: "p1", properties: { path: "/pricing/teams" } }),
      stored({ type: "page.viewed", at: at(0), id: "p2", properties: { path: "/careers" } }),
      stored({ type: "webinar.attended", at: at(0), properties: { minutes: 45 } }),
      stored({ type: "webinar.attended", at: at(0), id: "short", properties: { minutes: "12 minutes" } }),
      stored({ type: "form.submitted", at: at(0), source: "typeform", answers: { budget: "10k" } }),
      stored({ type: "form.submitted", at: at(0), source: "tally", id: "t", answers: { budget: "10k" } }),
    ];

    const evaluation = evaluateEvents(engine, subject(), events, new Date(at(0)));

    expect(evaluation.hits.map((hit) => hit.ruleId).sort()).toEqual([
      "long-webinar",
      "not-careers",
      "pricing",
      "typeform-budget",
    ]);
    expect(evaluation.engagement).toBe(16);
  });

  it("caps a rule at once per lead", () => {
    const engine = engineFor({
      engagement: { rules: [{ id: "trial", label: "Trial", on: "trial.started", points: 30, cap: "once" }] },
    });
    const events = [0, 1, 2].map((day) => stored({ type: "trial.started", at: at(day) }));

    const evaluation = evaluateEvents(engine, subject(), events, new Date(at(2)));

    expect(evaluation.hits).toEqual([
      expect.objectContaining({ ruleId: "trial", hits: 1, points: 30, decayedPoints: 30 }),
    ]);
  });

  it("caps a rule at N per sliding window of days", () => {
    const engine = engineFor({
      engagement: { rules: [{ id: "view", label: "View", on: "page.viewed", points: 1, cap: { max: 2, perDays: 7 } }] },
    });
    // The window is (t - 7 days, t]: day 2 and 6 are capped (0 and 1 are inside), at 7.5 day 0 has left,
    // at 7.9 days 1 and 7.5 fill it again.
    const days = [0, 1, 2, 6, 7.5, 7.9];
    const events = days.map((day) => stored({ type: "page.viewed", at: at(day), id: `v${day}` }));

    const evaluation = evaluateEvents(engine, subject(), events, new Date(at(8)));

    // Days 0, 1 and 7.5 score.
    expect(evaluation.hits).toEqual([
      expect.objectContaining({ ruleId: "view", hits: 3, points: 3, decayedPoints: 3 }),
    ]);
  });

  it("caps at N per lead without a window", () => {
    const engine = engineFor({
      engagement: { rules: [{ id: "asset", label: "Asset", on: "content.downloaded", points: 10, cap: { max: 2 } }] },
    });
    const events = [0, 100, 200].map((day) => stored({ type: "content.downloaded", at: at(day) }));

    expect(evaluateEvents(engine, subject(), events, new Date(at(200))).hits).toEqual([
      expect.objectContaining({ ruleId: "asset", hits: 2, points: 20 }),
    ]);
  });

  it("halves points exactly every half-life, from the event's time to now", () => {
    const engine = engineFor({
      engagement: { halfLifeDays: 30, rules: [{ id: "demo", label: "Demo", on: "demo.completed", points: 40 }] },
    });
    const events = [stored({ type: "demo.completed", at: T0 })];
    const scoreAfter = (days: number) => evaluateEvents(engine, subject(), events, daysAfter(days)).score;

    expect(scoreAfter(0)).toBe(40);
    expect(scoreAfter(30)).toBe(20);
    expect(scoreAfter(60)).toBe(10);
    expect(scoreAfter(15)).toBe(Math.round(40 * 2 ** -0.5 * 100) / 100);
    expect(scoreAfter(15)).toBe(28.28);
    // An event stamped after `now` (clock skew) is not inflated.
    expect(scoreAfter(-1)).toBe(40);
  });

  it("lets a rule override the half-life or not decay at all", () => {
    const engine = engineFor({
      engagement: {
        halfLifeDays: 30,
        rules: [
          { id: "fast", label: "Fast", on: "page.viewed", points: 8, halfLifeDays: 10 },
          { id: "lost", label: "Lost", on: "opportunity.lost", points: -100, decay: false },
        ],
      },
    });
    const evaluation = evaluateEvents(
      engine,
      subject(),
      [stored({ type: "page.viewed", at: T0 }), stored({ type: "opportunity.lost", at: T0 })],
      daysAfter(20),
    );

    expect(evaluation.hits.map((hit) => [hit.ruleId, hit.points, hit.decayedPoints]).sort()).toEqual([
      ["fast", 8, 2],
      ["lost", -100, -100],
    ]);
    expect(evaluation.score).toBe(-98);
  });

  it("rounds each rule once and sums the rounded rules, so the explanation adds up exactly", () => {
    const rules = Array.from({ length: 12 }, (_, index) => ({
      id: `view-${index}`,
      label: `View ${index}`,
      on: "page.viewed",
      points: 1.37 + index * 0.011,
      halfLifeDays: 3 + index,
    }));
    const engine = engineFor({ engagement: { halfLifeDays: 7, rules } });
    const events = Array.from({ length: 50 }, (_, index) =>
      stored({ type: "page.viewed", at: new Date(Date.parse(T0) + index * 3_600_017).toISOString(), id: `v${index}` }),
    );

    const evaluation = evaluateEvents(engine, subject(), events, daysAfter(11));

    expect(cents(evaluation.score)).toBe(sumOfHits(evaluation.hits));
    for (const hit of evaluation.hits) expect(roundPoints(hit.decayedPoints)).toBe(hit.decayedPoints);
    expect(evaluation.hits).toHaveLength(12);
    expect(evaluation.hits.every((hit) => hit.hits === 50)).toBe(true);
    expect(new Set(evaluation.hits.map((hit) => hit.decayedPoints)).size).toBeGreaterThan(10);
  });

  it("counts a redelivered event once", () => {
    const engine = engineFor({
      engagement: { rules: [{ id: "demo", label: "Demo", on: "demo.completed", points: 40 }] },
    });
    const event = stored({ type: "demo.completed", at: T0 });

    expect(evaluateEvents(engine, subject(), [event, event, event], new Date(T0)).score).toBe(40);
  });
});

describe("form answers → attributes and BANT", () => {
  const engine = engineFor({
    fields: {
      labels: {
        budget: ["budget"],
        timeline: ["timeline", "when"],
        jobTitle: ["job title", "role"],
        need: ["need", "use case"],
        company: ["company"],
        companySize: ["company size", "how many employees"],
      },
      sources: { typeform: { q7_ref: "budget" } },
    },
  });

  it("maps labels by the phrases they contain, and per-source keys exactly", () => {
    const evaluation = evaluateEvents(
      engine,
      subject(),
      [
        stored({
          type: "form.submitted",
          at: T0,
          source: "typeform",
          answers: {
            q7_ref: "$50k",
            "What is your role in the company?": "VP Marketing",
            "How many employees work at your company?": "201-500",
            "Company name": "Acme",
            "Use cases": ["reporting", "alerts"],
          },
        }),
      ],
      new Date(T0),
    );

    expect(evaluation.attributes).toEqual({
      budget: "$50k",
      jobTitle: "VP Marketing",
      companySize: "201-500",
      need: "reporting, alerts",
    });
    expect(engine.attributeFor("typeform", "q7_ref")).toBe("budget");
    expect(engine.attributeFor("tally", "q7_ref")).toBeUndefined();
    expect(engine.attributeFor("tally", "Company name")).toBe("company");
  });

  it("keeps each BANT item's value, whether it is satisfied, and the event it came from", () => {
    const first = stored({
      type: "form.submitted",
      at: at(0),
      answers: { Budget: "Not sure yet", "Job title": "Head of Sales", "When do you need it?": "Next quarter" },
    });
    const second = stored({ type: "form.submitted", at: at(1), answers: { Budget: "$20,000" } });

    const evaluation = evaluateEvents(engine, subject(), [second, first], daysAfter(1));

    expect(evaluation.bant).toEqual({
      budget: { value: "$20,000", satisfied: true, eventId: second.eventId },
      authority: { value: "Head of Sales", satisfied: true, eventId: first.eventId },
      timing: { value: "Next quarter", satisfied: true, eventId: first.eventId },
    });
  });

  it("marks vague or negative answers unsatisfied with the default criteria", () => {
    const evaluation = evaluateEvents(
      engine,
      subject(),
      [
        stored({
          type: "form.submitted",
          at: T0,
          answers: { Budget: "No budget", "Job title": "Intern", Timeline: "Just researching", Need: "Better reports" },
        }),
      ],
      new Date(T0),
    );

    expect(Object.fromEntries(Object.entries(evaluation.bant).map(([key, item]) => [key, item?.satisfied]))).toEqual({
      budget: false,
      authority: false,
      need: true,
      timing: false,
    });
  });

  it("lets attributes the sender states outright win over answers in the same event", () => {
    const evaluation = evaluateEvents(
      engine,
      subject(),
      [stored({ type: "form.submitted", at: T0, answers: { Budget: "$1k" }, attributes: { budget: "$90k" } })],
      new Date(T0),
    );

    expect(evaluation.attributes.budget).toBe("$90k");
  });
});

describe("the model hash stamped on snapshots", () => {
  const base = {
    version: "hash-1",
    engagement: { rules: [{ id: "view", label: "View", on: "page.viewed", points: 5 }] },
  };
  const hashOf = (model: Record<string, unknown>) => createEngine(parseModel(model)).modelHash;

  it("changes with anything a snapshot folds, and with the version", () => {
    const edited = { ...base, engagement: { rules: [{ id: "view", label: "View", on: "page.viewed", points: 6 }] } };

    expect(hashOf(edited)).not.toBe(hashOf(base));
    expect(hashOf({ ...base, version: "hash-2" })).not.toBe(hashOf(base));
  });

  it("stays when only where alerts go changes: no lead is replayed for it", () => {
    const routed = { ...base, notifications: [{ id: "all-mql", to: ["mql"], channels: ["email"] }] };

    expect(hashOf(routed)).toBe(hashOf(base));
  });
});

describe("the fold hash stamped on snapshots", () => {
  const base = loadModel(DEFAULT_MODEL_PATH);
  const hashesOf = (edit: (model: ScoringModel) => void) => {
    const model = structuredClone(base);
    edit(model);
    const engine = createEngine(model);
    return { model: engine.modelHash, fold: engine.foldHash };
  };
  const original = hashesOf(() => {});
  const rule = (model: ScoringModel, index = 0) =>
    model.engagement.rules[index] as ScoringModel["engagement"]["rules"][0];

  // Each edit changes the model hash (the lead is rescored), except where alerts go, which scores nothing.
  it.each<[string, (model: ScoringModel) => void, boolean]>([
    [
      "the version",
      (model) => {
        model.version = "default-2026.2";
      },
      true,
    ],
    [
      "an engagement rule's points",
      (model) => {
        rule(model).points += 5;
      },
      true,
    ],
    [
      "an engagement rule's label",
      (model) => {
        rule(model).label = "Renamed";
      },
      true,
    ],
    [
      "a fit rule's points",
      (model) => {
        (model.fit[0] as { points: number }).points += 5;
      },
      true,
    ],
    [
      "the fit rules",
      (model) => {
        model.fit = [];
      },
      true,
    ],
    [
      "the mql threshold",
      (model) => {
        model.stages.mql = [{ id: "m", label: "m", when: { score: { min: 25 } } }];
      },
      true,
    ],
    [
      "the acceptance",
      (model) => {
        model.stages.acceptance = "auto";
      },
      true,
    ],
    [
      "the BANT rules",
      (model) => {
        model.bant = { ...model.bant, budget: { from: ["budgetRange"] } };
      },
      true,
    ],
    [
      "the routing",
      (model) => {
        delete model.routing;
      },
      true,
    ],
    [
      "where alerts go",
      (model) => {
        model.notifications = [];
      },
      false,
    ],
  ])("stays when %s changes", (_what, edit, rescored) => {
    const edited = hashesOf(edit);

    expect(edited.fold).toBe(original.fold);
    expect(edited.model !== original.model).toBe(rescored);
  });

  it.each<[string, (model: ScoringModel) => void]>([
    [
      "an engagement rule's event types",
      (model) => {
        rule(model).on = rule(model).on === "page.viewed" ? "email.clicked" : "page.viewed";
      },
    ],
    [
      "an engagement rule's condition",
      (model) => {
        rule(model).where = { field: "source", equals: "x" };
      },
    ],
    [
      "an engagement rule's cap",
      (model) => {
        rule(model).cap = { max: 2, perDays: 3 };
      },
    ],
    [
      "an engagement rule's half-life",
      (model) => {
        rule(model).halfLifeDays = 7;
      },
    ],
    [
      "an engagement rule's decay",
      (model) => {
        rule(model).decay = false;
      },
    ],
    [
      "the default half-life",
      (model) => {
        model.engagement.halfLifeDays = 11;
      },
    ],
    [
      "the order of the engagement rules",
      (model) => {
        model.engagement.rules.reverse();
      },
    ],
    [
      "a list",
      (model) => {
        model.lists = { ...model.lists, extra: ["x"] };
      },
    ],
    [
      "the field mapping",
      (model) => {
        model.fields = { ...model.fields, labels: { ...model.fields.labels, companySize: ["Headcount"] } };
      },
    ],
    [
      "an event condition's count",
      (model) => {
        model.stages.sqo = [{ id: "o", label: "o", when: { event: { on: "opportunity.created", atLeast: 2 } } }];
      },
    ],
    [
      "a new event condition",
      (model) => {
        model.stages.mql.push({ id: "w", label: "w", when: { event: { on: "webinar.attended", withinDays: 9 } } });
      },
    ],
  ])("changes when %s changes: the snapshots replay", (_what, edit) => {
    expect(hashesOf(edit).fold).not.toBe(original.fold);
  });
});
