import { secretProvider } from "#shared/adapters/secrets";
import { consoleSlackSender, slackAlertSender } from "#shared/adapters/slack/alert-sender";
import { retryDeadline } from "#shared/adapters/slack/delivery";
import { slackSettings } from "#shared/adapters/slack/settings";
import { NOTIFIERS } from "#shared/bus/notifiers";
import { leadLink } from "#shared/domain/alert-facts";
import { FUNCTION_ENV } from "#shared/runtime/env";
import { linkKeySource, notifierPageLinks } from "#shared/runtime/links";
import { notifierHandler } from "#shared/runtime/notifier";
import { logger } from "#shared/runtime/powertools";

const secrets = secretProvider();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const linkKey = linkKeySource();

/**
 * Target of the Slack rules (changes of stage sent to `slack` or `marketing`, SLA breaches): one Block Kit
 * alert per transition and audience, to the owner (a channel, or their direct messages) or the marketing
 * channel, each with a signed link to the lead's page. Locally, without Slack configured, alerts are printed.
 */
export const handler = notifierHandler({
  route: NOTIFIERS.slack,
  env: FUNCTION_ENV["notify-slack"],
  async sender(env, { remainingMs }) {
    const settings = await slackSettings(secrets, {
      apiUrl: env.SLACK_API_URL,
      directToOwner: env.SLACK_DIRECT_TO_OWNER,
      ...(env.SLACK_CHANNEL && { channel: env.SLACK_CHANNEL }),
      ...(env.SLACK_MARKETING_CHANNEL && { marketingChannel: env.SLACK_MARKETING_CHANNEL }),
    });
    const pageUrl = await notifierPageLinks(env, linkKey, logger);
    const sender = slackAlertSender({
      settings,
      log: logger,
      ...(pageUrl && { pageUrl }),
      leadUrl: leadLink(env.RIPEN_LEAD_URL),
      retry: { sleep, now: Date.now, deadline: retryDeadline(Date.now(), remainingMs) },
    });
    return sender.audiences().size === 0 && env.RIPEN_LOCAL
      ? consoleSlackSender((text) => process.stdout.write(text), pageUrl)
      : sender;
  },
});
