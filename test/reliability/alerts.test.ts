import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AlertStub } from "../support/alert-stubs";
import { type AlertingRipen, ripenToSql as ripenToSqlWith, startAlertingRipen } from "../support/alerting-ripen";
import type { TestTable } from "../support/dynamodb";
import { leadIdOf } from "../support/pseudonyms";

vi.hoisted(() => {
  // The failures below are provoked; the handlers' logs would only bury the test output.
  process.env.POWERTOOLS_LOG_LEVEL = "CRITICAL";
});

let table: TestTable;
let slack: AlertStub;
let ses: AlertStub;
let running: AlertingRipen;
const url = () => running.ripen.url;

beforeAll(async () => {
  // The bus retries a failed target twice more, quickly, before dead-lettering it.
  running = await startAlertingRipen("reliability-alerts", { targetRetry: { attempts: 3, baseMs: 100, capMs: 300 } });
  ({ table, slack, ses } = running);
});

afterAll(() => running?.stop());

beforeEach(() => {
  slack.script([]);
});

const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));
const slackAbout = (email: string) => slack.delivered().filter((request) => request.body.includes(email));
const emailsAbout = (email: string) => ses.delivered().filter((request) => request.body.includes(email));

const ripenToSql = (email: string) => ripenToSqlWith(url, email);

describe("alerts when Slack fails", () => {
  it("Slack answers 429 (Retry-After 1) then 500: retried within the invocation, one alert", async () => {
    // Prepare
    const email = "slack-429@example.com";
    slack.script([{ status: 429, headers: { "retry-after": "1" } }, { status: 500 }]);

    // Act
    await ripenToSql(email);

    // Assess
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 20_000 });
    const attempts = slack.requests.filter((request) => request.body.includes(email));
    expect(attempts.map((request) => request.status)).toEqual([429, 500, 200]);
    await vi.waitFor(() => expect(emailsAbout(email)).toHaveLength(1), { timeout: 30_000 });
    // Then long enough for a second alert to show, were one sent.
    await settle();
    expect(slackAbout(email)).toHaveLength(1);
    expect(emailsAbout(email)).toHaveLength(1);
  });

  it("Slack down for a whole invocation: the bus retries the event and the alert still goes out once", async () => {
    // Prepare: more 500s than the notifier tries in one invocation (4).
    const email = "slack-down@example.com";
    slack.script(Array.from({ length: 5 }, () => ({ status: 500 })));

    // Act
    await ripenToSql(email);

    // Assess
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 30_000 });
    expect(slack.requests.filter((request) => request.body.includes(email)).length).toBeGreaterThanOrEqual(6);
    await vi.waitFor(() => expect(emailsAbout(email)).toHaveLength(1), { timeout: 30_000 });
    // Then long enough for a second alert to show, were one sent.
    await settle();
    expect(slackAbout(email)).toHaveLength(1);
    expect(emailsAbout(email)).toHaveLength(1);
    expect(await running.ripen.deadLetters.list()).toEqual([]);
  });
});

describe("a poison record on the stream", () => {
  it("is dead-lettered with the reason, and the records after it still alert", async () => {
    // Prepare: a transition item no notifier can read (no lead, no score), written past the write path.
    const poison = "poison-record";
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({
          pk: `LEAD#${poison}`,
          sk: `TRANSITION#2026-11-20T10:00:00.000Z#${poison}`,
          entity: "transition",
          transitionId: poison,
          to: "sql",
        }),
      }),
    );

    // Act: a real lead becomes sql after it.
    const email = "after-poison@example.com";
    await ripenToSql(email);

    // Assess
    // Each channel's notifier works on its own: the email may land after the Slack message.
    await vi.waitFor(() => expect(slackAbout(email)).toHaveLength(1), { timeout: 30_000 });
    await vi.waitFor(() => expect(emailsAbout(email)).toHaveLength(1), { timeout: 30_000 });
    // Both notifiers refuse it; each rule target dead-letters it after its three attempts.
    await vi.waitFor(async () => expect(await running.ripen.deadLetters.list()).toHaveLength(2), { timeout: 15_000 });
    const letters = await running.ripen.deadLetters.list();
    for (const letter of letters) {
      expect(JSON.stringify(letter.payload)).toContain(poison);
      expect(letter.attempts).toBe(3);
      expect(letter.reason).not.toBe("");
    }
    expect(letters.map((letter) => letter.target).sort()).toEqual(["notify-email", "notify-slack"]);
    expect(JSON.stringify(letters)).not.toContain(leadIdOf(email));
  });
});
