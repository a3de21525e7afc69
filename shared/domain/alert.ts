import type { Owner, RuleHit } from "./lead";
import type { Stage } from "./stages";

/** One BANT criterion as an alert shows it. */
export interface AlertBantItem {
  value: string;
  satisfied: boolean;
}

/**
 * What a rep is alerted about, whatever the bus event was: a stage change or an SLA breach.
 * Notifiers receive this (the edge parses the bus event into it: edge/bus-alerts.ts); channel
 * renderers (Slack blocks, email) read only this.
 */
export interface Alert {
  kind: "stage_changed" | "sla_breached";
  /** The idempotency key of the alert: the transition id, or the SLA breach id. */
  alertId: string;
  leadId: string;
  /** The transition the alert is about (the one that entered the stage); buttons carry it. */
  transitionId?: string;
  lead: { email: string; name?: string; company?: string; domain: string };
  stage: Stage;
  from?: Stage | null;
  score: number;
  /** Why the lead moved (the rule's label), or the SLA rule's label. */
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
