import { describe, expect, it } from "vitest";
import { replayLead } from "#shared/application/lead-replay";
import { countStoredLeads, type WalkPosition, walkStoredLeads } from "#shared/application/listing/stored-leads";
import type { StageIndex } from "#shared/application/ports/lead-reads";
import { type RunProgress, runProgress, type Tally } from "#shared/application/ports/runs";
import { modelPreview, previewLead } from "#shared/application/preview-model";
import { rescoreLead } from "#shared/application/rescore-leads";
import { formatPreview } from "#shared/cli/model-store";
import type { Lead } from "#shared/domain/lead";
import { LeadEvent } from "#shared/domain/lead-event";
import { stableHash } from "#shared/domain/model/routing";
import type { ScoringModelInput } from "#shared/domain/model/schema";
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

async function tableWith(forms: Record<string, number>, engine = strict) {
  const memory = memoryLeadStore();
  const record = recordLeads({
    store: memory.store,
    engine,
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

/** Each stored lead through a per-lead task, as a run's pages bring them; the tally the run would keep. */
async function overEveryLead<Result>(
  leads: Map<string, Lead>,
  task: (lead: Lead, tally: Tally) => Promise<Result>,
): Promise<{ tally: Tally; results: Result[] }> {
  const tally: Tally = {};
  const results: Result[] = [];
  for (const lead of structuredClone([...leads.values()])) results.push(await task(lead, tally));
  return { tally, results };
}

const progressOf = (tally: Tally): RunProgress =>
  runProgress(
    {
      runId: "preview-test",
      kind: "preview",
      model: { version: "v1", hash: strict.modelHash },
      candidate: { version: "v2", hash: lenient.modelHash },
      asOf: NOW.toISOString(),
      notify: false,
      workers: 1,
      createdAt: NOW.toISOString(),
    },
    [
      {
        part: 0,
        source: { from: "scan", segment: 0, segments: 1 },
        ticket: 0,
        page: 1,
        done: true,
        tally,
        updatedAt: "",
      },
    ],
  );

describe("preview", () => {
  it("shows the leads a candidate model would move and the counts per stage, writing nothing", async () => {
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2, "none@acme.example": 0 });
    const commits = memory.commits();

    const { tally, results } = await overEveryLead(
      memory.leads,
      previewLead({ store: memory.store, current: strict, candidate: lenient, now: NOW }),
    );
    const changes = results.filter((change) => change !== undefined);
    const preview = modelPreview(progressOf(tally), changes, new Map([[changes[0]?.leadId ?? "", "one@acme.example"]]));

    expect(preview).toMatchObject({
      currentVersion: "v1",
      candidateVersion: "v2",
      examined: 2,
      before: { lead: 1, mql: 1 },
      after: { lead: 0, mql: 2 },
      moves: [{ from: "lead", to: "mql", leads: 1 }],
    });
    expect(preview.changes).toEqual([
      expect.objectContaining({ email: "one@acme.example", from: "lead", to: "mql", ruleId: "m", reason: "Score 25+" }),
    ]);
    expect(memory.commits()).toBe(commits);
    expect(formatPreview(preview)).toContain("1 lead would change stage (lead → mql 1):");
    expect(preview.notQualified).toEqual([]);
  });

  it("shows what a stricter candidate would decide from scratch, though it moves no one", async () => {
    // Prepare: leads scored by the lenient model (mql at 25); the candidate wants 50.
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2 }, lenient);
    const oneId = [...memory.leads.values()].find((lead) => lead.email === "one@acme.example")?.leadId ?? "";

    // Act
    const { tally, results } = await overEveryLead(
      memory.leads,
      previewLead({ store: memory.store, current: lenient, candidate: strict, now: NOW }),
    );
    const listed = results.filter((change) => change !== undefined);
    const preview = modelPreview(progressOf(tally), listed, new Map([[oneId, "one@acme.example"]]));

    // Assess: automatic moves go forward only, so no one moves; from scratch, one would stay a lead.
    expect(preview.before).toMatchObject({ mql: 2 });
    expect(preview.after).toMatchObject({ mql: 2 });
    expect(preview.changes).toEqual([]);
    expect(preview.fromScratch).toMatchObject({ lead: 1, mql: 1 });
    expect(preview.notQualified).toEqual([
      expect.objectContaining({ leadId: oneId, email: "one@acme.example", from: "mql", fromScratch: "lead" }),
    ]);
    const text = formatPreview(preview);
    expect(text).toContain("No lead would change stage.");
    expect(text).toContain("1 current MQL or SQL would not qualify as such from scratch:");
    expect(text).toContain("one@acme.example  mql, from scratch lead");
  });
});

