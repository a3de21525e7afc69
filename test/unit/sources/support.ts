import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { signCalcom } from "#shared/adapters/sources/calcom";
import { signCalendly } from "#shared/adapters/sources/calendly";
import { signGeneric } from "#shared/adapters/sources/generic";
import { gotowebinarQuery } from "#shared/adapters/sources/gotowebinar";
import { signHubspot } from "#shared/adapters/sources/hubspot";
import { livestormQuery } from "#shared/adapters/sources/livestorm";
import { signSavvyCal } from "#shared/adapters/sources/savvycal";
import { signTally } from "#shared/adapters/sources/tally";
import { signTypeform } from "#shared/adapters/sources/typeform";
import { signWebflow } from "#shared/adapters/sources/webflow";
import { signZoom } from "#shared/adapters/sources/zoom";
import { ingestWebhook } from "#shared/application/ingest-webhook";
import type {
  SourceResult,
  VerifyContext,
  WebhookRequest,
  WebhookSource,
} from "#shared/application/ports/webhook-source";
import type { LeadEvent, LeadEventInput, SourceName } from "#shared/domain/lead-event";

export const NOW = new Date("2026-11-20T12:00:00.000Z");
export const TOLERANCE_SECONDS = 300;

/** A fixture as its vendor documents it (pretty-printed in the repository). */
export function fixtureText(vendor: string, name: string): string {
  return readFileSync(new URL(`../../fixtures/sources/${vendor}/${name}.json`, import.meta.url), "utf8");
}

/** A fixture as senders put it on the wire: compact, every number written exactly as in the file. */
export function fixture(vendor: string, name: string): string {
  return compactJson(fixtureText(vendor, name));
}

/** Drops whitespace outside strings; unlike JSON.stringify(JSON.parse(…)) it keeps big integers exact. */
export function compactJson(text: string): string {
  let out = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '"') {
      const start = index;
      for (index++; index < text.length && text[index] !== '"'; index++) if (text[index] === "\\") index++;
      out += text.slice(start, index + 1);
    } else if (!/\s/.test(char)) out += char;
  }
  return out;
}

export function webhookRequest(
  source: string,
  rawBody: string | Buffer,
  headers: Record<string, string>,
  options: { method?: string; rawQueryString?: string } = {},
): WebhookRequest {
  return {
    method: options.method ?? "POST",
    rawBody: Buffer.from(rawBody),
    headers: { "content-type": "application/json", ...headers },
    path: `/webhooks/${source}`,
    rawQueryString: options.rawQueryString ?? "",
  };
}

export function withHeader(request: WebhookRequest, name: string, value: string | undefined): WebhookRequest {
  const headers = { ...request.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...request, headers };
}

/** The request with one bit of one byte of the body flipped. */
export function withOneByteChanged(request: WebhookRequest, at = 10): WebhookRequest {
  const rawBody = Buffer.from(request.rawBody);
  rawBody[at] = (rawBody[at] ?? 0) ^ 1;
  return { ...request, rawBody };
}

export function context(secret: string, overrides: Partial<VerifyContext> = {}): VerifyContext {
  return { secret, now: NOW, toleranceSeconds: TOLERANCE_SECONDS, ...overrides };
}

/** Verifies, then maps: what the ingest use case does with a delivery. */
export function deliver(source: WebhookSource, request: WebhookRequest, verifyContext: VerifyContext): SourceResult {
  source.verify(request, verifyContext);
  return source.toEvents(request, verifyContext);
}

/** The single event a delivery maps to (fails the test when it maps to anything else). */
export function onlyEvent(result: SourceResult): LeadEventInput {
  if (result.kind !== "events") throw new Error(`expected events, got a ${result.status} reply`);
  expect(result.events).toHaveLength(1);
  return result.events[0] as LeadEventInput;
}

export function expectIgnored(result: SourceResult, reason: RegExp): void {
  expect(result).toMatchObject({ kind: "reply", status: 200, body: { ignored: true } });
  if (result.kind === "reply") expect((result.body as { reason: string }).reason).toMatch(reason);
}

