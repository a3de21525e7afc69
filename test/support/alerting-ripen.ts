import { expect } from "vitest";
import type { RetryPolicy } from "#shared/application/pacing/retry";
import { type RunningRipen, startRipen } from "#shared/local/runtime";
import { type AlertStub, startSesStub, startSlackStub } from "./alert-stubs";
import { createTestTable, type TestTable } from "./dynamodb";
import { GENERIC_SECRET, genericPayload } from "./generic";
import { deliver } from "./webhook-sender";

export interface AlertingRipen {
  table: TestTable;
  slack: AlertStub;
  ses: AlertStub;
  ripen: RunningRipen;
  stop(): Promise<void>;
}

/**
 * The local runtime in this process on a fresh table, with the generic source's test secret and its
 * alerts going to loopback Slack and SES stubs. `endpoint` (a fault proxy in front of the test engine)
 * is where the handlers reach DynamoDB, when it is not the engine itself; `env` adds to the handlers'
 * environment (another model, a marketing channel).
 */
export async function startAlertingRipen(
  prefix: string,
  options: { endpoint?: string; targetRetry?: RetryPolicy; env?: Record<string, string> } = {},
): Promise<AlertingRipen> {
  const table = await createTestTable(prefix);
  const slack = await startSlackStub();
  const ses = await startSesStub();
  const ripen = await startRipen({
    dynamodbEndpoint: options.endpoint ?? table.endpoint,
    tableName: table.tableName,
    inMemory: true,
    env: { RIPEN_SECRET_GENERIC: GENERIC_SECRET, SLACK_WEBHOOK_URL: slack.url, SES_ENDPOINT: ses.url, ...options.env },
    pollIntervalMs: 100,
    ...(options.targetRetry && { targetRetry: options.targetRetry }),
    log: () => {},
  });
  return {
    table,
    slack,
    ses,
    ripen,
    async stop() {
      await ripen.stop();
      await slack.stop();
      await ses.stop();
      table.client.destroy();
    },
  };
}

/** Two webhooks that make a new lead sql: budget and timeline, then a completed demo. */
export async function ripenToSql(url: () => string, email: string): Promise<void> {
  const form = { type: "form.submitted", answers: { budget: "30k", timeline: "this quarter" } };
  await deliver(url, JSON.stringify(genericPayload({ email, eventId: `${email}-form`, name: "Sam Alert", ...form })));
  const demo = await deliver(
    url,
    JSON.stringify(genericPayload({ email, eventId: `${email}-demo`, type: "demo.completed" })),
  );
  expect(demo.final.body.stage).toBe("sql");
}
