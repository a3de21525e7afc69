import { describe, expect, it } from "vitest";
import {
  ACTION_IDS,
  ACTIONS_BLOCK_ID,
  actionOutcomeMessage,
  alertMessage,
  fallbackText,
  type SlackBlock,
  type SlackMessage,
} from "#shared/adapters/slack/blocks";
import type { Alert } from "#shared/domain/alert";
import { sqlAlert } from "./fixtures";

type Element = Record<string, unknown>;
const text = (object: unknown) => (object as { text: string }).text;

/** Every limit Slack enforces on what these messages use, checked independently of the builder. */
function expectWithinSlackLimits(message: SlackMessage) {
  expect(message.text.length).toBeLessThanOrEqual(3000);
  const blocks = message.blocks ?? [];
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const block of blocks) {
    if (block.type === "header") expect(text(block.text).length).toBeLessThanOrEqual(150);
    if (block.type === "section") {
      if (block.text) expect(text(block.text).length).toBeLessThanOrEqual(3000);
      const fields = (block.fields ?? []) as Element[];
      expect(fields.length).toBeLessThanOrEqual(10);
      for (const field of fields) expect(text(field).length).toBeLessThanOrEqual(2000);
    }
    if (block.type === "context") {
      const elements = block.elements as Element[];
      expect(elements.length).toBeLessThanOrEqual(10);
      for (const element of elements) expect(text(element).length).toBeLessThanOrEqual(3000);
    }
    if (block.type === "actions") {
      const elements = block.elements as Element[];
      expect(elements.length).toBeLessThanOrEqual(25);
      for (const element of elements) {
        if (element.text) expect(text(element.text).length).toBeLessThanOrEqual(75);
        if (typeof element.value === "string") expect(element.value.length).toBeLessThanOrEqual(2000);
        const dialog = element.confirm as Element | undefined;
        if (dialog) {
          expect(text(dialog.title).length).toBeLessThanOrEqual(100);
          expect(text(dialog.text).length).toBeLessThanOrEqual(300);
        }
        for (const option of (element.options ?? []) as Element[]) {
          expect(text(option.text).length).toBeLessThanOrEqual(75);
          expect((option.value as string).length).toBeLessThanOrEqual(150);
        }
      }
    }
  }
}

/** Every mrkdwn text object in the blocks, wherever it sits. */
function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (typeof value !== "object" || value === null) return [];
  const object = value as Element;
  const own = object.type === "mrkdwn" && typeof object.text === "string" ? [object.text] : [];
  return [...own, ...Object.values(object).flatMap(mrkdwnTexts)];
}

const actionsOf = (message: SlackMessage) =>
  (message.blocks?.find((block) => block.block_id === ACTIONS_BLOCK_ID)?.elements ?? []) as Element[];

