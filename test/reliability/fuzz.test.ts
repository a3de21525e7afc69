import { ScanCommand } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SOURCES, type SourceName } from "#shared/domain/lead-event";
import { startRipen } from "#shared/local/runtime";
import { createTestTable, type TestTable } from "../support/dynamodb";
import { genericPayload } from "../support/generic";
import { fixture, senderHeaders, senderQuery, URL_TOKEN_SOURCES } from "../unit/sources/support";

vi.hoisted(() => {
  // Ten thousand refusals would each log a line; only errors are worth seeing here.
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
});

/**
 * 10,000 hostile or broken deliveries through the local HTTP server (the same handler modules as the
 * Lambdas): none may get a 5xx, and none may store anything.
 */
const SECRET = "reliability-fuzz-secret";
const REQUESTS_PER_RUN = 25;
const RUNS = 400;

let table: TestTable;
let ripen: Awaited<ReturnType<typeof startRipen>>;
/** What the local server says about a handler that failed: the cause of a 500. */
const failures: string[] = [];

beforeAll(async () => {
  table = await createTestTable("reliability-fuzz");
  ripen = await startRipen({
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    inMemory: true,
    // Every sender configured, so no delivery can end in 503 source_not_configured.
    env: Object.fromEntries(SOURCES.map((source) => [`RIPEN_SECRET_${source.toUpperCase()}`, SECRET])),
    pollIntervalMs: 1000,
    log: (line) => {
      if (line.includes("failed")) failures.push(line);
    },
  });
});

afterAll(async () => {
  await ripen?.stop();
  table?.client.destroy();
});

interface FuzzRequest {
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Documented deliveries, valid as they are: only a broken signature may keep them out. */
const SEEDS: Record<SourceName, () => string> = {
  typeform: () => fixture("typeform", "form-response"),
  tally: () => fixture("tally", "form-response"),
  webflow: () => fixture("webflow", "form-submission"),
  hubspot: () => fixture("hubspot", "workflow-contact"),
  zoom: () => fixture("zoom", "webinar-registration-created"),
  calendly: () => fixture("calendly", "invitee-created"),
  calcom: () => fixture("calcom", "booking-created"),
  gotowebinar: () => fixture("gotowebinar", "registrant-added"),
  livestorm: () => fixture("livestorm", "people-registered"),
  savvycal: () => fixture("savvycal", "event-created"),
  generic: () => JSON.stringify(genericPayload({ email: "fuzz@example.com" })),
};

const headerValue = fc.string({ maxLength: 80 }).map((text) => text.replace(/[^\x20-\x7e]/g, ""));
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const signedAs = (source: SourceName, body: string, options: { secret?: string; at?: Date } = {}) =>
  senderHeaders(source, options.secret ?? SECRET, body, {
    at: options.at ?? new Date(),
    url: `${ripen.url}/webhooks/${source}`,
  });
/** The path a sender calls: Livestorm and GoToWebinar carry their secret token in its query string. */
const pathOf = (source: SourceName, secret = SECRET) => {
  const query = senderQuery(source, secret);
  return `/webhooks/${source}${query ? `?${query}` : ""}`;
};
const source = fc.constantFrom(...SOURCES);

/** Anything: any path under /webhooks, headers, content type and bytes. */
const arbitrary: fc.Arbitrary<FuzzRequest> = fc.record({
  path: fc
    .oneof(
      source,
      fc.stringMatching(/^[a-z0-9_-]{0,12}$/),
      // Names every plain object answers to: once a 500 (the source table is an object).
      fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"),
    )
    .map((name) => `/webhooks/${name}`),
  headers: fc
    .tuple(
      fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
      fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", ""),
    )
    .map(([headers, type]) => ({ ...headers, ...(type && { "content-type": type }) })),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 1024 }),
    fc.json().map((json) => Buffer.from(json)),
    fc.string().map((text) => Buffer.from(text)),
  ),
});

