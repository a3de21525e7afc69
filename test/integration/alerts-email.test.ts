import type { Context, EventBridgeEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAD_SLA_BREACHED, type LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import { type SesEmulator, sentEmails, startSesEmulator } from "#shared/local/ses-emulator";
import { createTestTable } from "../support/dynamodb";
import { busEvent, sqlDetail, version1Detail } from "../unit/alerts/fixtures";

let ses: SesEmulator;
let handler: (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<unknown>;

beforeAll(async () => {
  const [table, emulator] = await Promise.all([createTestTable("alerts-email"), startSesEmulator({ port: 0 })]);
  ses = emulator;
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    SES_ENDPOINT: ses.url,
    RIPEN_FROM_EMAIL: "alerts@ripen.test",
    RIPEN_ALERT_EMAILS: "sales-team@ripen.test, backup@ripen.test",
    RIPEN_LEAD_URL: "https://crm.ripen.test/leads/{leadId}",
    POWERTOOLS_LOG_LEVEL: "ERROR",
  });
  ({ handler } = await import("../../functions/notify-email"));
});
afterAll(async () => {
  await ses?.stop();
});

const context = {} as Context;

async function mailTo(address: string) {
  return (await sentEmails(ses.url)).filter((email) => email.destination.to.includes(address));
}

describe("email alerts through SES v2", () => {
  it("emails the owner once, with an HTML and a text part, even when the bus delivers twice", async () => {
    // Prepare
    const detail = sqlDetail(`tr_email_${Date.now()}`);

    // Act
    await handler(busEvent(detail), context);
    await handler(busEvent(detail), context);

    // Assess
    const mail = await mailTo("grace@ripen.test");
    expect(mail).toHaveLength(1);
    const [email] = mail;
    expect(email?.from).toBe("alerts@ripen.test");
    expect(email?.subject).toBe("[Ripen] Sales-ready: Ada Lovelace · Analytical Engines: SQL, score 82");
    expect(email?.body.html).toContain("<h2");
    expect(email?.body.html).toContain("Demo completed (+50)");
    expect(email?.body.html).toContain(`https://crm.ripen.test/leads/${detail.data.lead.leadId}`);
    expect(email?.body.text).toContain("Stage: SQL (was MQL)");
    expect(email?.body.text).toContain("Budget: 50k (met)");
  });

  it("emails the owner of a version 1 sql replayed from the archive, as the model routes it", async () => {
    // Prepare
    const detail = version1Detail(sqlDetail(`tr_version1_${Date.now()}`));
    detail.data.owner = { id: "rep-ada", name: "Ada Byron", email: "ada.byron@ripen.test" };

    // Act
    await handler(busEvent(detail), context);

    // Assess
    const [email] = await mailTo("ada.byron@ripen.test");
    expect(email?.subject).toBe("[Ripen] Sales-ready: Ada Lovelace · Analytical Engines: SQL, score 82");
  });

  it("emails only the moves stamped for email", async () => {
    // Prepare
    const detail = { ...sqlDetail(`tr_slack_only_${Date.now()}`), channels: ["slack" as const] };
    detail.data.owner = { id: "rep-slack", name: "Sam Slack", email: "sam.slack@ripen.test" };

    // Act
    const outcome = await handler(busEvent(detail), context);

    // Assess
    expect(outcome).toEqual([]);
    expect(await mailTo("sam.slack@ripen.test")).toEqual([]);
  });

  it("emails the fallback recipients when the lead has no owner", async () => {
    // Prepare
    const detail = sqlDetail(`tr_unowned_${Date.now()}`);
    delete detail.data.owner;

    // Act
    await handler(busEvent(detail), context);

    // Assess
    const [email] = await mailTo("sales-team@ripen.test");
    expect(email?.destination.to).toEqual(["sales-team@ripen.test", "backup@ripen.test"]);
  });

  it("emails an SLA breach the rule names email for", async () => {
    // Prepare
    const base = sqlDetail();
    const breach: LeadSlaBreachedDetail = {
      metadata: {
        version: "1",
        breachId: `sla_${Date.now()}`,
        occurredAt: "2026-11-21T12:00:00.000Z",
        modelVersion: "test-1",
      },
      data: {
        lead: base.data.lead,
        stage: "sql",
        stageEnteredAt: "2026-11-20T10:00:00.000Z",
        ruleId: "sql-24h",
        label: "SQL not accepted within 24 h",
        dueAt: "2026-11-21T10:00:00.000Z",
        hoursOverdue: 2,
        score: 82,
        reasons: [],
        bant: {},
        owner: { id: "rep-alan", name: "Alan Turing", email: "alan@ripen.test" },
        notify: ["email"],
      },
    };

    // Act
    await handler(busEvent(breach, LEAD_SLA_BREACHED.detailType), context);

    // Assess
    const [email] = await mailTo("alan@ripen.test");
    expect(email?.subject).toBe("[Ripen] SLA breached: Ada Lovelace · Analytical Engines: SQL, score 82");
    expect(email?.body.text).toContain("Overdue: 2 h");
  });
});
