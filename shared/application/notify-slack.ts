import type { SlackMessage } from "../adapters/slack/incoming-webhook";
import type { LeadStageChangedDetail } from "./lead-stage-changed";

const STAGE_LABEL: Record<string, string> = {
  lead: "Lead",
  mql: "MQL",
  sal: "SAL",
  sql: "SQL",
  sqo: "SQO",
  disqualified: "Disqualified",
  recycled: "Recycled",
};

/** A plain, useful alert: who, from where, how ripe, and why. */
export function stageChangedMessage(detail: LeadStageChangedDetail): SlackMessage {
  const { lead, to, from, score, reasons, owner } = detail.data;
  const who = lead.name ? `${lead.name} <${lead.email}>` : lead.email;
  const company = lead.company ? ` at ${lead.company}` : "";
  const why = reasons.map((hit) => `• ${hit.label} (${hit.decayedPoints >= 0 ? "+" : ""}${hit.decayedPoints})`);
  const lines = [
    `:apple: ${who}${company} is now ${STAGE_LABEL[to] ?? to}${from ? ` (was ${STAGE_LABEL[from] ?? from})` : ""}`,
    `Score ${score} · ${detail.data.reason}`,
    ...(owner ? [`Owner: ${owner.slackUserId ? `<@${owner.slackUserId}>` : owner.name}`] : []),
    ...(why.length > 0 ? ["Why:", ...why] : []),
  ];
  return { text: lines.join("\n") };
}

/**
 * Sends the alert for one stage change.
 * Input: the bus event's detail. Output: nothing; throws when Slack is unavailable so the bus retries.
 */
export const notifySlack =
  (deps: { send: (message: SlackMessage) => Promise<void> }) =>
  async (detail: LeadStageChangedDetail): Promise<void> => {
    await deps.send(stageChangedMessage(detail));
  };
