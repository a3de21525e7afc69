import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LeadStageChangedDetail } from "../../shared/application/lead-stage-changed";
import { deadLetterFile } from "../../shared/local/dead-letters";
import {
  BusClosedError,
  type BusEvent,
  type BusRule,
  type BusTarget,
  createLocalBus,
  type LocalBusOptions,
  leadStageChangedEntries,
} from "../../shared/local/local-bus";

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ripen-bus-"));
});

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

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
const ON_SQL: Record<string, BusRule> = {
  onSql: { target: "notify-slack", pattern: { detail: { data: { to: ["sql"] } } } },
};

/** A bus with recording targets, its own dead-letter file and a log; the declared RULES unless told. */
function busWith(options: Partial<Pick<LocalBusOptions, "rules" | "retry">> = {}) {
  const targets = recordingTargets();
  const deadLetters = deadLetterFile(join(dataDir, `dead-letters-${++fileCount}.jsonl`));
  const lines: string[] = [];
  const bus = createLocalBus({
    target: targets.target,
    deadLetters,
    retry: FAST_RETRY,
    region: "eu-west-1",
    log: (line) => lines.push(line),
    ...options,
  });
  return { bus, targets, deadLetters, lines };
}

describe("local bus", () => {
  it("invokes every target whose rule matches, with the EventBridge envelope, and no other", async () => {
    // Prepare: the rules as declared for AWS (each notifier's channels).
    const { bus, targets } = busWith();

    // Act
    const deliveries = await bus.put(leadStageChangedEntries([stageChanged("sql"), stageChanged("sal")]));

    // Assess
    expect(deliveries.map((delivery) => delivery.target).sort()).toEqual(["notify-email", "notify-slack"]);
    expect(deliveries.every((delivery) => delivery.delivered && delivery.attempts === 1)).toBe(true);
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
  });

  it("retries a failing target with backoff and counts the delivery once it succeeds", async () => {
    const { bus, targets, deadLetters } = busWith({ rules: ON_SQL });
    targets.failures["notify-slack"] = 2;

    const [delivery] = await bus.put(leadStageChangedEntries([stageChanged("sql")]));

    expect(delivery).toMatchObject({ rule: "onSql", target: "notify-slack", delivered: true, attempts: 3 });
    expect(targets.received["notify-slack"]).toHaveLength(1);
    expect(await deadLetters.list()).toEqual([]);
  });

  it("dead-letters an event after every attempt fails, keeping the reason and the event, and says so", async () => {
    // Prepare
    const { bus, targets, deadLetters, lines } = busWith({ rules: ON_SQL });
    targets.failures["notify-slack"] = 10;

    // Act
    const [delivery] = await bus.put(leadStageChangedEntries([stageChanged("sql", "t-dead")]));

    // Assess
    expect(delivery).toMatchObject({ delivered: false, attempts: 3 });
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
    const { bus, targets } = busWith();
    targets.failures["notify-email"] = 10;

    const deliveries = await bus.put(leadStageChangedEntries([stageChanged("sql")]));

    expect(deliveries.find((delivery) => delivery.target === "notify-slack")?.delivered).toBe(true);
    expect(deliveries.find((delivery) => delivery.target === "notify-email")?.delivered).toBe(false);
  });

  it("gives up a pending retry when closed, so the caller keeps the event for later instead of losing it", async () => {
    const { bus, targets, deadLetters } = busWith({
      rules: ON_SQL,
      retry: { attempts: 5, baseMs: 60_000, capMs: 60_000 },
    });
    targets.failures["notify-slack"] = 10;

    const putting = bus.put(leadStageChangedEntries([stageChanged("sql")]));
    await new Promise((resolve) => setTimeout(resolve, 50));
    bus.close();

    await expect(putting).rejects.toBeInstanceOf(BusClosedError);
    expect(await deadLetters.list()).toEqual([]);
  });

  it("refuses a rule whose pattern AWS would reject, when the bus is made", () => {
    const rules: Record<string, BusRule> = { broken: { target: "notify-slack", pattern: { detail: { to: "sql" } } } };
    expect(() => busWith({ rules })).toThrow(/rule broken/);
  });
});
