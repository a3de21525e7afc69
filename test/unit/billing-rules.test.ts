import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { billedUnits } from "#shared/bench/billing-rules";
import type { ConsumedUnits } from "#shared/bench/dynamodb";

type Item = Record<string, AttributeValue>;

const text = (value: string): AttributeValue => ({ S: value });
/** An item of about `bytes` bytes (as DynamoDB counts them) with the given keys. */
function item(keys: Record<string, string>, bytes = 300): Item {
  const base: Item = Object.fromEntries(Object.entries(keys).map(([name, value]) => [name, text(value)]));
  const used = Object.entries(keys).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
  return { ...base, d: { B: new Uint8Array(Math.max(0, bytes - used - 1)) } };
}
const lead = (stage: string, band: string, extra = 300) =>
  item(
    {
      pk: "LEAD#ld_1",
      sk: "LEAD",
      gsi1pk: `STAGE#${stage}#3`,
      gsi1sk: `${band}#ld_1`,
      gsi2pk: `STAGE#${stage}#3`,
      gsi2sk: "2026-12-01T00:00:00.000Z#ld_1",
      gsi3pk: "DOMAIN#example.com",
      gsi3sk: "ld_1",
    },
    extra,
  );
const event = (id: string) => item({ pk: "LEAD#ld_1", sk: `EVENT#generic:${id}` });
const transition = (id: string) =>
  item({ pk: "LEAD#ld_1", sk: `TRANSITION#2026-12-01T00:00:00.000Z#${id}`, gsi3pk: "TDAY#2026-12-01", gsi3sk: id });

function write(itemsWritten: Item[], options: Partial<ConsumedUnits> = {}): ConsumedUnits {
  return {
    operation: "TransactWriteItems",
    kind: "write",
    total: 0,
    table: 0,
    indexes: {},
    itemsRead: [],
    consistent: false,
    keysRequested: 0,
    itemsWritten,
    deletes: 0,
    ...options,
  };
}
function batchGet(itemsRead: Item[], keysRequested: number, consistent = false): ConsumedUnits {
  return { ...write([]), operation: "BatchGetItem", kind: "read", itemsRead, keysRequested, consistent };
}

describe("billedUnits: DynamoDB's billing rules over the requests made", () => {
  it("bills each key of a BatchGetItem, found or not: 0.5 eventually consistent, 1 consistent", () => {
    // Act
    const eventual = billedUnits([batchGet([lead("lead", "500000")], 2)]);
    const consistent = billedUnits([batchGet([lead("lead", "500000")], 2, true)]);
    const large = billedUnits([batchGet([lead("lead", "500000", 5000)], 2)]);

    // Assess
    expect(eventual.read).toBe(1);
    expect(consistent.read).toBe(2);
    expect(large.read).toBe(1.5);
  });

  it("doubles a transaction's table items and bills each new index entry once", () => {
    // Act: a new lead, its first event and its transition in one transaction
    const units = billedUnits([write([lead("lead", "500000"), event("e1"), transition("tr_1")])]);

    // Assess
    expect(units.tableWrite).toBe(6);
    expect(units.indexWrite).toEqual({ gsi1v2: 1, gsi2v2: 1, gsi3v2: 2 });
    expect(units.write).toBe(10);
  });

  it("bills no index entry when a lead is written again with the same index keys", () => {
    // Prepare: the lead as the write path read it
    const read = batchGet([lead("lead", "500000")], 2);

    // Act
    const units = billedUnits([read, write([lead("lead", "500000", 600), event("e2")])]);

    // Assess
    expect(units.tableWrite).toBe(4);
    expect(units.indexWrite).toEqual({});
    expect(units.write).toBe(4);
  });

  it("bills a moved index key twice (delete and put), and a KB step per started KB of each table item", () => {
    // Prepare
    const read = batchGet([lead("lead", "500000")], 2);

    // Act: to mql with a larger lead item (two KB steps)
    const units = billedUnits([read, write([lead("mql", "500004", 1500), event("e3"), transition("tr_2")])]);

    // Assess
    expect(units.tableWrite).toBe(2 * 2 + 2 + 2);
    expect(units.indexWrite).toEqual({ gsi1v2: 2, gsi2v2: 2, gsi3v2: 1 });
  });

  it("bills a standard write once per KB and its index entries once", () => {
    // Act
    const units = billedUnits([write([lead("lead", "500000")], { operation: "PutItem" })]);

    // Assess
    expect(units.tableWrite).toBe(1);
    expect(units.write).toBe(4);
  });

  it("bills a cancelled transaction's items, which DynamoDB does not report, and no index entry", () => {
    // Act
    const units = billedUnits([
      write([lead("lead", "500000"), event("e4")], { cancelled: "TransactionCanceledException" }),
    ]);

    // Assess
    expect(units.tableWrite).toBe(4);
    expect(units.indexWrite).toEqual({});
  });
});
