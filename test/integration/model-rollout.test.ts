import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STAGE_SHARDS } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { dynamoRunStore } from "#shared/adapters/dynamodb/runs";
import { VersionConflictError } from "#shared/application/ports/lead-store";
import type { WorkItem } from "#shared/application/ports/runs";
import { modelPreview } from "#shared/application/preview-model";
import { workOnPart } from "#shared/application/run-worker";
import { startRun } from "#shared/application/start-run";
import { LeadEvent } from "#shared/domain/lead-event";
import { createEngine } from "#shared/domain/model/engine";
import { parseModel } from "#shared/domain/model/parse";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { runLocally } from "#shared/local/lead-runs";
import { localWorkQueue } from "#shared/local/work-queue";
import { runModelOf, tableRunWorker } from "#shared/runtime/lead-run-workers";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { leadIdOf, recordLeads } from "../support/pseudonyms";

// Preview and rescore as runs over the real table: Scan segments, checkpoints, the local work queue.
const model = (version: string, threshold: number) =>
  createEngine(
    parseModel({
      version,
      engagement: { rules: [{ id: "form", label: "Form", on: "form.submitted", points: 30 }] },
      stages: { mql: [{ id: "mql", label: `Score ${threshold}+`, when: { score: { min: threshold } } }] },
    }),
  );
const current = model("v1", 50);
const candidate = model("v2", 25);
const now = new Date("2026-06-01T12:00:00.000Z");
/** Emails and how many forms each sent: one form is 30 points (mql under v2 only), two are 60 (mql under both). */
const PEOPLE = Object.fromEntries(
  Array.from({ length: 24 }, (_, n) => [`p${n}@${n % 2 ? "acme" : "globex"}.example`, n % 3 === 0 ? 2 : 1]),
);
const MOVED_BY_V2 = Object.values(PEOPLE).filter((forms) => forms === 1).length;

async function seededTable(prefix: string): Promise<TestTable> {
  const table = await createTestTable(prefix);
  const record = recordLeads({ store: dynamoLeadStore(table), engine: current, clock: () => now });
  for (const [email, forms] of Object.entries(PEOPLE)) {
    for (let index = 0; index < forms; index++) {
      await record(
        LeadEvent.parse({
          source: "generic",
          sourceEventId: `${email}-${index}`,
          type: "form.submitted",
          occurredAt: "2026-06-01T11:00:00.000Z",
          email,
        }),
      );
    }
  }
  return table;
}

/** The parts of one run worked by hand: each delivery through workOnPart, with the store a test chooses. */
function handDriven(table: TestTable, engine: ScoringEngine) {
  const queue = localWorkQueue({ visibilityMs: 10 });
  const worker = tableRunWorker({ table, engine, queue, scanPageItems: 10 });
  return {
    queue,
    worker,
    runs: dynamoRunStore(table),
    start: startRun({ ...worker, workers: 2, stageShards: STAGE_SHARDS }),
  };
}

const tables: TestTable[] = [];
afterAll(() => {
  for (const table of tables) table.client.destroy();
});
const table = async (prefix: string) => {
  const made = await seededTable(prefix);
  tables.push(made);
  return made;
};

