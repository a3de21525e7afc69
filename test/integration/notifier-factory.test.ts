import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import type { AlertSender } from "#shared/application/ports/alert-sender";
import { AlertUnavailableError } from "#shared/application/ports/alert-sender";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { LEAD_STAGE_CHANGED } from "#shared/bus/lead-stage-changed";
import type { NotifierRoute } from "#shared/bus/notifiers";
import { notifierRules } from "#shared/bus/rules";
import type { Alert } from "#shared/domain/alert";
import { openBusJournal } from "#shared/local/bus-journal";
import { deadLetterFile } from "#shared/local/dead-letters";
import { type BusEntry, createLocalBus, type Delivery } from "#shared/local/local-bus";
import { notifierEnvShape } from "#shared/runtime/env";
import { notifierHandler } from "#shared/runtime/notifier";
import { type AlertStub, startSlackStub } from "../support/alert-stubs";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { sqlDetail } from "../unit/alerts/fixtures";

/**
 * The README's "add a channel", proven with a channel Ripen does not have: a pager that takes a JSON post.
 * Its three parts are what a new channel adds: the route (name, function, the channels it delivers), an
 * adapter (an AlertSender), and an entry built by the factory; its rules come from the route.
 */
const PAGER: NotifierRoute = {
  name: "pager",
  function: "notify-pager",
  delivers: { pager: "owner" },
  description: {
    stageChanged: "A change of stage sent to the pager",
    slaBreached: "An SLA breach sent to the pager",
    sqlReady: "A wait for review sent to the pager",
  },
};

/** The adapter: posts the alert's headline to the pager's URL. */
function pagerSender(url: string): AlertSender {
  return {
    channel: "pager",
    audiences: () => new Set(["owner"]),
    async send(alert: Alert) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ lead: alert.leadId, stage: alert.stage, kind: alert.kind }),
      });
      if (!response.ok) throw new AlertUnavailableError(`the pager answered ${response.status}`);
      return "sent";
    },
  };
}

let table: TestTable;
let pager: AlertStub;
let dataDir: string;

beforeAll(async () => {
  table = await createTestTable("notifier-factory");
  pager = await startSlackStub();
  dataDir = await mkdtemp(join(tmpdir(), "ripen-notifier-"));
});

afterAll(async () => {
  await pager?.stop();
  table?.client.destroy();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The entry, as `functions/notify-pager.ts` would be: the factory, the channel's env and its adapter. */
function pagerEntry() {
  return notifierHandler(
    {
      route: PAGER,
      env: { ...notifierEnvShape, PAGER_URL: z.url() },
      sender: (env) => pagerSender(env.PAGER_URL),
    },
    {
      source: { TABLE_NAME: table.tableName, PAGER_URL: pager.url },
      dynamodb: table.client,
      modelChannels: () => [],
    },
  );
}

/** A bus with the pager's rules only, its entry as their target; returns what each put delivered. */
async function pagerBus() {
  const handler = pagerEntry();
  const invoked: string[] = [];
  const bus = createLocalBus({
    rules: notifierRules(PAGER),
    target: async (name) => {
      invoked.push(name);
      return handler as never;
    },
    deadLetters: deadLetterFile(join(dataDir, `dead-letters-${Math.random()}.jsonl`)),
    journal: await openBusJournal(join(dataDir, `journal-${Math.random()}.jsonl`)),
    region: "us-east-1",
    log: () => {},
    retry: { attempts: 2, baseMs: 1, capMs: 2 },
  });
  const put = async (entries: BusEntry[]): Promise<Delivery[]> =>
    Promise.all((await bus.put(entries)).map((accepted) => accepted.finished));
  return { put, invoked, close: () => bus.close() };
}

const stageChange = (transitionId: string, channels: string[]): BusEntry => ({
  source: LEAD_STAGE_CHANGED.source,
  detailType: LEAD_STAGE_CHANGED.detailType,
  detail: { ...sqlDetail(transitionId), channels },
});

function slaBreach(breachId: string, notify: string[]): BusEntry {
  const { data } = sqlDetail();
  const detail: LeadSlaBreachedDetail = {
    metadata: { version: "1", breachId, occurredAt: "2026-11-21T10:00:00.000Z", modelVersion: "test-1" },
    data: {
      lead: data.lead,
      stage: "sql",
      stageEnteredAt: "2026-11-20T10:00:00.000Z",
      ruleId: "sql-follow-up",
      label: "Follow up within a day",
      dueAt: "2026-11-21T10:00:00.000Z",
      hoursOverdue: 2,
      score: 82,
      reasons: [],
      bant: {},
      notify,
    },
  };
  return { source: LEAD_SLA_BREACHED.source, detailType: LEAD_SLA_BREACHED.detailType, detail };
}

describe("a notifier built through the factory", () => {
  it("receives the alerts stamped with its channel, once each, through its own rules", async () => {
    // Prepare
    const bus = await pagerBus();
    const before = pager.delivered().length;

    // Act
    const deliveries = await bus.put([
      stageChange("tr_pager_1", ["pager"]),
      // Another channel's alert: no rule of the pager's matches it.
      stageChange("tr_slack_only", ["slack"]),
      slaBreach("br_pager_1", ["pager"]),
    ]);
    // The same event again, once the first was sent (the bus delivers at least once): the ledger says sent.
    const again = await bus.put([stageChange("tr_pager_1", ["pager"])]);
    await bus.close();

    // Assess
    expect([...deliveries, ...again].map((delivery) => [delivery.rule, delivery.outcome])).toEqual([
      ["notifyPager", "delivered"],
      ["notifyPagerOnSlaBreach", "delivered"],
      ["notifyPager", "delivered"],
    ]);
    expect(bus.invoked).toEqual(["notify-pager", "notify-pager", "notify-pager"]);
    const bodies = pager
      .delivered()
      .slice(before)
      .map((request) => JSON.parse(request.body));
    // One post per alert; the two alerts run side by side on the bus, so in either order.
    expect(bodies).toHaveLength(2);
    expect(bodies).toEqual(
      expect.arrayContaining([
        { lead: "ld_0123456789abcdef01234567", stage: "sql", kind: "stage_changed" },
        { lead: "ld_0123456789abcdef01234567", stage: "sql", kind: "sla_breached" },
      ]),
    );
  });

  it("fails its init when its own environment is incomplete, naming the variable", () => {
    expect(() =>
      notifierHandler(
        { route: PAGER, env: { ...notifierEnvShape, PAGER_URL: z.url() }, sender: (env) => pagerSender(env.PAGER_URL) },
        { source: { TABLE_NAME: "ripen" }, dynamodb: table.client, modelChannels: () => [] },
      ),
    ).toThrow(/invalid environment: PAGER_URL/);
  });
});
