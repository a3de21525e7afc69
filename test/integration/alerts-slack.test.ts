import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Context, EventBridgeEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dynamoAlertLedger } from "#shared/adapters/dynamodb/alert-ledger";
import { dynamoErasureStore } from "#shared/adapters/dynamodb/erasure-store";
import { type SlackSettings, slackAlertSender } from "#shared/adapters/slack/alert-sender";
import { ACTION_IDS, ACTIONS_BLOCK_ID } from "#shared/adapters/slack/blocks";
import { notifyAlert } from "#shared/application/notify-alert";
import type { AlertLedger } from "#shared/application/ports/alert-ledger";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";
import { alertFromStageChange } from "#shared/edge/bus-alerts";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { busEvent, recordingLog, sqlDetail, version1Detail } from "../unit/alerts/fixtures";
import { answer, startLoopback } from "../unit/alerts/loopback";

const TOKEN = "xoxb-test-token";
let slack: Awaited<ReturnType<typeof startLoopback>>;
let table: TestTable;
let ledger: AlertLedger;

beforeAll(async () => {
  [slack, table] = await Promise.all([startLoopback(), createTestTable("alerts-slack")]);
  ledger = dynamoAlertLedger({ client: table.client, tableName: table.tableName });
});
afterAll(async () => {
  await slack?.stop();
});
beforeEach(() => slack.reset());

let transitions = 0;
/** A fresh transition id per test, so tests do not share ledger entries. */
const nextTransition = () => `tr_slack_${++transitions}_${Date.now()}`;

/** The Slack notifier over the real ledger and the loopback Slack, with a clock that only moves when it sleeps. */
function notifier(settings: Partial<SlackSettings> = {}) {
  const slept: number[] = [];
  let now = 0;
  const { log, lines } = recordingLog();
  const sender = slackAlertSender({
    settings: { apiUrl: `${slack.url}/api`, botToken: TOKEN, channel: "C0SALES", ...settings },
    log,
    retry: {
      now: () => now,
      deadline: 10_000,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    },
  });
  return { notify: notifyAlert({ sender, ledger, log }), slept, lines };
}

const postMessages = () => slack.received.filter((request) => request.path === "/api/chat.postMessage");