describe("rescore", () => {
  it("applies the model to every lead with quiet transitions by the model version, and is idempotent", async () => {
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2 });
    const rescore = rescoreLead({ store: memory.store, engine: lenient, clock: () => NOW, quiet: true });

    const first = await overEveryLead(memory.leads, rescore);
    const second = await overEveryLead(memory.leads, rescore);

    expect(first.tally).toEqual({ examined: 2, rescored: 2, moved: 1, "moved:lead>mql": 1 });
    expect(second.tally).toEqual({ examined: 2, current: 2 });
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
        quiet: true,
      }),
    ]);
  });

  it("re-evaluates leads from their snapshots, reading no event, when the new model changes only what evaluation reads", async () => {
    // Prepare: lenient differs from strict in its mql threshold alone, so the two fold alike.
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2 });
    let eventReads = 0;
    const store = {
      ...memory.store,
      loadEvents: (...args: Parameters<typeof memory.store.loadEvents>) => {
        eventReads++;
        return memory.store.loadEvents(...args);
      },
    };
    const replayed = structuredClone(memory.leads);

    // Act: the rescore, and for comparison each lead replayed from its events by the same model.
    const { tally } = await overEveryLead(
      memory.leads,
      rescoreLead({ store, engine: lenient, clock: () => NOW, quiet: true }),
    );
    const expected = await Promise.all(
      [...replayed.values()].map((lead) => replayLead({ store: memory.store, engine: lenient }, lead, NOW)),
    );

    // Assess
    expect(lenient.foldHash).toBe(strict.foldHash);
    expect(eventReads).toBe(0);
    expect(tally).toEqual({ examined: 2, rescored: 2, moved: 1, "moved:lead>mql": 1 });
    const pick = ({ snapshot: _s, version: _v, ...rest }: Lead) => rest;
    expect([...memory.leads.values()].map(pick)).toEqual(expected.map((folded) => pick(folded?.lead as Lead)));
    for (const lead of memory.leads.values()) {
      expect(lead.snapshot).toMatchObject({ model: lenient.modelHash, fold: lenient.foldHash });
    }
  });

  it("replays each lead from its events when the new model folds otherwise", async () => {
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2 });
    const decaying = engineFor({
      engagement: { halfLifeDays: 30, rules: base.engagement?.rules ?? [] },
      version: "v4",
      stages: { mql: [{ id: "m", label: "Score 25+", when: { score: { min: 25 } } }] },
    });

    const { tally } = await overEveryLead(
      memory.leads,
      rescoreLead({ store: memory.store, engine: decaying, clock: () => NOW, quiet: true }),
    );

    expect(decaying.foldHash).not.toBe(strict.foldHash);
    expect(tally).toMatchObject({ examined: 2, rescored: 2, replayed: 2 });
    for (const lead of memory.leads.values()) {
      expect(lead.snapshot).toMatchObject({ model: decaying.modelHash, fold: decaying.foldHash });
    }
  });

  it("stores each wait for review a gated model begins, quiet unless the rescore alerts, paced when it does", async () => {
    // Prepare: the new model holds a lead of 25 points or more for review (the SDR gate).
    const gated = engineFor({
      ...base,
      version: "v3",
      stages: { sqlReview: true, sql: [{ id: "s", label: "Score 25+", when: { score: { min: 25 } } }] },
    });
    const runs = [];
    for (const quiet of [true, false]) {
      const { memory } = await tableWith({ "one@acme.example": 1 });
      let waited = 0;
      const beforeAlert = async () => {
        waited++;
      };

      // Act
      await overEveryLead(
        memory.leads,
        rescoreLead({ store: memory.store, engine: gated, clock: () => NOW, quiet, beforeAlert }),
      );
      runs.push({
        waits: [...memory.sqlReady.values()],
        waited,
        stages: [...memory.leads.values()].map((lead) => lead.stage),
      });
    }

    // Assess
    const [quietRun, alertingRun] = runs;
    expect(quietRun?.waits).toEqual([expect.objectContaining({ ruleId: "s", since: NOW.toISOString(), quiet: true })]);
    expect(quietRun?.waited).toBe(0);
    expect(alertingRun?.waits).toEqual([expect.objectContaining({ ruleId: "s", since: NOW.toISOString() })]);
    expect(alertingRun?.waits[0]?.quiet).toBeUndefined();
    expect(alertingRun?.waited).toBe(1);
    expect(runs.map((run) => run.stages)).toEqual([["lead"], ["lead"]]);
  });

  it("waits for the alert pace before each move it alerts about, and only then", async () => {
    const { memory } = await tableWith({ "one@acme.example": 1, "two@acme.example": 2, "six@acme.example": 1 });
    let waited = 0;

    await overEveryLead(
      memory.leads,
      rescoreLead({
        store: memory.store,
        engine: lenient,
        clock: () => NOW,
        quiet: false,
        beforeAlert: async () => {
          waited++;
        },
      }),
    );

    const moved = [...memory.transitions.values()].flat().filter((transition) => transition.modelVersion === "v2");
    expect(moved).toHaveLength(2);
    expect(moved.every((transition) => transition.quiet === undefined)).toBe(true);
    expect(waited).toBe(2);
  });

  it("retries a lead another writer changed in the meantime, from a fresh read", async () => {
    const { memory } = await tableWith({ "one@acme.example": 1 });
    let interfered = false;
    memory.onBeforeCommit((change) => {
      if (interfered) return;
      interfered = true;
      const stored = memory.leads.get(change.lead.leadId);
      if (stored) memory.leads.set(stored.leadId, { ...stored, version: stored.version + 1 });
    });

    const { tally } = await overEveryLead(
      memory.leads,
      rescoreLead({ store: memory.store, engine: lenient, clock: () => NOW, quiet: true }),
    );

    expect(tally).toMatchObject({ examined: 1, rescored: 1 });
    expect(tally.conflicts).toBeUndefined();
  });
});