describe("model rollout as runs over DynamoDB", () => {
  let rollout: TestTable;
  beforeAll(async () => {
    rollout = await table("model-rollout");
  });

  it("previews the leads a candidate would move, then rescore moves exactly those, quietly and once", async () => {
    // Prepare
    const store = dynamoLeadStore(rollout);
    const runs = dynamoRunStore(rollout);
    const options = { table: rollout, workers: 2, scanPageItems: 10 };

    // Act
    const preview = await runLocally(
      { kind: "preview", model: runModelOf(current), candidate: runModelOf(candidate) },
      { ...options, engine: current, known: [candidate] },
    );
    const changes = await runs.changes(preview.run.runId);
    const first = await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      { ...options, engine: candidate },
    );
    const again = await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      { ...options, engine: candidate },
    );

    // Assess
    const leads = Object.keys(PEOPLE).length;
    const shown = modelPreview(preview.progress, changes, new Map());
    expect(shown).toMatchObject({ examined: leads, before: { lead: MOVED_BY_V2, mql: leads - MOVED_BY_V2 } });
    expect(shown.after).toMatchObject({ lead: 0, mql: leads });
    expect(shown.moves).toEqual([{ from: "lead", to: "mql", leads: MOVED_BY_V2 }]);
    expect(changes.map((change) => change.leadId).sort()).toEqual(
      Object.entries(PEOPLE)
        .filter(([, forms]) => forms === 1)
        .map(([email]) => leadIdOf(email))
        .sort(),
    );
    expect(first.progress).toMatchObject({
      done: true,
      tally: { examined: leads, rescored: leads, moved: MOVED_BY_V2 },
    });
    expect(first.progress.moves).toEqual([{ from: "lead", to: "mql", leads: MOVED_BY_V2 }]);
    expect(first.progress.tally.writeUnits).toBeGreaterThan(0);
    expect(again.created).toBe(true);
    expect(again.progress.tally).toMatchObject({ examined: leads, current: leads });
    expect(again.progress.tally.rescored).toBeUndefined();
    const moved = changes[0]?.leadId ?? "";
    const transitions = await store.listTransitions(moved);
    expect(transitions).toHaveLength(2);
    expect(transitions.at(-1)).toMatchObject({
      from: "lead",
      to: "mql",
      actor: { type: "model", id: "v2" },
      quiet: true,
    });
  });

  it("alerts on its moves only when asked to", async () => {
    // Prepare
    const notified = await table("model-rollout-notify");

    // Act
    await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: true },
      { table: notified, engine: candidate, workers: 1 },
    );

    // Assess
    const [email] = Object.entries(PEOPLE).find(([, forms]) => forms === 1) ?? [""];
    const last = (await dynamoLeadStore(notified).listTransitions(leadIdOf(email))).at(-1);
    expect(last).toMatchObject({ to: "mql", actor: { type: "model" } });
    expect(last?.quiet).toBeUndefined();
  });

  it("finishes a part whose worker failed midway, from its last checkpoint, writing each lead once", async () => {
    // Prepare
    const crashing = await table("model-rollout-crash");
    const { queue, worker, runs, start } = handDriven(crashing, candidate);
    const store = worker.store;
    let commits = 0;
    // The worker dies on its fifth write: the lead is not written, the page not checkpointed.
    worker.store = {
      ...store,
      commit: async (change) => {
        if (++commits === 5) throw new Error("worker crashed");
        return store.commit(change);
      },
    };
    const { run } = await start({ kind: "rescore", model: runModelOf(candidate), notify: false }, "unfinished");

    // Act
    const drained = await queue.drain(workOnPart(worker), { workers: 2 });

    // Assess
    const parts = await runs.parts(run.runId);
    const leads = await Promise.all(Object.keys(PEOPLE).map((email) => store.getLead(leadIdOf(email))));
    expect(drained.deadLetters).toEqual([]);
    expect(drained.deliveries).toBe(parts.length + 1);
    expect(parts.every((part) => part.done)).toBe(true);
    expect(leads.every((lead) => lead?.modelVersion === "v2" && lead.version === (PEOPLE[lead.email] ?? 0) + 1)).toBe(
      true,
    );
  });

  it("counts a part once however often its work item is delivered", async () => {
    // Prepare
    const twice = await table("model-rollout-twice");
    const { queue, worker, runs, start } = handDriven(twice, candidate);
    const { run, parts } = await start({ kind: "rescore", model: runModelOf(candidate), notify: false }, "unfinished");
    const items: WorkItem[] = parts.map((part) => ({ runId: run.runId, part: part.part, ticket: 0 }));

    // Act: every item delivered again, as SQS may; each a second time after the first finished.
    await queue.send(items);
    const drained = await queue.drain(workOnPart(worker), { workers: 2 });
    const late = await Promise.all(items.map((item) => workOnPart(worker)(item)));

    // Assess
    const progress = await runs.parts(run.runId);
    const examined = progress.reduce((sum, part) => sum + (part.tally.examined ?? 0), 0);
    const rescored = progress.reduce((sum, part) => sum + (part.tally.rescored ?? 0), 0);
    expect(drained.deadLetters).toEqual([]);
    expect(late.map((outcome) => outcome.status)).toEqual(items.map(() => "obsolete"));
    expect(progress.every((part) => part.done)).toBe(true);
    expect(examined).toBe(Object.keys(PEOPLE).length);
    expect(rescored).toBeLessThanOrEqual(examined);
    const written = await Promise.all(Object.keys(PEOPLE).map((email) => worker.store.getLead(leadIdOf(email))));
    expect(written.every((lead) => lead?.modelVersion === "v2")).toBe(true);
  });

  it("hands a part over when a delivery runs out of time, and the next delivery goes on from there", async () => {
    // Prepare
    const handedOver = await table("model-rollout-handover");
    const logged: { message: string; fields: Record<string, unknown> }[] = [];

    // Act: each delivery may start one page only.
    const result = await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      {
        table: handedOver,
        engine: candidate,
        workers: 2,
        scanPageItems: 4,
        deliveryMs: 60_000,
        reserveMs: 60_000,
        log: (message, fields) => logged.push({ message, fields }),
      },
    );

    // Assess
    const parts = await dynamoRunStore(handedOver).parts(result.run.runId);
    expect(result.progress).toMatchObject({ done: true, tally: { examined: Object.keys(PEOPLE).length } });
    expect(Math.max(...parts.map((part) => part.page))).toBeGreaterThan(1);
    expect(parts.map((part) => part.ticket)).toEqual(parts.map((part) => part.page - 1));
    expect(JSON.stringify(logged)).not.toContain("@");
  });

  it("is refused by a worker running another model than the rescore applies", async () => {
    // Prepare
    const refused = await table("model-rollout-refused");

    // Act
    const result = await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      { table: refused, engine: current, workers: 1 },
    );

    // Assess
    expect(result.run.refused).toMatch(/model v2 .* runs model v1/);
    expect(result.progress.tally.rescored).toBeUndefined();
    const lead = await dynamoLeadStore(refused).getLead(leadIdOf(Object.keys(PEOPLE)[0] ?? ""));
    expect(lead?.modelVersion).toBe("v1");
  });

  it("resumes an interrupted rescore from its checkpoints instead of starting over", async () => {
    // Prepare: a first process worked two deliveries, then stopped (its queue is gone).
    const resumed = await table("model-rollout-resume");
    const { queue, worker, runs, start } = handDriven(resumed, candidate);
    const { run } = await start({ kind: "rescore", model: runModelOf(candidate), notify: false }, "unfinished");
    let delivered = 0;
    await queue.drain(
      async (item) => {
        if (++delivered > 2) throw new VersionConflictError("the process stopped");
        return workOnPart(worker)(item);
      },
      { workers: 1 },
    );
    const before = await runs.parts(run.runId);

    // Act
    const result = await runLocally(
      { kind: "rescore", model: runModelOf(candidate), notify: false },
      { table: resumed, engine: candidate, workers: 2, scanPageItems: 10 },
    );

    // Assess
    expect(before.filter((part) => part.done).length).toBeGreaterThan(0);
    expect(before.every((part) => part.done)).toBe(false);
    expect(result.created).toBe(false);
    expect(result.run.runId).toBe(run.runId);
    expect(result.progress).toMatchObject({ done: true, tally: { examined: Object.keys(PEOPLE).length } });
  });
});

