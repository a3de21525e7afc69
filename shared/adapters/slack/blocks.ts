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
import type { Stage } from "#shared/domain/stages";
import { escapeMrkdwn, mention, slackDate, truncate } from "./mrkdwn";

/** Slack's documented Block Kit limits, the ones these messages can reach. */
export const SLACK_LIMITS = {
  blocks: 50,
  text: 3000,
  header: 150,
  field: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
  url: 3000,
} as const;

export type SlackBlock = { type: string; block_id?: string } & Record<string, unknown>;

/** A message: the text fallback (notifications, screen readers) and its blocks. */
export interface SlackMessage {
  text: string;
  blocks?: SlackBlock[];
}

/** The actions block and its elements: interactions.ts reads these ids back. */
export const ACTIONS_BLOCK_ID = "ripen.actions";
export const ACTION_IDS = {
  accept: "ripen.accept",
  qualify: "ripen.qualify",
  disqualify: "ripen.disqualify",
  recycle: "ripen.recycle",
  open: "ripen.open",
  openCrm: "ripen.open_crm",
} as const;

/** The reasons a rep can pick when disqualifying from Slack; the code travels, the label is recorded. */
export const DISQUALIFY_REASONS = {
  not_a_fit: "Not a fit",
  no_budget: "No budget",
  competitor: "Competitor",
  student: "Student or personal use",
  unreachable: "Unreachable",
  spam: "Spam or fake",
} as const;
export type DisqualifyReason = keyof typeof DISQUALIFY_REASONS;
/** Recycle from Slack has one reason: the lead goes back to nurturing. */
export const RECYCLE_REASON = "Not ready now: back to nurturing";

/** What a button or option carries: which lead, which alert's transition, and the reason code. */
export interface ActionValue {
  leadId: string;
  transitionId?: string;
  reason?: DisqualifyReason;
}

/** Compact keys: an option's value holds at most 150 characters. */
export function encodeActionValue(value: ActionValue): string {
  return JSON.stringify({ l: value.leadId, t: value.transitionId, r: value.reason });
}

export interface AlertMessageOptions {
  /** The lead's page in Ripen, behind a signed link; omitted: no link. */
  pageUrl?: string;
  /** Where a rep opens the lead in the CRM (RIPEN_LEAD_URL); omitted: no link. */
  leadUrl?: string;
}

/** Ripe apples are sales-ready, green ones marketing-qualified. */
function emojiFor(alert: Alert): string {
  if (alert.kind === "sla_breached") return ":alarm_clock:";
  if (alert.kind === "sql_ready") return ":raising_hand:";
  if (alert.stage === "sql") return ":apple:";
  return alert.stage === "mql" ? ":green_apple:" : ":seedling:";
}

/**
 * The Block Kit message for an alert: header, facts (stage, score, owner, contact, source), the top
 * reasons, BANT, then Accept / Disqualify (with a reason) / Recycle. Pure, and within Slack's limits
 * whatever the lengths of names, reasons and answers.
 */
export function alertMessage(alert: Alert, options: AlertMessageOptions = {}): SlackMessage {
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: { type: "plain_text", text: truncate(alertHeadline(alert), SLACK_LIMITS.header), emoji: true },
    },
    { type: "section", fields: factFields(alert) },
    ...(alert.kind === "sql_ready" ? [section(SQL_READY_ASK)] : []),
    ...(alert.reasons.length > 0 ? [section(reasonsText(alert))] : []),
    ...(Object.keys(alert.bant).length > 0 ? [section(bantText(alert))] : []),
    {
      type: "context",
      elements: [
        // Only the free text is cut, so the date token always stays whole.
        mrkdwn(`${emojiFor(alert)} ${truncate(escapeMrkdwn(alert.reason), 2500)} · ${slackDate(alert.occurredAt)}`),
      ],
    },
    actionsBlock(alert, options),
  ];
  return { text: fallbackText(alert), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** The text Slack shows in notifications and where blocks cannot be rendered. */
export function fallbackText(alert: Alert): string {
  const owner = alert.owner ? `, owner ${mention(alert.owner)}` : "";
  const contact = alert.lead.name ? ` (${alert.lead.email})` : "";
  const who = truncate(escapeMrkdwn(`${alertHeadline(alert)}${contact}`), 2500);
  return truncate(`${who}: ${stageLabel(alert.stage)}, score ${alert.score}${owner}`, SLACK_LIMITS.text);
}

function factFields(alert: Alert) {
  const facts: [string, string][] = [
    ["Stage", escapeMrkdwn(stageText(alert))],
    ["Score", String(alert.score)],
    ["Owner", alert.owner ? mention(alert.owner) : "_unassigned_"],
    ["Contact", escapeMrkdwn(alert.lead.email)],
    ["Company", escapeMrkdwn(companyText(alert))],
  ];
  const origin = originText(alert);
  if (origin) facts.push(["Source", escapeMrkdwn(origin)]);
  if (alert.sla) facts.push(["Overdue", `${alert.sla.hoursOverdue} h (due ${slackDate(alert.sla.dueAt)})`]);
  return facts
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, value]) => mrkdwn(truncate(`*${label}*\n${value}`, SLACK_LIMITS.field)));
}

