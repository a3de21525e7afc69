import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAD_STAGE_CHANGED, type LeadStageChangedDetail } from "#shared/bus/lead-stage-changed";
import { openBusJournal, readBusJournal } from "#shared/local/bus-journal";
import { deadLetterFile } from "#shared/local/dead-letters";
import {
  type AcceptedDelivery,
  BusClosedError,
  type BusEntry,
  type BusEvent,
  type BusRule,
  type BusTarget,
  createLocalBus,
  type LocalBusOptions,
} from "#shared/local/local-bus";

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ripen-bus-"));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The bus entries the Pipe puts for the publish function's details. */
function leadStageChangedEntries(details: readonly LeadStageChangedDetail[]): BusEntry[] {
  return details.map((detail) => ({
    source: LEAD_STAGE_CHANGED.source,
    detailType: LEAD_STAGE_CHANGED.detailType,
    detail,
  }));
}

/** A change of stage as the publisher stamps it: sql to Slack and email, as the default model routes it. */
function stageChanged(to: LeadStageChangedDetail["data"]["to"], transitionId = `t-${to}`): LeadStageChangedDetail {
  return {
    metadata: { version: "2", transitionId, occurredAt: "2026-03-01T10:00:00.000Z", modelVersion: "test-1" },
    channels: to === "sql" ? ["slack", "email"] : [],
    data: {
      lead: { leadId: "lead-1", email: "ada@example.com", name: "Ada", domain: "example.com" },
      from: "mql",
      to,
      score: 80,
      reason: "score >= 70",
      actor: { type: "rule", id: "sql-threshold" },
      reasons: [],
      bant: {},
    },
  };
}

/** Targets that record what they receive; `failures[name]` makes the next N calls of that target throw. */
function recordingTargets() {
  const received: Record<string, BusEvent[]> = {};
  const failures: Record<string, number> = {};
  let calls = 0;
  const target =
    async (name: string): Promise<BusTarget> =>
    async (event, context) => {
      calls++;
      expect(context.functionName).toBe(name);
      if ((failures[name] ?? 0) > 0) {
        failures[name] = (failures[name] ?? 0) - 1;
        throw new Error(`${name} is down`);
      }
      received[name] = [...(received[name] ?? []), event];
    };
  return { received, failures, target, calls: () => calls };
}

let fileCount = 0;
const FAST_RETRY = { attempts: 3, baseMs: 1, capMs: 5 };
const SLOW_RETRY = { attempts: 5, baseMs: 60_000, capMs: 60_000 };
const ON_SQL: Record<string, BusRule> = {
  onSql: { target: "notify-slack", pattern: { detail: { data: { to: ["sql"] } } } },
};

type BusSetup = Partial<Pick<LocalBusOptions, "rules" | "retry" | "maxInFlight">> & { journalPath?: string };

/**
 * A bus with recording targets, its own dead-letter file, journal (or the one named) and log; the
 * declared RULES unless told.
 */
async function busWith({ journalPath, ...options }: BusSetup = {}) {
  const targets = recordingTargets();
  fileCount++;
  const deadLetters = deadLetterFile(join(dataDir, `dead-letters-${fileCount}.jsonl`));
  const journal = await openBusJournal(journalPath ?? join(dataDir, `bus-journal-${fileCount}.jsonl`));
  const lines: string[] = [];
  const bus = createLocalBus({
    target: targets.target,
    deadLetters,
    journal,
    retry: FAST_RETRY,
    region: "eu-west-1",
    log: (line) => lines.push(line),
    ...options,
  });
  return { bus, targets, deadLetters, journal, lines };
}

/** What became of each accepted delivery, once all have finished. */
const outcomes = (accepted: readonly AcceptedDelivery[]) => Promise.all(accepted.map((delivery) => delivery.finished));

