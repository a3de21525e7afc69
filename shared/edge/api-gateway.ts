import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";
import { PayloadTooLargeError } from "./errors";

/** The largest webhook body Ripen accepts (documented in the README). */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The path parameters of a webhook: `{source}` from the generic route, or, on a sender's own route
 * (`POST /webhooks/typeform`, one per sender in AWS, each with its own throttle), the name its route key
 * ends with. The route key is the API's template, never the caller's path.
 */
export function webhookPathParameters(event: APIGatewayProxyEventV2): Record<string, string | undefined> | undefined {
  if (event.pathParameters?.source !== undefined) return event.pathParameters;
  const own = /^POST \/webhooks\/([^/{}]+)$/.exec(event.routeKey)?.[1];
  return own === undefined ? event.pathParameters : { source: own };
}

/** The request as the sender made it: exact body bytes, lower-cased headers, raw query string. */
export function webhookRequest(event: APIGatewayProxyEventV2): WebhookRequest {
  const rawBody = event.body ? Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8") : Buffer.alloc(0);
  if (rawBody.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`body is ${rawBody.length} bytes; the limit is ${MAX_BODY_BYTES}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return {
    method: event.requestContext.http.method,
    rawBody,
    headers,
    path: event.rawPath,
    rawQueryString: event.rawQueryString ?? "",
  };
}
