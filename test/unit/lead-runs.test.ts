import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mapConcurrent } from "#shared/application/pacing/concurrency";
import { capacityMeter, tokenBucket } from "#shared/application/pacing/token-bucket";
import type { LeadStore } from "#shared/application/ports/lead-store";
import type { LeadRun, RunModel, WorkItem } from "#shared/application/ports/runs";
import { type RunWorkerDeps, workOnPart } from "#shared/application/run-worker";
import { type RunRequest, startRun } from "#shared/application/start-run";
import { busiestWindow } from "#shared/bench/stats";
import type { Lead } from "#shared/domain/lead";
import { LeadEvent } from "#shared/domain/lead-event";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { localWorkQueue } from "#shared/local/work-queue";
import { memoryLeadStore } from "../support/memory-lead-store";
import { memoryLeadPages, memoryRunStore } from "../support/memory-runs";
import { recordLeads } from "../support/pseudonyms";
import { engineFor } from "./model/journeys";

const base = { engagement: { rules: [{ id: "form", label: "Form", on: "form.submitted", points: 30 }] } };
const v1 = engineFor({
  ...base,
  version: "v1",
  stages: { mql: [{ id: "m", label: "50+", when: { score: { min: 50 } } }] },
});
const v2 = engineFor({
  ...base,
  version: "v2",
  stages: { mql: [{ id: "m", label: "25+", when: { score: { min: 25 } } }] },
});
const NOW = new Date("2026-06-01T12:00:00.000Z");
const modelOf = (engine: ScoringEngine): RunModel => ({ version: engine.modelVersion, hash: engine.modelHash });
const rescoreV2: RunRequest = { kind: "rescore", model: modelOf(v2), notify: false };

/** `leads` leads stored by v1: every third sent two forms (mql under both), the others one (mql under v2 only). */
async function storedLeads(leads: number) {
  const memory = memoryLeadStore();
  const record = recordLeads({ store: memory.store, engine: v1, clock: () => NOW });
  for (let n = 0; n < leads; n++) {
    for (let form = 0; form < (n % 3 === 0 ? 2 : 1); form++) {
      await record(
        LeadEvent.parse({
          source: "generic",
          sourceEventId: `p${n}-${form}`,
          type: "form.submitted",
          occurredAt: "2026-06-01T10:00:00.000Z",
          email: `p${n}@acme.example`,
        }),
      );
    }
  }
  return memory;
}

/** A run over the in-memory store, its parts drained by `workers` local workers running workOnPart. */
function runner(
  memory: Awaited<ReturnType<typeof storedLeads>>,
  options: { pageSize: number; workers: number; engine?: ScoringEngine; store?: LeadStore; pageEvents?: boolean },
) {
  const runs = memoryRunStore();
  const queue = localWorkQueue({ visibilityMs: 0, maxReceives: 10 });
  let clock = NOW.getTime();
  const deps: RunWorkerDeps = {
    runs: runs.store,
    pages: memoryLeadPages(memory.leads, options.pageSize, options.pageEvents ? memory.events : undefined),
    queue,
    store: options.store ?? memory.store,
    capacity: capacityMeter(),
    engine: options.engine ?? v2,
    compile: () => undefined,
    breaches: { record: async () => true },
    clock: () => new Date(clock),
    sleep: async (milliseconds) => {
      clock += milliseconds;
    },
  };
  const start = startRun({ runs: runs.store, queue, clock: deps.clock, workers: options.workers, stageShards: 1 });
  return { runs, queue, deps, start, drain: () => queue.drain(workOnPart(deps), { workers: options.workers }) };
}

/** A rescore of 40 stored leads, started for one worker with pages of 2, and its first part. */
async function startedOnePart() {
  const memory = await storedLeads(40);
  const { runs, deps, start } = runner(memory, { pageSize: 2, workers: 1 });
  const { run } = await start(rescoreV2, "unfinished");
  const [first] = await runs.store.parts(run.runId);
  if (!first) throw new Error("the run has no part");
  return { memory, runs, deps, run, first };
}

