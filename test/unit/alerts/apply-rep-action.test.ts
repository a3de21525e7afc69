import { describe, expect, it } from "vitest";
import { applyRepAction, type RepActionRequest } from "#shared/application/apply-rep-action";
import { InvalidPayloadError, InvalidTransitionError, LeadNotFoundError } from "#shared/domain/errors";
import type { Lead, Owner } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";
import { memoryLeadStore } from "../../support/memory-lead-store";
import { TEST_PSEUDONYMS } from "../../support/pseudonyms";
import { storedEvent } from "../leads/fixtures";
import { engineFor } from "../model/journeys";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const ANA: Owner = { id: "ana", name: "Ana Lima", email: "ana.lima@example.com", slackUserId: "U0000ANA1" };

function lead(stage: Stage, overrides: Partial<Lead> = {}): Lead {
  return {
    leadId: "ld_ada",
    email: "ada@example.com",
    name: "Ada Lovelace",
    domain: "example.com",
    attributes: {},
    stage,
    stageEnteredAt: "2026-11-20T10:00:00.000Z",
    score: 82,
    fit: 30,
    engagement: 52,
    bant: {},
    createdAt: "2026-11-19T10:00:00.000Z",
    updatedAt: "2026-11-20T10:00:00.000Z",
    lastEventAt: "2026-11-20T10:00:00.000Z",
    eventCount: 3,
    modelVersion: "test-1",
    version: 3,
    ...overrides,
  };
}

const DEMO_ENGINE = engineFor({
  engagement: { rules: [{ id: "demo", label: "Demo completed", on: "demo.completed", points: 50 }] },
});

async function storeWith(stored: Lead) {
  const memory = memoryLeadStore();
  await memory.store.commit({ lead: stored, expectedVersion: undefined });
  const apply = applyRepAction({ store: memory.store, engine: DEMO_ENGINE, clock: () => NOW, sleep: async () => {} });
  return { ...memory, apply };
}

const accept = (overrides: Partial<RepActionRequest> = {}): RepActionRequest => ({
  leadId: "ld_ada",
  action: { type: "accept", owner: ANA },
  actor: { type: "rep", id: "U0000ANA1" },
  idempotencyKey: "slack:1700000001.000200",
  ...overrides,
});

