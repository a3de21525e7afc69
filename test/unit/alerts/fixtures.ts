import type { EventBridgeEvent } from "aws-lambda";
import type { AlertClaim, AlertKey, AlertLedger, AlertLog } from "#shared/application/ports/alert-ledger";
import {
  LEAD_STAGE_CHANGED,
  type LeadStageChangedDetail,
  type LeadStageChangedDetailV1,
} from "#shared/bus/lead-stage-changed";
import type { Alert } from "#shared/domain/alert";

/** A sales-ready alert with sensible values; override what the test is about. */
export function sqlAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    kind: "stage_changed",
    alertId: "tr_0123456789abcdef01234567",
    leadId: "ld_0123456789abcdef01234567",
    transitionId: "tr_0123456789abcdef01234567",
    lead: { email: "ada@example.com", name: "Ada Lovelace", company: "Analytical Engines", domain: "example.com" },
    stage: "sql",
    from: "mql",
    score: 82,
    reason: "Demo completed and budget shared",
    reasons: [
      { ruleId: "demo", axis: "engagement", hits: 1, label: "Demo completed", points: 50, decayedPoints: 50 },
      {
        ruleId: "size",
        axis: "fit",
        attribute: "companySize",
        label: "Company size 200+",
        hits: 1,
        points: 20,
        decayedPoints: 20,
      },
      { ruleId: "free", axis: "fit", attribute: "email", label: "Free email", hits: 1, points: -5, decayedPoints: -5 },
    ],
    bant: {
      budget: { value: "50k", satisfied: true },
      timing: { value: "this quarter", satisfied: true },
    },
    owner: { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test", slackUserId: "U0GRACE" },
    occurredAt: "2026-11-20T10:00:00.000Z",
    source: "typeform",
    campaign: "autumn-webinar",
    channels: ["slack", "email"],
    ...overrides,
  };
}

/** The bus event's detail for a lead that became sales qualified, as the default model routes it. */
export function sqlDetail(transitionId = "tr_0123456789abcdef01234567"): LeadStageChangedDetail {
  return {
    metadata: { version: "2", transitionId, occurredAt: "2026-11-20T10:00:00.000Z", modelVersion: "test-1" },
    channels: ["slack", "email"],
    data: {
      lead: {
        leadId: "ld_0123456789abcdef01234567",
        email: "ada@example.com",
        name: "Ada Lovelace",
        company: "Analytical Engines",
        domain: "example.com",
      },
      from: "mql",
      to: "sql",
      score: 82,
      reason: "Demo completed and budget shared",
      actor: { type: "rule", id: "sql.demo" },
      reasons: [
        { ruleId: "demo", axis: "engagement", hits: 1, label: "Demo completed", points: 50, decayedPoints: 50 },
      ],
      bant: { budget: { value: "50k", satisfied: true, eventId: "e1" } },
      owner: { id: "rep-grace", name: "Grace Hopper", email: "grace@ripen.test", slackUserId: "U0GRACE" },
      eventId: "typeform:resp-1",
    },
  };
}

/** The same change as published before channels were stamped (version 1), as the archive replays it. */
export function version1Detail(detail: LeadStageChangedDetail): LeadStageChangedDetailV1 {
  const { channels: _, ...unstamped } = detail;
  return { ...unstamped, metadata: { ...unstamped.metadata, version: "1" } };
}

/** An in-memory ledger with the DynamoDB one's semantics (minus leases): for unit tests. */
export function memoryLedger() {
  const state = new Map<string, "sending" | "sent">();
  const id = (key: AlertKey) => `${key.alertId}|${key.channel}`;
  const ledger: AlertLedger = {
    async claim(key): Promise<AlertClaim | "sent" | "in-flight"> {
      const held = state.get(id(key));
      if (held) return held === "sent" ? "sent" : "in-flight";
      state.set(id(key), "sending");
      return {
        confirm: async () => {
          state.set(id(key), "sent");
        },
        release: async () => {
          state.delete(id(key));
        },
      };
    },
  };
  return { ledger, state };
}

/** A log that keeps its lines, so tests can assert what was reported (and that no secret was). */
export function recordingLog() {
  const lines: { level: string; message: string; attributes: Record<string, unknown>[] }[] = [];
  const at =
    (level: string) =>
    (message: string, ...attributes: Record<string, unknown>[]) =>
      void lines.push({ level, message, attributes });
  const log: AlertLog = { info: at("info"), warn: at("warn"), error: at("error") };
  return { log, lines };
}

/** An EventBridge event as a rule hands it to its target. */
export function busEvent(detail: unknown, detailType: string = LEAD_STAGE_CHANGED.detailType) {
  return {
    version: "0",
    id: `evt-${Math.random()}`,
    "detail-type": detailType,
    source: "ripen",
    account: "123456789012",
    time: "2026-11-20T10:00:00Z",
    region: "us-east-1",
    resources: [],
    detail,
  } as EventBridgeEvent<string, unknown>;
}