/** The top reasons, as many as fit, then how many did not. */
function reasonsText(alert: Alert): string {
  const title = "*Why*";
  const lines: string[] = [];
  let length = title.length;
  const room = SLACK_LIMITS.text - 40; // keeps space for the "and N more" line
  for (const hit of alert.reasons) {
    const line = `• ${truncate(escapeMrkdwn(hit.label), 300)} (${signedPoints(hit.decayedPoints)})`;
    if (length + 1 + line.length > room) break;
    lines.push(line);
    length += 1 + line.length;
  }
  const more = alert.reasons.length - lines.length;
  return [title, ...lines, ...(more > 0 ? [`_and ${more} more_`] : [])].join("\n");
}

function bantText(alert: Alert): string {
  const items = bantEntries(alert).map(({ label, item }) => {
    if (!item) return `:white_small_square: *${escapeMrkdwn(label)}*: unknown`;
    const mark = item.satisfied ? ":white_check_mark:" : ":x:";
    return `${mark} *${escapeMrkdwn(label)}*: ${truncate(escapeMrkdwn(item.value), 200)}`;
  });
  return truncate(`*BANT*\n${items.join("\n")}`, SLACK_LIMITS.text);
}

/** Stages a rep's Qualify moves a lead from (→ sql): the alerts about them offer it. */
const BELOW_SQL: ReadonlySet<Stage> = new Set(["lead", "mql", "sal", "recycled"]);

function actionsBlock(alert: Alert, options: AlertMessageOptions): SlackBlock {
  const value = (reason?: DisqualifyReason) =>
    encodeActionValue({
      leadId: alert.leadId,
      ...(alert.transitionId !== undefined && { transitionId: alert.transitionId }),
      ...(reason && { reason }),
    });
  const who = truncate(alert.lead.name ?? alert.lead.email, 100);
  const elements: Record<string, unknown>[] = [
    { type: "button", action_id: ACTION_IDS.accept, style: "primary", text: plain("Accept"), value: value() },
    // Below sql, a rep can qualify from the message (an SLA on the SDR gate's review asks for just that).
    ...(BELOW_SQL.has(alert.stage)
      ? [{ type: "button", action_id: ACTION_IDS.qualify, text: plain("Qualify"), value: value() }]
      : []),
    {
      type: "static_select",
      action_id: ACTION_IDS.disqualify,
      placeholder: plain("Disqualify…"),
      options: Object.entries(DISQUALIFY_REASONS).map(([code, label]) => ({
        text: plain(label),
        value: value(code as DisqualifyReason),
      })),
      confirm: confirm(
        "Disqualify this lead?",
        `${who} will be disqualified with the reason you picked.`,
        "Disqualify",
      ),
    },
    {
      type: "button",
      action_id: ACTION_IDS.recycle,
      text: plain("Recycle"),
      value: value(),
      confirm: confirm("Recycle this lead?", `${who} goes back to nurturing.`, "Recycle"),
    },
  ];
  if (options.pageUrl && options.pageUrl.length <= SLACK_LIMITS.url) {
    elements.push({ type: "button", action_id: ACTION_IDS.open, text: plain("Open lead"), url: options.pageUrl });
  }
  if (options.leadUrl && options.leadUrl.length <= SLACK_LIMITS.url) {
    elements.push({ type: "button", action_id: ACTION_IDS.openCrm, text: plain("Open in CRM"), url: options.leadUrl });
  }
  return { type: "actions", block_id: ACTIONS_BLOCK_ID, elements };
}

function confirm(title: string, text: string, yes: string) {
  return {
    title: plain(title),
    text: plain(text, 300),
    confirm: plain(yes),
    deny: plain("Cancel"),
    style: "danger",
  };
}

const plain = (text: string, max: number = SLACK_LIMITS.buttonText) => ({
  type: "plain_text",
  text: truncate(text, max),
  emoji: true,
});
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const section = (text: string): SlackBlock => ({ type: "section", text: mrkdwn(text) });

/** What a rep did from the message, for the update that replaces its buttons. */
export interface ActionOutcome {
  verb: "accepted" | "qualified" | "disqualified" | "recycled";
  slackUserId: string;
  at: Date;
  reason?: string;
}

const OUTCOME_EMOJI = {
  accepted: ":white_check_mark:",
  qualified: ":dart:",
  disqualified: ":no_entry:",
  recycled: ":recycle:",
};

/**
 * The original message with its buttons replaced by who did what and when, for `response_url`
 * (`replace_original`). Without the original blocks, a one-line message.
 */
export function actionOutcomeMessage(
  original: { text?: string; blocks?: unknown[] } | undefined,
  outcome: ActionOutcome,
): SlackMessage & { replace_original: true } {
  const reason = outcome.reason ? `: ${truncate(escapeMrkdwn(outcome.reason), 1000)}` : "";
  const line = `${OUTCOME_EMOJI[outcome.verb]} ${capitalize(outcome.verb)} by <@${outcome.slackUserId}> ${slackDate(outcome.at.toISOString())}${reason}`;
  const kept = (original?.blocks ?? []).filter(
    (block): block is SlackBlock => isBlock(block) && block.block_id !== ACTIONS_BLOCK_ID,
  );
  const blocks = [...kept.slice(0, SLACK_LIMITS.blocks - 1), { type: "context", elements: [mrkdwn(line)] }];
  const text = original?.text ? `${truncate(original.text, 1500)} · ${line}` : line;
  return { replace_original: true, text, blocks };
}

function isBlock(value: unknown): value is SlackBlock {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
