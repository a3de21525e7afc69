import { describe, expect, it } from "vitest";
import { alertEmail } from "#shared/adapters/email/alert-email";
import { ACTION_IDS, ACTIONS_BLOCK_ID, alertMessage } from "#shared/adapters/slack/blocks";
import { LEAD_SQL_READY, type LeadSqlReadyDetail, sqlReadyChannels, sqlReadyDetail } from "#shared/bus/lead-sql-ready";
import { InvalidPayloadError } from "#shared/domain/errors";
import type { SqlReadyRequest } from "#shared/domain/lead";
import { sqlReadyId } from "#shared/domain/lead-fold";
import { alertFromBusEvent } from "#shared/edge/bus-alerts";

const LEAD_ID = "ld_0123456789abcdef01234567";
const SINCE = "2026-11-20T09:00:00.000Z";
const PAGE = "https://ripen.example.com/links/leads/ld_0123456789abcdef01234567/token";

const request: SqlReadyRequest = {
  requestId: sqlReadyId(LEAD_ID, SINCE),
  leadId: LEAD_ID,
  since: SINCE,
  stage: "mql",
  ruleId: "demo-done",
  reason: "Demo completed",
  modelVersion: "test-1",
  score: 82,
  reasons: [{ ruleId: "demo", axis: "engagement", hits: 1, label: "Demo completed", points: 50, decayedPoints: 50 }],
  bant: { budget: { value: "50k", satisfied: true, eventId: "generic:e1" } },
  owner: { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test", slackUserId: "U0GRACE" },
  lead: { email: "ada@example.com", name: "Ada Lovelace", company: "Analytical Engines", domain: "example.com" },
  eventId: "generic:e2",
};

const busEvent = (detail: unknown) => ({
  source: LEAD_SQL_READY.source,
  "detail-type": LEAD_SQL_READY.detailType,
  detail,
});
const noModelChannels = () => [];

describe("a Lead SQL Ready event", () => {
  it("becomes an sql_ready alert keyed by its request id, in the stage the lead waits in", () => {
    // Act
    const alert = alertFromBusEvent(busEvent(sqlReadyDetail(request, ["slack", "email"])), noModelChannels);

    // Assess
    expect(alert).toMatchObject({
      kind: "sql_ready",
      alertId: request.requestId,
      leadId: LEAD_ID,
      stage: "mql",
      reason: "Demo completed",
      score: 82,
      occurredAt: SINCE,
      source: "generic",
      channels: ["slack", "email"],
      owner: { slackUserId: "U0GRACE" },
    });
    expect(alert.transitionId).toBeUndefined();
  });

  it("is refused when its detail does not match the schema", () => {
    const broken = { ...sqlReadyDetail(request, []), metadata: { version: "1" } } as unknown as LeadSqlReadyDetail;

    expect(() => alertFromBusEvent(busEvent(broken), noModelChannels)).toThrow(InvalidPayloadError);
  });

  it("goes to the owner's channels among those the model sends a move to sql, and nowhere when quiet", () => {
    // Prepare: a model that sends sql to Slack, email and the marketing channel.
    const channelsFor = (move: { to: string }) => (move.to === "sql" ? ["slack", "email", "marketing"] : ["marketing"]);

    // Act
    const loud = sqlReadyChannels(request, channelsFor as never);
    const quiet = sqlReadyChannels({ ...request, quiet: true }, channelsFor as never);

    // Assess
    expect(loud).toEqual(["slack", "email"]);
    expect(quiet).toEqual([]);
  });
});

describe("the sql-ready alert's messages", () => {
  const alert = alertFromBusEvent(busEvent(sqlReadyDetail(request, ["slack", "email"])), noModelChannels);

  it("on Slack, asks the owner to Qualify or Disqualify, with both controls and the lead's page", () => {
    // Act
    const message = alertMessage(alert, { pageUrl: PAGE });
    const actions = (message.blocks?.find((block) => block.block_id === ACTIONS_BLOCK_ID)?.elements ?? []) as {
      action_id: string;
      url?: string;
    }[];

    // Assess
    expect(message.text).toContain("SQL-ready, qualify or disqualify: Ada Lovelace");
    expect(JSON.stringify(message.blocks)).toContain("Qualify moves it to SQL, Disqualify turns it down");
    expect(actions.map((action) => action.action_id)).toEqual(
      expect.arrayContaining([ACTION_IDS.qualify, ACTION_IDS.disqualify, ACTION_IDS.open]),
    );
    expect(actions.find((action) => action.action_id === ACTION_IDS.open)?.url).toBe(PAGE);
  });

  it("by email, asks the same in both parts and links to the page", () => {
    // Act
    const email = alertEmail(alert, { pageUrl: PAGE });

    // Assess
    expect(email.subject).toBe(
      "[Ripen] SQL-ready, qualify or disqualify: Ada Lovelace · Analytical Engines: MQL, score 82",
    );
    for (const part of [email.text, email.html]) {
      expect(part).toContain("Qualify moves it to SQL, Disqualify turns it down.");
      expect(part).toContain(PAGE);
    }
  });
});
