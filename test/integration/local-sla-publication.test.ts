import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { transitionItem } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoSlaBreachLog } from "#shared/adapters/dynamodb/sla-breaches";
import { breachId } from "#shared/application/maintenance";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { LEAD_STAGE_CHANGED, type LeadStageChangedDetail } from "#shared/bus/lead-stage-changed";
import type { Transition } from "#shared/domain/lead";
import type { BusEvent } from "#shared/local/local-bus";
import { type RunningRipen, startRipen } from "#shared/local/runtime";
import { createTestTable, type TestTable } from "../support/dynamodb";

let table: TestTable;
let dataDir: string;
const running: RunningRipen[] = [];

beforeAll(async () => {
  table = await createTestTable("local-sla-publication");
  dataDir = await mkdtemp(join(tmpdir(), "ripen-sla-publication-"));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((ripen) => ripen.stop()));
});

afterAll(async () => {
  table?.client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const LEAD = { email: "ada@example.com", name: "Ada Lovelace", domain: "example.com" };
const OWNER = { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test" };

function breachOf(leadId: string): LeadSlaBreachedDetail {
  const stageEnteredAt = "2026-11-19T04:00:00.000Z";
  return {
    metadata: {
      version: "1",
      breachId: breachId(leadId, "sla.sql", stageEnteredAt),
      occurredAt: "2026-11-20T10:00:00.000Z",
      modelVersion: "test-1",
    },
    data: {
      lead: { leadId, ...LEAD },
      stage: "sql",
      stageEnteredAt,
      ruleId: "sla.sql",
      label: "An sql is accepted within 24 hours",
      dueAt: "2026-11-20T04:00:00.000Z",
      hoursOverdue: 6,
      score: 82,
      reasons: [],
      // An empty map nested in the item, as for a lead with no BANT answers (DynamoDB Local streams it as `{}`).
      bant: {},
      owner: OWNER,
      notify: ["slack", "email"],
    },
  };
}

function transitionOf(leadId: string): Transition {
  return {
    transitionId: `tr_${leadId}`,
    leadId,
    from: "mql",
    to: "sql",
    at: "2026-11-20T09:00:00.000Z",
    reason: "score >= 70",
    actor: { type: "rule", id: "sql.threshold" },
    modelVersion: "test-1",
    score: 82,
    reasons: [],
    bant: {},
    owner: OWNER,
    lead: LEAD,
  };
}

/** Stub notifiers recording what the bus hands them; publish is the real function module. */
function notifiers() {
  const received: { target: string; detailType: string; id: string }[] = [];
  const record = (target: string) => async (event: BusEvent) => {
    const metadata = (event.detail as LeadSlaBreachedDetail | LeadStageChangedDetail).metadata;
    received.push({
      target,
      detailType: event["detail-type"],
      id: "breachId" in metadata ? metadata.breachId : metadata.transitionId,
    });
  };
  return {
    received,
    of: (detailType: string) => received.filter((entry) => entry.detailType === detailType),
    handlers: { "notify-slack": record("notify-slack"), "notify-email": record("notify-email") },
  };
}

async function start(handlers: ReturnType<typeof notifiers>["handlers"]): Promise<RunningRipen> {
  const ripen = await startRipen({
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    dataDir,
    pollIntervalMs: 50,
    preload: false,
    targetRetry: { attempts: 2, baseMs: 1, capMs: 5 },
    log: () => {},
    // The real publish module reads its environment once per process: the same URL for every start.
    env: { RIPEN_PUBLIC_URL: "http://ripen.test" },
    handlers,
  });
  running.push(ripen);
  return ripen;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 600));

describe("local runtime: SLA breach record → stream → publish → bus → notifiers", () => {
  it("publishes a breach recorded by the sweep as Lead SLA Breached, delivered once to each rule's target", async () => {
    // Prepare
    const first = notifiers();
    const ripen = await start(first.handlers);
    const breach = breachOf("ld_sla_publication_1");
    const log = dynamoSlaBreachLog({ client: table.client, tableName: table.tableName });

    // Act: the sweep's write, then the same breach found again by the next sweep.
    expect(await log.record(breach)).toBe(true);
    expect(await log.record(breach)).toBe(false);

    // Assess
    const expected = [
      { target: "notify-email", detailType: LEAD_SLA_BREACHED.detailType, id: breach.metadata.breachId },
      { target: "notify-slack", detailType: LEAD_SLA_BREACHED.detailType, id: breach.metadata.breachId },
    ];
    await vi.waitFor(() => expect(first.received).toHaveLength(2), { timeout: 10_000 });
    await settle();
    expect([...first.received].sort((a, b) => a.target.localeCompare(b.target))).toEqual(expected);
    expect(first.of(LEAD_STAGE_CHANGED.detailType)).toEqual([]);
    expect(await ripen.deadLetters.list()).toEqual([]);
  });

  it("publishes transitions and breaches side by side, each with its own detail-type, and a restart repeats neither", async () => {
    // Prepare
    const first = notifiers();
    const ripen = await start(first.handlers);
    const transition = transitionOf("ld_sla_publication_2");
    const breach = breachOf("ld_sla_publication_2");

    // Act: one of each while running, one of each while stopped.
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: transitionItem(transition) }));
    await dynamoSlaBreachLog({ client: table.client, tableName: table.tableName }).record(breach);
    await vi.waitFor(() => expect(first.received).toHaveLength(4), { timeout: 10_000 });
    await ripen.stop();
    const later = { transition: transitionOf("ld_sla_publication_3"), breach: breachOf("ld_sla_publication_3") };
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: transitionItem(later.transition) }));
    await dynamoSlaBreachLog({ client: table.client, tableName: table.tableName }).record(later.breach);
    const second = notifiers();
    await start(second.handlers);

    // Assess
    await vi.waitFor(() => expect(second.received).toHaveLength(4), { timeout: 10_000 });
    await settle();
    const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);
    expect(ids(first.of(LEAD_STAGE_CHANGED.detailType))).toEqual([transition.transitionId, transition.transitionId]);
    expect(ids(first.of(LEAD_SLA_BREACHED.detailType))).toEqual([breach.metadata.breachId, breach.metadata.breachId]);
    expect(ids(second.of(LEAD_STAGE_CHANGED.detailType))).toEqual([
      later.transition.transitionId,
      later.transition.transitionId,
    ]);
    expect(ids(second.of(LEAD_SLA_BREACHED.detailType))).toEqual([
      later.breach.metadata.breachId,
      later.breach.metadata.breachId,
    ]);
  });
});
