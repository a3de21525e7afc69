import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { EventBridgeEvent } from "aws-lambda";
import * as z from "zod/mini";
import { dynamoAlertLedger } from "../shared/adapters/dynamodb/alert-ledger";
import { dynamoTombstones } from "../shared/adapters/dynamodb/erasure-store";
import { consoleEmailSender, sesAlertSender } from "../shared/adapters/email/ses";
import { alertFromBusEvent } from "../shared/application/alert-events";
import { leadLink } from "../shared/application/alert-facts";
import { type AudienceOutcome, notifyAlert } from "../shared/application/notify-alert";
import { dynamodbClient, sesClient } from "../shared/runtime/aws-clients";
import { loadCompiledChannels } from "../shared/runtime/compiled-engine";
import { alertLeaseEnvShape, readEnv, tableEnvShape } from "../shared/runtime/env";
import { countAlertFailure, logger } from "../shared/runtime/powertools";
import { tracing } from "../shared/runtime/tracing";

const env = readEnv({
  ...tableEnvShape,
  ...alertLeaseEnvShape,
  /** The verified SES sender (the CDK stack sets it from `ripen:fromAddress`). */
  RIPEN_FROM_EMAIL: z.optional(z.email()),
  /** Comma-separated recipients for leads without an owner email. */
  RIPEN_ALERT_EMAILS: z.pipe(
    z.pipe(
      z._default(z.string(), ""),
      z.transform((list: string) =>
        list
          .split(",")
          .map((address) => address.trim())
          .filter(Boolean),
      ),
    ),
    z.array(z.email()),
  ),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** The local SES emulator (aws-ses-v2-local); the SES client reads it too. */
  SES_ENDPOINT: z.optional(z.url()),
  RIPEN_LEAD_URL: z.optional(z.string().check(z.minLength(1))),
  /** Set by the local runtime: a default sender so the local SES emulator shows the mail. */
  RIPEN_LOCAL: z.optional(z.string()),
});

// Events carry their channels; a version 1 event replayed from the archive asks the model, as it did then.
const modelChannels = loadCompiledChannels();
const configuredFrom = env.RIPEN_FROM_EMAIL;
// Locally: the SES emulator when SES_ENDPOINT names one (with a default sender), otherwise print.
const printLocally = env.RIPEN_LOCAL !== undefined && !env.SES_ENDPOINT && !configuredFrom;
const from = configuredFrom ?? (env.RIPEN_LOCAL ? "alerts@ripen.localhost" : undefined);

const notify = notifyAlert({
  sender: printLocally
    ? consoleEmailSender((text) => process.stdout.write(text), env.RIPEN_ALERT_EMAILS)
    : sesAlertSender({
        client: sesClient(),
        ...(from && { from }),
        fallbackRecipients: env.RIPEN_ALERT_EMAILS,
        log: logger,
        leadUrl: leadLink(env.RIPEN_LEAD_URL),
        ...(env.SES_CONFIGURATION_SET && { configurationSet: env.SES_CONFIGURATION_SET }),
      }),
  ledger: dynamoAlertLedger({
    client: dynamodbClient(),
    tableName: env.TABLE_NAME,
    leaseSeconds: env.RIPEN_ALERT_LEASE_SECONDS,
  }),
  tombstones: dynamoTombstones({ client: dynamodbClient(), tableName: env.TABLE_NAME }),
  log: logger,
  countFailure: countAlertFailure,
});

/**
 * Target of the email rules (changes of stage sent to `email`, SLA breaches): one email per transition to
 * the owner, or the fallback recipients. Throws when SES refuses or is unavailable, so the bus retries
 * and then dead-letters it.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, AudienceOutcome[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(tracing())
  .handler(async (event) => {
    const alert = alertFromBusEvent(event, modelChannels);
    logger.appendKeys({ alertId: alert.alertId, leadId: alert.leadId });
    return notify(alert);
  });