/** Correctly signed, but not a delivery the sender's schema accepts. */
const signedJunk: fc.Arbitrary<FuzzRequest> = fc.tuple(source, fc.json()).map(([name, json]) => ({
  path: pathOf(name),
  headers: { "content-type": "application/json", ...signedAs(name, json) },
  body: Buffer.from(json),
}));

/** Senders whose signature covers a time (Typeform, Tally and Cal.com sign the body alone). */
const TIMED: ReadonlySet<SourceName> = new Set(["webflow", "hubspot", "zoom", "calendly", "generic"]);

/**
 * A valid delivery whose signature no longer holds: another secret, a changed byte, too old, or none. A URL
 * token signs no byte of the body and no time: for those senders it is the token that is wrong.
 */
const brokenSignature: fc.Arbitrary<FuzzRequest> = fc
  .tuple(source, fc.constantFrom("secret", "byte", "stale", "unsigned"), fc.nat())
  .map(([name, chosen, position]) => {
    const untimed = chosen === "stale" && !TIMED.has(name);
    const breakage = untimed || (chosen === "byte" && URL_TOKEN_SOURCES.has(name)) ? "secret" : chosen;
    const body = SEEDS[name]();
    const secret = breakage === "secret" ? `${SECRET}-not` : SECRET;
    const headers: Record<string, string> =
      breakage === "unsigned"
        ? {}
        : signedAs(name, body, { secret, ...(breakage === "stale" && { at: new Date(Date.now() - 3_600_000) }) });
    const bytes = Buffer.from(body);
    if (breakage === "byte") {
      const at = position % bytes.length;
      bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    }
    const path = breakage === "unsigned" ? `/webhooks/${name}` : pathOf(name, secret);
    return { path, headers: { "content-type": "application/json", ...headers }, body: bytes };
  });

/** Ripen's own format, correctly signed, with one field wrong. */
const invalidGeneric: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom<Record<string, unknown>>(
    { email: "not an email" },
    { type: "Not A Type" },
    { occurredAt: "yesterday" },
    { eventId: "" },
    { unexpected: true },
    { attributes: { nested: { deep: 1 } } },
  )
  .map((override) => {
    const body = JSON.stringify(genericPayload({ email: "fuzz-invalid@example.com", ...override }));
    return {
      path: "/webhooks/generic",
      headers: { "content-type": "application/json", ...signedAs("generic", body) },
      body: Buffer.from(body),
    };
  });

const anyRequest = fc.oneof(
  { arbitrary: arbitrary, weight: 4 },
  { arbitrary: signedJunk, weight: 3 },
  { arbitrary: brokenSignature, weight: 2 },
  { arbitrary: invalidGeneric, weight: 1 },
);

describe("10,000 fuzzed requests through the HTTP server", () => {
  it("get no 5xx, refuse in the contract's shape, and store nothing", async () => {
    // Prepare
    let sent = 0;
    const statuses = new Map<number, number>();

    // Act
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyRequest, { minLength: REQUESTS_PER_RUN, maxLength: REQUESTS_PER_RUN }),
        async (requests) => {
          const answers = await Promise.all(
            requests.map(async (request) => {
              const response = await fetch(`${ripen.url}${request.path}`, {
                method: "POST",
                headers: request.headers,
                body: request.body,
              });
              const text = await response.text();
              const sentAs = `${request.path} ${JSON.stringify(request.headers)} ${Buffer.from(request.body).toString("base64")}`;
              return { status: response.status, text, sentAs };
            }),
          );
          for (const { status, text, sentAs } of answers) {
            sent++;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            expect(status, `${text} for ${sentAs}; server: ${failures.join(" | ")}`).toBeLessThan(500);
            const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; leadId?: unknown };
            if (status >= 400)
              expect(body.error, text).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            else expect(body.leadId, text).toBeUndefined();
          }
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );

    // Assess
    expect(sent).toBe(REQUESTS_PER_RUN * RUNS);
    const scan = await table.client.send(new ScanCommand({ TableName: table.tableName, Select: "COUNT" }));
    expect(scan.Count).toBe(0);
    // The refusals span the contract: bad payloads, bad signatures, unknown sources, wrong media types.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 404, 415]));
  }, 300_000);
});
