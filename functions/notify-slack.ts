import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { EventBridgeEvent } from "aws-lambda";
import { z } from "zod";
import { postToIncomingWebhook } from "../shared/adapters/slack/incoming-webhook";
import { LeadStageChangedDetail } from "../shared/application/lead-stage-changed";
import { notifySlack } from "../shared/application/notify-slack";
import { readEnv } from "../shared/runtime/env";
import { logger } from "../shared/runtime/powertools";

const env = readEnv({
  SLACK_WEBHOOK_URL: z.url().optional(),
  /** Set by the local runtime: print alerts to stdout when Slack is not configured. */
  RIPEN_LOCAL: z.string().optional(),
});

const notify = notifySlack({
  send: async (message) => {
    if (env.SLACK_WEBHOOK_URL) return postToIncomingWebhook(env.SLACK_WEBHOOK_URL, message);
    if (env.RIPEN_LOCAL) {
      process.stdout.write(`\n[slack] SLACK_WEBHOOK_URL is not set; the alert would say:\n${message.text}\n\n`);
      return;
    }
    logger.warn("slack is not configured; alert not sent");
  },
});

/** Target of the bus rule for sales-ready leads. Throws on a temporary Slack failure so the bus retries. */
export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const detail = LeadStageChangedDetail.parse(event.detail);
    logger.appendKeys({ transitionId: detail.metadata.transitionId });
    await notify(detail);
  });
