import { App, Stack } from "aws-cdk-lib";
import { Code, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { describe, expect, it } from "vitest";
import { SOURCES } from "#shared/domain/lead-event";
import { ROUTES, routeKey } from "#shared/runtime/routes";
import {
  DEFAULT_THROTTLE,
  deployedRoutes,
  RipenApi,
  ROUTE_THROTTLES,
  SENDER_THROTTLE,
  WEBHOOK_ROUTE,
} from "../../infra/api";
import { resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless } = synthRipen();
const routes = Object.values(resourcesOfType(stateless, "AWS::ApiGatewayV2::Route"));
const [, stage] = resourceAt(stateless, "AWS::ApiGatewayV2::Stage", "/Api/DefaultStage/Resource");

describe("the HTTP API", () => {
  it("has exactly the routes ROUTES declares, plus one webhook route per known sender", () => {
    // Prepare
    const senders = SOURCES.map((source) => `POST /webhooks/${source}`);

    // Assess
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      [...ROUTES.map(routeKey), ...senders].sort(),
    );
  });

  it.each(deployedRoutes().map((route) => [routeKey(route), route] as const))(
    "%s: authorization and function as declared",
    (key, route) => {
      // Prepare
      const declared = routes.find((candidate) => candidate.Properties.RouteKey === key);
      const [functionId] = resourceAt(stateless, "AWS::Lambda::Function", `/${route.function}/Handler/Resource`);
      const target = JSON.stringify(declared?.Properties.Target);
      const integrationId = /integrations\/"?,?\{"Ref":"([^"]+)"/.exec(target)?.[1] ?? "";

      // Assess
      expect(declared?.Properties.AuthorizationType).toBe(route.auth === "iam" ? "AWS_IAM" : "NONE");
      expect(stateless.toJSON().Resources[integrationId].Properties.IntegrationUri).toEqual({
        "Fn::GetAtt": [functionId, "Arn"],
      });
    },
  );

  it("throttles every route: a stage default, a limit per route, and each sender its own", () => {
    // Prepare
    const limitsOf = (key: string) =>
      key.startsWith("POST /webhooks/") && key !== WEBHOOK_ROUTE
        ? SENDER_THROTTLE
        : (ROUTE_THROTTLES[key] ?? DEFAULT_THROTTLE);
    const expected = Object.fromEntries(
      deployedRoutes().map((route) => {
        const limits = limitsOf(routeKey(route));
        return [routeKey(route), { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit }];
      }),
    );

    // Assess
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
      ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
    });
    expect(stage.Properties.RouteSettings).toEqual(expected);
  });

  it("opens the link pages to browsers without IAM, each throttled below the default, and IAM stays on the JSON API", () => {
    // Prepare
    const links = ROUTES.filter((route) => route.path.startsWith("/links/"));
    const authOf = (key: string) =>
      routes.find((route) => route.Properties.RouteKey === key)?.Properties.AuthorizationType;

    // Assess
    expect(links.map(routeKey).sort()).toEqual([
      "GET /links/funnel/{token}",
      "GET /links/leads/{id}/{token}",
      "POST /links/leads/{id}/{token}",
    ]);
    for (const route of links) {
      expect(authOf(routeKey(route))).toBe("NONE");
      const limits = ROUTE_THROTTLES[routeKey(route)];
      expect(limits?.rateLimit).toBeLessThan(DEFAULT_THROTTLE.rateLimit);
    }
    for (const key of ["GET /leads/{id}", "GET /leads", "GET /funnel", "GET /funnel/view", "DELETE /leads/{id}"]) {
      expect(authOf(key)).toBe("AWS_IAM");
    }
  });

  it("gives a sender the limit ripen:webhookThrottles names, and the others the default", () => {
    // Prepare
    const context = { "ripen:webhookThrottles": JSON.stringify({ hubspot: { rateLimit: 400, burstLimit: 800 } }) };

    // Act
    const built = synthRipen({ context }).stateless;
    const [, tuned] = resourceAt(built, "AWS::ApiGatewayV2::Stage", "/Api/DefaultStage/Resource");
    const settings = tuned.Properties.RouteSettings as Record<string, Record<string, number>>;

    // Assess
    expect(settings["POST /webhooks/hubspot"]).toEqual({ ThrottlingRateLimit: 400, ThrottlingBurstLimit: 800 });
    expect(settings["POST /webhooks/typeform"]).toEqual({
      ThrottlingRateLimit: SENDER_THROTTLE.rateLimit,
      ThrottlingBurstLimit: SENDER_THROTTLE.burstLimit,
    });
  });

  it("keeps the shared webhook route below any sender's own, for names no sender has", () => {
    // Prepare
    const shared = ROUTE_THROTTLES[WEBHOOK_ROUTE];

    // Assess
    expect(shared?.rateLimit).toBeLessThan(SENDER_THROTTLE.rateLimit);
    expect(shared?.burstLimit).toBeLessThan(SENDER_THROTTLE.burstLimit);
  });

  it("updates the stage after the routes its settings name", () => {
    // Prepare
    const routeIds = Object.keys(resourcesOfType(stateless, "AWS::ApiGatewayV2::Route"));

    // Assess
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it("writes JSON access logs with the request id and no source IP or user agent", () => {
    // Prepare
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    const [logsId] = resourceAt(stateless, "AWS::Logs::LogGroup", "/Api/AccessLogs/Resource");

    // Act
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(settings.DestinationArn).toEqual({ "Fn::GetAtt": [logsId, "Arn"] });
    expect(format.requestId).toBe("$context.requestId");
    expect(settings.Format).not.toMatch(/sourceIp|userAgent/);
  });

  it("refuses a public route nobody wrote a reason for", () => {
    // Prepare
    const stack = new Stack(new App(), "Api");
    const api = new RipenApi(stack, "Api", { logRetention: RetentionDays.ONE_WEEK });
    const handler = new LambdaFunction(stack, "Handler", {
      runtime: Runtime.NODEJS_22_X,
      handler: "index.handler",
      code: Code.fromInline("export const handler = async () => ({});"),
    });

    // Act
    const addOpenRoute = () =>
      api.addRoutes(new Map([["read", handler]]), [
        { method: "GET", path: "/export", function: "read", auth: "public" },
      ]);

    // Assess
    expect(addOpenRoute).toThrow(/no reason/);
  });
});
