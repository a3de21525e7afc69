import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LeadId, LeadIdOrEmail } from "#shared/domain/lead";
import { TransitionId, transitionId } from "#shared/domain/lead-fold";
import { pseudonyms } from "#shared/domain/pseudonyms";
import { leadIdOf } from "../../support/pseudonyms";

describe("the shapes of ids that come back from outside", () => {
  it("holds every lead id the pseudonyms derive, under any key, and every transition id transitionId derives", () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.string({ minLength: 32 }), fc.nat(), (email, key, version) => {
        const leadId = pseudonyms(key).leadId(email);
        expect(LeadId.safeParse(leadId).success).toBe(true);
        expect(TransitionId.safeParse(transitionId(leadId, version)).success).toBe(true);
      }),
    );
  });

  it("gives every version of a lead its own transition id, the same one each time it is asked", () => {
    const leadId = leadIdOf("ada@example.com");
    const ids = new Set<string>();
    for (let version = 0; version < 20_000; version++) ids.add(transitionId(leadId, version));
    expect(ids.size).toBe(20_000);
    expect(transitionId(leadId, 7)).toBe(transitionId(`${leadId}`, 7));
    fc.assert(
      fc.property(fc.emailAddress(), fc.nat(), fc.nat(), (email, first, second) => {
        const id = leadIdOf(email);
        expect(transitionId(id, first) === transitionId(id, second)).toBe(first === second);
      }),
    );
  });

  it("spreads transition ids over leads without collisions among 100,000 of them", () => {
    const ids = new Set<string>();
    for (let lead = 0; lead < 100_000; lead++) ids.add(transitionId(leadIdOf(`person${lead}@example.com`), 1));
    expect(ids.size).toBe(100_000);
  });

  it("takes a lead id, or an email in any case, up to 254 characters", () => {
    const leadId = leadIdOf("ada@example.com");
    expect(LeadIdOrEmail.parse(leadId)).toBe(leadId);
    expect(LeadIdOrEmail.parse("Ada@Example.com")).toBe("Ada@Example.com");
    expect(LeadIdOrEmail.safeParse(`${"a".repeat(242)}@example.com`).success).toBe(true);
  });

  it.each([
    ["an email over 254 characters", `${"a".repeat(243)}@example.com`],
    ["a 2,100-character id", "a".repeat(2100)],
    ["an id of another shape", "ld_1"],
    ["an id in upper case", leadIdOf("ada@example.com").toUpperCase()],
    ["a transition id", transitionId(leadIdOf("ada@example.com"), 1)],
    ["something with an @ that is not an email", "no one@"],
    ["nothing", ""],
  ])("refuses %s", (_case, value) => {
    expect(LeadIdOrEmail.safeParse(value).success).toBe(false);
  });
});
