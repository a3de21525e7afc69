import { describe, expect, it } from "vitest";
import { importTransactions, MAX_TRANSACTION_ITEMS } from "#shared/adapters/dynamodb/history-import-store";
import { IMPORT_ACTOR } from "#shared/application/import-history";
import type { ImportChange } from "#shared/application/ports/history-import";
import { foldLead } from "#shared/domain/lead-fold";
import { loadEngine } from "#shared/runtime/scoring-model";
import { leadEvent } from "../support/events";
import { leadIdOf } from "../support/pseudonyms";

const engine = loadEngine();
const leadId = leadIdOf("ada@example.com");
const stored = (index: number) => ({
  ...leadEvent({ sourceEventId: `e-${index}` }),
  eventId: `generic:e-${index}`,
  receivedAt: "2026-11-20T12:00:00.000Z",
});
const folded = foldLead({ engine, leadId, current: undefined, event: stored(0), now: new Date() });
if (!folded?.transition) throw new Error("a first event moves the lead into the funnel");
const { lead, transition } = folded;

function change(events: number, transitions: number, clearStale: boolean): ImportChange {
  return {
    lead: { ...lead, version: 7 },
    expectedVersion: 3,
    events: Array.from({ length: events }, (_, index) => ({ event: stored(index), key: `k${index}` })),
    transitions: Array.from({ length: transitions }, (_, index) => ({
      ...transition,
      transitionId: `tr_${index}`,
      actor: IMPORT_ACTOR,
      quiet: true,
    })),
    clearStale,
  };
}

describe("importTransactions", () => {
  it("writes every event once, in transactions of at most 100 items, the lead checked first and last", () => {
    for (const events of [1, 96, 97, 98, 99, 100, 101, 150, 197, 198, 199, 250, 401]) {
      for (const transitions of [0, 1, 5]) {
        for (const clearStale of [false, true]) {
          // Act
          const transactions = importTransactions("t", change(events, transitions, clearStale));
          // Assess
          const context = `${events} events, ${transitions} transitions, clearStale ${clearStale}`;
          for (const transaction of transactions) {
            expect(transaction.items.length, context).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
          }
          const keys = transactions.flatMap((transaction) => [...transaction.eventKeys.values()]);
          expect(new Set(keys).size, context).toBe(events);
          expect(keys, context).toHaveLength(events);
          const first = transactions[0];
          const last = transactions.at(-1);
          expect(first?.items[0]?.Put?.ConditionExpression, context).toBe("version = :expected");
          expect(last?.leadIndex, context).toBe(0);
          const puts = transactions.flatMap((transaction) => transaction.items);
          const moves = puts.filter((item) => item.Put?.Item?.sk?.S?.startsWith("TRANSITION#"));
          expect(moves, context).toHaveLength(transitions);
          if (transactions.length === 1) expect(last?.lead?.version, context).toBe(7);
          else expect(last?.lead?.version, context).toBe(8);
        }
      }
    }
  });

  it("writes a lead too large for one transaction stale first, and current at the next version last", () => {
    // Act
    const transactions = importTransactions("t", change(250, 2, false));
    // Assess
    expect(transactions.length).toBeGreaterThan(2);
    const [first] = transactions;
    expect(first?.items[1]?.Put?.Item?.pk?.S).toMatch(/^STALE#/);
    const last = transactions.at(-1);
    expect(last?.lead).toMatchObject({ version: 8 });
    expect(last?.lead?.stale).toBeUndefined();
    expect(last?.items.at(-1)?.Delete?.Key?.pk?.S).toMatch(/^STALE#/);
    for (const middle of transactions.slice(1, -1)) expect(middle.leadIndex).toBeUndefined();
  });

  it("checks that the person has no tombstone beside a new lead and in every transaction that checks no lead", () => {
    for (const [events, expectedVersion] of [
      [3, undefined],
      [250, undefined],
      [3, 3],
      [250, 3],
    ] as const) {
      // Act
      const transactions = importTransactions("t", { ...change(events, 1, false), expectedVersion });
      // Assess
      const context = `${events} events, expected version ${expectedVersion}`;
      for (const [index, transaction] of transactions.entries()) {
        const creates = index === 0 && expectedVersion === undefined;
        const checked = creates || transaction.leadIndex === undefined;
        const check =
          transaction.tombstoneIndex === undefined ? undefined : transaction.items[transaction.tombstoneIndex];
        expect(check?.ConditionCheck, context).toMatchObject(
          checked ? { Key: { sk: { S: "TOMBSTONE" } }, ConditionExpression: "attribute_not_exists(pk)" } : {},
        );
        if (!checked) expect(transaction.tombstoneIndex, context).toBeUndefined();
        const checks = transaction.items.filter((item) => item.ConditionCheck);
        expect(checks, context).toHaveLength(checked ? 1 : 0);
        expect(transaction.items.length, context).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
      }
    }
  });
});
