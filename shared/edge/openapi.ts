import * as z from "zod/mini";
import { GenericPayload } from "#shared/adapters/sources/generic";
import { AccountDomain } from "#shared/application/account";
import { FunnelQuery } from "#shared/application/funnel";
import { FindLeadQuery, StageListingQuery } from "#shared/application/list-leads";
import { LeadIdOrEmail } from "#shared/domain/lead";
import { SourceName } from "#shared/domain/lead-event";
import { LeadPageQuery } from "#shared/runtime/link-routes";
import { ROUTES, type Route, routeKey } from "#shared/runtime/routes";
import { EDGE_ERROR_CODES } from "./errors";
import { ERROR_CODES, ERROR_STATUS, type ErrorCode } from "./http-errors";

/** The code an unexpected failure answers with; it has no class, so no status in the table. */
const INTERNAL = "internal";

type JsonSchema = Record<string, unknown>;
type Parameter = { name: string; in: "path" | "query"; required: boolean; schema: JsonSchema; description?: string };

/** What one route says about itself beyond ROUTES: its inputs, its success and the refusals it can make. */
interface Operation {
  summary: string;
  path?: z.core.$ZodObject;
  query?: z.core.$ZodObject[];
  body?: { type: string; schema: JsonSchema; description: string };
  success: { status: number; type: "application/json" | "text/html"; description: string };
  errors: ErrorCode[];
}

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of what a caller sends: the input side of each zod schema. */
const schemaOf = (schema: z.core.$ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
};

const LeadPath = z.strictObject({ id: LeadIdOrEmail });
/** A signed link's path: the lead id it opens and its token (domain/links.ts). */
const LinkPath = z.strictObject({ id: z.string(), token: z.string() });
const HTML = "text/html";

/** Every route's description, by route key; a route without one fails the document (and its test). */
const OPERATIONS: Record<string, Operation> = {
  "POST /webhooks/{source}": {
    summary: "Receive one signed webhook delivery from a sender",
    path: z.strictObject({ source: SourceName }),
    body: {
      type: "application/json",
      schema: schemaOf(GenericPayload),
      description: "Ripen's own format (the generic source); every other sender posts its own documented payload",
    },
    success: { status: 200, type: "application/json", description: "Recorded: {leadId, stage, score, duplicate}" },
    errors: [
      "consent_required",
      "invalid_payload",
      "invalid_signature",
      "stale_timestamp",
      "unknown_source",
      "unsupported_media_type",
      "source_not_configured",
      "not_configured",
      "contention",
    ],
  },
  "GET /leads/{id}": {
    summary: "A lead, its explanation and its transitions, by lead id or email",
    path: LeadPath,
    success: { status: 200, type: "application/json", description: "The lead" },
    errors: ["invalid_query", "lead_not_found", "not_configured"],
  },
  "GET /leads": {
    summary: "Find a lead by email, or list one or more stages (the rep queue)",
    query: [FindLeadQuery, StageListingQuery],
    success: { status: 200, type: "application/json", description: "A page of leads and the next cursor" },
    errors: ["invalid_query", "not_configured"],
  },
  "DELETE /leads/{id}": {
    summary: "Erase a person (GDPR), by lead id or email",
    path: LeadPath,
    success: { status: 200, type: "application/json", description: "What was erased, as counts" },
    errors: ["invalid_query", "lead_not_found", "not_configured", "contention"],
  },
  "GET /accounts/{domain}": {
    summary: "The leads of one company domain",
    path: z.strictObject({ domain: AccountDomain }),
    success: { status: 200, type: "application/json", description: "The account and its leads" },
    errors: ["invalid_query", "account_not_found"],
  },
  "GET /funnel": {
    summary: "Stage conversions over a range of days",
    query: [FunnelQuery],
    success: { status: 200, type: "application/json", description: "The funnel report" },
    errors: ["invalid_query"],
  },
  "GET /funnel/view": {
    summary: "The funnel report as a page",
    query: [FunnelQuery],
    success: { status: 200, type: HTML, description: "The funnel page" },
    errors: ["invalid_query"],
  },
  "GET /calibration/view": {
    summary: "The latest calibration report as a page",
    success: { status: 200, type: HTML, description: "The calibration page" },
    errors: [],
  },
  "GET /health": {
    summary: "Liveness and the scoring model's version",
    success: { status: 200, type: "application/json", description: '{"status":"ok","modelVersion":…}' },
    errors: [],
  },
  "GET /links/leads/{id}/{token}": {
    summary: "A lead's page, opened from an alert's signed link (the token is the credential)",
    path: LinkPath,
    query: [LeadPageQuery],
    success: {
      status: 200,
      type: HTML,
      description:
        "The lead's page. An expired, altered or another lead's token answers a 401 page; an erased lead a 404 page that says it is no longer available",
    },
    errors: [],
  },
  "POST /links/leads/{id}/{token}": {
    summary: "Accept, qualify, disqualify or recycle the lead from its page (the form's nonce makes a resend a replay)",
    path: LinkPath,
    body: {
      type: "application/x-www-form-urlencoded",
      schema: { type: "object", properties: { action: { type: "string" }, nonce: { type: "string" } } },
      description: "The page's form: the action, its reason where it takes one, the page's signed nonce",
    },
    success: {
      status: 303,
      type: HTML,
      description:
        "Done (or already done): back to the page. A bad token answers a 401 page, a form too old or altered a 400 page, an action the stage no longer allows a 409 page",
    },
    errors: [],
  },
  "GET /links/funnel/{token}": {
    summary: "The funnel page, opened from a manager's signed link (npm run link -- funnel)",
    path: z.strictObject({ token: z.string() }),
    query: [FunnelQuery],
    success: { status: 200, type: HTML, description: "The funnel page; a bad or expired token answers a 401 page" },
    errors: [],
  },
  "POST /slack/interactions": {
    summary: "A rep's click on an alert's button in Slack, signed by Slack",
    body: {
      type: "application/x-www-form-urlencoded",
      schema: { type: "object", properties: { payload: { type: "string" } }, required: ["payload"] },
      description: "Slack's interaction payload, as a form field",
    },
    success: { status: 200, type: "application/json", description: "The message's update" },
    errors: ["invalid_payload", "invalid_signature", "stale_timestamp", "unknown_action", "invalid_transition"],
  },
};