/** A clock that moves only when every lane waits: each sleep ends in turn, the earliest first. */
function simulatedTime() {
  let now = 0;
  const timers: { at: number; wake: () => void }[] = [];
  return {
    now: () => now,
    clock: () => new Date(now),
    sleep: (milliseconds: number) =>
      new Promise<void>((wake) => {
        timers.push({ at: now + milliseconds, wake });
      }),
    /** Runs `work` to its end, moving the clock to the next sleep's end whenever nothing else can run. */
    async settle<T>(work: Promise<T>): Promise<T> {
      let ended = false;
      const result = work.finally(() => {
        ended = true;
      });
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (ended) return result;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error("every lane waits on something other than time");
        now = Math.max(now, next.at);
        next.wake();
      }
    },
  };
}

const byId = (leads: Map<string, Lead>) => [...leads.values()].sort((a, b) => (a.leadId < b.leadId ? -1 : 1));
const totals = async (runs: ReturnType<typeof memoryRunStore>, run: LeadRun) => {
  const parts = await runs.store.parts(run.runId);
  const sum = (name: string) => parts.reduce((total, part) => total + (part.tally[name] ?? 0), 0);
  return { done: parts.every((part) => part.done), examined: sum("examined"), moved: sum("moved:lead>mql") };
};

describe("a rescore run over in-memory ports", () => {
  it("rescores every lead once, quietly, and counts its moves by from>to", async () => {
    // Prepare
    const memory = await storedLeads(10);
    const { runs, start, drain } = runner(memory, { pageSize: 3, workers: 2 });

    // Act
    const { run } = await start(rescoreV2, "unfinished");
    const drained = await drain();

    // Assess
    expect(drained.deadLetters).toEqual([]);
    expect(await totals(runs, run)).toEqual({ done: true, examined: 10, moved: 6 });
    expect(byId(memory.leads).every((lead) => lead.modelVersion === "v2" && lead.stage === "mql")).toBe(true);
    const moves = [...memory.transitions.values()].flat().filter((transition) => transition.actor.type === "model");
    expect(moves).toHaveLength(6);
    expect(moves.every((transition) => transition.quiet === true)).toBe(true);
  });

  it("reads a part's next page while its current page's leads are worked on", async () => {
    // Prepare
    const { memory, deps, run, first } = await startedOnePart();
    const reads: (string | undefined)[] = [];
    const pages = deps.pages;
    const readsWhenCommitting: number[] = [];
    const store: LeadStore = {
      ...memory.store,
      commit: (change) => {
        readsWhenCommitting.push(reads.length);
        return memory.store.commit(change);
      },
    };
    const work = workOnPart({
      ...deps,
      store,
      concurrency: 1,
      pages: {
        read: (source, after) => {
          reads.push(after);
          return pages.read(source, after);
        },
      },
    });

    // Act
    const outcome = await work({ runId: run.runId, part: first.part, ticket: first.ticket });

    // Assess: each page's leads were written with the following page already asked for.
    expect(outcome).toMatchObject({ status: "done" });
    const pagesRead = (outcome as { pages: number }).pages;
    expect(pagesRead).toBeGreaterThan(2);
    expect(reads).toHaveLength(pagesRead);
    expect(readsWhenCommitting.slice(0, 2)).toEqual([2, 2]);
    expect(readsWhenCommitting.slice(2, 4)).toEqual([3, 3]);
  });

  it("fails the delivery on a page whose read ahead failed, with the part at the page before it", async () => {
    // Prepare
    const { runs, deps, run, first } = await startedOnePart();
    let reads = 0;
    const work = workOnPart({
      ...deps,
      pages: {
        read: (source, after) => {
          reads++;
          return reads === 2 ? Promise.reject(new Error("engine unreachable")) : deps.pages.read(source, after);
        },
      },
    });

    // Act
    const delivery = work({ runId: run.runId, part: first.part, ticket: first.ticket });

    // Assess
    await expect(delivery).rejects.toThrow("engine unreachable");
    expect((await runs.store.part(run.runId, first.part))?.page).toBe(1);
  });

  it("writes each lead once when every work item is delivered twice at the same time", async () => {
    // Prepare
    const memory = await storedLeads(12);
    const { runs, queue, start, drain } = runner(memory, { pageSize: 2, workers: 4 });
    const { run, parts } = await start(rescoreV2, "unfinished");
    const commitsBefore = memory.commits();

    // Act
    await queue.send(parts.map((part): WorkItem => ({ runId: run.runId, part: part.part, ticket: 0 })));
    await drain();

    // Assess
    expect(memory.commits() - commitsBefore).toBe(12);
    expect((await totals(runs, run)).examined).toBe(12);
  });

  it("sends the current ticket again from a delivery just behind it (a hand-over that stopped before sending)", async () => {
    // Prepare
    const memory = await storedLeads(4);
    const { runs, deps } = runner(memory, { pageSize: 2, workers: 1 });
    const sent: WorkItem[] = [];
    const { run } = await startRun({
      runs: runs.store,
      queue: { send: async () => {} },
      clock: deps.clock,
      workers: 1,
      stageShards: 1,
    })(rescoreV2, "unfinished");
    await runs.store.handOver(run.runId, 0, { ticket: 0, page: 0 });

    // Act
    const outcome = await workOnPart({ ...deps, queue: { send: async (items) => void sent.push(...items) } })({
      runId: run.runId,
      part: 0,
      ticket: 0,
    });

    // Assess
    expect(outcome).toEqual({ status: "obsolete", pages: 0 });
    expect(sent).toEqual([{ runId: run.runId, part: 0, ticket: 1 }]);
  });

  it("is refused, writing nothing, by a worker that runs another model", async () => {
    // Prepare
    const memory = await storedLeads(3);
    const { runs, deps, start } = runner(memory, { pageSize: 2, workers: 1 });
    const { run } = await start({ kind: "rescore", model: modelOf(v1), notify: false }, "unfinished");
    const commits = memory.commits();

    // Act
    const outcome = await workOnPart(deps)({ runId: run.runId, part: 0, ticket: 0 });

    // Assess
    expect(outcome.status).toBe("refused");
    expect((await runs.store.get(run.runId))?.refused).toMatch(/deploy that model first/);
    expect(memory.commits()).toBe(commits);
  });

  it("is refused, not retried, when the model a run carries does not compile", async () => {
    // Prepare
    const memory = await storedLeads(2);
    const { deps, start } = runner(memory, { pageSize: 2, workers: 1 });
    deps.compile = () => {
      throw new Error("model v3: its text compiles to another model than the run names");
    };
    const { run } = await start(
      { kind: "preview", model: modelOf(v2), candidate: { version: "v3", hash: "h3", source: "version: v3" } },
      "unfinished",
    );

    // Act
    const outcome = await workOnPart(deps)({ runId: run.runId, part: 0, ticket: 0 });

    // Assess
    expect(outcome).toMatchObject({ status: "refused", reason: expect.stringMatching(/v3, which does not compile/) });
  });

  it("ends the same whatever crashes and duplicate deliveries happen on the way (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          leads: fc.integer({ min: 1, max: 16 }),
          pageSize: fc.integer({ min: 1, max: 5 }),
          workers: fc.integer({ min: 1, max: 3 }),
          crashes: fc.uniqueArray(fc.integer({ min: 1, max: 20 }), { maxLength: 3 }),
          duplicates: fc.boolean(),
        }),
        async ({ leads, pageSize, workers, crashes, duplicates }) => {
          // Prepare: the same leads twice; one run without trouble, one with crashes and duplicates.
          const clean = await storedLeads(leads);
          const troubled = await storedLeads(leads);
          const quiet = runner(clean, { pageSize, workers });
          const rough = runner(troubled, { pageSize, workers });
          let commits = 0;
          const store: LeadStore = {
            ...troubled.store,
            commit: async (change) => {
              // A worker dies before its write reaches the table: the delivery fails and comes back.
              if (crashes.includes(++commits)) throw new Error("worker crashed");
              return troubled.store.commit(change);
            },
          };
          rough.deps.store = store;

          // Act
          const first = await quiet.start(rescoreV2, "unfinished");
          await quiet.drain();
          const second = await rough.start(rescoreV2, "unfinished");
          if (duplicates) {
            await rough.queue.send(
              second.parts.map((part) => ({ runId: second.run.runId, part: part.part, ticket: 0 })),
            );
          }
          const drained = await rough.drain();

          // Assess
          expect(drained.deadLetters).toEqual([]);
          expect(byId(troubled.leads)).toEqual(byId(clean.leads));
          expect([...troubled.transitions.entries()].sort()).toEqual([...clean.transitions.entries()].sort());
          const [calm, stormy] = [await totals(quiet.runs, first.run), await totals(rough.runs, second.run)];
          expect(stormy).toMatchObject({ done: true, examined: calm.examined });
          // A lead written just before a crash is met again as already current: its move is not counted twice.
          expect(stormy.moved).toBeLessThanOrEqual(calm.moved);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a rescore that replays", () => {
  // v1's model with a half-life: its snapshots fold otherwise, so every lead is replayed from its events.
  const v3 = engineFor({
    engagement: { halfLifeDays: 30, rules: base.engagement.rules },
    version: "v3",
    stages: { mql: [{ id: "m", label: "25+", when: { score: { min: 25 } } }] },
  });
  const rescoreV3: RunRequest = { kind: "rescore", model: modelOf(v3), notify: false };

  /**
   * `request` run over 30 leads stored by v1, pages of 4, with or without their events (`pageSkew`
   * changes each lead's before it is worked on), by a worker running `engine`; it Queries and the pages
   * that brought leads counted.
   */
  async function countedRun(
    request: RunRequest,
    engine: ScoringEngine,
    pageEvents: boolean,
    pageSkew?: (events: StoredEvent[]) => StoredEvent[],
  ) {
    const memory = await storedLeads(30);
    let queries = 0;
    const store: LeadStore = {
      ...memory.store,
      loadEvents: (...args) => {
        queries++;
        return memory.store.loadEvents(...args);
      },
    };
    const { runs, start, drain, deps } = runner(memory, { pageSize: 4, workers: 1, engine, store, pageEvents });
    deps.compile = (model) => [v1, v3].find((known) => known.modelHash === model.hash);
    const pages = deps.pages;
    let firstLeads = 0;
    deps.pages = {
      read: async (source, after, options) => {
        const page = await pages.read(source, after, options);
        if (page.leads.length > 0) firstLeads++;
        if (!pageSkew || !page.events) return page;
        return {
          ...page,
          events: new Map([...page.events].map(([leadId, events]) => [leadId, pageSkew([...events])])),
        };
      },
    };
    const { run } = await start(request, "unfinished");
    expect((await drain()).deadLetters).toEqual([]);
    return { memory, runs, run, queries, firstLeads };
  }

  /** The rescore to v3 over the stored leads: what it wrote, its replays and Queries. */
  async function rescored(pageEvents: boolean, pageSkew?: (events: StoredEvent[]) => StoredEvent[]) {
    const { memory, runs, run, queries, firstLeads } = await countedRun(rescoreV3, v3, pageEvents, pageSkew);
    const parts = await runs.store.parts(run.runId);
    const replayed = parts.reduce((sum, part) => sum + (part.tally.replayed ?? 0), 0);
    const leads = byId(memory.leads).map(({ snapshot: _snapshot, ...lead }) => lead);
    return { queries, firstLeads, replayed, leads, transitions: [...memory.transitions.values()].flat() };
  }

  it("replays from the events its Scan pages bring, with a Query only for each page's first lead", async () => {
    const queried = await rescored(false);
    const paged = await rescored(true);

    expect(v3.foldHash).not.toBe(v1.foldHash);
    expect(queried).toMatchObject({ queries: 30, replayed: 30 });
    expect(paged).toMatchObject({ queries: paged.firstLeads, replayed: 30 });
    expect(paged.firstLeads).toBeLessThan(30);
    expect(paged.leads).toEqual(queried.leads);
    expect(paged.transitions).toEqual(queried.transitions);
  });

  it("previews from the events its Scan pages bring too, with a Query only for each page's first lead", async () => {
    const previews = [];
    for (const pageEvents of [false, true]) {
      const { runs, run, queries, firstLeads } = await countedRun(
        { kind: "preview", model: modelOf(v1), candidate: modelOf(v3) },
        v1,
        pageEvents,
      );
      const parts = await runs.store.parts(run.runId);
      const tally = parts.reduce((sum: Record<string, number>, part) => {
        for (const [name, count] of Object.entries(part.tally))
          if (!name.endsWith("Units")) sum[name] = (sum[name] ?? 0) + count;
        return sum;
      }, {});
      const changes = (await runs.store.changes(run.runId)).sort((a, b) => (a.leadId < b.leadId ? -1 : 1));
      previews.push({ queries, firstLeads, tally, changes });
    }
    const [queried, paged] = previews;

    expect(queried?.queries).toBe(30);
    expect(paged?.queries).toBe(paged?.firstLeads);
    expect(paged?.firstLeads).toBeLessThan(30);
    expect(paged?.tally).toEqual(queried?.tally);
    expect(paged?.tally.examined).toBe(30);
    expect(queried?.changes.length).toBeGreaterThan(0);
    expect(paged?.changes).toEqual(queried?.changes);
  });

  it("Queries a lead whose page brought fewer events than it counts, and comes out the same", async () => {
    const queried = await rescored(false);
    const short = await rescored(true, (events) => events.slice(1));

    // Every lead with an event on its page got one short: each is read by a Query instead.
    expect(short.queries).toBe(30);
    expect(short.leads).toEqual(queried.leads);
  });
});

