import { describe, expect, it } from "vitest";
import { notifyAlert } from "#shared/application/notify-alert";
import type { DeliveryResult } from "#shared/application/ports/alert-ledger";
import type { AlertSender } from "#shared/application/ports/alert-sender";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";
import type { Audience } from "#shared/bus/notifiers";
import type { Alert } from "#shared/domain/alert";
import { memoryLedger, recordingLog, sqlAlert } from "./fixtures";

/** A sender that records what it sent and can be told to fail. */
function fakeSender(options: { audiences?: Audience[]; channel?: "slack" | "email" } = {}) {
  const sent: { alertId: string; audience: Audience }[] = [];
  let failWith: Error | undefined;
  let result: DeliveryResult = "sent";
  const sender: AlertSender = {
    channel: options.channel ?? "slack",
    audiences: () => new Set(options.audiences ?? ["owner", "marketing"]),
    async send(alert: Alert, audience: Audience) {
      if (failWith) throw failWith;
      if (result === "sent") sent.push({ alertId: alert.alertId, audience });
      return result;
    },
  };
  return {
    sender,
    sent,
    failWith: (error: Error | undefined) => {
      failWith = error;
    },
    answer: (next: DeliveryResult) => {
      result = next;
    },
  };
}

describe("notifyAlert", () => {
  it("never alerts about a person erased after the move (a replay of the bus archive), but does after a re-creation", async () => {
    // Prepare: the alert's move happened before the erasure
    const { sender, sent } = fakeSender();
    const alert = sqlAlert();
    const erasedAt = new Date(Date.parse(alert.occurredAt) + 60_000).toISOString();
    const tombstones = {
      tombstoneOf: async (leadId: string) => ({ leadId, erasedOn: erasedAt.slice(0, 10), erasedAt }),
    };
    const notify = notifyAlert({ sender, ledger: memoryLedger().ledger, log: recordingLog().log, tombstones });

    // Act
    const replayed = await notify(alert);
    const later = await notify({
      ...alert,
      alertId: "tr_after",
      occurredAt: new Date(Date.parse(erasedAt) + 1).toISOString(),
    });

    // Assess
    expect(replayed).toEqual([{ audience: "owner", result: "erased" }]);
    expect(later).toEqual([{ audience: "owner", result: "sent" }]);
    expect(sent).toEqual([{ alertId: "tr_after", audience: "owner" }]);
  });

  it("treats a tombstone that kept only its day as erasing that whole day", async () => {
    const { sender, sent } = fakeSender();
    const alert = sqlAlert();
    const tombstones = { tombstoneOf: async (leadId: string) => ({ leadId, erasedOn: alert.occurredAt.slice(0, 10) }) };

    const outcome = await notifyAlert({ sender, ledger: memoryLedger().ledger, log: recordingLog().log, tombstones })(
      alert,
    );

    expect(outcome).toEqual([{ audience: "owner", result: "erased" }]);
    expect(sent).toEqual([]);
  });

  it("sends a transition's alert once however often the bus delivers it", async () => {
    // Prepare
    const { sender, sent } = fakeSender();
    const notify = notifyAlert({ sender, ledger: memoryLedger().ledger, log: recordingLog().log });

    // Act
    const first = await notify(sqlAlert());
    const second = await notify(sqlAlert());

    // Assess
    expect(sent).toEqual([{ alertId: sqlAlert().alertId, audience: "owner" }]);
    expect(first).toEqual([{ audience: "owner", result: "sent" }]);
    expect(second).toEqual([{ audience: "owner", result: "duplicate" }]);
  });

  it("lets a retry send after a failed send, and logs the reason", async () => {
    // Prepare
    const fake = fakeSender();
    const { log, lines } = recordingLog();
    const notify = notifyAlert({ sender: fake.sender, ledger: memoryLedger().ledger, log });
    fake.failWith(new AlertUnavailableError("slack answered 503"));

    // Act
    await expect(notify(sqlAlert())).rejects.toThrow("slack answered 503");
    fake.failWith(undefined);
    const retried = await notify(sqlAlert());

    // Assess
    expect(retried).toEqual([{ audience: "owner", result: "sent" }]);
    expect(fake.sent).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "alert not delivered",
        attributes: [expect.objectContaining({ reason: "slack answered 503", retryable: true })],
      }),
    );
  });

  it("reports a permanent refusal as not retryable", async () => {
    // Prepare
    const fake = fakeSender();
    const { log, lines } = recordingLog();
    fake.failWith(new AlertRejectedError("slack webhook answered 400: invalid_payload"));

    // Act
    const outcome = notifyAlert({ sender: fake.sender, ledger: memoryLedger().ledger, log })(sqlAlert());

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(AlertRejectedError);
    expect(lines.at(-1)?.attributes[0]).toMatchObject({
      reason: "slack webhook answered 400: invalid_payload",
      retryable: false,
    });
  });

  it("does not keep a claim when there was nobody to send to", async () => {
    // Prepare
    const fake = fakeSender();
    const { ledger, state } = memoryLedger();
    fake.answer("skipped");

    // Act
    const outcome = await notifyAlert({ sender: fake.sender, ledger, log: recordingLog().log })(sqlAlert());

    // Assess
    expect(outcome).toEqual([{ audience: "owner", result: "skipped" }]);
    expect(state.size).toBe(0);
  });

  it.each<[string, Partial<Alert>, "slack" | "email", Audience[], string[]]>([
    ["sql to Slack and email, on Slack", {}, "slack", ["owner", "marketing"], ["owner:sent"]],
    ["sql to Slack and email, by email", {}, "email", ["owner"], ["owner:sent"]],
    [
      "mql to marketing, on Slack",
      { stage: "mql", channels: ["marketing"] },
      "slack",
      ["owner", "marketing"],
      ["marketing:sent"],
    ],
    [
      "mql to marketing, without a marketing channel",
      { stage: "mql", channels: ["marketing"] },
      "slack",
      ["owner"],
      ["marketing:not_configured"],
    ],
    ["mql to marketing, by email", { stage: "mql", channels: ["marketing"] }, "email", ["owner"], []],
    ["mql to email, by email", { stage: "mql", channels: ["email"] }, "email", ["owner"], ["owner:sent"]],
    ["sqo to Slack, on Slack", { stage: "sqo", channels: ["slack"] }, "slack", ["owner"], ["owner:sent"]],
    [
      "a move to Slack and marketing, on Slack",
      { stage: "sal", channels: ["slack", "marketing"] },
      "slack",
      ["owner", "marketing"],
      ["owner:sent", "marketing:sent"],
    ],
    ["sql to no channel, on Slack", { channels: [] }, "slack", ["owner", "marketing"], []],
    [
      "an SLA breach on a channel its rule names",
      {
        kind: "sla_breached",
        channels: ["slack"],
        sla: { ruleId: "r", dueAt: "2026-11-21T00:00:00Z", hoursOverdue: 2 },
      },
      "slack",
      ["owner", "marketing"],
      ["owner:sent"],
    ],
    [
      "an SLA breach on a channel its rule leaves out",
      {
        kind: "sla_breached",
        channels: ["slack"],
        sla: { ruleId: "r", dueAt: "2026-11-21T00:00:00Z", hoursOverdue: 2 },
      },
      "email",
      ["owner"],
      [],
    ],
  ])("alerts the audiences its channels name: %s", async (_, overrides, channel, audiences, expected) => {
    // Prepare
    const { sender } = fakeSender({ channel, audiences });

    // Act
    const outcome = await notifyAlert({ sender, ledger: memoryLedger().ledger, log: recordingLog().log })(
      sqlAlert(overrides),
    );

    // Assess
    expect(outcome.map((entry) => `${entry.audience}:${entry.result}`)).toEqual(expected);
  });
});
