import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { backoff, type RetryPolicy } from "#shared/application/pacing/retry";
import type { Item } from "./entities/item";

/** DynamoDB's limits per BatchGetItem and BatchWriteItem call. */
const GET_BATCH = 100;
const WRITE_BATCH = 25;
/** What a call leaves unprocessed is sent again after a jittered backoff: 8 calls in all, then the batch fails. */
const UNPROCESSED_RETRY: RetryPolicy = { attempts: 8, baseMs: 50, capMs: 1000 };

/**
 * Sends `requests` (one chunk) with `call`, then what each call leaves unprocessed, pausing before each
 * retry; fails when some are still left after UNPROCESSED_RETRY.attempts calls.
 */
async function untilProcessed<T>(call: string, unit: string, requests: T[], send: (pending: T[]) => Promise<T[]>) {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= UNPROCESSED_RETRY.attempts) throw new Error(`${call} left ${pending.length} ${unit} unprocessed`);
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoff(UNPROCESSED_RETRY, attempt - 1)));
    pending = await send(pending);
  }
}

function chunks<T>(values: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += size) result.push(values.slice(start, start + size));
  return result;
}

/** The capacity units a multi-item call (a batch, a transaction) consumed, over every table it touched. */
export function consumedUnits(capacity: readonly ConsumedCapacity[] | undefined): number {
  return (capacity ?? []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
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
    await untilProcessed("BatchGetItem", "keys", chunk, async (pending) => {
      const result = await client.send(
        new BatchGetItemCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent ?? false } },
          ...(options.onRead && { ReturnConsumedCapacity: "TOTAL" }),
        }),
      );
      options.onRead?.(consumedUnits(result.ConsumedCapacity));
      found.push(...(result.Responses?.[tableName] ?? []));
      return result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    });
  }
  return found;
}

/** Puts and deletes in batches of 25; unprocessed requests are retried. Not atomic across items. */
export async function batchWrite(client: DynamoDBClient, tableName: string, requests: readonly WriteRequest[]) {
  for (const chunk of chunks(requests, WRITE_BATCH)) {
    await untilProcessed("BatchWriteItem", "writes", chunk, async (pending) => {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      return result.UnprocessedItems?.[tableName] ?? [];
    });
  }
}