describe("local bus", () => {
  it("invokes every target whose rule matches, with the EventBridge envelope, and no other", async () => {
    // Prepare: the rules as declared for AWS (each notifier's channels).
    const { bus, targets, journal } = await busWith();

    // Act
    const deliveries = await outcomes(
      await bus.put(leadStageChangedEntries([stageChanged("sql"), stageChanged("sal")])),
    );

    // Assess
    expect(deliveries.map((delivery) => delivery.target).sort()).toEqual(["notify-email", "notify-slack"]);
    expect(deliveries.every((delivery) => delivery.outcome === "delivered" && delivery.attempts === 1)).toBe(true);
    const [slack] = targets.received["notify-slack"] ?? [];
    expect(slack).toMatchObject({
      version: "0",
      source: "ripen",
      "detail-type": "Lead Stage Changed",
      region: "eu-west-1",
      resources: [],
      detail: { metadata: { transitionId: "t-sql" }, data: { to: "sql" } },
    });
    expect(slack?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(slack?.account).toMatch(/^\d{12}$/);
    expect(targets.received["notify-email"]?.[0]?.id).toBe(slack?.id);
    expect(targets.calls()).toBe(2);
    expect(existsSync(journal.path)).toBe(false);
  });

  it("retries a failing target with backoff and counts the delivery once it succeeds", async () => {
    const { bus, targets, deadLetters } = await busWith({ rules: ON_SQL });
    targets.failures["notify-slack"] = 2;

    const [delivery] = await outcomes(await bus.put(leadStageChangedEntries([stageChanged("sql")])));

    expect(delivery).toMatchObject({ rule: "onSql", target: "notify-slack", outcome: "delivered", attempts: 3 });
    expect(targets.received["notify-slack"]).toHaveLength(1);
    expect(await deadLetters.list()).toEqual([]);
  });

  it("dead-letters an event after every attempt fails, keeping the reason and the event, and says so", async () => {
    // Prepare
    const { bus, targets, deadLetters, journal, lines } = await busWith({ rules: ON_SQL });
    targets.failures["notify-slack"] = 10;

    // Act
    const [delivery] = await outcomes(await bus.put(leadStageChangedEntries([stageChanged("sql", "t-dead")])));

    // Assess
    expect(delivery).toMatchObject({ outcome: "dead-lettered", attempts: 3 });
    expect((await readBusJournal(journal.path)).unfinished).toEqual([]);
    expect(targets.calls()).toBe(3);
    const [letter, ...rest] = await deadLetters.list();
    expect(rest).toEqual([]);
    expect(letter).toMatchObject({
      rule: "onSql",
      target: "notify-slack",
      attempts: 3,
      reason: "Error: notify-slack is down",
      payload: { "detail-type": "Lead Stage Changed", detail: { metadata: { transitionId: "t-dead" } } },
    });
    expect((await readFile(deadLetters.path, "utf8")).trim().split("\n")).toHaveLength(1);
    expect(lines.some((line) => line.includes("dead-lettered") && line.includes(deadLetters.path))).toBe(true);
  });

  it("does not let one target's failure hold back another rule's target", async () => {
    const { bus, targets } = await busWith();
    targets.failures["notify-email"] = 10;

    const deliveries = await outcomes(await bus.put(leadStageChangedEntries([stageChanged("sql")])));

    expect(deliveries.find((delivery) => delivery.target === "notify-slack")?.outcome).toBe("delivered");
    expect(deliveries.find((delivery) => delivery.target === "notify-email")?.outcome).toBe("dead-lettered");
  });

  it("has the event once the delivery is journaled, while the target still waits to retry", async () => {
    // Prepare: the target fails, and its retry is a minute away.
    const { bus, targets, journal } = await busWith({ rules: ON_SQL, retry: SLOW_RETRY });
    targets.failures["notify-slack"] = 10;

    // Act
    const accepted = await bus.put(leadStageChangedEntries([stageChanged("sql", "t-journaled")]));
    const journaled = await readBusJournal(journal.path);
    await bus.close();

    // Assess
    expect(targets.calls()).toBe(1);
    expect(journaled.unfinished.map((delivery) => [delivery.rule, delivery.target])).toEqual([
      ["onSql", "notify-slack"],
    ]);
    expect(journaled.unfinished[0]?.event.detail).toMatchObject({ metadata: { transitionId: "t-journaled" } });
    expect(await outcomes(accepted)).toMatchObject([{ outcome: "interrupted", attempts: 1 }]);
  });

  it("resumes, when made, the deliveries its journal holds: the same event, its retries started over", async () => {
    // Prepare: a bus closed while its target waited to retry.
    const journalPath = join(dataDir, "bus-journal-resumed.jsonl");
    const before = await busWith({ rules: ON_SQL, retry: SLOW_RETRY, journalPath });
    before.targets.failures["notify-slack"] = 10;
    const [accepted] = await before.bus.put(leadStageChangedEntries([stageChanged("sql", "t-resumed")]));
    await before.bus.close();

    // Act: a new bus on the same journal, its target working again; a retry would be a minute away.
    const after = await busWith({ rules: ON_SQL, retry: SLOW_RETRY, journalPath });
    const resumed = await outcomes(after.bus.resumed);

    // Assess
    expect(resumed).toEqual([
      { rule: "onSql", target: "notify-slack", eventId: accepted?.eventId, outcome: "delivered", attempts: 1 },
    ]);
    expect(after.targets.received["notify-slack"]?.map((event) => event.id)).toEqual([accepted?.eventId]);
    expect(after.lines).toContain(`bus: resuming 1 delivery(ies) left unfinished in ${journalPath}`);
    expect(existsSync(journalPath)).toBe(false);
    expect(await after.deadLetters.list()).toEqual([]);
  });

  it("makes a put wait while the most deliveries are in flight, and lets it go on as one finishes", async () => {
    // Prepare: room for one delivery; the first one's target fails once, then its retry succeeds.
    const { bus, targets } = await busWith({
      rules: ON_SQL,
      maxInFlight: 1,
      retry: { attempts: 2, baseMs: 2_000, capMs: 2_000 },
    });
    targets.failures["notify-slack"] = 1;
    const [first] = await bus.put(leadStageChangedEntries([stageChanged("sql", "t-first")]));
    let secondPut = false;

    // Act
    const second = bus.put(leadStageChangedEntries([stageChanged("sql", "t-second")])).then((accepted) => {
      secondPut = true;
      return accepted;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const whileFirstInFlight = secondPut;
    await first?.finished;
    await outcomes(await second);

    // Assess
    expect(whileFirstInFlight).toBe(false);
    expect(
      targets.received["notify-slack"]?.map((event) => (event.detail as LeadStageChangedDetail).metadata.transitionId),
    ).toEqual(["t-first", "t-second"]);
  });

  it("refuses a put waiting for room once closed: nothing journaled, the caller keeps its events", async () => {
    const { bus, targets, journal } = await busWith({ rules: ON_SQL, retry: SLOW_RETRY, maxInFlight: 1 });
    targets.failures["notify-slack"] = 10;
    await bus.put(leadStageChangedEntries([stageChanged("sql", "t-in-flight")]));

    const waiting = bus.put(leadStageChangedEntries([stageChanged("sql", "t-waiting")]));
    await bus.close();

    await expect(waiting).rejects.toBeInstanceOf(BusClosedError);
    await expect(bus.put(leadStageChangedEntries([stageChanged("sql")]))).rejects.toBeInstanceOf(BusClosedError);
    const journaled = await readBusJournal(journal.path);
    expect(journaled.unfinished.map((delivery) => delivery.event.detail)).toMatchObject([
      { metadata: { transitionId: "t-in-flight" } },
    ]);
  });

  it("refuses a rule whose pattern AWS would reject, when the bus is made", async () => {
    const rules: Record<string, BusRule> = { broken: { target: "notify-slack", pattern: { detail: { to: "sql" } } } };
    await expect(busWith({ rules })).rejects.toThrow(/rule broken/);
  });
});
