import { RemovalPolicy } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { SOURCES } from "#shared/domain/lead-event";
import { ROUTES, type Route, routeKey } from "#shared/runtime/routes";
import { acknowledge } from "./nag";

/** Every route not listed below. Form tools deliver in bursts (a webinar ends, hundreds register). */
export const DEFAULT_THROTTLE: Required<ThrottleSettings> = { rateLimit: 50, burstLimit: 100 };

/** Each sender's own route, unless ripen:webhookThrottles names another limit for it. */
export const SENDER_THROTTLE: Required<ThrottleSettings> = { rateLimit: 50, burstLimit: 100 };

/** The route every sender shares in ROUTES; in AWS each known sender gets its own beside it. */
export const WEBHOOK_ROUTE = "POST /webhooks/{source}";

/** Per-route limits, by route key. */
export const ROUTE_THROTTLES: Record<string, Required<ThrottleSettings>> = {
  // Left to names no sender has (a typo, a probe): each sender is routed and throttled on its own route.
  [WEBHOOK_ROUTE]: { rateLimit: 5, burstLimit: 10 },
  // Unauthenticated and free to call: kept low so it cannot run up the bill.
  "GET /health": { rateLimit: 5, burstLimit: 10 },
  // A person at a browser: a few pages a minute each; low, so guessing tokens gets nowhere fast.
  "GET /links/leads/{id}/{token}": { rateLimit: 10, burstLimit: 20 },
  "POST /links/leads/{id}/{token}": { rateLimit: 5, burstLimit: 10 },
  "GET /links/funnel/{token}": { rateLimit: 5, burstLimit: 10 },
};

/**
 * Why a route may be called without IAM credentials, by path prefix. A public route whose path has no
 * reason here fails the synth: opening a route to the internet is a decision to write down.
 */
export const PUBLIC_ROUTE_REASONS: Record<string, string> = {
  "/webhooks/":
    "Webhook senders (Typeform, HubSpot, Zapier, ...) cannot sign requests with SigV4; the ingest function " +
    "verifies each sender's HMAC signature and timestamp on the raw body before anything is stored.",
  "/slack/":
    "Slack cannot sign requests with SigV4; the handler verifies the Slack signing secret (v0 HMAC and " +
    "timestamp) before acting.",
  "/links/":
    "People open lead and funnel pages from alert links in a browser, without AWS credentials: the token in the " +
    "path (HMAC-SHA256 over the lead id, scope, expiry and rep under the link key) is checked in constant time " +
    "before anything is read; actions are POSTs that also need the page's signed nonce; throttled.",
  "/health":
    "Liveness probe for uptime monitors: returns only status and model version, no lead data, and is throttled.",
};

/** Access log fields. No source IP or user agent: they are personal data and not needed to operate. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTimeEpoch",
    routeKey: "$context.routeKey",
    status: "$context.status",
    responseLength: "$context.responseLength",
    responseLatency: "$context.responseLatency",
    integrationStatus: "$context.integration.status",
    integrationLatency: "$context.integration.latency",
    integrationError: "$context.integration.error",
    errorMessage: "$context.error.message",
    caller: "$context.identity.userArn",
  }),
);

export interface RipenApiProps {
  logRetention: RetentionDays;
  /** A sender's own limit, by source name (ripen:webhookThrottles); SENDER_THROTTLE for the others. */
  senderThrottles?: Readonly<Record<string, Required<ThrottleSettings>>>;
}

/**
 * The routes as deployed: ROUTES, plus one route per known sender beside the shared webhook route, so one
 * noisy sender spends its own throttle and not the others'. Derived from SOURCES: a new sender gets its own.
 */
export function deployedRoutes(routes: readonly Route[] = ROUTES): Route[] {
  return routes.flatMap((route) =>
    routeKey(route) === WEBHOOK_ROUTE
      ? [route, ...SOURCES.map((source) => ({ ...route, path: route.path.replace("{source}", source) }))]
      : [route],
  );
}

/**
 * The HTTP API: one `$default` stage with throttling and JSON access logs. Routes come from ROUTES:
 * `iam` routes need SigV4-signed requests, public ones authenticate the sender in code.
 */
export class RipenApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  private readonly senderThrottles: Readonly<Record<string, Required<ThrottleSettings>>>;

  constructor(scope: Construct, id: string, props: RipenApiProps) {
    super(scope, id);
    this.senderThrottles = props.senderThrottles ?? {};
    this.httpApi = new HttpApi(this, "Http", {
      description: "Ripen: webhooks in, leads out",
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, "AccessLogs", {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, "DefaultStage", {
      httpApi: this.httpApi,
      stageName: "$default",
      autoDeploy: true,
      throttle: DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });
  }

  /** The URL senders post to. Only the API's id is referenced, so functions can take it without a cycle. */
  get url(): string {
    return this.stage.url;
  }

  /** The limit of a deployed route: its sender's, its own in ROUTE_THROTTLES, or the stage default. */
  throttleOf(route: Route): Required<ThrottleSettings> {
    const sender = /^\/webhooks\/([^/{}]+)$/.exec(route.path)?.[1];
    if (sender !== undefined) return this.senderThrottles[sender] ?? SENDER_THROTTLE;
    return ROUTE_THROTTLES[routeKey(route)] ?? DEFAULT_THROTTLE;
  }

  /** One route per deployed route (deployedRoutes), each integrated with its function. */
  addRoutes(handlers: ReadonlyMap<string, IFunction>, routes: readonly Route[] = deployedRoutes()): void {
    const integrations = new Map<string, HttpLambdaIntegration>();
    const authorizer = new HttpIamAuthorizer();
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

    for (const route of routes) {
      const handler = handlers.get(route.function);
      if (!handler) throw new Error(`route ${routeKey(route)} names function "${route.function}", which is not built`);
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.function}Integration`, handler);
        integrations.set(route.function, integration);
      }
      const [httpRoute] = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.auth === "iam" && { authorizer }),
      });
      if (!httpRoute) throw new Error(`no route created for ${routeKey(route)}`);
      if (route.auth === "public") acknowledge(httpRoute, "AwsSolutions-APIG4", publicRouteReason(route));

      const throttle = this.throttleOf(route);
      routeSettings[routeKey(route)] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      // Route settings name route keys: the stage must be updated after the routes exist.
      this.stage.node.addDependency(httpRoute);
    }
    (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
  }
}

function publicRouteReason(route: Route): string {
  const prefix = Object.keys(PUBLIC_ROUTE_REASONS).find((candidate) => route.path.startsWith(candidate));
  const reason = prefix === undefined ? undefined : PUBLIC_ROUTE_REASONS[prefix];
  if (!reason) {
    throw new Error(
      `public route ${routeKey(route)} has no reason in infra/api.ts PUBLIC_ROUTE_REASONS: say how callers are checked`,
    );
  }
  return reason;
}