/** Refusals made where any request enters, before a route's function: limits and the local access rules. */
const EDGE_REFUSALS: readonly ErrorCode[] = EDGE_ERROR_CODES;

/** The OpenAPI 3.1 description of Ripen's HTTP API, derived from ROUTES, the zod schemas and the error table. */
export function openApiDocument(version = "0.1.0"): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const operation = OPERATIONS[routeKey(route)];
    if (!operation) throw new Error(`${routeKey(route)} has no description in OPERATIONS (shared/edge/openapi.ts)`);
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = describe(route, operation);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Ripen",
      version,
      description: "Signed webhooks in, explained scores and lifecycle stages out. Errors: {error: {code, message}}.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    paths,
    components: {
      schemas: { ErrorCode: { type: "string", enum: [...ERROR_CODES, INTERNAL] }, ErrorBody: ERROR_BODY },
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "AWS Signature Version 4 (IAM authorization on the HTTP API)",
        },
      },
    },
  };
}

const ERROR_BODY: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { $ref: "#/components/schemas/ErrorCode" },
        message: { type: "string", description: "Shown only for statuses below 500" },
        details: { description: "Which field failed and why, for invalid_payload and invalid_query" },
      },
    },
  },
};

function describe(route: Route, operation: Operation): JsonSchema {
  const parameters = [
    ...(operation.path ? toParameters(operation.path, "path", true) : []),
    ...(operation.query ?? []).flatMap((schema, _, all) => toParameters(schema, "query", all.length === 1)),
  ];
  const unique = [...new Map(parameters.map((parameter) => [parameter.name, parameter])).values()];
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, "").replace(/[/-](\w)/g, (_, c) => c.toUpperCase())}`,
    summary: operation.summary,
    "x-ripen-function": route.function,
    security: route.auth === "iam" ? [{ sigv4: [] }] : [],
    ...(unique.length > 0 && { parameters: unique }),
    ...(operation.body && {
      requestBody: {
        required: true,
        description: operation.body.description,
        content: { [operation.body.type]: { schema: operation.body.schema } },
      },
    }),
    responses: {
      [String(operation.success.status)]: {
        description: operation.success.description,
        content: { [operation.success.type]: { schema: operation.success.type === HTML ? { type: "string" } : {} } },
      },
      ...errorResponses([...operation.errors, ...EDGE_REFUSALS]),
    },
  };
}

/** Path or query parameters from an object schema; of several alternatives none is required. */
function toParameters(schema: z.core.$ZodObject, place: "path" | "query", strict: boolean): Parameter[] {
  const json = schemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: place,
    required: place === "path" || (strict && (json.required ?? []).includes(name)),
    schema: property,
  }));
}

/** One response per status, naming the codes it carries; every operation may also fail with a 500. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes))
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  byStatus.set(500, [INTERNAL]);
  const sorted = [...byStatus.entries()].sort(([a], [b]) => a - b);
  return Object.fromEntries(
    sorted.map(([status, statusCodes]) => [
      String(status),
      {
        description: `${statusCodes.join(", ")}${status === 503 ? " (temporary: retry after the retry-after header)" : ""}`,
        content: {
          "application/json": {
            schema: {
              allOf: [
                { $ref: "#/components/schemas/ErrorBody" },
                { properties: { error: { properties: { code: { enum: statusCodes } } } } },
              ],
            },
          },
        },
      },
    ]),
  );
}
