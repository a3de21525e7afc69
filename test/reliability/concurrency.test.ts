import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import type { Lead } from "#shared/domain/lead";
import { loadEngine } from "#shared/runtime/scoring-model";
import { foldHistory } from "../../test/support/evaluate";
import type { AlertStub } from "../support/alert-stubs";
import { type AlertingRipen, startAlertingRipen } from "../support/alerting-ripen";
import type { TestTable } from "../support/dynamodb";
import { genericPayload } from "../support/generic";
import { leadIdOf } from "../support/pseudonyms";
import { deliver, postGeneric, storedLead } from "../support/webhook-sender";

vi.hoisted(() => {
  // Contention (503) is expected here; the handlers' logs would only bury the test output.
  process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
});

let table: TestTable;
let slack: AlertStub;
let ses: AlertStub;
let running: AlertingRipen;
const url = () => running.ripen.url;

beforeAll(async () => {
  running = await startAlertingRipen("reliability-concurrency");
  ({ table, slack, ses } = running);
});

afterAll(() => running?.stop());

const body = (overrides: Record<string, unknown>) => JSON.stringify(genericPayload(overrides));
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const settle = (ms = 1500) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events that only add points, so every order of arrival passes through forward moves only. */
function engagement(email: string, count: number, prefix: string): string[] {
  const kinds = [
    { type: "page.viewed", properties: { path: "/pricing" } },
    { type: "page.viewed", properties: { path: "/blog/scoring" } },
    { type: "webinar.attended", properties: { durationMinutes: 45 } },
    { type: "file.downloaded" },
    { type: "webinar.registered" },
  ];
  return Array.from({ length: count }, (_, index) =>
    body({
      email,
      eventId: `${prefix}-${index}`,
      occurredAt: minutesAgo(count - index),
      ...kinds[index % kinds.length],
    }),
  );
}

describe("concurrent deliveries", () => {
  it("the same webhook 10 times at once: one event, one transition, one Slack alert and one email", async () => {
    // Prepare: a form with budget and timeline; the demo then makes the lead sql (the model's startup rule).
    const email = "same-ten@example.com";
    const form = { type: "form.submitted", answers: { budget: "40k", timeline: "this quarter" } };
    await deliver(url, body({ email, eventId: "ten-form", occurredAt: minutesAgo(10), ...form }));
    const demo = body({ email, eventId: "ten-demo", occurredAt: minutesAgo(1), type: "demo.completed" });

    // Act
    const responses = await Promise.all(Array.from({ length: 10 }, () => postGeneric(url(), demo)));

    // Assess
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(responses.filter((response) => response.body.duplicate === false)).toHaveLength(1);
    expect(responses.every((response) => response.body.stage === "sql")).toBe(true);
    const stored = await storedLead(table, email);
    expect(stored.events.filter((event) => event.sourceEventId === "ten-demo")).toHaveLength(1);
    expect(stored.transitions.filter((transition) => transition.to === "sql")).toHaveLength(1);
    await vi.waitFor(() => expect(slack.delivered()).toHaveLength(1), { timeout: 15_000 });
    await vi.waitFor(() => expect(ses.delivered()).toHaveLength(1), { timeout: 15_000 });
    await settle();
    expect(slack.delivered()).toHaveLength(1);
    expect(ses.delivered()).toHaveLength(1);
  });

  it("50 different events for one lead at once: each stored once, and the score equals the sequential fold", async () => {
    // Prepare
    const email = "fifty@example.com";
    const bodies = engagement(email, 50, "fifty");

    // Act: all at once; a 503 (contention) is retried by the sender, as senders do.
    const deliveries = await Promise.all(bodies.map((each) => deliver(url, each, { attempts: 60, maxPauseMs: 4000 })));

    // Assess
    expect(deliveries.every((delivery) => delivery.final.status === 200)).toBe(true);
    const store = dynamoLeadStore({ client: table.client, tableName: table.tableName });
    const history = await store.loadHistory(leadIdOf(email), { consistent: true });
    const lead = history.lead as Lead;
    expect(history.events).toHaveLength(50);
    expect(new Set(history.events.map((event) => event.eventId)).size).toBe(50);
    expect(lead).toMatchObject({ eventCount: 50, version: 50 });

    const engine = loadEngine();
    const now = new Date(lead.updatedAt);
    let sequential: Lead | undefined;
    for (let count = 1; count <= history.events.length; count++) {
      const events = history.events.slice(0, count);
      sequential = foldHistory({ engine, leadId: lead.leadId, current: sequential, events, now }).lead;
    }
    expect(lead.score).toBe(sequential?.score);
    expect(lead.stage).toBe(sequential?.stage);
    expect(lead.bant).toEqual(sequential?.bant);

    // Every transition starts where the previous one ended: no lost or interleaved update.
    const { transitions } = await storedLead(table, email);
    for (const [index, transition] of transitions.entries()) {
      expect(transition.from).toBe(index === 0 ? null : transitions[index - 1]?.to);
    }
    expect(transitions.at(-1)?.to).toBe(lead.stage);
  }, 120_000);

  it("out-of-order delivery: the same events in order, reversed and shuffled give the same lead", async () => {
    // Prepare: three people, the same six events each (their own event ids), delivered in three orders.
    const journey = (email: string) =>
      engagement(email, 5, `order-${email}`).concat(
        body({
          email,
          eventId: `order-${email}-form`,
          occurredAt: minutesAgo(30),
          type: "form.submitted",
          answers: { budget: "25k", timeline: "next month", need: "faster follow-up" },
          attributes: { companySize: 300, jobTitle: "Head of Sales", industry: "software" },
        }),
      );
    const orders = {
      "in-order@example.com": (bodies: string[]) => bodies,
      "reversed@example.com": (bodies: string[]) => [...bodies].reverse(),
      "shuffled@example.com": (bodies: string[]) => [2, 5, 0, 3, 1, 4].map((index) => bodies[index] as string),
    };

    // Act
    for (const [email, order] of Object.entries(orders)) {
      for (const each of order(journey(email))) await deliver(url, each);
    }

    // Assess: the same stage, BANT, attributes and events; the score up to decay between the writes.
    const leads = await Promise.all(Object.keys(orders).map((email) => storedLead(table, email)));
    const [first, ...others] = leads.map((stored) => stored.lead as Record<string, unknown> & { score: number });
    for (const other of others) {
      for (const field of ["stage", "bant", "attributes", "eventCount", "fit"]) {
        expect(stripEventIds(other[field]), field).toEqual(stripEventIds(first?.[field]));
      }
      expect(other.score).toBeCloseTo(first?.score ?? Number.NaN, 1);
    }
  }, 60_000);
});

/** BANT items name the event they came from; each person's events have their own ids. */
function stripEventIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null).replace(/"eventId":"[^"]*"/g, '"eventId":"…"'));
}