describe("applyRepAction", () => {
  it("accepts a marketing-qualified lead: sal, owned by the rep, with a transition the rep made", async () => {
    // Prepare
    const { apply, leads, transitions } = await storeWith(lead("mql"));

    // Act
    const outcome = await apply(accept());

    // Assess
    expect(outcome.duplicate).toBe(false);
    expect(leads.get("ld_ada")).toMatchObject({
      stage: "sal",
      owner: ANA,
      version: 4,
      stageEnteredAt: NOW.toISOString(),
    });
    expect(transitions.get("ld_ada")).toEqual([
      expect.objectContaining({
        from: "mql",
        to: "sal",
        actor: { type: "rep", id: "U0000ANA1" },
        at: NOW.toISOString(),
      }),
    ]);
  });

  it("records the owner of a sales-qualified lead without moving it back", async () => {
    // Prepare
    const { apply, leads, transitions, commits } = await storeWith(lead("sql"));

    // Act
    const outcome = await apply(accept());

    // Assess
    expect(outcome).toMatchObject({ duplicate: false, lead: { stage: "sql", owner: ANA } });
    expect(outcome.transition).toBeUndefined();
    expect(leads.get("ld_ada")).toMatchObject({ stage: "sql", owner: ANA, version: 4 });
    expect(transitions.get("ld_ada")).toBeUndefined();
    expect(commits()).toBe(2);
  });

  it("applies the same action id once", async () => {
    // Prepare
    const { apply, transitions, commits } = await storeWith(lead("mql"));
    await apply(accept());

    // Act
    const again = await apply(accept({ action: { type: "disqualify", reason: "Competitor" } }));

    // Assess
    expect(again).toMatchObject({ duplicate: true, lead: { stage: "sal" } });
    expect(transitions.get("ld_ada")).toHaveLength(1);
    expect(commits()).toBe(2);
  });

  it("recognises a replay before deciding it again: the first application's outcome, and no write", async () => {
    // Prepare: the replay comes a minute later, when accepting again would be refused (already accepted).
    const memory = memoryLeadStore();
    await memory.store.commit({ lead: lead("mql"), expectedVersion: undefined });
    let now = NOW;
    const apply = applyRepAction({ store: memory.store, engine: DEMO_ENGINE, clock: () => now, sleep: async () => {} });
    const original = await apply(accept());
    now = new Date(NOW.getTime() + 60_000);

    // Act
    const replay = await apply(accept());

    // Assess
    expect(original).toMatchObject({ duplicate: false, appliedAt: NOW.toISOString() });
    expect(replay).toMatchObject({ duplicate: true, appliedAt: NOW.toISOString(), lead: { stage: "sal", owner: ANA } });
    expect(replay.transition).toBeUndefined();
    expect(memory.commits()).toBe(2);
  });

  it("disqualifies and recycles with the reason recorded on the transition", async () => {
    // Prepare
    const { apply, transitions } = await storeWith(lead("sql"));

    // Act
    await apply(accept({ action: { type: "recycle", reason: "Not ready now" }, idempotencyKey: "a" }));
    await apply(accept({ action: { type: "disqualify", reason: "Competitor" }, idempotencyKey: "b" }));

    // Assess
    expect(transitions.get("ld_ada")?.map((move) => [move.to, move.reason])).toEqual([
      ["recycled", "Not ready now"],
      ["disqualified", "Competitor"],
    ]);
  });

  it("refuses a move the lifecycle forbids and writes nothing", async () => {
    // Prepare
    const { apply, commits } = await storeWith(lead("sql", { owner: ANA }));

    // Act
    const outcome = apply(accept());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(InvalidTransitionError);
    await expect(outcome).rejects.toThrow("Ada Lovelace is already accepted by Ana Lima");
    expect(commits()).toBe(1);
  });

  it("refuses a backward move without a reason", async () => {
    const { apply } = await storeWith(lead("sql"));

    await expect(apply(accept({ action: { type: "recycle", reason: "  " } }))).rejects.toBeInstanceOf(
      InvalidPayloadError,
    );
  });

  it("refuses an unknown lead", async () => {
    const { apply } = await storeWith(lead("sql"));

    await expect(apply(accept({ leadId: "ld_nobody" }))).rejects.toBeInstanceOf(LeadNotFoundError);
  });

  it("reads again and retries when another writer moved the lead first", async () => {
    // Prepare
    const memory = await storeWith(lead("mql"));
    let interfered = false;
    memory.onBeforeCommit(() => {
      if (interfered) return;
      interfered = true;
      const current = memory.leads.get("ld_ada") as Lead;
      memory.leads.set("ld_ada", { ...current, score: 90, version: current.version + 1 });
    });

    // Act
    const outcome = await memory.apply(accept());

    // Assess
    expect(outcome.lead).toMatchObject({ stage: "sal", score: 90, version: 5 });
  });

  it("carries the lead's explanation on the transition when it has an engine", async () => {
    // Prepare
    const memory = memoryLeadStore();
    const stored = lead("mql");
    const demo = storedEvent({ email: stored.email, type: "demo.completed", occurredAt: NOW.toISOString() });
    await memory.store.commit({
      lead: { ...stored, eventCount: 1 },
      expectedVersion: undefined,
      event: demo,
      eventKey: TEST_PSEUDONYMS.eventKey(demo.eventId),
    });
    const apply = applyRepAction({ store: memory.store, engine: DEMO_ENGINE, clock: () => NOW, sleep: async () => {} });

    // Act
    const outcome = await apply(accept());

    // Assess
    expect(outcome.transition?.reasons).toEqual([
      { ruleId: "demo", axis: "engagement", label: "Demo completed", hits: 1, points: 50, decayedPoints: 50 },
    ]);
  });
});
