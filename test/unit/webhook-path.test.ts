import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { webhookPathParameters } from "#shared/edge/api-gateway";

const event = (routeKey: string, pathParameters?: Record<string, string>) =>
  ({ routeKey, rawPath: "/ignored", ...(pathParameters && { pathParameters }) }) as unknown as APIGatewayProxyEventV2;

describe("webhookPathParameters", () => {
  it("takes the source from the generic route's path parameter", () => {
    expect(webhookPathParameters(event("POST /webhooks/{source}", { source: "tally" }))).toEqual({ source: "tally" });
  });

  it("takes the source from a sender's own route key, which has no path parameter", () => {
    expect(webhookPathParameters(event("POST /webhooks/typeform"))).toEqual({ source: "typeform" });
  });

  it("reads the route key, never the caller's path", () => {
    const sent = { ...event("POST /webhooks/hubspot"), rawPath: "/webhooks/zoom" } as APIGatewayProxyEventV2;
    expect(webhookPathParameters(sent)).toEqual({ source: "hubspot" });
  });

  it("finds no source on another route, so the path check refuses it", () => {
    expect(webhookPathParameters(event("GET /health"))).toBeUndefined();
  });
});
