import { describe, expect, it } from "vitest";
import { previewModel } from "../../../shared/application/preview-model";
import type { StageIndex } from "../../../shared/application/read-ports";
import { rescoreLeads } from "../../../shared/application/rescore-leads";
import { countStoredLeads, type WalkPosition, walkStoredLeads } from "../../../shared/application/stored-leads";
import { formatPreview } from "../../../shared/cli/model-store";
import type { Lead } from "../../../shared/domain/lead";
import { LeadEvent } from "../../../shared/domain/lead-event";
import { stableHash } from "../../../shared/domain/model/routing";
import type { ScoringModelInput } from "../../../shared/domain/model/schema";
import { memoryLeadStore } from "../../support/memory-lead-store";
import { recordLeads } from "../../support/pseudonyms";
import { engineFor } from "./journeys";

const base: Omit<ScoringModelInput, "version" | "stages"> = {
  engagement: { rules: [{ id: "form", label: "Form", on: "form.submitted", points: 30 }] },
};
const strict = engineFor({
  ...base,
  version: "v1",
  stages: { mql: [{ id: "m", label: "Score 50+", when: { score: { min: 50 } } }] },
});
const lenient = engineFor({
  ...base,
  version: "v2",
  stages: { mql: [{ id: "m", label: "Score 25+", when: { score: { min: 25 } } }] },
});
const NOW = new Date("2026-06-01T12:00:00.000Z");

/** A stage index over the in-memory store's leads, sharded and ordered like the real one. */
function memoryStageIndex(leads: Map<string, Lead>, shards = 3): StageIndex {
  return {
    shards,
    async read({ partition, after, limit }) {
      const keys = [...leads.values()]
        .filter((lead) => lead.stage === partition.stage && stableHash(lead.leadId) % shards === partition.shard)
        .map((lead) => ({ sortKey: `${lead.stageEnteredAt}#${lead.leadId}`, leadId: lead.leadId }))
        .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1))
        .filter((entry) => after === undefined || entry.sortKey > after);
      return { entries: keys.slice(0, limit), more: keys.length > limit };
    },
  };
}

async function tableWith(forms: Record<string, number>) {
  const memory = memoryLeadStore();
  const record = recordLeads({
    store: memory.store,
    engine: strict,
    clock: () => NOW,
  });
  for (const [email, count] of Object.entries(forms)) {
    for (let index = 0; index < count; index++) {
      await record(
        LeadEvent.parse({
          source: "generic",
          sourceEventId: `${email}-${index}`,
          type: "form.submitted",
          occurredAt: "2026-06-01T10:00:00.000Z",
          email,
        }),
      );
    }
  }
  return { memory, index: memoryStageIndex(memory.leads) };
}

describe("walking every stored lead", () => {
  it("visits each lead once across stages and shards, in pages, and resumes from a position", async () => {
    const { index } = await tableWith(
      Object.fromEntries(Array.from({ length: 23 }, (_, n) => [`p${n}@acme.example`, 1 + (n % 3)])),
    );
    const seen: string[] = [];
    let resumeAt: WalkPosition | undefined;
    for await (const page of walkStoredLeads(index, undefined, 4)) {
      seen.push(...page.leadIds);
      if (seen.length >= 8 && !resumeAt) resumeAt = page.next;
    }
    const rest: string[] = [];
    for await (const page of walkStoredLeads(index, resumeAt, 4)) rest.push(...page.leadIds);

    expect(seen).toHaveLength(23);
    expect(new Set(seen).size).toBe(23);
    expect(await countStoredLeads(index)).toBe(23);
    expect(rest).toEqual(seen.slice(seen.length - rest.length));
  });
});

describe("preview", () => {
  it("shows the leads a candidate model would move and the counts per stage, writing nothing", async () => {
    const { memory, index } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2, "none@acme.example": 0 });
    const commits = memory.commits();

    const preview = await previewModel({
      index,
      store: memory.store,
      current: strict,
      candidate: lenient,
      clock: () => NOW,
    })();

    expect(preview).toMatchObject({
      currentVersion: "v1",
      candidateVersion: "v2",
      examined: 2,
      before: { lead: 1, mql: 1 },
      after: { lead: 0, mql: 2 },
    });
    expect(preview.changes).toEqual([
      expect.objectContaining({ email: "one@acme.example", from: "lead", to: "mql", ruleId: "m", reason: "Score 25+" }),
    ]);
    expect(memory.commits()).toBe(commits);
    expect(formatPreview(preview)).toContain("1 lead would change stage:");
  });
});

describe("rescore", () => {
  it("applies the model to every lead with transitions by the model version, and is idempotent", async () => {
    const { memory, index } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2 });
    const rescore = rescoreLeads({ index, store: memory.store, engine: lenient, clock: () => NOW });

    const first = await rescore();
    const second = await rescore();

    expect(first).toEqual({ examined: 2, rescored: 2, moved: 1, current: 0, conflicts: 0 });
    expect(second).toMatchObject({ rescored: 0, moved: 0, current: 2 });
    expect([...memory.leads.values()].map((lead) => [lead.stage, lead.modelVersion])).toEqual([
      ["mql", "v2"],
      ["mql", "v2"],
    ]);
    const moved = [...memory.transitions.values()].flat().filter((transition) => transition.modelVersion === "v2");
    expect(moved).toEqual([
      expect.objectContaining({
        from: "lead",
        to: "mql",
        actor: { type: "model", id: "v2" },
        reason: "Score 25+ (rule m, rescored with model v2)",
      }),
    ]);
  });

  it("retries a lead another writer changed in the meantime", async () => {
    const { memory, index } = await tableWith({ "one@acme.example": 1 });
    let interfered = false;
    memory.onBeforeCommit((change) => {
      if (interfered) return;
      interfered = true;
      const stored = memory.leads.get(change.lead.leadId);
      if (stored) memory.leads.set(stored.leadId, { ...stored, version: stored.version + 1 });
    });

    const counts = await rescoreLeads({ index, store: memory.store, engine: lenient, clock: () => NOW })();

    expect(counts).toMatchObject({ rescored: 1, conflicts: 0 });
  });
});
