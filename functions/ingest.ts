import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dynamoTombstones } from "#shared/adapters/dynamodb/erasure-store";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { secretProvider } from "#shared/adapters/secrets";
import { WEBHOOK_SOURCE_LOADERS } from "#shared/adapters/sources/loaders";
import { consentGate } from "#shared/application/consent-gate";
import { ingestWebhook, WebhookPath } from "#shared/application/ingest-webhook";
import { recordEvent } from "#shared/application/record-event";
import { webhookPathParameters, webhookRequest } from "#shared/edge/api-gateway";
import { httpErrorHandler, jsonResponse } from "#shared/edge/http-errors";
import { parseQuery } from "#shared/edge/query";
import { WEBHOOKS_REFUSED, webhookRefusal } from "#shared/edge/webhook-refusals";
import { dynamodbClient } from "#shared/runtime/aws-clients";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { countMetric, logger } from "#shared/runtime/powertools";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { tracing } from "#shared/runtime/tracing";

const env = readEnv(FUNCTION_ENV.ingest);

const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };

const ingest = ingestWebhook({
  sources: WEBHOOK_SOURCE_LOADERS,
  secrets: secretProvider(),
  record: recordEvent({
    store: dynamoLeadStore(table),
    pseudonyms: pseudonymSource(),
    ...(env.RIPEN_ERASE_BLOCKS_RECREATE && { erasures: consentGate(dynamoTombstones(table)) }),
    engine: loadCompiledEngine(),
    clock: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }),
  clock: () => new Date(),
  toleranceSeconds: env.RIPEN_SIGNATURE_TOLERANCE_SECONDS,
  futureToleranceSeconds: env.RIPEN_FUTURE_TOLERANCE_SECONDS,
  ...(env.RIPEN_PUBLIC_URL !== undefined && { publicUrl: env.RIPEN_PUBLIC_URL }),
  unsigned: new Set(env.RIPEN_ALLOW_UNSIGNED.split(",").map((name) => name.trim().toLowerCase())),
});

/** POST /webhooks/{source}: verify, map, record. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpErrorHandler())
  .use(injectLambdaContext(logger, { correlationIdPath: "requestContext.requestId", resetKeys: true }))
  .use(tracing())
  .handler(async (event) => {
    const { source } = parseQuery(WebhookPath, webhookPathParameters(event));
    const outcome = await ingest(source, webhookRequest(event)).catch((error: unknown) => {
      const refusal = webhookRefusal(source, error);
      if (refusal) countMetric(WEBHOOKS_REFUSED, refusal);
      throw error;
    });
    // Only names of known sources reach here (unknown ones were refused), so the dimension stays small.
    countMetric("WebhooksReceived", { source });
    if ((outcome.body as { duplicate?: boolean }).duplicate) countMetric("DuplicateWebhooks", { source });
    // A refusal acknowledged with a 200 (senders that disable webhooks on 4xx) is seen here, not by the sender.
    if (outcome.refused) {
      logger.info("payload refused", { source, code: outcome.refused });
      countMetric("PayloadsRefused", { source, code: outcome.refused });
    }
    return jsonResponse(outcome.statusCode, outcome.body);
  });