describe("the Block Kit alert", () => {
  it("heads with name and company and lists stage, score, owner mention, contact and source", () => {
    // Act
    const message = alertMessage(sqlAlert());

    // Assess
    const [header, facts] = message.blocks as SlackBlock[];
    expect(text(header?.text)).toBe("Sales-ready: Ada Lovelace · Analytical Engines");
    const fields = ((facts?.fields ?? []) as Element[]).map(text);
    expect(fields).toEqual([
      "*Stage*\nSQL (was MQL)",
      "*Score*\n82",
      "*Owner*\n<@U0GRACE>",
      "*Contact*\nada@example.com",
      "*Company*\nAnalytical Engines (example.com)",
      "*Source*\ntypeform · autumn-webinar",
    ]);
    expect(JSON.stringify(message.blocks)).toContain("• Demo completed (+50)");
    expect(JSON.stringify(message.blocks)).toContain("• Free email (-5)");
    expectWithinSlackLimits(message);
  });

  it("offers Accept, Disqualify with reasons and Recycle, each carrying the lead and transition ids", () => {
    // Act
    const [accept, disqualify, recycle, ...rest] = actionsOf(alertMessage(sqlAlert()));

    // Assess
    expect(rest).toEqual([]);
    expect(accept).toMatchObject({ type: "button", action_id: ACTION_IDS.accept, style: "primary" });
    expect(JSON.parse(accept?.value as string)).toEqual({
      l: "ld_0123456789abcdef01234567",
      t: "tr_0123456789abcdef01234567",
    });
    expect(disqualify).toMatchObject({ type: "static_select", action_id: ACTION_IDS.disqualify });
    const options = disqualify?.options as Element[];
    expect(options.map((option) => JSON.parse(option.value as string).r)).toContain("competitor");
    expect(disqualify?.confirm).toBeDefined();
    expect(recycle).toMatchObject({ type: "button", action_id: ACTION_IDS.recycle });
    expect(recycle?.confirm).toMatchObject({ text: { text: "Ada Lovelace goes back to nurturing." } });
  });

  it("offers Qualify on an alert about a lead below sql (an SLA on the review), never on an sql alert", () => {
    // Act
    const mql = actionsOf(alertMessage(sqlAlert({ kind: "sla_breached", stage: "mql", from: null })));
    const sql = actionsOf(alertMessage(sqlAlert()));

    // Assess
    expect(mql.map((element) => element.action_id)).toEqual([
      ACTION_IDS.accept,
      ACTION_IDS.qualify,
      ACTION_IDS.disqualify,
      ACTION_IDS.recycle,
    ]);
    expect(JSON.parse(mql[1]?.value as string)).toMatchObject({ l: "ld_0123456789abcdef01234567" });
    expect(sql.map((element) => element.action_id)).not.toContain(ACTION_IDS.qualify);
  });

  it("names the lead in full in the confirmation dialogs", () => {
    // Prepare
    const name = `Ada ${"Augusta ".repeat(10)}Lovelace`;

    // Act
    const [, disqualify, recycle] = actionsOf(alertMessage(sqlAlert({ lead: { ...sqlAlert().lead, name } })));

    // Assess
    expect(text((disqualify?.confirm as Element | undefined)?.text)).toBe(
      `${name} will be disqualified with the reason you picked.`,
    );
    expect(text((recycle?.confirm as Element | undefined)?.text)).toBe(`${name} goes back to nurturing.`);
  });

  it("links to the lead's page and to the CRM, each when configured", () => {
    // Act
    const crmOnly = actionsOf(alertMessage(sqlAlert(), { leadUrl: "https://crm.example.com/leads/ld_1" }));
    const both = actionsOf(
      alertMessage(sqlAlert(), {
        pageUrl: "https://api.example.com/links/leads/ld_1/t",
        leadUrl: "https://crm.example.com/leads/ld_1",
      }),
    );

    // Assess
    expect(crmOnly.at(-1)).toMatchObject({ action_id: ACTION_IDS.openCrm, url: "https://crm.example.com/leads/ld_1" });
    expect(both.slice(-2)).toMatchObject([
      { action_id: ACTION_IDS.open, url: "https://api.example.com/links/leads/ld_1/t" },
      { action_id: ACTION_IDS.openCrm, url: "https://crm.example.com/leads/ld_1" },
    ]);
    expect(new Set(both.map((element) => element.action_id)).size).toBe(both.length);
  });

  it("stays within Slack's limits however long the inputs are", () => {
    // Prepare
    const long = (length: number, unit = "x") => unit.repeat(length);
    const alert = sqlAlert({
      lead: {
        email: `${long(200)}@example.com`,
        name: long(10_000, "N"),
        company: long(5000, "&"),
        domain: "example.com",
      },
      reason: long(10_000, "<"),
      reasons: Array.from({ length: 500 }, (_, index) => ({
        ruleId: `rule-${index}`,
        axis: "engagement" as const,
        label: long(1000, "é"),
        hits: 1,
        points: index,
        decayedPoints: index,
      })),
      bant: Object.fromEntries(
        Array.from({ length: 40 }, (_, index) => [
          `criterion${index}`,
          { value: long(5000, ">"), satisfied: index % 2 === 0 },
        ]),
      ),
      owner: { id: "rep", name: long(3000), email: "rep@example.com" },
      source: long(3000),
      campaign: long(3000),
    });

    // Act
    const message = alertMessage(alert, { leadUrl: `https://crm.example.com/${long(5000)}` });

    // Assess
    expectWithinSlackLimits(message);
    expect(JSON.stringify(message.blocks)).toMatch(/and \d+ more/);
  });

  it("never cuts an escape or the date token in half when it truncates", () => {
    // Prepare
    const alert = sqlAlert({ reason: "&".repeat(5000) });

    // Act
    const message = alertMessage(alert);

    // Assess
    const context = message.blocks?.find((block) => block.type === "context");
    const line = text(((context?.elements ?? []) as Element[])[0]);
    expect(line).toMatch(/(&amp;)+… · <!date\^\d+\^[^|]+\|2026-11-20T10:00:00.000Z>$/);
  });

  it("keeps form input from becoming mentions or links", () => {
    // Prepare
    const alert = sqlAlert({
      lead: { email: "x@example.com", name: "<!channel> <https://evil.test|click>", domain: "example.com" },
    });

    // Act
    const message = alertMessage(alert);

    // Assess
    // plain_text (header, buttons) is never parsed; mrkdwn and the fallback are.
    const parsed = [message.text, ...mrkdwnTexts(message.blocks)];
    expect(parsed.filter((line) => /<!channel>|<https:\/\/evil/.test(line))).toEqual([]);
    expect(message.text).toContain("&lt;!channel&gt;");
  });
});