describe("Slack alerts through chat.postMessage", () => {
  it("posts an sql alert's blocks to the channel with the bot token", async () => {
    // Prepare
    const alert = alertFromStageChange(sqlDetail(nextTransition()));
    slack.always(answer.json(200, { ok: true, channel: "C0SALES", ts: "1.2" }));

    // Act
    const outcome = await notifier().notify(alert);

    // Assess
    expect(outcome).toEqual([{ audience: "owner", result: "sent" }]);
    const [request] = postMessages();
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const body = request?.json as { channel: string; text: string; blocks: Record<string, unknown>[] };
    expect(body.channel).toBe("C0SALES");
    expect(body.text).toContain("Sales-ready: Ada Lovelace");
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Sales-ready: Ada Lovelace · Analytical Engines", emoji: true },
    });
    expect(JSON.stringify(body.blocks[1])).toContain("<@U0GRACE>");
    const actions = body.blocks.find((block) => block.block_id === ACTIONS_BLOCK_ID) as {
      elements: { action_id: string }[];
    };
    expect(actions.elements.map((element) => element.action_id)).toEqual([
      ACTION_IDS.accept,
      ACTION_IDS.disqualify,
      ACTION_IDS.recycle,
    ]);
  });

  it("posts to the owner's direct messages when configured to", async () => {
    slack.always(answer.json(200, { ok: true }));

    await notifier({ directToOwner: true }).notify(alertFromStageChange(sqlDetail(nextTransition())));

    expect(postMessages()[0]?.json).toMatchObject({ channel: "U0GRACE" });
  });

  it("waits Slack's Retry-After on 429, then posts exactly one message", async () => {
    // Prepare
    slack.next(answer.json(429, { ok: false, error: "ratelimited" }, { "retry-after": "1" }));
    slack.always(answer.json(200, { ok: true }));
    const { notify, slept } = notifier();

    // Act
    const outcome = await notify(alertFromStageChange(sqlDetail(nextTransition())));

    // Assess
    expect(outcome).toEqual([{ audience: "owner", result: "sent" }]);
    expect(slept).toEqual([1000]);
    // Two requests, one message: the first was refused with 429 and not kept by Slack.
    expect(postMessages()).toHaveLength(2);
  });

  it("fails with the reason after bounded retries when Slack answers 500 every time, and a later retry can send", async () => {
    // Prepare
    const alert = alertFromStageChange(sqlDetail(nextTransition()));
    slack.always(answer.text(500, "internal_error"));
    const { notify, lines } = notifier();

    // Act
    const failure = notify(alert);

    // Assess
    await expect(failure).rejects.toBeInstanceOf(AlertUnavailableError);
    await expect(failure).rejects.toThrow("slack chat.postMessage answered 500 internal_error");
    expect(postMessages()).toHaveLength(4);
    expect(lines.at(-1)).toMatchObject({ level: "error", message: "alert not delivered" });
    expect(JSON.stringify(lines)).not.toContain(TOKEN);

    slack.reset();
    slack.always(answer.json(200, { ok: true }));
    expect(await notifier().notify(alert)).toEqual([{ audience: "owner", result: "sent" }]);
  });

  it.each([
    [
      "ok:false channel_not_found in a 200",
      answer.json(200, { ok: false, error: "channel_not_found" }),
      "failed: channel_not_found",
    ],
    ["a 400 invalid_auth", answer.json(400, { ok: false, error: "invalid_auth" }), "answered 400: invalid_auth"],
  ])("does not retry %s: a permanent failure with Slack's reason", async (_, refusal, reason) => {
    // Prepare
    slack.always(refusal);

    // Act
    const failure = notifier().notify(alertFromStageChange(sqlDetail(nextTransition())));

    // Assess
    await expect(failure).rejects.toBeInstanceOf(AlertRejectedError);
    await expect(failure).rejects.toThrow(reason);
    expect(postMessages()).toHaveLength(1);
  });
});

describe("Slack alerts through an incoming webhook", () => {
  const webhookPath = "/services/T000/B000/secret-part";

  it("posts the message and treats invalid_payload as permanent, without the URL in any log", async () => {
    // Prepare
    slack.next(answer.text(400, "invalid_payload"));
    const { notify, lines } = notifier({ botToken: undefined, webhookUrl: `${slack.url}${webhookPath}` });

    // Act
    const failure = notify(alertFromStageChange(sqlDetail(nextTransition())));

    // Assess
    await expect(failure).rejects.toThrow("slack webhook answered 400: invalid_payload");
    expect(slack.received.map((request) => request.path)).toEqual([webhookPath]);
    expect(slack.received[0]?.json).toMatchObject({
      blocks: expect.arrayContaining([expect.objectContaining({ type: "header" })]),
    });
    expect(JSON.stringify(lines)).not.toContain("secret-part");
  });
});

