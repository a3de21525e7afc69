import type { LeadView, TimelineEntry } from "#shared/application/read-lead";
import { stageLabel } from "#shared/domain/alert-facts";
import { BANT_KEYS, type Owner, type RuleHit, type SqlReview } from "#shared/domain/lead";
import type { RepActionType } from "#shared/domain/rep-actions";
import { escapeHtml, pageHead } from "./html-page";

/** Entries one page of the timeline shows, newest first. */
export const TIMELINE_PAGE_SIZE = 20;
/** The actions a lead page offers, in the order it shows them. */
export const PAGE_ACTIONS = ["accept", "qualify", "disqualify", "recycle"] as const satisfies RepActionType[];
export type PageAction = (typeof PAGE_ACTIONS)[number];
/** What the page says after an action, by the verb in its `done` parameter. */
export const DONE_VERBS = ["accepted", "qualified", "disqualified", "recycled"] as const;
export type DoneVerb = (typeof DONE_VERBS)[number];

export interface LeadPageInput {
  view: LeadView;
  now: Date;
  /** The timeline page shown, from 1 (the newest entries). */
  page: number;
  /** The actions the link allows and the lead's stage offers; none: a page to read only. */
  actions: readonly PageAction[];
  /** The form's nonce (links.ts pageNonce), sent back with every action. */
  formNonce: string;
  /** Who accepts: the rep the link names; without one, the page asks which of these owners. */
  rep?: Owner | undefined;
  owners: readonly Owner[];
  done?: DoneVerb | undefined;
}

const BANT_LABEL = { budget: "Budget", authority: "Authority", need: "Need", timing: "Timing" } as const;

/**
 * A lead's page, as a rep opens it from an alert: who, the stage and how long in it (and how long it has
 * waited for review, when the SDR gate holds it), the score rule by rule
 * (a bar per rule, raw and decayed), BANT with the event each answer came from, the owner, the timeline
 * (paged), and the actions as forms that POST to the same URL. No script: SVG attributes draw the bars,
 * so the CSP allows only the page's own style. Every value from a sender is escaped.
 */
export function leadPage(input: LeadPageInput, nonce: string): string {
  const { view } = input;
  const { lead } = view;
  const who = lead.name ?? lead.email;
  return `<!doctype html>
<html lang="en">
${pageHead(who, nonce, LEAD_PAGE_STYLE)}
<body>
<main>
${input.done ? `<p class="done" role="status">${escapeHtml(DONE_TEXT[input.done])}</p>` : ""}
<h1>${escapeHtml(who)}</h1>
<p class="sub">${escapeHtml(lead.email)}${lead.company ? ` · ${escapeHtml(lead.company)}` : ""}</p>
<dl class="facts">
  <div><dt>Stage</dt><dd id="stage" data-stage="${lead.stage}">${stageLabel(lead.stage)}, for ${duration(lead.stageEnteredAt, input.now)}</dd></div>
${lead.review ? reviewRow(lead.review, input.now) : ""}
  <div><dt>Score</dt><dd id="score">${view.explanation.score} <span class="muted">(fit ${view.explanation.fit}, engagement ${view.explanation.engagement})</span></dd></div>
  <div><dt>Owner</dt><dd id="owner">${view.owner ? escapeHtml(view.owner.name) : "unassigned"}</dd></div>
</dl>
${actionsSection(input)}
<h2>Why this score</h2>
${explanation(view.explanation.hits)}
<h2>BANT</h2>
${bant(view)}
<h2>Timeline</h2>
${timelineSection(view, input.page)}
<p class="muted small">Score as of ${escapeHtml(view.explanation.asOf)}, model ${escapeHtml(view.explanation.modelVersion)}.</p>
</main>
</body>
</html>
`;
}

/** A lead the SDR gate holds (stages.sqlReview): sql-ready since when, by which rule, and what it waits for. */
function reviewRow(review: SqlReview, now: Date): string {
  return `  <div><dt>Review</dt><dd id="review">SQL-ready for ${duration(review.since, now)} · ${escapeHtml(review.reason)}. Qualify or disqualify it.</dd></div>`;
}

const DONE_TEXT: Record<DoneVerb, string> = {
  accepted: "Accepted: the lead is yours.",
  qualified: "Qualified: the lead is sales-qualified.",
  disqualified: "Disqualified.",
  recycled: "Recycled: the lead is back in nurturing.",
};

