import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { SourceName } from "#shared/domain/lead-event";
import { MAX_BODY_BYTES } from "#shared/edge/api-gateway";
import { type EdgeError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError } from "#shared/edge/errors";
import { internalErrorResponse, jsonResponse, refusalResponse } from "#shared/edge/http-errors";
import { openApiDocument } from "#shared/edge/openapi";
import { FUNCTIONS, type FunctionName, matchRoute, ROUTES } from "#shared/runtime/routes";
import { type AccessSettings, localAccess } from "./access";
import { newRequestId, type RouteMatch, splitTarget, toApiGatewayEvent, toHttpResponse } from "./api-gateway-event";
import { describeError } from "./describe-error";
import type { LambdaHandler } from "./handlers";
import { lambdaContext } from "./lambda-context";

export type HttpHandler = LambdaHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;

export interface HttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The handler of a function, by its name in FUNCTIONS. */
  handler: (name: FunctionName) => Promise<HttpHandler>;
  region: string;
  /** Lines name the route, never the raw path or query: those carry emails. */
  log: (line: string) => void;
  maxBodyBytes?: number;
  /** Who besides this machine may call which route; by default only local Host names, no token. */
  access?: AccessSettings;
}

export interface LocalHttpServer {
  url: string;
  port: number;
  /** Stops accepting, lets requests in progress finish, then closes every connection. */
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
export const OPENAPI_PATH = "/openapi.json";
/** Beyond this a sender is not sending a webhook; stop reading instead of draining it. */
const HARD_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * The local stand-in for the HTTP API: routes by ROUTES, turns each request into a payload v2 event,
 * calls the same handler module the Lambda runs and writes its result back. A handler that throws is
 * a 500 in the contract's shape, never a crashed server. Before any handler runs, the access rules
 * (access.ts) refuse foreign Host names, other sites' browsers and calls without the admin token, as
 * API Gateway's own domain and IAM authorization do in AWS.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const access = localAccess(options.access);
  let description: Record<string, unknown> | undefined;
  let port = options.port;
  const server = createServer((request, response) => {
    const method = request.method ?? "GET";
    const match = findRoute(method, request.url ?? "/");
    void serve(request, response, method, match).catch((error: unknown) => {
      options.log(`http: could not answer ${loggedRoute(method, match)}: ${describeError(error)}`);
      response.destroy();
    });
  });

  async function serve(
    request: IncomingMessage,
    response: ServerResponse,
    method: string,
    match: RouteLookup,
  ): Promise<void> {
    const startedAt = Date.now();
    const requestId = newRequestId();
    const send = (result: unknown, refused?: string) => {
      const { statusCode, headers, body } = toHttpResponse(result);
      response.writeHead(statusCode, { ...headers, "content-length": body.length, "apigw-requestid": requestId });
      response.end(body);
      const line = `http: ${loggedRoute(method, match)} ${statusCode} ${Date.now() - startedAt} ms`;
      options.log(refused ? `${line} ${refused}` : line);
    };
    // Refused here, before any handler, as the Lambdas refuse: the log line names the code.
    const refuse = (error: EdgeError) => send(refusalResponse(error), error.code);

    const refusal = access.refusal(
      {
        host: request.headers.host,
        origin: request.headers.origin,
        secFetchSite: request.headers["sec-fetch-site"],
        authorization: request.headers.authorization,
        serverPort: port,
      },
      match.kind === "found" ? match.match.route : undefined,
    );
    if (refusal) return refuse(refusal);
    // The API's description: served here only (in AWS it is a file, npm run openapi).
    if (method === "GET" && splitTarget(request.url ?? "/").rawPath === OPENAPI_PATH) {
      description ??= openApiDocument();
      return send(jsonResponse(200, description));
    }
    if (match.kind === "not_found") return refuse(new RouteNotFoundError("no route for this path"));
    if (match.kind === "method_not_allowed") return refuse(new MethodNotAllowedError(match.allow));
    const body = await readBody(request, maxBodyBytes);
    if (body === "too_large") return refuse(new PayloadTooLargeError(`the body limit is ${maxBodyBytes} bytes`));

    const event = toApiGatewayEvent(
      {
        method,
        url: request.url ?? "/",
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, "") ?? HOST,
        port,
        httpVersion: request.httpVersion,
      },
      match.match,
      { requestId, now: new Date(startedAt), region: options.region },
    );
    const name = match.match.route.function;
    let result: unknown;
    try {
      const handler = await options.handler(name);
      result = await handler(
        event,
        lambdaContext({ functionName: name, region: options.region, memoryMb: FUNCTIONS[name].memoryMb }),
      );
      if (result === undefined || result === null) throw new Error("the handler returned no response");
    } catch (error) {
      options.log(`http: ${name} failed on ${event.routeKey} (request ${requestId}): ${describeError(error)}`);
      result = internalErrorResponse();
    }
    send(result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} on ${HOST} is in use: set PORT to another port (0 picks a free one)`)
          : error,
      );
    });
    server.listen(port, HOST, () => resolve());
  });
  const address = server.address();
  port = typeof address === "object" && address ? address.port : port;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Keep-alive connections that stay busy past this get cut.
      setTimeout(() => server.closeAllConnections(), 5_000).unref();
    });
    return stopping;
  };
  return { url: `http://${HOST}:${port}`, port, stop };
}

type RouteLookup =
  | { kind: "found"; match: RouteMatch }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

function findRoute(method: string, url: string): RouteLookup {
  const { rawPath } = splitTarget(url);
  try {
    const found = matchRoute(method, rawPath);
    if (found.route) return { kind: "found", match: { route: found.route, pathParameters: found.pathParameters } };
    if (!found.pathMatched) return { kind: "not_found" };
    const methods = [...new Set(ROUTES.map((route) => route.method))];
    return { kind: "method_not_allowed", allow: methods.filter((other) => matchRoute(other, rawPath).route) };
  } catch {
    // A path parameter that is not valid percent-encoding cannot name anything.
    return { kind: "not_found" };
  }
}

/**
 * The body's exact bytes, or "too_large" as soon as it passes the limit. The rest of an oversized body
 * is read and discarded so the sender gets the 413 instead of a reset connection.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  if (Number(request.headers["content-length"] ?? 0) > limit) return Promise.resolve("too_large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > HARD_LIMIT_BYTES) request.destroy();
      if (size > limit) {
        chunks.length = 0;
        resolve("too_large");
      } else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
    request.on("close", () => {
      if (!request.complete) reject(new Error("the client closed the connection mid-body"));
    });
  });
}

/**
 * The request as the log shows it: the method and the route's template, never the raw path or query
 * (`/leads/ada@example.com`). A webhook's source is shown by name when it is one Ripen knows: a closed set.
 */
function loggedRoute(method: string, lookup: RouteLookup): string {
  if (lookup.kind !== "found") return `${method} (no route)`;
  const { route, pathParameters } = lookup.match;
  const source = SourceName.safeParse(pathParameters.source);
  return `${method} ${source.success ? route.path.replace("{source}", source.data) : route.path}`;
}
