import type { Owner, RuleHit } from "./lead";
import type { Stage } from "./stages";

/** One BANT criterion as an alert shows it. */
export interface AlertBantItem {
  value: string;
  satisfied: boolean;
}

/**
 * What a rep is alerted about, whatever the bus event was: a stage change, an SLA breach, or a lead that
 * became sql-ready and waits for its owner to Qualify or Disqualify it (the SDR gate).
 * Notifiers receive this (the edge parses the bus event into it: edge/bus-alerts.ts); channel
 * renderers (Slack blocks, email) read only this.
 */
export interface Alert {
  kind: "stage_changed" | "sla_breached" | "sql_ready";
  /** The idempotency key of the alert: the transition id, the SLA breach id, or the review request id. */
  alertId: string;
  leadId: string;
  /** The transition the alert is about (the one that entered the stage); buttons carry it. */
  transitionId?: string;
  lead: { email: string; name?: string; company?: string; domain: string };
  stage: Stage;
  from?: Stage | null;
  score: number;
  /** Why the lead moved (the rule's label), the SLA rule's label, or the sql rule's that holds it for review. */
  reason: string;
  reasons: RuleHit[];
  bant: Record<string, AlertBantItem>;
  owner?: Owner;
  occurredAt: string;
  /** The source of the event that caused the move (`typeform`, `generic`, ...). */
  source?: string;
  campaign?: string;
  /** Where the alert goes: the channels stamped on a stage change, or those an SLA rule names. */
  channels: string[];
  sla?: { ruleId: string; dueAt: string; hoursOverdue: number };
}