describe("the notify-slack function", () => {
  let handler: (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    Object.assign(process.env, {
      TABLE_NAME: table.tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_CHANNEL: "C0SALES",
      SLACK_API_URL: `${slack.url}/api`,
      POWERTOOLS_LOG_LEVEL: "ERROR",
    });
    ({ handler } = await import("../../functions/notify-slack"));
  });

  it("posts one message when the bus delivers the same event twice, even at once", async () => {
    // Prepare
    const transitionId = nextTransition();
    slack.always(answer.json(200, { ok: true }));
    const context = { getRemainingTimeInMillis: () => 15_000 } as Context;

    // Act: two deliveries at once, then the bus's retry of whichever found the other one sending.
    const together = await Promise.allSettled([
      handler(busEvent(sqlDetail(transitionId)), context),
      handler(busEvent(sqlDetail(transitionId)), context),
    ]);
    await handler(busEvent(sqlDetail(transitionId)), context);

    // Assess
    const refused = together.filter((outcome) => outcome.status === "rejected");
    expect(refused.map((outcome) => (outcome as PromiseRejectedResult).reason.name)).toEqual(
      refused.length === 0 ? [] : ["AlertInFlightError"],
    );
    expect(postMessages()).toHaveLength(1);
    const marker = await table.client.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: marshall({ pk: `ALERT#${transitionId}`, sk: "slack:owner" }),
        ConsistentRead: true,
      }),
    );
    expect(unmarshall(marker.Item ?? {})).toMatchObject({
      entity: "alert",
      state: "sent",
      expiresAt: expect.any(Number),
    });
  });

  it("alerts as before for a version 1 event replayed from the archive: the channels the model names", async () => {
    // Prepare: no marketing channel is configured here.
    slack.always(answer.json(200, { ok: true }));
    const toSql = version1Detail(sqlDetail(nextTransition()));
    const toMql = version1Detail(sqlDetail(nextTransition()));
    toMql.data = { ...toMql.data, from: "lead", to: "mql" };

    // Act
    const outcomes = [await handler(busEvent(toSql), {} as Context), await handler(busEvent(toMql), {} as Context)];

    // Assess
    expect(outcomes).toEqual([
      [{ audience: "owner", result: "sent" }],
      [{ audience: "marketing", result: "not_configured" }],
    ]);
    expect(postMessages()).toHaveLength(1);
  });

  it("refuses an event whose detail does not match its schema", async () => {
    await expect(handler(busEvent({ metadata: {} }), {} as Context)).rejects.toThrow("does not match its schema");
    expect(postMessages()).toHaveLength(0);
  });
});

describe("an alert about an erased person", () => {
  it("is never posted, whatever redelivers it (a redriven dead letter, the bus archive)", async () => {
    // Prepare: the person was erased after the move, before the alert got out
    const alert = alertFromStageChange(sqlDetail(nextTransition()));
    const erasedAt = new Date(Date.parse(alert.occurredAt) + 3_600_000).toISOString();
    const erasures = dynamoErasureStore({ client: table.client, tableName: table.tableName });
    await erasures.putTombstone({ leadId: alert.leadId, erasedOn: erasedAt.slice(0, 10), erasedAt });
    slack.always(answer.json(200, { ok: true, channel: "C0SALES", ts: "1.2" }));
    const sender = slackAlertSender({
      settings: { apiUrl: `${slack.url}/api`, botToken: TOKEN, channel: "C0SALES" },
      log: recordingLog().log,
      retry: { now: () => 0, deadline: 10_000, sleep: async () => {} },
    });

    // Act
    const outcome = await notifyAlert({ sender, ledger, log: recordingLog().log, tombstones: erasures })(alert);

    // Assess
    expect(outcome).toEqual([{ audience: "owner", result: "erased" }]);
    expect(postMessages()).toEqual([]);
  });
});

describe("the DynamoDB alert ledger", () => {
  it("lets a crashed sender's claim lapse after its lease, and never lets that sender undo the new claim", async () => {
    // Prepare
    let now = Date.parse("2026-11-20T10:00:00.000Z");
    const clocked = dynamoAlertLedger({
      client: table.client,
      tableName: table.tableName,
      clock: () => new Date(now),
      leaseSeconds: 60,
    });
    const key = { alertId: nextTransition(), channel: "slack:owner" };
    const crashed = await clocked.claim(key);

    // Act
    const whileLeased = await clocked.claim(key);
    now += 61_000;
    const afterLease = await clocked.claim(key);
    if (typeof crashed === "string" || typeof afterLease === "string") throw new Error("claims expected");
    await crashed.release();
    await afterLease.confirm();
    now += 3_600_000;
    const afterSent = await clocked.claim(key);

    // Assess
    expect(whileLeased).toBe("in-flight");
    expect(afterSent).toBe("sent");
  });

  it("keeps claims apart per channel and audience", async () => {
    const alertId = nextTransition();

    const claims = await Promise.all(
      ["slack:owner", "slack:marketing", "email:owner"].map((channel) => ledger.claim({ alertId, channel })),
    );

    expect(claims.every((claim) => claim !== undefined)).toBe(true);
  });
});