describe("a rescore while ingest goes on", () => {
  it("loses and double-counts no event: each lead ends as a replay of all its events by the new model", async () => {
    // Prepare: ingest already runs the new model (deployed before its rescore) and keeps recording.
    const live = await table("model-rollout-live");
    const store = dynamoLeadStore(live);
    const record = recordLeads({ store, engine: candidate, clock: () => now });
    const emails = Object.keys(PEOPLE);
    const more = emails.flatMap((email, n) =>
      Array.from({ length: 1 + (n % 3) }, (_, index) =>
        LeadEvent.parse({
          source: "generic",
          sourceEventId: `${email}-live-${index}`,
          type: "form.submitted",
          occurredAt: "2026-06-01T11:30:00.000Z",
          email,
        }),
      ),
    );

    // Act: the run and the webhooks interleave (small pages: many checkpoints between writes).
    const [result] = await Promise.all([
      runLocally(
        { kind: "rescore", model: runModelOf(candidate), notify: false },
        { table: live, engine: candidate, workers: 2, concurrency: 4, scanPageItems: 3 },
      ),
      (async () => {
        for (const event of more) await record(event);
      })(),
    ]);

    // Assess
    const recorded = (email: string) => (PEOPLE[email] ?? 0) + more.filter((event) => event.email === email).length;
    expect(result.progress.done).toBe(true);
    expect(result.progress.tally.examined).toBe(emails.length);
    for (const email of emails) {
      const history = await store.loadHistory(leadIdOf(email), { consistent: true });
      expect(history.events).toHaveLength(recorded(email));
      expect(history.lead).toMatchObject({ modelVersion: "v2", eventCount: recorded(email) });
      // One form is 30 points (no decay in this model): the score counts every event once.
      expect(history.lead?.score).toBe(30 * recorded(email));
      expect(history.lead?.stage).toBe("mql");
      const transitions = await store.listTransitions(leadIdOf(email));
      expect(transitions.filter((transition) => transition.to === "mql")).toHaveLength(1);
    }
  });
});
