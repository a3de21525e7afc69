import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { leadItem } from "#shared/adapters/dynamodb/entities/lead";
import { ACTION_IDS, encodeActionValue } from "#shared/adapters/slack/blocks";
import { signSlackRequest } from "#shared/adapters/slack/signature";
import type { Lead } from "#shared/domain/lead";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { uniqueTableName } from "../support/dynamodb";
import { leadFixture } from "../unit/leads/fixtures";

/**
 * Every id a route takes, from its path, its query or a Slack payload, is bounded by its shape: beyond
 * it the answer is a 400 in the contract's shape, never a 500 from the store, and nothing is written.
 */
const SLACK_SECRET = "route-ids-slack-signing-secret";
const LONG = "a".repeat(2100);
const LONG_EMAIL = `${"a".repeat(250)}@ids.example`;
const UNKNOWN_LEAD_ID = `ld_${"0".repeat(24)}`;

let ripen: Awaited<ReturnType<typeof startRipen>>;
let client: ReturnType<typeof localDynamoDbClient>;
const leads = ["read", "control", "lead-id", "long-lead-id", "transition-id", "action-ts", "user-id"].map((name) =>
  leadFixture({ email: `${name}@ids.example`, stage: "mql" }),
);
const leadNamed = (name: string) => leads.find((lead) => lead.email === `${name}@ids.example`) as Lead;

beforeAll(async () => {
  ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: inject("dynamodbEndpoint"),
    tableName: uniqueTableName("route-ids"),
    env: { SLACK_SIGNING_SECRET: SLACK_SECRET },
    log: () => {},
  });
  client = localDynamoDbClient(ripen.endpoint);
  await batchWrite(
    client,
    ripen.tableName,
    leads.map((lead) => ({ PutRequest: { Item: leadItem(lead) } })),
  );
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await ripen?.stop();
});

