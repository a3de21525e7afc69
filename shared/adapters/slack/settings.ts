import * as z from "zod/mini";
import type { SecretProvider } from "#shared/application/ports/webhook-source";
import type { SlackSettings } from "./alert-sender";

/** The Slack credentials, read through the secret provider (env locally, Secrets Manager in AWS). */
export const SLACK_SECRETS = {
  webhookUrl: "SLACK_WEBHOOK_URL",
  marketingWebhookUrl: "SLACK_MARKETING_WEBHOOK_URL",
  botToken: "SLACK_BOT_TOKEN",
} as const;

const WebhookUrl = z.url({ protocol: /^https?$/ });

/**
 * Slack settings for one invocation: secrets from the provider (cached there), the rest from the
 * environment. A malformed webhook URL fails here with the variable's name, never its value.
 */
export async function slackSettings(
  secrets: SecretProvider,
  env: Omit<SlackSettings, "webhookUrl" | "marketingWebhookUrl" | "botToken">,
): Promise<SlackSettings> {
  const [webhookUrl, marketingWebhookUrl, botToken] = await Promise.all([
    secrets.get(SLACK_SECRETS.webhookUrl),
    secrets.get(SLACK_SECRETS.marketingWebhookUrl),
    secrets.get(SLACK_SECRETS.botToken),
  ]);
  for (const [name, value] of [
    [SLACK_SECRETS.webhookUrl, webhookUrl],
    [SLACK_SECRETS.marketingWebhookUrl, marketingWebhookUrl],
  ] as const) {
    if (value !== undefined && !WebhookUrl.safeParse(value).success) throw new Error(`${name} is not a URL`);
  }
  return {
    ...env,
    ...(webhookUrl && { webhookUrl }),
    ...(marketingWebhookUrl && { marketingWebhookUrl }),
    ...(botToken && { botToken }),
  };
}
