import { describe, expect, it } from "vitest";
import {
  candidateRules,
  featureRows,
  type LeadFeatures,
  leadFeatures,
  matchesCandidate,
} from "#shared/domain/calibration/features";
import type { Example } from "#shared/domain/calibration/training-set";
import { storedEvent } from "../leads/fixtures";
import { engineFor } from "../model/journeys";

const ENGINE = engineFor({
  fit: [{ id: "mid", label: "Mid-market", when: { field: "attributes.companySize", range: { min: 50 } }, points: 10 }],
  engagement: { rules: [{ id: "demo", label: "Demo completed", on: "demo.completed", points: 40 }] },
});

const features = (attributes: LeadFeatures["attributes"], positive = true): LeadFeatures => ({
  leadId: `l-${JSON.stringify(attributes)}`,
  positive,
  score: 0,
  contributions: {},
  attributes,
});

describe("a lead's features", () => {
  it("are each rule's contribution and the attributes, as the model saw the lead at asOf", () => {
    // Prepare
    const example: Example = {
      leadId: "ld_ada",
      email: "ada@example.com",
      firstEventAt: "2026-03-01T10:00:00.000Z",
      positive: true,
      asOf: "2026-03-03T10:00:00.000Z",
      events: [
        storedEvent({
          email: "ada@example.com",
          occurredAt: "2026-03-01T10:00:00.000Z",
          attributes: { companySize: 120, industry: "SaaS" },
        }),
        storedEvent({ email: "ada@example.com", occurredAt: "2026-03-02T10:00:00.000Z", type: "demo.completed" }),
      ],
    };

    // Act
    const found = leadFeatures(ENGINE, example);

    // Assess
    expect(found.contributions).toEqual({ mid: 10, demo: 40 });
    expect(found.score).toBe(50);
    expect(found.attributes).toMatchObject({ companySize: 120, industry: "SaaS" });
  });
});

describe("candidate rules", () => {
  it("propose the categorical values enough training leads share, without case, most common first", () => {
    // Prepare
    const training = [
      ...Array.from({ length: 4 }, () => features({ industry: "SaaS" })),
      ...Array.from({ length: 3 }, () => features({ industry: "saas " })),
      ...Array.from({ length: 5 }, () => features({ industry: "Retail", partner: true })),
      features({ industry: "Mining" }),
    ];

    // Act
    const rules = candidateRules(training, { minSupport: 5 });

    // Assess
    expect(rules).toEqual([
      { id: "attr:industry=saas", attribute: "industry", equals: "saas", support: 7 },
      { id: "attr:industry=retail", attribute: "industry", equals: "retail", support: 5 },
      { id: "attr:partner=true", attribute: "partner", equals: true, support: 5 },
    ]);
  });

  it("cut a numeric attribute at its quartiles into ranges that cover every value once", () => {
    // Prepare: company sizes 1..100.
    const training = Array.from({ length: 100 }, (_, index) => features({ companySize: index + 1 }));

    // Act
    const rules = candidateRules(training, { minSupport: 10 });

    // Assess
    expect(rules.map((rule) => ("range" in rule ? [rule.range, rule.support] : undefined))).toEqual([
      [{ max: 25 }, 25],
      [{ min: 26, max: 50 }, 25],
      [{ min: 51, max: 75 }, 25],
      [{ min: 76 }, 25],
    ]);
    for (let size = 1; size <= 100; size++) {
      expect(rules.filter((rule) => matchesCandidate(rule, { companySize: size }))).toHaveLength(1);
    }
  });

  it("become columns beside the model's rules, a contribution counted in the rule's full points", () => {
    // Prepare
    const lead: LeadFeatures = {
      leadId: "l",
      positive: true,
      score: 30,
      contributions: { demo: 20, mid: 10 },
      attributes: { industry: "SaaS" },
    };
    const saas = { id: "attr:industry=saas", attribute: "industry", equals: "saas", support: 9 } as const;

    // Act
    const rows = featureRows(
      [lead],
      [
        { id: "mid", points: 10 },
        { id: "demo", points: 40 },
        { id: "pricing", points: 5 },
      ],
      [saas],
    );

    // Assess
    expect(rows).toEqual([[1, 0.5, 0, 1]]);
  });
});
