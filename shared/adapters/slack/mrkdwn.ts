/**
 * Text for Slack. Lead names and companies come from web forms: escaped, `<!channel>` or `<https://evil|x>`
 * typed into a form stays text instead of becoming a mention or a link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** Cuts text to at most `max` characters with an ellipsis, never inside an escape or a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z]{0,3}$/, "");
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Slack renders `<!date^…>` in the reader's time zone; the fallback is the ISO time. */
export function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  if (!Number.isFinite(seconds)) return escapeMrkdwn(iso);
  return `<!date^${seconds}^{date_short_pretty} at {time}|${iso}>`;
}

/** A mention when the Slack id is known (ids are U…/W…; anything else is shown as text). */
export function mention(person: { name: string; slackUserId?: string }): string {
  return person.slackUserId && /^[UW][A-Z0-9]+$/.test(person.slackUserId)
    ? `<@${person.slackUserId}>`
    : escapeMrkdwn(person.name);
}