function actionsSection(input: LeadPageInput): string {
  if (input.actions.length === 0) return "";
  const hidden = (action: PageAction) =>
    `<input type="hidden" name="nonce" value="${escapeHtml(input.formNonce)}"><input type="hidden" name="action" value="${action}">`;
  const forms = input.actions.map((action) => {
    switch (action) {
      case "accept":
        return `<form method="post" class="act">${hidden(action)}${acceptAs(input)}<button type="submit" name="go" value="accept" class="primary">Accept</button></form>`;
      case "qualify":
        return `<form method="post" class="act">${hidden(action)}<button type="submit" name="go" value="qualify">Qualify</button></form>`;
      default: {
        const verb = action === "disqualify" ? "Disqualify" : "Recycle";
        return `<form method="post" class="act">${hidden(action)}<label><span>Reason</span> <input name="reason" required maxlength="500" autocomplete="off"></label><button type="submit" name="go" value="${action}">${verb}</button></form>`;
      }
    }
  });
  return `<section id="actions" aria-label="Actions">${forms.join("\n")}</section>`;
}

/** A link made for a rep accepts as them; one made for a channel asks who, among the routing team. */
function acceptAs(input: LeadPageInput): string {
  if (input.rep) return `<span class="muted">as ${escapeHtml(input.rep.name)}</span>`;
  const options = input.owners
    .map((owner) => `<option value="${escapeHtml(owner.id)}">${escapeHtml(owner.name)}</option>`)
    .join("");
  return `<label><span>as</span> <select name="owner" required><option value="">choose…</option>${options}</select></label>`;
}

function explanation(hits: readonly RuleHit[]): string {
  if (hits.length === 0) return `<p class="muted">No rule scored yet.</p>`;
  const scale = Math.max(1, ...hits.map((hit) => Math.abs(hit.points)));
  const rows = [...hits]
    .sort((a, b) => Math.abs(b.decayedPoints) - Math.abs(a.decayedPoints))
    .map((hit) => {
      const raw = (Math.abs(hit.points) / scale) * 100;
      const decayed = (Math.abs(hit.decayedPoints) / scale) * 100;
      const sign = hit.decayedPoints < 0 ? " negative" : "";
      const times = hit.hits > 1 ? ` ×${hit.hits}` : "";
      return `<li class="hit${sign}" data-rule="${escapeHtml(hit.ruleId)}">
  <span class="label">${escapeHtml(hit.label)}${times}</span>
  <span class="points">${signed(hit.decayedPoints)} <span class="muted">of ${signed(hit.points)}</span></span>
  <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="${signed(hit.decayedPoints)} of ${signed(hit.points)} points"><rect class="raw" x="0" y="0" height="10" width="${raw.toFixed(2)}"></rect><rect class="decayed" x="0" y="0" height="10" width="${decayed.toFixed(2)}"></rect></svg>
</li>`;
    });
  return `<ul id="explanation" class="hits">${rows.join("\n")}</ul>`;
}

function bant(view: LeadView): string {
  const events = new Map(
    view.timeline.flatMap((entry) => (entry.kind === "event" ? [[entry.eventId, entry] as const] : [])),
  );
  const rows = BANT_KEYS.map((key) => {
    const item = view.bant[key];
    if (!item) return `<div><dt>${BANT_LABEL[key]}</dt><dd class="muted">unknown</dd></div>`;
    const event = events.get(item.eventId);
    const from = event
      ? `from ${escapeHtml(event.type)} (${escapeHtml(event.source)}, ${escapeHtml(day(event.at))})`
      : `from event ${escapeHtml(item.eventId)}`;
    return `<div><dt>${BANT_LABEL[key]}</dt><dd>${escapeHtml(item.value)} <span class="${item.satisfied ? "met" : "unmet"}">${item.satisfied ? "met" : "not met"}</span><br><span class="muted small">${from}</span></dd></div>`;
  });
  return `<dl id="bant" class="facts">${rows.join("\n")}</dl>`;
}

