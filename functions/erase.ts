import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod/mini";
import { dynamoErasureStore } from "#shared/adapters/dynamodb/erasure-store";
import { eraseLead } from "#shared/application/erase-lead";
import { LeadIdOrEmail } from "#shared/domain/lead";
import { httpErrorHandler, jsonResponse } from "#shared/edge/http-errors";
import { parseQuery } from "#shared/edge/query";
import { dynamodbClient } from "#shared/runtime/aws-clients";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { logger } from "#shared/runtime/powertools";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { tracing } from "#shared/runtime/tracing";

const env = readEnv(FUNCTION_ENV.erase);
const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };
const LeadPath = z.strictObject({ id: LeadIdOrEmail });
const erase = eraseLead({
  store: dynamoErasureStore(table),
  clock: () => new Date(),
  pseudonyms: pseudonymSource(),
});

/** The IAM identity that signed the request (the operator), recorded in the audit; "local" on the dev server. */
function caller(event: APIGatewayProxyEventV2): string {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: string } } };
  return context.authorizer?.iam?.userArn ?? "local";
}

/** DELETE /leads/{id}: GDPR erasure, by lead id or email. Its own function: the read API stays read-only. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpErrorHandler())
  .use(injectLambdaContext(logger, { correlationIdPath: "requestContext.requestId", resetKeys: true }))
  .use(tracing())
  .handler(async (event) => {
    const { id } = parseQuery(LeadPath, event.pathParameters);
    const result = await erase({ idOrEmail: id, requestedBy: caller(event) });
    // The audit line: the pseudonymous id and counts, never the email or name.
    logger.info("lead erased", { ...result });
    return jsonResponse(200, result);
  });
