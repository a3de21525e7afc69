import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { TABLE } from "#shared/adapters/dynamodb/table-definition";
import type { ConsumedUnits } from "./dynamodb";
import { itemBytes } from "./item-size";

type Item = Record<string, AttributeValue>;

export interface BilledUnits {
  read: number;
  write: number;
  tableWrite: number;
  indexWrite: Record<string, number>;
}

/** DynamoDB adds this much to an index entry's size (keys and projected attributes) for its bookkeeping. */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;

/** Reads billed item by item (each rounded up to 4 KB, a key not found still billed one step). */
const PER_ITEM_READS = new Set(["GetItem", "BatchGetItem", "TransactGetItems"]);

/**
 * The units AWS bills for a sequence of requests, by its documented rules, from the items read and written:
 * - Query: 0.5 unit (eventually consistent) or 1 per started 4 KB of everything it returns, at least one step;
 * - GetItem / BatchGetItem: each key on its own, 0.5 or 1 unit per started 4 KB of its item, at least one
 *   step whether the item exists or not;
 * - a write 1 unit per started KB of the item, 2 inside a transaction (prepare + commit);
 * - an index entry written when its keys appear, or any projected attribute changes, twice (delete + put)
 *   when its keys change, nothing otherwise; 1 unit per started KB of the entry, inside a transaction too.
 *   The transaction's doubling is its two-phase protocol over the table items ("two underlying writes of
 *   every item: one to prepare, one to commit"); its changes reach the indexes afterwards ("after a
 *   transaction completes, its changes start propagating to global secondary indexes"), as any write's
 *   do. DynamoDB Local reports a transaction's index entries doubled, and a two-item transaction's table
 *   writes halved: neither is AWS's bill, so its figures are shown beside these, not taken instead;
 * - a cancelled transaction (DynamoDB returns no ConsumedCapacity then) still bills its items' write
 *   units; its index entries are never written;
 * - updates and deletes (whose items the request does not carry) as DynamoDB reported them, 2 units per
 *   delete of a cancelled transaction.
 * DynamoDB Local undercounts some transactions of several items, hence this second count.
 */
export function billedUnits(requests: readonly ConsumedUnits[]): BilledUnits {
  const known = new Map<string, Item>();
  const units: BilledUnits = { read: 0, write: 0, tableWrite: 0, indexWrite: {} };
  for (const request of requests) {
    if (request.kind === "read") {
      const step = request.consistent ? 1 : 0.5;
      if (PER_ITEM_READS.has(request.operation)) {
        const found = request.itemsRead.reduce((sum, item) => sum + Math.max(1, Math.ceil(itemBytes(item) / 4096)), 0);
        const missing = Math.max(0, (request.keysRequested ?? 0) - request.itemsRead.length);
        units.read += step * (found + missing);
      } else {
        const bytes = request.itemsRead.reduce((sum, item) => sum + itemBytes(item), 0);
        units.read += step * Math.max(1, Math.ceil(bytes / 4096));
      }
      for (const item of request.itemsRead) known.set(keyOf(item), item);
      continue;
    }
    const factor = request.operation === "TransactWriteItems" ? 2 : 1;
    if (request.itemsWritten.length === 0) {
      // An update or delete: its item is not in the request, so take what DynamoDB reported.
      units.tableWrite += request.cancelled ? factor * (request.deletes ?? 0) : request.total;
      continue;
    }
    if (request.cancelled) {
      for (const item of request.itemsWritten) units.tableWrite += factor * Math.ceil(itemBytes(item) / 1024);
      units.tableWrite += factor * (request.deletes ?? 0);
      continue;
    }
    for (const item of request.itemsWritten) {
      units.tableWrite += factor * Math.ceil(itemBytes(item) / 1024);
      const before = known.get(keyOf(item));
      for (const index of TABLE.indexes) {
        const writes = indexWrites(index, before, item);
        if (writes > 0) {
          const entry = Math.ceil(indexEntryBytes(index, item) / 1024);
          units.indexWrite[index.name] = (units.indexWrite[index.name] ?? 0) + writes * entry;
        }
      }
      known.set(keyOf(item), item);
    }
    // A delete inside a successful transaction (the stale marker cleared): DynamoDB's figure minus the puts'.
    if (request.deletes) units.tableWrite += factor * request.deletes;
  }
  units.write = units.tableWrite + Object.values(units.indexWrite).reduce((sum, value) => sum + value, 0);
  return units;
}

type Index = (typeof TABLE.indexes)[number];

function indexWrites(index: Index, before: Item | undefined, after: Item): number {
  const keyBefore = indexKey(index, before);
  const keyAfter = indexKey(index, after);
  if (keyBefore === undefined) return keyAfter === undefined ? 0 : 1;
  if (keyAfter === undefined) return 1;
  if (keyBefore !== keyAfter) return 2;
  const changed = index.projection.some(
    (name) => JSON.stringify(before?.[name] ?? null) !== JSON.stringify(after[name] ?? null),
  );
  return changed ? 1 : 0;
}

function indexKey(index: Index, item: Item | undefined): string | undefined {
  const partition = item?.[index.partitionKey]?.S;
  const sort = item?.[index.sortKey]?.S;
  return partition === undefined || sort === undefined ? undefined : `${partition}\u0000${sort}`;
}

function indexEntryBytes(index: Index, item: Item): number {
  const names = [TABLE.partitionKey, TABLE.sortKey, index.partitionKey, index.sortKey, ...index.projection];
  const entry: Item = {};
  for (const name of names) {
    const value = item[name];
    if (value) entry[name] = value;
  }
  return itemBytes(entry) + INDEX_ENTRY_OVERHEAD_BYTES;
}

function keyOf(item: Item): string {
  return `${item[TABLE.partitionKey]?.S}\u0000${item[TABLE.sortKey]?.S}`;
}