function timelineSection(view: LeadView, page: number): string {
  const newestFirst = [...view.timeline].reverse();
  const pages = Math.max(1, Math.ceil(newestFirst.length / TIMELINE_PAGE_SIZE));
  const shown = Math.min(page, pages);
  const entries = newestFirst.slice((shown - 1) * TIMELINE_PAGE_SIZE, shown * TIMELINE_PAGE_SIZE);
  const more = view.timelineComplete === false ? `<p class="muted small">Older events are not shown.</p>` : "";
  const nav = [
    shown > 1 ? `<a href="?page=${shown - 1}" rel="prev">Newer</a>` : "",
    `<span class="muted">page ${shown} of ${pages}</span>`,
    shown < pages ? `<a href="?page=${shown + 1}" rel="next">Older</a>` : "",
  ].join(" ");
  return `<ol id="timeline" class="timeline">${entries.map(timelineEntry).join("\n")}</ol>
<nav class="pages" aria-label="Timeline pages">${nav}</nav>${more}`;
}

function timelineEntry(entry: TimelineEntry): string {
  const when = `<time datetime="${escapeHtml(entry.at)}">${escapeHtml(entry.at.slice(0, 16).replace("T", " "))}</time>`;
  if (entry.kind === "transition") {
    const from = entry.from ? `${stageLabel(entry.from)} → ` : "";
    return `<li class="transition">${when} <strong>${from}${stageLabel(entry.to)}</strong> · ${escapeHtml(entry.reason)} <span class="muted">(${escapeHtml(entry.actor.type)} ${escapeHtml(entry.actor.id)}, score ${entry.score})</span></li>`;
  }
  const properties = Object.entries(entry.properties)
    .slice(0, 5)
    .map(([name, value]) => `${escapeHtml(name)}: ${escapeHtml(String(value))}`)
    .join(", ");
  return `<li class="event">${when} ${escapeHtml(entry.type)} <span class="muted">via ${escapeHtml(entry.source)}${properties ? ` · ${properties}` : ""}</span></li>`;
}

const signed = (points: number) => (points > 0 ? `+${points}` : String(points));
const day = (iso: string) => iso.slice(0, 10);

/** "3 d 4 h", "5 h", "12 min": how long since `since`. */
export function duration(since: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(since)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** One column, wrapping anywhere a sender's long value needs to; 44 px tap targets; nothing wider than 375 px. */
const LEAD_PAGE_STYLE = `
  * { box-sizing: border-box; }
  body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #1d2a1f; background: #fbfaf5; }
  main { max-width: 44rem; margin: 0 auto; padding: 12px; overflow-wrap: anywhere; }
  h1 { font-size: 22px; margin: 8px 0 0; }
  h2 { font-size: 17px; margin: 20px 0 8px; }
  .sub, .muted { color: #5b6b5e; }
  .small { font-size: 13px; }
  .done { background: #e3f1e4; border: 1px solid #9bb59f; padding: 10px 12px; border-radius: 6px; }
  .facts { margin: 12px 0; }
  .facts div { display: flex; gap: 12px; padding: 6px 0; border-bottom: 1px solid #e3e6dc; }
  .facts dt { flex: 0 0 6.5rem; color: #4a574c; }
  .facts dd { margin: 0; min-width: 0; }
  .met { color: #2e7d32; } .unmet { color: #a4481e; }
  #actions { display: flex; flex-direction: column; gap: 10px; margin: 16px 0; }
  .act { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  .act label { display: flex; flex: 1 1 12rem; gap: 6px; align-items: center; min-width: 0; }
  .act label span { flex: none; overflow-wrap: normal; }
  input, select, button { font: inherit; min-height: 44px; min-width: 44px; max-width: 100%; }
  input, select { flex: 1 1 auto; min-width: 0; padding: 6px 8px; border: 1px solid #9bb59f; border-radius: 6px; }
  button { padding: 8px 18px; border: 1px solid #2f7d32; background: #fff; color: #2f7d32; border-radius: 6px; }
  button.primary { background: #2f7d32; color: #fff; }
  .hits, .timeline { list-style: none; padding: 0; margin: 0; }
  .hit { display: grid; grid-template-columns: 1fr auto; gap: 2px 12px; padding: 6px 0; }
  .hit .bar { grid-column: 1 / -1; width: 100%; height: 10px; }
  .bar .raw { fill: #dfe8dc; } .bar .decayed { fill: #43a047; }
  .negative .bar .decayed { fill: #d84315; } .negative .bar .raw { fill: #f6d7cb; }
  .timeline li { padding: 8px 0; border-bottom: 1px solid #e3e6dc; }
  .pages { display: flex; gap: 16px; align-items: center; margin: 8px 0; }
  .pages a { display: inline-flex; align-items: center; min-height: 44px; min-width: 44px; }
`;
