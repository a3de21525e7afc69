import type { Stage } from "../domain/stages";
import type { Alert, AlertChannel } from "./alert-events";

/** Who an alert is for: the lead's owner, or the marketing team's channel. */
export type Audience = "owner" | "marketing";

/** The channels a stage change alerts the owner on (the model's notification rules, when it names them). */
export type OwnerNotificationRules = (move: { from: Stage | null; to: Stage }) => readonly AlertChannel[];

/** Default: a lead that becomes sales qualified alerts its owner on Slack and by email. */
export const SALES_READY_ONLY: OwnerNotificationRules = (move) => (move.to === "sql" ? ["slack", "email"] : []);

export interface AlertPolicyOptions {
  ownerRules?: OwnerNotificationRules;
  /** Stages that alert the marketing channel on Slack (default: mql), when one is configured. */
  marketingStages?: readonly Stage[];
}

/**
 * Which audiences an alert reaches on a channel. Stage changes follow the notification rules (owner) and
 * the marketing stages (Slack only); SLA breaches remind the owner on the channels the SLA rule names.
 */
export function alertAudiences(alert: Alert, channel: AlertChannel, options: AlertPolicyOptions = {}): Audience[] {
  if (alert.kind === "sla_breached") return alert.sla?.notify.includes(channel) ? ["owner"] : [];
  const audiences: Audience[] = [];
  const ownerRules = options.ownerRules ?? SALES_READY_ONLY;
  if (ownerRules({ from: alert.from ?? null, to: alert.stage }).includes(channel)) audiences.push("owner");
  const marketingStages = options.marketingStages ?? ["mql"];
  if (channel === "slack" && marketingStages.includes(alert.stage)) audiences.push("marketing");
  return audiences;
}
