import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AlertingRipen, startAlertingRipen } from "../support/alerting-ripen";
import { type TestTable, testEndpoint } from "../support/dynamodb";
import { type FaultProxy, type FaultRule, startFaultProxy } from "../support/fault-proxy";
import { genericPayload } from "../support/generic";
import { deliver, postGeneric, storedLead } from "../support/webhook-sender";

/**
 * DynamoDB unreachable, throttling or slow, between Ripen and the engine: the handlers' requests go
 * through a fault-injecting proxy; the assertions read the table directly, around it.
 */
vi.hoisted(() => {
  // The failures below are provoked; the handlers' logs would only bury the test output.
  process.env.POWERTOOLS_LOG_LEVEL = "CRITICAL";
});

let table: TestTable;
let proxy: FaultProxy;
let running: AlertingRipen;
const url = () => running.ripen.url;

beforeAll(async () => {
  proxy = await startFaultProxy(testEndpoint());
  running = await startAlertingRipen("reliability-faults", { endpoint: proxy.url });
  ({ table } = running);
});

afterEach(() => proxy.inject(undefined));

afterAll(async () => {
  await running?.stop();
  await proxy?.stop();
});

/** A first event for a new lead: it writes the lead, the event and a transition, all or nothing. */
const firstEvent = (email: string) =>
  JSON.stringify(
    genericPayload({
      email,
      eventId: `fault-${email}`,
      type: "form.submitted",
      answers: { budget: "10k" },
      properties: { formTitle: "Contact sales" },
    }),
  );

async function expectNothingStored(email: string): Promise<void> {
  const stored = await storedLead(table, email);
  expect({ lead: stored.lead, events: stored.events, transitions: stored.transitions }).toEqual({
    lead: undefined,
    events: [],
    transitions: [],
  });
}

async function expectStoredOnce(email: string): Promise<void> {
  const stored = await storedLead(table, email);
  expect(stored.events).toHaveLength(1);
  expect(stored.lead).toMatchObject({ eventCount: 1, version: 1 });
  expect(stored.transitions).toHaveLength(1);
}

const failures: [string, FaultRule][] = [
  ["connections dropped", { fault: { kind: "drop" } }],
  ["connections refused", { fault: { kind: "refuse" } }],
  ["ThrottlingException on every request", { fault: { kind: "throttle", code: "ThrottlingException" } }],
  [
    "ProvisionedThroughputExceededException on every request",
    { fault: { kind: "throttle", code: "ProvisionedThroughputExceededException" } },
  ],
  ["500 InternalServerError on every request", { fault: { kind: "internal" } }],
  ["the read works, the commit is throttled", { fault: { kind: "throttle" }, operations: ["TransactWriteItems"] }],
];

describe("DynamoDB unreachable or throttling", () => {
  it.each(failures)(
    "%s: 503 unavailable with retry-after, nothing stored, and the sender's retry is recorded once",
    async (name, rule) => {
      // Prepare
      const email = `${name.replace(/[^a-z]+/gi, "-").toLowerCase()}@example.com`;
      const body = firstEvent(email);
      proxy.inject(rule);

      // Act
      const failed = await postGeneric(url(), body);

      // Assess
      expect(failed).toEqual({
        status: 503,
        body: { error: { code: "unavailable", message: "temporarily unavailable, retry later" } },
        retryAfter: "5",
      });
      expect(proxy.faultsApplied()).toBeGreaterThan(0);
      await expectNothingStored(email);

      proxy.inject(undefined);
      const retried = await deliver(url, body);
      expect(retried.final).toMatchObject({ status: 200, body: { duplicate: false } });
      await expectStoredOnce(email);
    },
  );

  it("throttled for a moment: the SDK's own retries absorb it and the first delivery succeeds", async () => {
    const email = "throttled-twice@example.com";
    proxy.inject({ fault: { kind: "throttle" }, operations: ["TransactWriteItems"], times: 2 });

    const response = await postGeneric(url(), firstEvent(email));

    expect(response).toMatchObject({ status: 200, body: { duplicate: false } });
    expect(proxy.faultsApplied()).toBe(2);
    await expectStoredOnce(email);
  });

  it("a commit applied but its answer lost: the sender's retries end in one event, never two", async () => {
    // The engine applies the transaction; Ripen never hears back, so it cannot tell it happened.
    const email = "answer-lost@example.com";
    proxy.inject({ fault: { kind: "lose-answer" }, operations: ["TransactWriteItems"], times: 1 });

    const delivery = await deliver(url, firstEvent(email));

    expect(delivery.final.status).toBe(200);
    await expectStoredOnce(email);
  });

  it("a slow engine (every request held 1.5 s): slower, still one event", async () => {
    const email = "slow-engine@example.com";
    proxy.inject({ fault: { kind: "delay", ms: 1500 } });

    const response = await postGeneric(url(), firstEvent(email));

    expect(response).toMatchObject({ status: 200, body: { duplicate: false } });
    await expectStoredOnce(email);
  });
});
