import { randomBytes } from "node:crypto";
import type { OutgoingHttpHeaders } from "node:http";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { type Route, routeKey } from "#shared/runtime/routes";
import { LOCAL_ACCOUNT_ID } from "./lambda-context";

/** An HTTP request as it came off the socket. */
export interface RawRequest {
  method: string;
  /** The request target exactly as sent: path and query string. */
  url: string;
  /** Node's rawHeaders: names and values alternating, in order, names as sent. */
  rawHeaders: readonly string[];
  body: Buffer;
  sourceIp: string;
  /** The local server's port, for x-forwarded-port. */
  port: number;
  httpVersion: string;
}

export interface RouteMatch {
  route: Route;
  pathParameters: Record<string, string>;
}

/** Splits a request target into the raw path and the raw query string (without `?`). */
export function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const at = url.indexOf("?");
  return at === -1
    ? { rawPath: url, rawQueryString: "" }
    : { rawPath: url.slice(0, at), rawQueryString: url.slice(at + 1) };
}

/** An id in the shape API Gateway uses for `apigw-requestid`. */
export function newRequestId(): string {
  return randomBytes(11).toString("base64");
}

/**
 * The API Gateway HTTP API payload v2 event for a request: header names lower-cased and repeats joined
 * with commas, cookies moved to `cookies`, query parameters decoded and repeats joined with commas, and the
 * body base64-encoded so the handler sees the exact bytes that were sent.
 */
export function toApiGatewayEvent(
  request: RawRequest,
  match: RouteMatch,
  context: { requestId: string; now: Date; region: string },
): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitTarget(request.url);
  const { headers, cookies } = collectHeaders(request);
  const host = headers.host ?? `127.0.0.1:${request.port}`;
  const domainName = host.replace(/:\d+$/, "");
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${request.sourceIp}`
    : request.sourceIp;
  headers["x-forwarded-port"] = String(request.port);
  headers["x-forwarded-proto"] = "http";
  headers["x-amzn-trace-id"] ??= traceId(context.now);
  const queryStringParameters = parseQuery(rawQueryString);
  const key = routeKey(match.route);

  return {
    version: "2.0",
    routeKey: key,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    ...(Object.keys(match.pathParameters).length > 0 && { pathParameters: match.pathParameters }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: context.requestId,
      routeKey: key,
      stage: "$default",
      time: apiGatewayTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    ...(request.body.length > 0 && { body: request.body.toString("base64") }),
    isBase64Encoded: request.body.length > 0,
  };
}

function collectHeaders(request: RawRequest): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] ?? "").toLowerCase();
    const value = request.rawHeaders[index + 1] ?? "";
    if (name === "cookie") {
      cookies.push(...value.split(";").flatMap((cookie) => (cookie.trim() ? [cookie.trim()] : [])));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return { headers, cookies };
}

function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === "") return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, the request time format of API Gateway. */
function apiGatewayTime(now: Date): string {
  const two = (value: number) => String(value).padStart(2, "0");
  const date = `${two(now.getUTCDate())}/${MONTHS[now.getUTCMonth()]}/${now.getUTCFullYear()}`;
  return `${date}:${two(now.getUTCHours())}:${two(now.getUTCMinutes())}:${two(now.getUTCSeconds())} +0000`;
}

function traceId(now: Date): string {
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
}

export interface HttpResponse {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * How API Gateway turns a payload v2 result into a response: a structured result is taken as is
 * (cookies become set-cookie headers, a base64 body is decoded); anything else is a 200 JSON body.
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (isStructured(result)) {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
    if (result.cookies?.length) headers["set-cookie"] = result.cookies;
    const body = Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8");
    return { statusCode: result.statusCode, headers, body };
  }
  const body = typeof result === "string" ? result : JSON.stringify(result);
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body, "utf8") };
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 & { statusCode: number } {
  return (
    typeof result === "object" && result !== null && typeof (result as { statusCode?: unknown }).statusCode === "number"
  );
}
