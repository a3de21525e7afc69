/** A message for a Slack incoming webhook: the text fallback and, optionally, Block Kit blocks. */
export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

/** Slack refused the message for good (4xx other than 429): retrying will not help. */
export class SlackRejectedError extends Error {
  override readonly name = "SlackRejectedError";
}
/** Slack could not take the message now (429, 5xx, network): retry later. */
export class SlackUnavailableError extends Error {
  override readonly name = "SlackUnavailableError";
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Posts to an incoming-webhook URL. The URL is a secret: it never appears in errors or logs. */
export async function postToIncomingWebhook(url: string, message: SlackMessage, timeoutMs = 5000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SlackUnavailableError(`slack unreachable: ${(error as Error).name}`);
  }
  const body = (await response.text()).slice(0, 200);
  if (response.ok) return;
  if (response.status === 429 || response.status >= 500) {
    const retryAfter = Number(response.headers.get("retry-after"));
    throw new SlackUnavailableError(
      `slack answered ${response.status}`,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  throw new SlackRejectedError(`slack answered ${response.status}: ${body}`);
}
