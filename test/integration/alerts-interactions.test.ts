import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { leadPk } from "#shared/adapters/dynamodb/entities/lead";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { ACTION_IDS, ACTIONS_BLOCK_ID, alertMessage, encodeActionValue } from "#shared/adapters/slack/blocks";
import { signSlackRequest } from "#shared/adapters/slack/signature";
import type { LeadStore } from "#shared/application/ports/lead-store";
import type { Lead, Owner } from "#shared/domain/lead";
import { transitionId } from "#shared/domain/lead-fold";
import type { Stage } from "#shared/domain/stages";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { leadIdOf } from "../support/pseudonyms";
import { sqlAlert } from "../unit/alerts/fixtures";
import { startLoopback } from "../unit/alerts/loopback";

const SIGNING_SECRET = "slack-signing-secret-for-tests";
/** A rep of the default model's routing team (ripen.model.yaml). */
const ANA: Owner = { id: "ana", name: "Ana Lima", email: "ana.lima@example.com", slackUserId: "U0000ANA1" };

let table: TestTable;
let store: LeadStore;
let slack: Awaited<ReturnType<typeof startLoopback>>;
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

beforeAll(async () => {
  [table, slack] = await Promise.all([createTestTable("alerts-interactions"), startLoopback()]);
  store = dynamoLeadStore({ client: table.client, tableName: table.tableName });
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    POWERTOOLS_LOG_LEVEL: "ERROR",
  });
  ({ handler } = await import("../../functions/actions"));
});
afterAll(async () => {
  await slack?.stop();
});
beforeEach(() => slack.reset());

let leads = 0;
/** A lead as ingest would have left it: by default marketing qualified, not yet accepted. */
async function storedLead(stage: Stage = "mql", owner?: Owner): Promise<Lead> {
  const at = new Date().toISOString();
  const email = `lead${++leads}@example.com`;
  const lead: Lead = {
    leadId: leadIdOf(email),
    email,
    name: "Ada Lovelace",
    domain: "example.com",
    attributes: {},
    stage,
    stageEnteredAt: at,
    score: 82,
    fit: 30,
    engagement: 52,
    bant: {},
    ...(owner && { owner }),
    createdAt: at,
    updatedAt: at,
    lastEventAt: at,
    eventCount: 3,
    modelVersion: "test-1",
    version: 1,
  };
  await store.commit({ lead, expectedVersion: undefined });
  return lead;
}

let clicks = 0;
/** The form Slack posts when Ana presses a button in the alert for `lead`. */
function click(lead: Lead, action: Record<string, unknown>, actionTs = `${Math.floor(Date.now() / 1000)}.${++clicks}`) {
  const original = alertMessage(sqlAlert({ leadId: lead.leadId }));
  const payload = {
    type: "block_actions",
    user: { id: "U0000ANA1", username: "ana", name: "Ana Lima", team_id: "T1" },
    trigger_id: `trigger-${clicks}`,
    response_url: `${slack.url}/actions/T1/${clicks}/response`,
    message: { ts: "1700000000.000100", ...original },
    actions: [{ block_id: ACTIONS_BLOCK_ID, action_ts: actionTs, ...action }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
const acceptOf = (lead: Lead) => ({
  action_id: ACTION_IDS.accept,
  type: "button",
  value: encodeActionValue({ leadId: lead.leadId, transitionId: transitionId(lead.leadId, 1) }),
});

/** The API Gateway event for a POST from Slack, signed at test time unless told otherwise. */
function slackRequest(body: string, options: { timestamp?: number; secret?: string } = {}): APIGatewayProxyEventV2 {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    version: "2.0",
    routeKey: "POST /slack/interactions",
    rawPath: "/slack/interactions",
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp, body),
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "local",
      domainName: "localhost",
      domainPrefix: "localhost",
      http: {
        method: "POST",
        path: "/slack/interactions",
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "Slackbot",
      },
      requestId: `req-${Date.now()}`,
      routeKey: "POST /slack/interactions",
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

const invoke = (event: APIGatewayProxyEventV2) => handler(structuredClone(event), {} as Context);

/** Every item in a lead's partition: the lead, its transitions and the markers of the actions applied to it. */
async function partitionOf(leadId: string) {
  const page = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId) }),
      ConsistentRead: true,
    }),
  );
  return page.Items ?? [];
}

/** What the handler posted to the interactions' response_url, in order. */
const responses = () => slack.received.map((request) => ({ path: request.path, json: request.json }));
const errorCode = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body ?? "{}").error?.code;

