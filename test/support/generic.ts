import { signGeneric } from "#shared/adapters/sources/generic";
import type { WebhookRequest } from "#shared/application/ports/webhook-source";

export const GENERIC_SECRET = "test-generic-secret";

/** A generic-source request signed as a sender would sign it. */
export function signedGenericRequest(
  body: string | Buffer | object,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
): WebhookRequest {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    method: "POST",
    rawBody,
    headers: {
      "content-type": "application/json",
      "x-ripen-timestamp": String(timestamp),
      "x-ripen-signature": signGeneric(options.secret ?? GENERIC_SECRET, timestamp, rawBody),
      ...options.headers,
    },
    path: "/webhooks/generic",
    rawQueryString: "",
  };
}

export function genericPayload(overrides: Record<string, unknown> = {}) {
  return {
    type: "form.submitted",
    eventId: `evt-${Math.random().toString(36).slice(2)}`,
    occurredAt: "2026-11-20T10:00:00Z",
    email: "ada@example.com",
    name: "Ada Example",
    company: "Example Ltd",
    ...overrides,
  };
}
