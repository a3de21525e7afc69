import type { Alert } from "#shared/domain/alert";
import {
  alertHeadline,
  bantEntries,
  companyText,
  originText,
  SQL_READY_ASK,
  signedPoints,
  stageLabel,
  stageText,
} from "#shared/domain/alert-facts";

/** An alert as an email: both parts carry the same facts, so any mail client shows all of it. */
export interface AlertEmail {
  subject: string;
  html: string;
  text: string;
}

/** Reasons an email lists; the rest are counted. */
const EMAIL_REASONS = 10;
const SUBJECT_MAX = 200;

/** The email for an alert: subject with the lead and the stage, an HTML part and a plain-text part. */
export function alertEmail(alert: Alert, options: { pageUrl?: string; leadUrl?: string } = {}): AlertEmail {
  const facts = alertFacts(alert);
  const reasons = alert.reasons
    .slice(0, EMAIL_REASONS)
    .map((hit) => `${hit.label} (${signedPoints(hit.decayedPoints)})`);
  const moreReasons = alert.reasons.length - reasons.length;
  const bant = bantLines(alert);
  const footer = `${alert.reason} · ${alert.occurredAt}`;
  const headline = alertHeadline(alert);
  const act =
    alert.kind === "sql_ready"
      ? `${SQL_READY_ASK} ${options.pageUrl ? "Decide on its page, or from the Slack alert." : "Decide from the Slack alert."}`
      : options.pageUrl
        ? "Accept, qualify, disqualify or recycle it on its page, or from the Slack alert."
        : "Accept, disqualify or recycle it from the Slack alert.";

  const subject = oneLine(`[Ripen] ${headline}: ${stageLabel(alert.stage)}, score ${alert.score}`);
  const text = [
    headline,
    "",
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(reasons.length > 0 ? ["", "Why:", ...reasons.map((line) => `- ${line}`)] : []),
    ...(moreReasons > 0 ? [`  and ${moreReasons} more`] : []),
    ...(bant.length > 0 ? ["", "BANT:", ...bant.map((line) => `- ${line}`)] : []),
    "",
    footer,
    ...(options.pageUrl ? ["", `Open the lead: ${options.pageUrl}`] : []),
    ...(options.leadUrl ? ["", `Open it in the CRM: ${options.leadUrl}`] : []),
    "",
    act,
  ].join("\n");

  const html = [
    "<!doctype html>",
    '<html><body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d1c1d;line-height:1.4">',
    `<h2 style="margin:0 0 12px">${escapeHtml(headline)}</h2>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...facts.map(
      ([label, value]) =>
        `<tr><th align="left" style="color:#616061">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    "</table>",
    ...(reasons.length > 0
      ? ["<h3>Why</h3>", list([...reasons, ...(moreReasons > 0 ? [`and ${moreReasons} more`] : [])])]
      : []),
    ...(bant.length > 0 ? ["<h3>BANT</h3>", list(bant)] : []),
    `<p style="color:#616061">${escapeHtml(footer)}</p>`,
    ...(options.pageUrl ? [`<p><a href="${escapeHtml(options.pageUrl)}">Open the lead</a></p>`] : []),
    ...(options.leadUrl ? [`<p><a href="${escapeHtml(options.leadUrl)}">Open it in the CRM</a></p>`] : []),
    `<p style="color:#616061">${act}</p>`,
    "</body></html>",
  ].join("\n");

  return { subject, html, text };
}

function alertFacts(alert: Alert): [string, string][] {
  const facts: [string, string][] = [
    ["Stage", stageText(alert)],
    ["Score", String(alert.score)],
    ["Owner", alert.owner?.name ?? "unassigned"],
    ["Contact", alert.lead.name ? `${alert.lead.name} <${alert.lead.email}>` : alert.lead.email],
    ["Company", companyText(alert)],
  ];
  const origin = originText(alert);
  if (origin) facts.push(["Source", origin]);
  if (alert.sla) facts.push(["Overdue", `${alert.sla.hoursOverdue} h (due ${alert.sla.dueAt})`]);
  return facts;
}

function bantLines(alert: Alert): string[] {
  return bantEntries(alert).map(({ label, item }) =>
    item ? `${label}: ${item.value} (${item.satisfied ? "met" : "not met"})` : `${label}: unknown`,
  );
}

const list = (items: readonly string[]) => `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join("")}</ul>`;

/** A subject is one line: form input must not add headers or wrap. */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, " ").trim();
  return flat.length <= SUBJECT_MAX ? flat : `${flat.slice(0, SUBJECT_MAX - 1)}…`;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}
