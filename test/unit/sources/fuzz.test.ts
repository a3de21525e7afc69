import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WEBHOOK_SOURCES } from "#shared/adapters/sources/index";
import { validEvents } from "#shared/application/ingest-webhook";
import type { WebhookRequest, WebhookSource } from "#shared/application/ports/webhook-source";
import { RipenError } from "#shared/domain/errors";
import type { SourceName } from "#shared/domain/lead-event";
import { context, fixtureText, NOW, senderHeaders, senderQuery, webhookRequest } from "./support";

const SECRET = "test-fuzz-secret";
const PUBLIC_URL = "https://api.example.com";
const verifyContext = context(SECRET, { publicUrl: PUBLIC_URL });

/** A request signed as each sender signs it (or carrying its URL token), as of NOW. */
const signed = (source: SourceName, body: string) =>
  webhookRequest(
    source,
    body,
    senderHeaders(source, SECRET, body, { at: NOW, url: `${PUBLIC_URL}/webhooks/hubspot` }),
    {
      rawQueryString: senderQuery(source, SECRET),
    },
  );

/** Documented payloads to mutate, so the fuzzing reaches past each envelope check. */
const SEEDS: Record<SourceName, readonly string[]> = {
  typeform: ["typeform/form-response"],
  tally: ["tally/form-response"],
  webflow: ["webflow/form-submission", "webflow/form-submission-v1"],
  hubspot: ["hubspot/workflow-contact", "hubspot/workflow-custom-body"],
  zoom: ["zoom/url-validation", "zoom/webinar-registration-created", "zoom/webinar-participant-left"],
  calendly: ["calendly/invitee-created", "calendly/invitee-no-show-created"],
  calcom: ["calcom/booking-created", "calcom/meeting-ended"],
  gotowebinar: ["gotowebinar/registrant-added", "gotowebinar/registrant-joined"],
  livestorm: ["livestorm/people-registered"],
  savvycal: ["savvycal/event-created", "savvycal/event-canceled"],
  generic: [],
};

const sources = Object.values(WEBHOOK_SOURCES) as WebhookSource[];
const headerNames = [...new Set(sources.flatMap((source) => Object.keys(signed(source.name, "{}").headers)))];

/** Runs a step; only Ripen's own errors (each a 4xx or 5xx the contract describes) may escape it. */
function onlyRipenErrors(step: () => unknown): void {
  try {
    step();
  } catch (error) {
    if (!(error instanceof RipenError)) throw error;
  }
}

/** Maps a verified delivery; every event produced must be one the ingest use case accepts. Counts them. */
function mapDelivery(source: WebhookSource, request: WebhookRequest): number {
  let mapped = 0;
  onlyRipenErrors(() => {
    const result = source.toEvents(request, verifyContext);
    // Validated as ingest validates them: a mapped event outside the bounds (a 1970 date) is a 400 too.
    if (result.kind === "events") mapped += validEvents(result.events, verifyContext.now).length;
  });
  return mapped;
}

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.constantFrom(..."0123456789abcdef=,tv") }),
);
const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((json) => Buffer.from(json)),
  anyText.map((text) => Buffer.from(text)),
);
const anyHeaders = fc
  .dictionary(fc.oneof(fc.constantFrom(...headerNames), fc.string()), anyText, { maxKeys: 6 })
  .map((headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])));

/** A seed with one value somewhere inside replaced by arbitrary JSON. */
function mutatedSeed(seed: string): fc.Arbitrary<string> {
  const [vendor = "", name = ""] = seed.split("/");
  const document: unknown = JSON.parse(fixtureText(vendor, name));
  const paths = pathsOf(document);
  return fc
    .tuple(fc.noBias(fc.nat({ max: paths.length - 1 })), fc.jsonValue())
    .map(([pick, value]) => JSON.stringify(replaceAt(document, paths[pick] ?? [], value)));
}

function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== "object" || value === null) return [at];
  const children = Object.entries(value).flatMap(([key, child]) =>
    pathsOf(child, [...at, Array.isArray(value) ? Number(key) : key]),
  );
  return [at, ...children];
}

function replaceAt(document: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(document) ? [...document] : { ...(document as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = replaceAt(copy[head], rest, value);
  return copy;
}

describe.each(sources.map((source) => [source.name, source] as const))("fuzzing %s", (name, source) => {
  it("throws nothing but Ripen's errors for arbitrary bodies and headers", () => {
    fc.assert(
      fc.property(anyBody, anyHeaders, fc.string(), (rawBody, headers, query) => {
        const request = { ...webhookRequest(name, rawBody, headers), rawQueryString: query };
        onlyRipenErrors(() => source.verify(request, verifyContext));
        mapDelivery(source, request);
      }),
      { numRuns: 300 },
    );
  });

  it("verifies validly signed arbitrary JSON and maps it without any other error", () => {
    fc.assert(
      fc.property(fc.json(), (body) => {
        const request = signed(name, body);
        expect(() => source.verify(request, verifyContext)).not.toThrow();
        mapDelivery(source, request);
      }),
      { numRuns: 300 },
    );
  });

  const seeds = SEEDS[name];
  if (seeds.length === 0) return;
  it("maps validly signed documented payloads with one value replaced: valid events or Ripen's errors", () => {
    let mapped = 0;
    fc.assert(
      fc.property(fc.oneof(...seeds.map(mutatedSeed)), (body) => {
        const request = signed(name, body);
        source.verify(request, verifyContext);
        mapped += mapDelivery(source, request);
      }),
      { numRuns: 500 },
    );
    // Many mutations leave a valid delivery: the property reached the mapping, not just the schemas.
    expect(mapped).toBeGreaterThan(25);
  });
});
