import { describe, expect, it } from "vitest";
import { InvalidPayloadError, InvalidTransitionError } from "#shared/domain/errors";
import type { Lead, Owner, RuleHit } from "#shared/domain/lead";
import {
  acceptLead,
  applyRepAction,
  disqualifyLead,
  openOpportunity,
  qualifyLead,
  type RepAction,
  recycleLead,
} from "#shared/domain/rep-actions";
import type { Stage } from "#shared/domain/stages";

const ana: Owner = { id: "ana", name: "Ana Lima", email: "ana@example.com", slackUserId: "U0000ANA1" };
const ben: Owner = { id: "ben", name: "Ben Okafor", email: "ben@example.com" };
const rep = { type: "rep", id: "U0000ANA1" } as const;
const now = new Date("2026-03-01T12:00:00.000Z");

function lead(stage: Stage, overrides: Partial<Lead> = {}): Lead {
  return {
    leadId: "ld_0123456789abcdef01234567",
    email: "grace@acme.example",
    name: "Grace Hopper",
    company: "Acme",
    domain: "acme.example",
    attributes: {},
    stage,
    stageEnteredAt: "2026-02-20T09:00:00.000Z",
    score: 72,
    fit: 10,
    engagement: 62,
    bant: { budget: { value: "$20k", satisfied: true, eventId: "generic:f1" } },
    createdAt: "2026-02-01T09:00:00.000Z",
    updatedAt: "2026-02-20T09:00:00.000Z",
    lastEventAt: "2026-02-20T08:59:00.000Z",
    eventCount: 4,
    modelVersion: "default-2026.1",
    version: 7,
    ...overrides,
  };
}

const hits: RuleHit[] = [
  {
    ruleId: "demo-completed",
    axis: "engagement",
    hits: 1,
    label: "Demo",
    points: 40,
    decayedPoints: 38.5,
  },
  {
    ruleId: "size",
    axis: "fit",
    attribute: "companySize",
    label: "Mid-market",
    hits: 1,
    points: 10,
    decayedPoints: 10,
  },
];

describe("rep actions", () => {
  it("accept: an mql becomes sal, owned by the rep, with a transition naming the rep", () => {
    const result = acceptLead(lead("mql"), ana, rep, now, hits);

    expect(result.lead).toMatchObject({
      stage: "sal",
      owner: ana,
      acceptedAt: now.toISOString(),
      version: 8,
      stageEnteredAt: now.toISOString(),
    });
    expect(result.transition).toMatchObject({
      from: "mql",
      to: "sal",
      reason: "Accepted by Ana Lima",
      actor: rep,
      owner: ana,
      at: now.toISOString(),
      score: 72,
      reasons: hits,
    });
  });

  it("accept: an sql the rules reached without an owner gets one and keeps its stage", () => {
    const result = acceptLead(lead("sql"), ana, rep, now);

    expect(result.lead).toMatchObject({
      stage: "sql",
      owner: ana,
      acceptedAt: now.toISOString(),
      version: 8,
      stageEnteredAt: "2026-02-20T09:00:00.000Z",
    });
    expect(result.transition).toBeUndefined();
  });

  it("accept: refused when someone already owns the lead", () => {
    expect(() => acceptLead(lead("sql", { owner: ben }), ana, rep, now)).toThrow(
      new InvalidTransitionError("Grace Hopper is already accepted by Ben Okafor"),
    );
  });

  it("qualify: a sal becomes sql with the rep's reason", () => {
    const result = qualifyLead(lead("sal", { owner: ana }), rep, now, "BANT confirmed on the call");

    expect(result.transition).toMatchObject({
      from: "sal",
      to: "sql",
      reason: "BANT confirmed on the call",
      owner: ana,
    });
    expect(result.lead.owner).toEqual(ana);
  });

  it("openOpportunity: an sql becomes sqo", () => {
    const result = openOpportunity(lead("sql", { owner: ana }), rep, now);

    expect(result.transition).toMatchObject({ from: "sql", to: "sqo", reason: "Opportunity opened by a rep" });
  });

  it("disqualify: any stage but disqualified, keeping the lead and its owner", () => {
    for (const stage of ["lead", "mql", "sal", "sql", "sqo", "recycled"] as const) {
      const result = disqualifyLead(lead(stage, { owner: ana }), "Student project", rep, now);

      expect(result.lead).toMatchObject({ stage: "disqualified", owner: ana, version: 8 });
      expect(result.transition).toMatchObject({
        from: stage,
        to: "disqualified",
        reason: "Student project",
        actor: rep,
      });
    }
  });

  it("recycle: back to nurturing with the reason, from an open stage or disqualified", () => {
    for (const stage of ["mql", "sal", "sql", "sqo", "disqualified"] as const) {
      const result = recycleLead(lead(stage), "  Budget frozen until Q3 ", rep, now);

      expect(result.transition).toMatchObject({ from: stage, to: "recycled", reason: "Budget frozen until Q3" });
    }
  });

  it("disqualify and recycle refuse a missing or blank reason", () => {
    expect(() => disqualifyLead(lead("mql"), "  ", rep, now)).toThrow(
      new InvalidPayloadError("a reason is required to disqualify a lead"),
    );
    expect(() => applyRepAction(lead("mql"), { type: "recycle" } as RepAction, rep, now)).toThrow(InvalidPayloadError);
  });

  it.each([
    ["accept", lead("disqualified"), "Grace Hopper is disqualified; recycle it before you accept it"],
    ["qualify", lead("sql"), "Grace Hopper is already sql"],
    ["qualify", lead("sqo"), "cannot qualify Grace Hopper: it is sqo (allowed from lead, mql, sal, recycled)"],
    ["qualify", lead("disqualified"), "Grace Hopper is disqualified; recycle it before you qualify it"],
    ["openOpportunity", lead("sqo"), "Grace Hopper is already sqo"],
    ["disqualify", lead("disqualified"), "Grace Hopper is already disqualified"],
    ["recycle", lead("recycled"), "Grace Hopper is already recycled"],
    ["recycle", lead("lead"), "Grace Hopper is a new lead, already in nurturing"],
  ] as const)("%s is refused from %o with a clear error", (type, current, message) => {
    const action = { type, reason: "why", owner: ana } as RepAction;

    expect(() => applyRepAction(current, action, rep, now)).toThrow(new InvalidTransitionError(message));
  });

  it("never changes the lead it is given", () => {
    const before = lead("mql");
    const copy = structuredClone(before);

    acceptLead(before, ana, rep, now);

    expect(before).toEqual(copy);
  });
});
