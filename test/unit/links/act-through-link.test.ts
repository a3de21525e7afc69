import { describe, expect, it } from "vitest";
import { actThroughLink } from "#shared/application/act-through-link";
import type { RepActionOutcome, RepActionRequest } from "#shared/application/apply-rep-action";
import { InvalidPayloadError } from "#shared/domain/errors";
import type { Owner } from "#shared/domain/lead";

const ANA: Owner = { id: "ana", name: "Ana Lima", email: "ana@example.com" };
const LEAD = "ld_0123456789abcdef01234567";
const claims = (rep?: string) => ({ scope: "lead" as const, expiresAt: 2_000_000_000, ...(rep && { rep }) });

/** The write path as a recorder: what a link's action asks of it. */
function recording() {
  const requests: RepActionRequest[] = [];
  const apply = async (request: RepActionRequest) => {
    requests.push(request);
    return { duplicate: false, appliedAt: "2026-12-01T00:00:00Z" } as RepActionOutcome;
  };
  return { requests, act: actThroughLink({ apply, owners: [ANA] }) };
}

describe("acting through a link", () => {
  it("accepts as the rep the link was made for, recorded as that rep via the link, keyed by page and verb", async () => {
    // Prepare
    const { requests, act } = recording();

    // Act
    await act({ leadId: LEAD, claims: claims("ana"), pageId: "page-1", action: { type: "accept" } });
    await act({ leadId: LEAD, claims: claims("ana"), pageId: "page-1", action: { type: "disqualify", reason: "no" } });

    // Assess
    expect(requests).toEqual([
      {
        leadId: LEAD,
        action: { type: "accept", owner: ANA },
        actor: { type: "rep", id: "link:ana" },
        idempotencyKey: "link:page-1:accept",
      },
      {
        leadId: LEAD,
        action: { type: "disqualify", reason: "no" },
        actor: { type: "rep", id: "link:ana" },
        idempotencyKey: "link:page-1:disqualify",
      },
    ]);
  });

  it("takes a rep the routing team does not list as themself", async () => {
    const { requests, act } = recording();
    await act({ leadId: LEAD, claims: claims("slack:U1"), pageId: "p", action: { type: "accept" } });
    expect(requests[0]?.action).toEqual({ type: "accept", owner: { id: "slack:U1", name: "slack:U1", email: "" } });
  });

  it("asks a channel's link which owner accepts, and refuses anyone outside the routing team", async () => {
    // Prepare
    const { requests, act } = recording();

    // Act
    await act({ leadId: LEAD, claims: claims(), pageId: "p", action: { type: "accept", owner: "ana" } });
    const stranger = act({ leadId: LEAD, claims: claims(), pageId: "q", action: { type: "accept", owner: "mallory" } });
    const nobody = act({ leadId: LEAD, claims: claims(), pageId: "r", action: { type: "accept" } });

    // Assess
    await expect(stranger).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(nobody).rejects.toBeInstanceOf(InvalidPayloadError);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ action: { owner: ANA }, actor: { id: "link:ana" } });
  });

  it("records a channel link's other actions as unnamed", async () => {
    const { requests, act } = recording();
    await act({ leadId: LEAD, claims: claims(), pageId: "p", action: { type: "qualify" } });
    expect(requests[0]?.actor).toEqual({ type: "rep", id: "link:unnamed" });
  });
});
