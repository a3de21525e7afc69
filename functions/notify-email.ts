import { consoleEmailSender, sesAlertSender } from "#shared/adapters/email/ses";
import { NOTIFIERS } from "#shared/bus/notifiers";
import { leadLink } from "#shared/domain/alert-facts";
import { sesClient } from "#shared/runtime/aws-clients";
import { FUNCTION_ENV } from "#shared/runtime/env";
import { linkKeySource, notifierPageLinks } from "#shared/runtime/links";
import { notifierHandler } from "#shared/runtime/notifier";
import { logger } from "#shared/runtime/powertools";

/**
 * Target of the email rules (changes of stage sent to `email`, SLA breaches): one email per transition to
 * the owner, or the fallback recipients, with a signed link to the lead's page. Locally: the SES emulator when SES_ENDPOINT names one (with a
 * default sender), otherwise printed.
 */
const linkKey = linkKeySource();

export const handler = notifierHandler({
  route: NOTIFIERS.email,
  env: FUNCTION_ENV["notify-email"],
  async sender(env) {
    const pageUrl = await notifierPageLinks(env, linkKey, logger);
    const configuredFrom = env.RIPEN_FROM_EMAIL;
    if (env.RIPEN_LOCAL !== undefined && !env.SES_ENDPOINT && !configuredFrom) {
      return consoleEmailSender((text) => process.stdout.write(text), env.RIPEN_ALERT_EMAILS, pageUrl);
    }
    const from = configuredFrom ?? (env.RIPEN_LOCAL ? "alerts@ripen.localhost" : undefined);
    return sesAlertSender({
      client: sesClient(),
      ...(from && { from }),
      fallbackRecipients: env.RIPEN_ALERT_EMAILS,
      log: logger,
      ...(pageUrl && { pageUrl }),
      leadUrl: leadLink(env.RIPEN_LEAD_URL),
      ...(env.SES_CONFIGURATION_SET && { configurationSet: env.SES_CONFIGURATION_SET }),
    });
  },
});
