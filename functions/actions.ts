import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { secretProvider } from "#shared/adapters/secrets";
import { postToResponseUrl } from "#shared/adapters/slack/delivery";
import { slackRepActions } from "#shared/adapters/slack/interactions";
import { actThroughLink } from "#shared/application/act-through-link";
import { applyRepAction } from "#shared/application/apply-rep-action";
import { ingestRepAction } from "#shared/application/ingest-rep-action";
import { webhookRequest } from "#shared/edge/api-gateway";
import { httpErrorHandler } from "#shared/edge/http-errors";
import { dynamodbClient } from "#shared/runtime/aws-clients";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { leadLinkAction } from "#shared/runtime/link-routes";
import { linkKeySource } from "#shared/runtime/links";
import { logger } from "#shared/runtime/powertools";
import { tracing } from "#shared/runtime/tracing";

const env = readEnv(FUNCTION_ENV.actions);

const clock = () => new Date();
const engine = loadCompiledEngine();
const apply = applyRepAction({
  store: dynamoLeadStore({ client: dynamodbClient(), tableName: env.TABLE_NAME }),
  clock,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  engine,
});
const interactions = ingestRepAction({
  source: slackRepActions(env.SLACK_SIGNATURE_TOLERANCE_SECONDS),
  secrets: secretProvider(),
  clock,
  apply,
  respond: postToResponseUrl,
  log: logger,
  // The routing team knows a rep's name and email; anyone else owns leads by their Slack id.
  knownOwner: (press) => engine.owners.find((owner) => owner.slackUserId === press.slackUserId),
});

const pageAction = leadLinkAction({
  key: linkKeySource(),
  clock,
  act: actThroughLink({ apply, owners: engine.owners }),
  log: logger,
});

/**
 * POST /slack/interactions: Accept / Disqualify / Recycle from an alert (Slack wants 200 within 3 s).
 * POST /links/leads/{id}/{token}: Accept / Qualify / Disqualify / Recycle from a lead's page.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpErrorHandler())
  .use(injectLambdaContext(logger, { correlationIdPath: "requestContext.requestId", resetKeys: true }))
  .use(tracing())
  .handler(async (event) => {
    if (event.routeKey === "POST /links/leads/{id}/{token}") return pageAction(event);
    await interactions(webhookRequest(event));
    return { statusCode: 200, body: "" };
  });
