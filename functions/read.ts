import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import * as z from "zod/mini";
import { dynamoCalibrationReports } from "#shared/adapters/dynamodb/calibration-reports";
import { dynamoTransitionLog } from "#shared/adapters/dynamodb/funnel-queries";
import { dynamoDomainIndex, dynamoLeadBatchReader, dynamoStageIndex } from "#shared/adapters/dynamodb/lead-queries";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { AccountDomain, readAccount } from "#shared/application/account";
import { FunnelQuery, readFunnel } from "#shared/application/funnel";
import { leadsQuerySchema, listLeads } from "#shared/application/list-leads";
import { readLead } from "#shared/application/read-lead";
import { LeadIdOrEmail } from "#shared/domain/lead";
import { RouteNotFoundError } from "#shared/edge/errors";
import { httpErrorHandler, jsonResponse } from "#shared/edge/http-errors";
import { parseQuery } from "#shared/edge/query";
import { dynamodbClient } from "#shared/runtime/aws-clients";
import { calibrationPageResponse } from "#shared/runtime/calibration-page";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { funnelPageResponse } from "#shared/runtime/funnel-page";
import { funnelLinkPage, leadLinkPage } from "#shared/runtime/link-routes";
import { linkKeySource } from "#shared/runtime/links";
import { logger } from "#shared/runtime/powertools";
import { pseudonymSource } from "#shared/runtime/pseudonyms";
import { tracing } from "#shared/runtime/tracing";

const env = readEnv(FUNCTION_ENV.read);
const table = { client: dynamodbClient(), tableName: env.TABLE_NAME };
const store = dynamoLeadStore(table);
const leads = dynamoLeadBatchReader(table);
const engine = loadCompiledEngine();
const clock = () => new Date();
const pseudonyms = pseudonymSource();
const getLead = readLead({ store, engine, clock, pseudonyms });
const list = listLeads({ index: dynamoStageIndex(table), leads, pseudonyms });
const account = readAccount({ domains: dynamoDomainIndex(table), leads });
const funnel = readFunnel({ log: dynamoTransitionLog(table), clock });
const calibrations = dynamoCalibrationReports(table);
const linkKey = linkKeySource();

const LeadPath = z.strictObject({ id: LeadIdOrEmail });
const AccountPath = z.strictObject({ domain: AccountDomain });

type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const routes: Record<string, Route> = {
  "GET /health": async () => jsonResponse(200, { status: "ok", modelVersion: engine.modelVersion }),
  "GET /leads/{id}": async (event) => jsonResponse(200, await getLead(parseQuery(LeadPath, event.pathParameters).id)),
  "GET /leads": async (event) => {
    const parameters = event.queryStringParameters;
    return jsonResponse(200, await list(parseQuery(leadsQuerySchema(parameters), parameters)));
  },
  "GET /accounts/{domain}": async (event) => {
    const { domain } = parseQuery(AccountPath, event.pathParameters);
    return jsonResponse(200, await account(domain));
  },
  "GET /funnel": async (event) => jsonResponse(200, await funnel(parseQuery(FunnelQuery, event.queryStringParameters))),
  "GET /funnel/view": async (event) => {
    const parameters = Object.fromEntries(
      // The page's form sends every field; an empty one means "the default".
      Object.entries(event.queryStringParameters ?? {}).filter(([, value]) => value !== ""),
    );
    return funnelPageResponse(await funnel(parseQuery(FunnelQuery, parameters)));
  },
  "GET /calibration/view": async () => calibrationPageResponse(await calibrations.latest()),
  "GET /links/leads/{id}/{token}": leadLinkPage({ key: linkKey, clock, readLead: getLead, owners: engine.owners }),
  "GET /links/funnel/{token}": funnelLinkPage({
    key: linkKey,
    clock,
    page: (parameters) => funnel(parseQuery(FunnelQuery, parameters)),
    render: funnelPageResponse,
  }),
};

/**
 * The read API and the pages signed links open: one function, routed by the API's route key. Reads only:
 * Query and BatchGetItem, never Scan.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(httpErrorHandler())
  .use(injectLambdaContext(logger, { correlationIdPath: "requestContext.requestId", resetKeys: true }))
  .use(tracing())
  .handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new RouteNotFoundError(`no route ${event.routeKey}`);
    return route(event);
  });
