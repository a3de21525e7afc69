import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { ErasureStore, PersonItem, TransitionStub } from "#shared/application/erase-lead";
import type { TombstoneReader } from "#shared/application/ports/tombstones";
import { batchWrite } from "./batch";
import { erasureAuditItem } from "./entities/erasure-audit";
import { ERASED_EVENT, erasedEventItem } from "./entities/event";
import { entityOf, IS_PRESENT, itemKey, sortKeyOf } from "./entities/item";
import { leadPk } from "./entities/lead";
import { staleMarkerKey } from "./entities/stale-marker";
import { TOMBSTONE_SK, tombstoneItem, tombstoneKey, toTombstone } from "./entities/tombstone";
import { stubItem, stubOf } from "./entities/transition-stub";
import { queryAll, tablePartition } from "./query";

/** 100 items per transaction: 50 stub puts with their 50 deletes. */
const PAIRS_PER_TRANSACTION = 50;

/** The tombstone alone, for the write path's consent check (one GetItem). */
export function dynamoTombstones(options: { client: DynamoDBClient; tableName: string }): TombstoneReader {
  const { client, tableName } = options;
  return {
    async tombstoneOf(leadId) {
      const result = await client.send(
        new GetItemCommand({ TableName: tableName, Key: tombstoneKey(leadId), ConsistentRead: true }),
      );
      return result.Item && toTombstone(leadId, result.Item);
    },
  };
}

/** Erasure over the single table: one Query for the person's partition, transactions and batches to empty it. */
export function dynamoErasureStore(options: { client: DynamoDBClient; tableName: string }): ErasureStore {
  const { client, tableName } = options;
  const key = (leadId: string, sk: string) => itemKey(leadPk(leadId), sk);

  async function transact(items: TransactWriteItem[]): Promise<boolean> {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }
  const pair = (leadId: string, anonymousId: string, item: PersonItem): TransactWriteItem[] => [
    { Put: { TableName: tableName, Item: stubItem(anonymousId, item.stub as TransitionStub) } },
    // Only if the transition is still there: a concurrent erasure may have replaced it already.
    { Delete: { TableName: tableName, Key: key(leadId, item.key), ConditionExpression: IS_PRESENT } },
  ];

  return {
    ...dynamoTombstones(options),

    async personItems(leadId) {
      const items = await queryAll(client, {
        TableName: tableName,
        ...tablePartition(leadPk(leadId)),
        ConsistentRead: true,
      });
      return items.flatMap((item): PersonItem[] => {
        const sk = sortKeyOf(item);
        if (!sk || sk === TOMBSTONE_SK || entityOf(item) === ERASED_EVENT) return [];
        const stub = stubOf(item);
        return [{ key: sk, entity: entityOf(item) ?? "unknown", ...(stub && { stub }) }];
      });
    },

    async putTombstone(tombstone) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: tombstoneItem(tombstone) }));
    },

    async replaceWithStubs(leadId, anonymousId, items) {
      let replaced = 0;
      for (let start = 0; start < items.length; start += PAIRS_PER_TRANSACTION) {
        const chunk = items.slice(start, start + PAIRS_PER_TRANSACTION);
        if (await transact(chunk.flatMap((item) => pair(leadId, anonymousId, item)))) {
          replaced += chunk.length;
          continue;
        }
        // Some transition was already gone: replace the others one pair at a time.
        for (const item of chunk) {
          if (await transact(pair(leadId, anonymousId, item))) replaced++;
        }
      }
      return replaced;
    },

    async replaceEventsWithRecords(leadId, keys) {
      // A put over the event's own key: the content goes and the key stays, with no moment without either.
      await batchWrite(
        client,
        tableName,
        keys.map((sk) => ({ PutRequest: { Item: erasedEventItem(leadId, sk) } })),
      );
    },

    async deleteItems(leadId, keys) {
      await batchWrite(client, tableName, [
        ...keys.map((sk) => ({ DeleteRequest: { Key: key(leadId, sk) } })),
        // A stale-lead marker names the lead outside its partition: it goes too (deleting none is fine).
        { DeleteRequest: { Key: staleMarkerKey(leadId) } },
      ]);
    },

    async recordAudit(audit) {
      await client.send(new PutItemCommand({ TableName: tableName, Item: erasureAuditItem(audit) }));
    },
  };
}
