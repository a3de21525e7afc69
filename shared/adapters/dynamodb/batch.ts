import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "./items";

/** DynamoDB's limits per BatchGetItem and BatchWriteItem call. */
const GET_BATCH = 100;
const WRITE_BATCH = 25;
/** Unprocessed keys are retried with backoff this many times before the call fails. */
const UNPROCESSED_ATTEMPTS = 8;

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));

function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}

/** The capacity units a multi-item call (a batch, a transaction) consumed, over every table it touched. */
export function consumedUnits(capacity: readonly ConsumedCapacity[] | undefined): number {
  return (capacity ?? []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** Every item of a Query, following LastEvaluatedKey. */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ...(startKey && { ExclusiveStartKey: startKey }) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The items at these keys (missing ones are left out), in no particular order. Unprocessed keys are retried. */
export async function batchGet(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
  options: { consistent?: boolean; onRead?: (units: number) => void } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  for (const chunk of chunks(keys, GET_BATCH)) {
    let pending: Item[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
      if (attempt > 0) await pause(attempt);
      const result = await client.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent ?? false } },
          ...(options.onRead && { ReturnConsumedCapacity: "TOTAL" }),
        }),
      );
      options.onRead?.(consumedUnits(result.ConsumedCapacity));
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Puts and deletes in batches of 25; unprocessed requests are retried. Not atomic across items. */
export async function batchWrite(client: DynamoDBClient, tableName: string, requests: readonly WriteRequest[]) {
  for (const chunk of chunks(requests, WRITE_BATCH)) {
    let pending: WriteRequest[] = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= UNPROCESSED_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} writes unprocessed`);
      if (attempt > 0) await pause(attempt);
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
    }
  }
}
