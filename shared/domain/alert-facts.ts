import type { Alert, AlertBantItem } from "./alert";
import { BANT_KEYS } from "./lead";
import type { Stage } from "./stages";

/**
 * What every alert says, whatever the channel: the headline and the facts, as plain text.
 * Each channel escapes and lays them out its own way (Slack mrkdwn, HTML, plain text).
 */

const STAGE_LABEL: Record<Stage, string> = {
  lead: "Lead",
  mql: "MQL",
  sal: "SAL",
  sql: "SQL",
  sqo: "SQO",
  disqualified: "Disqualified",
  recycled: "Recycled",
};
export const stageLabel = (stage: Stage) => STAGE_LABEL[stage];

/** What happened, to whom. */
export function alertHeadline(alert: Alert): string {
  const who = alert.lead.name ?? alert.lead.email;
  const at = alert.lead.company ? ` · ${alert.lead.company}` : "";
  if (alert.kind === "sla_breached") return `SLA breached: ${who}${at}`;
  if (alert.kind === "sql_ready") return `SQL-ready, qualify or disqualify: ${who}${at}`;
  if (alert.stage === "sql") return `Sales-ready: ${who}${at}`;
  if (alert.stage === "mql") return `Marketing-qualified: ${who}${at}`;
  return `${stageLabel(alert.stage)}: ${who}${at}`;
}

/** What an sql-ready alert asks of its owner: the model's SDR gate holds the lead until they decide. */
export const SQL_READY_ASK =
  "It meets an SQL rule and waits for you: Qualify moves it to SQL, Disqualify turns it down.";

/** "SQL (was MQL)". */
export function stageText(alert: Alert): string {
  return alert.from ? `${stageLabel(alert.stage)} (was ${stageLabel(alert.from)})` : stageLabel(alert.stage);
}

export function companyText(alert: Alert): string {
  return alert.lead.company ? `${alert.lead.company} (${alert.lead.domain})` : alert.lead.domain;
}

/** "typeform · spring-webinar", when the alert knows either. */
export function originText(alert: Alert): string | undefined {
  const parts = [alert.source, alert.campaign].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

export const signedPoints = (points: number) => (points >= 0 ? `+${points}` : String(points));

/** BANT in its usual order, unknown criteria included, then any other criteria the model names. */
export function bantEntries(alert: Alert): { label: string; item?: AlertBantItem }[] {
  if (Object.keys(alert.bant).length === 0) return [];
  const known: readonly string[] = BANT_KEYS;
  const keys = [...BANT_KEYS, ...Object.keys(alert.bant).filter((key) => !known.includes(key))];
  return keys.map((key) => {
    const item = alert.bant[key];
    return { label: key.charAt(0).toUpperCase() + key.slice(1), ...(item && { item }) };
  });
}

/**
 * The link to a lead from a template such as `https://crm.example.com/leads/{leadId}`; no template, no link.
 */
export function leadLink(template: string | undefined): (leadId: string) => string | undefined {
  return (leadId) => template?.replaceAll("{leadId}", encodeURIComponent(leadId));
}
