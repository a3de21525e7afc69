import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { Context, EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import { dynamoAlertLedger } from "../shared/adapters/dynamodb/alert-ledger";
import { dynamoTombstones } from "../shared/adapters/dynamodb/erasure-store";
import { secretProvider } from "../shared/adapters/secrets";
import { consoleSlackSender, slackAlertSender } from "../shared/adapters/slack/alert-sender";
import { retryDeadline } from "../shared/adapters/slack/delivery";
import { slackSettings } from "../shared/adapters/slack/settings";
import { alertFromBusEvent } from "../shared/application/alert-events";
import { leadLink } from "../shared/application/alert-facts";
import { type AudienceOutcome, notifyAlert } from "../shared/application/notify-alert";
import { dynamodbClient } from "../shared/runtime/aws-clients";
import { loadCompiledChannels } from "../shared/runtime/compiled-engine";
import { alertLeaseEnvShape, readEnv, tableEnvShape } from "../shared/runtime/env";
import { countAlertFailure, logger } from "../shared/runtime/powertools";
import { tracing } from "../shared/runtime/tracing";

const env = readEnv({
  ...tableEnvShape,
  ...alertLeaseEnvShape,
  SLACK_API_URL: z._default(z.url(), "https://slack.com/api"),
  SLACK_CHANNEL: z.optional(z.string().check(z.minLength(1))),
  SLACK_MARKETING_CHANNEL: z.optional(z.string().check(z.minLength(1))),
  /** With a bot token: post to the owner's direct messages instead of SLACK_CHANNEL. */
  SLACK_DIRECT_TO_OWNER: z._default(z.stringbool(), false),
  /** Where a rep opens a lead, e.g. https://crm.example.com/leads/{leadId}. */
  RIPEN_LEAD_URL: z.optional(z.string().check(z.minLength(1))),
  /** Set by the local runtime: print alerts to stdout when Slack is not configured. */
  RIPEN_LOCAL: z.optional(z.string()),
});

const secrets = secretProvider();
// Events carry their channels; a version 1 event replayed from the archive asks the model, as it did then.
const modelChannels = loadCompiledChannels();
const ledger = dynamoAlertLedger({
  client: dynamodbClient(),
  tableName: env.TABLE_NAME,
  leaseSeconds: env.RIPEN_ALERT_LEASE_SECONDS,
});
const tombstones = dynamoTombstones({ client: dynamodbClient(), tableName: env.TABLE_NAME });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Target of the Slack rules (changes of stage sent to `slack` or `marketing`, SLA breaches): one Block Kit
 * alert per transition and audience. Throws when Slack refuses or stays unavailable, so the bus retries
 * and then dead-letters the event.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, AudienceOutcome[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (event, context: Context) => {
    const alert = alertFromBusEvent(event, modelChannels);
    logger.appendKeys({ alertId: alert.alertId, leadId: alert.leadId });
    const settings = await slackSettings(secrets, {
      apiUrl: env.SLACK_API_URL,
      directToOwner: env.SLACK_DIRECT_TO_OWNER,
      ...(env.SLACK_CHANNEL && { channel: env.SLACK_CHANNEL }),
      ...(env.SLACK_MARKETING_CHANNEL && { marketingChannel: env.SLACK_MARKETING_CHANNEL }),
    });
    const remaining =
      typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : undefined;
    let sender = slackAlertSender({
      settings,
      log: logger,
      leadUrl: leadLink(env.RIPEN_LEAD_URL),
      retry: { sleep, now: Date.now, deadline: retryDeadline(Date.now(), remaining) },
    });
    if (sender.audiences().size === 0 && env.RIPEN_LOCAL) {
      sender = consoleSlackSender((text) => process.stdout.write(text));
    }
    return notifyAlert({ sender, ledger, tombstones, log: logger, countFailure: countAlertFailure })(alert);
  });