async function call(method: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${ripen.url}${path}`, { method, ...init });
  const text = await response.text();
  // Slack's interactions answer an empty 200.
  return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Record<string, unknown> };
}

/** How many items the table holds: unchanged by a refused request. */
async function itemCount(): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: ripen.tableName, Select: "COUNT", ExclusiveStartKey: start as never }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

describe("ids in paths and query strings", () => {
  it.each([
    ["GET a lead by a 2,100-character id", "GET", `/leads/${LONG}`, "id"],
    ["GET a lead by an id of the wrong shape", "GET", "/leads/ld_not-a-lead-id", "id"],
    ["GET a lead by an email over 254 characters", "GET", `/leads/${encodeURIComponent(LONG_EMAIL)}`, "id"],
    ["DELETE a lead by a 2,100-character id", "DELETE", `/leads/${LONG}`, "id"],
    ["DELETE a lead by an id of the wrong shape", "DELETE", "/leads/ld_not-a-lead-id", "id"],
    ["DELETE a lead by an email over 254 characters", "DELETE", `/leads/${encodeURIComponent(LONG_EMAIL)}`, "id"],
    ["DELETE a lead by something that is not an email", "DELETE", `/leads/${encodeURIComponent("no one@")}`, "id"],
    ["find a lead by an email over 254 characters", "GET", `/leads?email=${LONG_EMAIL}`, "email"],
    ["list a 2,100-character owner's leads", "GET", `/leads?stage=sql&owner=${LONG}`, "owner"],
    ["list with a cursor over 8 KB", "GET", `/leads?stage=sql&cursor=${"a".repeat(9000)}`, "cursor"],
    ["roll up a 2,100-character domain", "GET", `/accounts/${LONG}`, "domain"],
    ["group the funnel by a 2,100-character name", "GET", `/funnel?by=${LONG}`, "by"],
    ["draw the funnel from a 2,100-character date", "GET", `/funnel/view?from=${LONG}`, "from"],
    ["post a webhook to a 2,100-character source", "POST", `/webhooks/${LONG}`, "source"],
    ["post a webhook to a source name with a slash", "POST", "/webhooks/generic%2Fx", "source"],
  ])("%s: 400 invalid_query naming it, nothing written", async (_case, method, path, parameter) => {
    const before = await itemCount();
    const response = await call(method, path, method === "POST" ? { body: "{}" } : {});

    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_query", message: expect.any(String), details: { issues: expect.any(Array) } } },
    });
    const { issues } = (response.body.error as { details: { issues: { path: string }[] } }).details;
    expect(issues).not.toHaveLength(0);
    expect(issues.map((issue) => issue.path)).toEqual(issues.map(() => parameter));
    expect(JSON.stringify(response.body)).not.toContain(LONG);
    expect(await itemCount()).toBe(before);
  });

  it("still reads a lead by its id or its email in any case, and answers 404 for an id nobody has", async () => {
    const lead = leadNamed("read");
    expect((await call("GET", `/leads/${lead.leadId}`)).status).toBe(200);
    expect((await call("GET", `/leads/${encodeURIComponent(lead.email.toUpperCase())}`)).body).toMatchObject({
      lead: { leadId: lead.leadId },
    });
    expect(await call("GET", `/leads/${UNKNOWN_LEAD_ID}`)).toMatchObject({
      status: 404,
      body: { error: { code: "lead_not_found" } },
    });
  });

  it("still answers 404 for an erasure of an id nobody has, and for a source Ripen does not know", async () => {
    const before = await itemCount();
    expect((await call("DELETE", `/leads/${UNKNOWN_LEAD_ID}`)).status).toBe(404);
    expect(await call("POST", "/webhooks/mailchimp", { body: "{}" })).toMatchObject({
      status: 404,
      body: { error: { code: "unknown_source" } },
    });
    expect(await itemCount()).toBe(before);
  });
});

interface ClickChange {
  value?: string;
  actionTs?: string;
  userId?: string;
}

describe("ids inside a Slack interaction", () => {
  let clicks = 0;
  /** Ana pressing Accept, as Slack posts it, with whatever the case changes. */
  function accept(lead: Lead, change: ClickChange = {}) {
    const payload = {
      type: "block_actions",
      user: { id: change.userId ?? "U0000ANA1", username: "ana", name: "Ana Lima" },
      actions: [
        {
          action_id: ACTION_IDS.accept,
          type: "button",
          value: change.value ?? encodeActionValue({ leadId: lead.leadId }),
          action_ts: change.actionTs ?? `${Math.floor(Date.now() / 1000)}.${++clicks}`,
        },
      ],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = Math.floor(Date.now() / 1000);
    return call("POST", "/slack/interactions", {
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(timestamp),
        "x-slack-signature": signSlackRequest(SLACK_SECRET, timestamp, body),
      },
      body,
    });
  }

  const stageOf = async (lead: Lead) =>
    ((await call("GET", `/leads/${lead.leadId}`)).body as { lead: { stage: string } }).lead.stage;

  it("applies a well-formed click (the control: what the refusals below would have done)", async () => {
    const lead = leadNamed("control");
    const response = await accept(lead);
    expect(response.status).toBe(200);
    expect(await stageOf(lead)).toBe("sal");
  });

  const cases: [string, string, (lead: Lead) => ClickChange][] = [
    ["a lead id of the wrong shape", "lead-id", () => ({ value: encodeActionValue({ leadId: "ld_not-a-lead-id" }) })],
    [
      "a 1,500-character lead id",
      "long-lead-id",
      () => ({ value: encodeActionValue({ leadId: LONG.slice(0, 1500) }) }),
    ],
    [
      "a transition id of the wrong shape",
      "transition-id",
      (lead) => ({ value: encodeActionValue({ leadId: lead.leadId, transitionId: "tr_alert" }) }),
    ],
    ["a 2,100-character action_ts", "action-ts", () => ({ actionTs: `1700000000.${"1".repeat(2089)}` })],
    ["a 2,100-character Slack user id", "user-id", () => ({ userId: `U${"A".repeat(2099)}` })],
  ];
  it.each(cases)("refuses %s with 400 invalid_payload, changing nothing", async (_case, name, change) => {
    const lead = leadNamed(name);
    const before = await itemCount();

    const response = await accept(lead, change(lead));

    expect(response).toMatchObject({ status: 400, body: { error: { code: "invalid_payload" } } });
    expect(await itemCount()).toBe(before);
    expect(await stageOf(lead)).toBe("mql");
  });
});