describe("the write budget", () => {
  /**
   * A rescore of `leads` stored leads paced to `maxWru`, drained by one worker over its four parts, one
   * lead at a time (nothing runs ahead of the pace), each commit reporting 2 write units: the parts, the
   * units their tallies counted, and the simulated seconds the run took.
   */
  async function pacedRun(leads: number, maxWru: number) {
    const memory = await storedLeads(leads);
    const { runs, deps, start, drain } = runner(memory, { pageSize: 4, workers: 1 });
    const began = deps.clock().getTime();
    deps.concurrency = 1;
    deps.store = {
      ...memory.store,
      commit: async (change) => {
        await memory.store.commit(change);
        deps.capacity.record("commit", { write: 2 });
      },
    };
    const { run } = await start({ kind: "rescore", model: modelOf(v2), notify: false, maxWru }, "unfinished");
    await drain();
    const parts = await runs.store.parts(run.runId);
    const written = parts.reduce((sum, part) => sum + (part.tally.writeUnits ?? 0), 0);
    return { parts, written, seconds: (deps.clock().getTime() - began) / 1000 };
  }

  it("paces a run's writes to --max-wru shared among its workers, on the units its store reports", async () => {
    const { written, seconds } = await pacedRun(20, 4);

    // 40 units at 4 a second take at least 8.5 s (simulated).
    expect(written).toBe(40);
    expect(seconds).toBeGreaterThanOrEqual((written - 2) / 4 - 1);
  });

  it("paces a worker's deliveries of a run as one: each pays off what the one before left, and no more", async () => {
    // One worker delivers the run's four parts one after another, on one meter, as a local worker does.
    const { parts, written, seconds } = await pacedRun(40, 8);

    // 80 units at 8 a second take about 10 s (simulated): neither each delivery paying again for the ones
    // before it, nor forgetting the debt of the one before's last write.
    expect(parts).toHaveLength(4);
    expect(written).toBe(80);
    expect(seconds).toBeGreaterThanOrEqual((written - 2) / 8 - 1);
    expect(seconds).toBeLessThanOrEqual(written / 8 + 1);
  });

  it("starts work while the bucket is not in debt, waits a debt off, and banks no more than the burst when idle", async () => {
    // Prepare
    let now = 0;
    let spent = 100; // before the bucket: not its debt
    const waits: number[] = [];
    const pace = tokenBucket({
      perSecond: 10,
      burstSeconds: 0.5,
      spent: () => spent,
      clock: () => new Date(now),
      sleep: async (milliseconds) => {
        waits.push(milliseconds);
        now += milliseconds;
      },
    });

    // Act: the first work starts at once; its 25 units wait 2.5 s off; then 60 s idle bank 5 units, not 600.
    await pace.ready();
    const atOnce = waits.length;
    spent += 25;
    await pace.ready();
    const paidOff = now;
    now += 60_000;
    await pace.ready();
    spent += 20;
    const beforeLast = now;
    await pace.ready();

    // Assess
    expect(atOnce).toBe(0);
    expect(paidOff).toBeGreaterThanOrEqual(2_000);
    expect(paidOff).toBeLessThanOrEqual(2_600);
    expect(now - beforeLast).toBeGreaterThanOrEqual(1_400);
  });

  it("holds back what work in flight will spend, so lanes side by side do not start on one allowance", async () => {
    // Prepare: 8 lanes, each work reporting 8 units 20 ms after it starts (unpaced, about 3,200 a second).
    const time = simulatedTime();
    let spent = 0;
    const pace = tokenBucket({ perSecond: 250, spent: () => spent, clock: time.clock, sleep: time.sleep });
    const reported: { at: number; units: number }[] = [];
    const work = async () => {
      await time.sleep(20);
      spent += 8;
      reported.push({ at: time.now(), units: 8 });
    };

    // Act
    await time.settle(mapConcurrent(Array.from({ length: 400 }), 8, () => pace.run(work)));

    // Assess: 3,200 units at 250 a second. No second goes above the rate plus the burst (25) and one work's
    // units, and once works have ended (the first 8 start with nothing to hold back) neither does any 300 ms:
    // lanes that all started on one allowance would bring 64 units at a time, twice in some 300 ms.
    expect(spent).toBe(3_200);
    expect(time.now()).toBeGreaterThanOrEqual(((3_200 - 25 - 8 * 8) / 250) * 1000);
    expect(busiestWindow(reported, 1_000)).toBeLessThanOrEqual(250 + 25 + 8 * 8);
    const later = reported.filter((report) => report.at >= 1_000);
    expect(busiestWindow(later, 300)).toBeLessThanOrEqual(250 * 0.3 + 25 + 8);
  });

  it("keeps what starts in any stretch within the rate times its length, plus the burst and one unit of work (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0.5, max: 2_000, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.array(fc.record({ idleMs: fc.nat(3_000), units: fc.double({ min: 0, max: 50, noNaN: true }) }), {
          maxLength: 80,
        }),
        async (perSecond, burstSeconds, works) => {
          // Each work waits for the pace, starts, and reports its units when it ends (at once: one lane).
          let now = 0;
          let spent = 0;
          const pace = tokenBucket({
            perSecond,
            burstSeconds,
            spent: () => spent,
            clock: () => new Date(now),
            sleep: async (milliseconds) => {
              now += milliseconds;
            },
          });
          const started: { at: number; units: number }[] = [];
          for (const work of works) {
            now += work.idleMs;
            await pace.ready();
            started.push({ at: now, units: work.units });
            spent += work.units;
          }
          const largest = Math.max(0, ...works.map((work) => work.units));
          for (let first = 0; first < started.length; first++) {
            let units = 0;
            for (let last = first; last < started.length; last++) {
              units += (started[last] as { units: number }).units;
              const seconds = ((started[last] as { at: number }).at - (started[first] as { at: number }).at) / 1000;
              // What the last one spends is reported after it started: the pace can't have seen it.
              expect(units).toBeLessThanOrEqual(perSecond * seconds + perSecond * burstSeconds + largest + 1e-6);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