/**
 * The headers each sender adds to a body signed with `secret` at `at`. HubSpot also signs the URL it
 * calls: `url` (query string included).
 */
export function senderHeaders(
  source: SourceName,
  secret: string,
  rawBody: string | Buffer,
  { at, url = "" }: { at: Date; url?: string },
): Record<string, string> {
  const seconds = Math.floor(at.getTime() / 1000);
  switch (source) {
    case "typeform":
      return signTypeform(secret, rawBody);
    case "tally":
      return signTally(secret, rawBody);
    case "webflow":
      return signWebflow(secret, rawBody, at.getTime());
    case "hubspot":
      return signHubspot(secret, { url, rawBody, timestampMs: at.getTime() });
    case "zoom":
      return signZoom(secret, rawBody, seconds);
    case "calendly":
      return signCalendly(secret, rawBody, seconds);
    case "calcom":
      return signCalcom(secret, rawBody);
    case "savvycal":
      return signSavvyCal(secret, rawBody);
    // Their secret travels in the URL (senderQuery), not in a header.
    case "gotowebinar":
    case "livestorm":
      return {};
    case "generic":
      return { "x-ripen-timestamp": String(seconds), "x-ripen-signature": signGeneric(secret, seconds, rawBody) };
  }
}

/** Senders that sign nothing: the secret is a token in the URL they call. */
export const URL_TOKEN_SOURCES: ReadonlySet<SourceName> = new Set(["gotowebinar", "livestorm"]);

/**
 * The query string a sender's URL carries ("" for senders that sign in headers): the secret token, and
 * for Livestorm the trigger the webhook was created for (people.registered unless given).
 */
export function senderQuery(
  source: SourceName,
  secret: string,
  trigger: Parameters<typeof livestormQuery>[1] = "people.registered",
): string {
  if (source === "gotowebinar") return gotowebinarQuery(secret);
  if (source === "livestorm") return livestormQuery(secret, trigger);
  return "";
}

/**
 * A valid body with 0xFF inside its first key, so that only decoding can refuse it, and the details of
 * that refusal (invalid_utf8, naming the byte's offset).
 */
export function notUtf8Body(body: string) {
  const firstKey = body.indexOf('"') + 1;
  const bytes = Buffer.concat([
    Buffer.from(body.slice(0, firstKey)),
    Buffer.from([0xff]),
    Buffer.from(body.slice(firstKey)),
  ]);
  const details = {
    issues: [{ path: "", code: "invalid_utf8", message: `byte 0xff at offset ${firstKey} is not valid UTF-8` }],
  };
  return { bytes, details };
}

/**
 * A delivery whose body is not UTF-8 (see notUtf8Body), taken by ingestWebhook: answered as the sender's
 * refusals are (a 200 that stores nothing, or an invalid_payload error), and nothing reaches the store.
 */
export async function expectNotUtf8Refused(
  spec: { source: WebhookSource; secret: string; publicUrl?: string | undefined },
  request: WebhookRequest,
  details: unknown,
): Promise<void> {
  const recorded: LeadEvent[] = [];
  const ingest = ingestWebhook({
    sources: { [spec.source.name]: spec.source },
    secrets: { get: async () => spec.secret },
    record: async (event) => {
      recorded.push(event);
      throw new Error("a refused body reached the store");
    },
    clock: () => NOW,
    toleranceSeconds: TOLERANCE_SECONDS,
    ...(spec.publicUrl !== undefined && { publicUrl: spec.publicUrl }),
    unsigned: new Set(),
  });
  const outcome = ingest(spec.source.name, request);
  if (spec.source.refusal === "acknowledge") {
    await expect(outcome).resolves.toEqual({
      statusCode: 200,
      body: { stored: false, refused: { code: "invalid_payload", message: "body is not valid UTF-8", details } },
      refused: "invalid_payload",
    });
  } else {
    await expect(outcome).rejects.toThrow(expect.objectContaining({ code: "invalid_payload", details }));
  }
  expect(recorded).toHaveLength(0);
}
