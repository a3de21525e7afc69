import type { AlertLog, DeliveryResult } from "#shared/application/ports/alert-ledger";
import type { AlertSender } from "#shared/application/ports/alert-sender";
import type { Audience } from "#shared/bus/notifiers";
import type { Alert } from "#shared/domain/alert";
import { type AlertMessageOptions, alertMessage, type SlackMessage } from "./blocks";
import { postSlackMessage, type RetryOptions, type SlackDestination, withSlackRetry } from "./delivery";

/**
 * How Ripen reaches Slack. With a bot token, chat.postMessage to `channel` (or to the owner's DM when
 * `directToOwner` and the owner has a Slack id); otherwise the incoming webhook. The marketing audience
 * needs its own channel or webhook.
 */
export interface SlackSettings {
  webhookUrl?: string;
  marketingWebhookUrl?: string;
  botToken?: string;
  apiUrl: string;
  channel?: string;
  marketingChannel?: string;
  directToOwner?: boolean;
}

export interface SlackAlertSenderDeps {
  settings: SlackSettings;
  retry: RetryOptions;
  log: AlertLog;
  /** The signed link to the alert's lead page, if any. */
  pageUrl?: (alert: Alert) => string | undefined;
  /** The link a rep opens the lead with in the CRM, if any. */
  leadUrl?: (leadId: string) => string | undefined;
  post?: (destination: SlackDestination, message: SlackMessage) => Promise<void>;
}

/** Alerts on Slack: Block Kit messages, posted with a bounded retry inside the invocation. */
export function slackAlertSender(deps: SlackAlertSenderDeps): AlertSender {
  const { settings, log } = deps;
  const post = deps.post ?? postSlackMessage;

  function destination(alert: Alert, audience: Audience): SlackDestination | undefined {
    if (audience === "marketing") {
      if (settings.botToken && settings.marketingChannel) return bot(settings.botToken, settings.marketingChannel);
      return settings.marketingWebhookUrl ? { kind: "webhook", url: settings.marketingWebhookUrl } : undefined;
    }
    if (settings.botToken) {
      const direct = settings.directToOwner ? alert.owner?.slackUserId : undefined;
      const channel = direct ?? settings.channel;
      return channel ? bot(settings.botToken, channel) : undefined;
    }
    return settings.webhookUrl ? { kind: "webhook", url: settings.webhookUrl } : undefined;
  }
  const bot = (token: string, channel: string): SlackDestination => ({
    kind: "bot",
    token,
    channel,
    apiUrl: settings.apiUrl,
  });

  return {
    channel: "slack",
    audiences() {
      const audiences = new Set<Audience>();
      if (settings.webhookUrl || (settings.botToken && (settings.channel || settings.directToOwner))) {
        audiences.add("owner");
      }
      if (settings.marketingWebhookUrl || (settings.botToken && settings.marketingChannel)) audiences.add("marketing");
      return audiences;
    },
    async send(alert, audience): Promise<DeliveryResult> {
      const target = destination(alert, audience);
      if (!target) {
        log.warn("no Slack channel for this alert: the owner has no Slack id and SLACK_CHANNEL is not set", {
          audience,
        });
        return "skipped";
      }
      const message = alertMessage(alert, links(alert, deps));
      await withSlackRetry(() => post(target, message), {
        ...deps.retry,
        onRetry: (reason, delayMs) => log.warn("slack delivery failed, retrying", { audience, reason, delayMs }),
      });
      return "sent";
    },
  };
}

/** Local development without Slack: the alert's text is printed instead of posted. */
export function consoleSlackSender(
  write: (text: string) => void,
  pageUrl?: (alert: Alert) => string | undefined,
): AlertSender {
  return {
    channel: "slack",
    audiences: () => new Set<Audience>(["owner", "marketing"]),
    async send(alert, audience) {
      const { text } = alertMessage(alert);
      const page = pageUrl?.(alert);
      write(
        `\n[slack → ${audience}] Slack is not configured (SLACK_WEBHOOK_URL or SLACK_BOT_TOKEN); the alert:\n${text}\n${page ? `Open the lead: ${page}\n` : ""}\n`,
      );
      return "sent";
    },
  };
}

/** The message's links: the lead's page in Ripen and the CRM's, each when configured. */
function links(alert: Alert, deps: Pick<SlackAlertSenderDeps, "pageUrl" | "leadUrl">): AlertMessageOptions {
  const pageUrl = deps.pageUrl?.(alert);
  const leadUrl = deps.leadUrl?.(alert.leadId);
  return { ...(pageUrl && { pageUrl }), ...(leadUrl && { leadUrl }) };
}
