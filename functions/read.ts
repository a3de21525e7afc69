import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { dynamoLeadStore } from "../shared/adapters/dynamodb/lead-store";
import { readLead } from "../shared/application/read-lead";
import { RouteNotFoundError } from "../shared/domain/errors";
import { dynamodbClient } from "../shared/runtime/aws-clients";
import { loadEngine } from "../shared/runtime/engine";
import { readEnv, tableEnvShape } from "../shared/runtime/env";
import { httpErrorHandler, jsonResponse } from "../shared/runtime/http-errors";
import { logger } from "../shared/runtime/powertools";

const env = readEnv(tableEnvShape);
const store = dynamoLeadStore({ client: dynamodbClient(), tableName: env.TABLE_NAME });
const engine = loadEngine();
const clock = () => new Date();
const getLead = readLead({ store, engine, clock });

type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const routes: Record<string, Route> = {
  "GET /health": async () => jsonResponse(200, { status: "ok", modelVersion: engine.modelVersion }),
  "GET /leads/{id}": async (event) => jsonResponse(200, await getLead(event.pathParameters?.id ?? "")),
};

/** The read API: one function, routed by the API's route key. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpErrorHandler())
  .use(injectLambdaContext(logger, { correlationIdPath: "requestContext.requestId", resetKeys: true }))
  .handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new RouteNotFoundError(`no route ${event.routeKey}`);
    return route(event);
  });