describe("the text fallback", () => {
  it("says what happened, to whom, the stage, the score and the owner", () => {
    expect(fallbackText(sqlAlert())).toBe(
      "Sales-ready: Ada Lovelace · Analytical Engines (ada@example.com): SQL, score 82, owner <@U0GRACE>",
    );
  });

  it.each<[string, Partial<Alert>, string]>([
    ["a marketing-qualified lead", { stage: "mql", from: "lead" }, "Marketing-qualified: Ada Lovelace"],
    [
      "an SLA breach",
      {
        kind: "sla_breached",
        alertId: "sla-1",
        sla: { ruleId: "sql-24h", dueAt: "2026-11-21T10:00:00.000Z", hoursOverdue: 3 },
      },
      "SLA breached: Ada Lovelace",
    ],
    [
      "a lead without a name",
      { lead: { email: "bob@example.com", domain: "example.com" } },
      "Sales-ready: bob@example.com",
    ],
  ])("names %s", (_, overrides, expected) => {
    expect(fallbackText(sqlAlert(overrides))).toContain(expected);
  });
});

describe("the message after a rep acted", () => {
  it("replaces the buttons with who did what and when", () => {
    // Prepare
    const original = alertMessage(sqlAlert());

    // Act
    const updated = actionOutcomeMessage(original, {
      verb: "accepted",
      slackUserId: "U0GRACE",
      at: new Date("2026-11-20T11:00:00.000Z"),
    });

    // Assess
    expect(updated.replace_original).toBe(true);
    expect(updated.blocks?.some((block) => block.block_id === ACTIONS_BLOCK_ID)).toBe(false);
    const last = updated.blocks?.at(-1) as SlackBlock;
    const epoch = Date.parse("2026-11-20T11:00:00.000Z") / 1000;
    expect(text((last.elements as Element[])[0])).toContain(`Accepted by <@U0GRACE> <!date^${epoch}^`);
    expect(updated.blocks).toHaveLength((original.blocks?.length ?? 0) - 1 + 1);
  });

  it("stays within 50 blocks and survives a message without blocks", () => {
    // Prepare
    const crowded = { text: "alert", blocks: Array.from({ length: 50 }, () => ({ type: "divider" })) };

    // Act
    const updated = actionOutcomeMessage(crowded, {
      verb: "disqualified",
      slackUserId: "U1",
      at: new Date(),
      reason: "Competitor",
    });
    const bare = actionOutcomeMessage(undefined, { verb: "recycled", slackUserId: "U1", at: new Date() });

    // Assess
    expect(updated.blocks).toHaveLength(50);
    expect(updated.text).toContain("Disqualified by <@U1>");
    expect(updated.text).toContain(": Competitor");
    expect(bare.blocks).toHaveLength(1);
  });
});