describe("POST /slack/interactions", () => {
  it("accepts a lead from a signed click: sal, owned by the rep, and the message shows who and when", async () => {
    // Prepare
    const lead = await storedLead("mql");

    // Act
    const response = await invoke(slackRequest(click(lead, acceptOf(lead))));

    // Assess
    expect(response).toMatchObject({ statusCode: 200, body: "" });
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "sal", owner: ANA, version: 2 });
    const [transition] = await store.listTransitions(lead.leadId);
    expect(transition).toMatchObject({ from: "mql", to: "sal", actor: { type: "rep", id: "U0000ANA1" } });
    const [update] = slack.received;
    expect(update?.path).toMatch(/\/actions\/T1\/\d+\/response$/);
    const message = update?.json as { replace_original: boolean; blocks: { block_id?: string }[]; text: string };
    expect(message.replace_original).toBe(true);
    expect(message.blocks.some((block) => block.block_id === ACTIONS_BLOCK_ID)).toBe(false);
    expect(JSON.stringify(message.blocks.at(-1))).toContain("Accepted by <@U0000ANA1> <!date^");
  });

  it("accepts a sales-qualified lead by making the rep its owner, without moving it back", async () => {
    // Prepare
    const lead = await storedLead("sql");

    // Act
    const response = await invoke(slackRequest(click(lead, acceptOf(lead))));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "sql", owner: ANA, version: 2 });
    expect(await store.listTransitions(lead.leadId)).toEqual([]);
    expect(JSON.stringify(slack.received[0]?.json)).toContain("Accepted by <@U0000ANA1>");
  });

  it("applies a repeated click (same action_ts) once, even when both arrive at once, and answers each alike", async () => {
    // Prepare
    const lead = await storedLead("mql");
    const body = click(lead, acceptOf(lead), "1795000000.000001");

    // Act
    const responses = await Promise.all([invoke(slackRequest(body)), invoke(slackRequest(body))]);
    const later = await invoke(slackRequest(body));

    // Assess
    expect([...responses, later].map((response) => response.statusCode)).toEqual([200, 200, 200]);
    expect(await store.listTransitions(lead.leadId)).toHaveLength(1);
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "sal", version: 2 });
    const updates = slack.received.map((request) => request.json);
    expect(updates).toHaveLength(3);
    expect(updates[0]).toMatchObject({ replace_original: true });
    expect(updates.slice(1)).toEqual([updates[0], updates[0]]);
  });

  it("answers the exact replay of an Accept as it answered the original, and writes nothing", async () => {
    // Prepare
    const lead = await storedLead("mql");
    const request = slackRequest(click(lead, acceptOf(lead)));
    const original = await invoke(request);
    const originalResponses = responses();
    const stored = await partitionOf(lead.leadId);
    slack.reset();

    // Act
    const replay = await invoke(request);

    // Assess
    expect(replay).toEqual(original);
    expect(responses()).toEqual(originalResponses);
    expect(JSON.stringify(originalResponses)).toContain("Accepted by <@U0000ANA1> <!date^");
    expect(await partitionOf(lead.leadId)).toEqual(stored);
  });

  it("disqualifies with the reason the rep picked", async () => {
    // Prepare
    const lead = await storedLead("sql");
    const option = encodeActionValue({
      leadId: lead.leadId,
      transitionId: transitionId(lead.leadId, 1),
      reason: "competitor",
    });

    // Act
    await invoke(
      slackRequest(
        click(lead, { action_id: ACTION_IDS.disqualify, type: "static_select", selected_option: { value: option } }),
      ),
    );

    // Assess
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "disqualified" });
    expect(await store.listTransitions(lead.leadId)).toEqual([
      expect.objectContaining({ to: "disqualified", reason: "Competitor" }),
    ]);
    expect(JSON.stringify(slack.received[0]?.json)).toContain("Disqualified by <@U0000ANA1>");
  });

  it("qualifies a lead below sql from the Qualify button, with the rep as actor", async () => {
    // Prepare: a lead the SDR gate holds in mql, sql-ready.
    const stored = await storedLead("mql");
    const review = { since: stored.updatedAt, ruleId: "demo-done", reason: "Demo completed" };
    await store.commit({ lead: { ...stored, review, version: stored.version + 1 }, expectedVersion: stored.version });
    const value = encodeActionValue({ leadId: stored.leadId, transitionId: transitionId(stored.leadId, 1) });

    // Act
    await invoke(slackRequest(click(stored, { action_id: ACTION_IDS.qualify, type: "button", value })));

    // Assess
    const lead = await store.getLead(stored.leadId);
    expect(lead).toMatchObject({ stage: "sql" });
    expect(lead?.review).toBeUndefined();
    expect(await store.listTransitions(stored.leadId)).toEqual([
      expect.objectContaining({ from: "mql", to: "sql", actor: { type: "rep", id: "U0000ANA1" } }),
    ]);
    expect(JSON.stringify(slack.received[0]?.json)).toContain("Qualified by <@U0000ANA1>");
  });

  it("tells the rep why, and changes nothing, when the lead cannot move that way", async () => {
    // Prepare
    const lead = await storedLead("sql", ANA);

    // Act
    const response = await invoke(slackRequest(click(lead, acceptOf(lead))));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(await store.getLead(lead.leadId)).toMatchObject({ version: 1 });
    expect(slack.received[0]?.json).toEqual({
      response_type: "ephemeral",
      replace_original: false,
      text: ":warning: Ada Lovelace is already accepted by Ana Lima",
    });
  });

  it.each([
    ["a stale signature", { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }, "stale_timestamp"],
    ["a wrong signature", { secret: "not-the-signing-secret" }, "invalid_signature"],
  ])("refuses %s with 401 and changes nothing", async (_, options, code) => {
    // Prepare
    const lead = await storedLead("mql");

    // Act
    const response = await invoke(slackRequest(click(lead, acceptOf(lead)), options));

    // Assess
    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe(code);
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "mql", version: 1 });
    expect(await store.listTransitions(lead.leadId)).toEqual([]);
    expect(slack.received).toEqual([]);
  });

  it("refuses an action Ripen never offered with a clear error", async () => {
    // Prepare
    const lead = await storedLead("sql");

    // Act
    const response = await invoke(
      slackRequest(click(lead, { action_id: "approve_expense", type: "button", value: "1" })),
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? "")).toEqual({
      error: { code: "unknown_action", message: 'unknown action "approve_expense"' },
    });
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "sql" });
  });

  it("answers the link button with 200 and does nothing", async () => {
    const lead = await storedLead("sql");

    const response = await invoke(slackRequest(click(lead, { action_id: ACTION_IDS.open, type: "button" })));

    expect(response).toMatchObject({ statusCode: 200, body: "" });
    expect(await store.getLead(lead.leadId)).toMatchObject({ stage: "sql" });
  });
});
