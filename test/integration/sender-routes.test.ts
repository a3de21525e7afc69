import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestTable } from "../support/dynamodb";
import { GENERIC_SECRET, genericPayload, signedGenericRequest } from "../support/generic";

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;
let handler: Handler;

beforeAll(async () => {
  const table = await createTestTable("sender-routes");
  Object.assign(process.env, {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    RIPEN_SECRET_GENERIC: GENERIC_SECRET,
    RIPEN_SECRET_HUBSPOT: "test-hubspot-secret",
    POWERTOOLS_LOG_LEVEL: "CRITICAL",
    // The metric lines are what this file checks: on for this process.
    POWERTOOLS_METRICS_DISABLED: "false",
  });
  ({ handler } = (await import("../../functions/ingest")) as unknown as { handler: Handler });
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A delivery as API Gateway hands it over on a sender's own route: no path parameters, the route key says who. */
function onOwnRoute(source: string, payload: Record<string, unknown>): APIGatewayProxyEventV2 {
  const request = signedGenericRequest(payload);
  return {
    version: "2.0",
    routeKey: `POST /webhooks/${source}`,
    rawPath: `/webhooks/${source}`,
    rawQueryString: "",
    headers: request.headers,
    requestContext: { http: { method: "POST", path: `/webhooks/${source}` }, requestId: `req-${source}` },
    body: request.rawBody.toString("base64"),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

/** The EMF lines a call writes, parsed. */
async function metricLines(call: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  await call();
  vi.restoreAllMocks();
  return lines
    .flatMap((line) => line.split("\n"))
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        return entry._aws ? [entry] : [];
      } catch {
        return [];
      }
    });
}

describe("a sender's own route (one per sender in AWS, each with its throttle)", () => {
  it("records the delivery as the sender its route names, with no path parameter", async () => {
    // Prepare
    const event = onOwnRoute("generic", genericPayload({ email: "route@example.com" }));
    let response: APIGatewayProxyStructuredResultV2 | undefined;

    // Act
    const metrics = await metricLines(async () => {
      response = await handler(event, {} as Context);
    });

    // Assess
    expect(response?.statusCode).toBe(200);
    expect(JSON.parse(response?.body ?? "{}")).toMatchObject({ duplicate: false, stage: expect.any(String) });
    expect(metrics).toContainEqual(expect.objectContaining({ WebhooksReceived: 1, source: "generic" }));
  });

  it("verifies with the secret of the sender the route names, and counts the refusal under that sender", async () => {
    // Prepare: signed as the generic source signs, sent to HubSpot's route.
    const event = onOwnRoute("hubspot", genericPayload({ email: "misrouted@example.com" }));
    let response: APIGatewayProxyStructuredResultV2 | undefined;

    // Act
    const metrics = await metricLines(async () => {
      response = await handler(event, {} as Context);
    });

    // Assess
    expect(response?.statusCode).toBe(401);
    expect(metrics).toContainEqual(
      expect.objectContaining({ WebhooksRefused: 1, service: "ripen", source: "hubspot", code: "invalid_signature" }),
    );
  });
});
