import { randomBytes } from "node:crypto";
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { TombstoneReader } from "../../application/consent-gate";
import type { ErasureStore, PersonItem, TransitionStub } from "../../application/erase-lead";
import { batchWrite } from "./batch";
import { toFunnelTransition } from "./funnel-queries";
import { entityOf, type Item } from "./items";
import {
  erasedPk,
  erasureAuditPk,
  leadPk,
  stageShard,
  stalePk,
  TOMBSTONE_SK,
  transitionDayPk,
  transitionSk,
} from "./keys";
import { queryAll } from "./query";

/** An erased event's record: its key (a keyed hash of the sender's id) and nothing else. */
export const ERASED_EVENT = "erased-event";

/** 100 items per transaction: 50 stub puts with their 50 deletes. */
const PAIRS_PER_TRANSACTION = 50;
const MARSHALL = { removeUndefinedValues: true } as const;

function stubOf(item: Item): TransitionStub | undefined {
  if (entityOf(item) !== "transition") return undefined;
  const transition = toFunnelTransition(item);
  if (!transition) return undefined;
  const actor = unmarshall(item).actor as TransitionStub["actor"];
  return {
    from: transition.from,
    to: transition.to,
    at: transition.at,
    ...(actor && { actor: { type: actor.type, id: actor.id } }),
    ...(transition.source !== undefined && { source: transition.source }),
    ...(transition.campaign !== undefined && { campaign: transition.campaign }),
  };
}

/** A stub lives in its own partition and in the day index, exactly where the funnel reads transitions. */
function stubItem(anonymousId: string, stub: TransitionStub): Item {
  const stubId = `ts_${randomBytes(12).toString("hex")}`;
  return marshall(
    {
      pk: erasedPk(anonymousId),
      sk: transitionSk(stub.at, stubId),
      entity: "transition-stub",
      gsi3pk: transitionDayPk(stub.at),
      gsi3sk: `${stub.at}#${stubId}`,
      leadId: anonymousId,
      ...stub,
    },
    MARSHALL,
  );
}

/** The tombstone alone, for the write path's consent check (one GetItem). */
export function dynamoTombstones(options: { client: DynamoDBClient; tableName: string }): TombstoneReader {
  const { client, tableName } = options;
  return {
    async tombstoneOf(leadId) {
      const result = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: marshall({ pk: leadPk(leadId), sk: TOMBSTONE_SK }),
          ConsistentRead: true,
        }),
      );
      if (!result.Item) return undefined;
      const { erasedOn, erasedAt } = unmarshall(result.Item);
      return { leadId, erasedOn: String(erasedOn), ...(typeof erasedAt === "string" && { erasedAt }) };
    },
  };
}

/** Erasure over the single table: one Query for the person's partition, transactions and batches to empty it. */
export function dynamoErasureStore(options: { client: DynamoDBClient; tableName: string }): ErasureStore {
  const { client, tableName } = options;
  const key = (leadId: string, sk: string) => marshall({ pk: leadPk(leadId), sk });

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
    { Delete: { TableName: tableName, Key: key(leadId, item.key), ConditionExpression: "attribute_exists(pk)" } },
  ];

  return {
    ...dynamoTombstones(options),

    async personItems(leadId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId) }),
        ConsistentRead: true,
      });
      return items.flatMap((item): PersonItem[] => {
        const sk = item.sk?.S;
        if (!sk || sk === TOMBSTONE_SK || entityOf(item) === ERASED_EVENT) return [];
        const stub = stubOf(item);
        return [{ key: sk, entity: entityOf(item) ?? "unknown", ...(stub && { stub }) }];
      });
    },

    async putTombstone(tombstone) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall(
            { pk: leadPk(tombstone.leadId), sk: TOMBSTONE_SK, entity: "tombstone", ...tombstone },
            MARSHALL,
          ),
        }),
      );
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
        keys.map((sk) => ({ PutRequest: { Item: { ...key(leadId, sk), entity: { S: ERASED_EVENT } } } })),
      );
    },

    async deleteItems(leadId, keys) {
      await batchWrite(client, tableName, [
        ...keys.map((sk) => ({ DeleteRequest: { Key: key(leadId, sk) } })),
        // A stale-lead marker names the lead outside its partition: it goes too (deleting none is fine).
        { DeleteRequest: { Key: marshall({ pk: stalePk(stageShard(leadId)), sk: leadId }) } },
      ]);
    },

    async recordAudit(audit) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: marshall(
            {
              pk: erasureAuditPk(audit.at),
              sk: `${audit.at}#${audit.leadId}`,
              entity: "audit",
              action: "lead.erased",
              ...audit,
            },
            MARSHALL,
          ),
        }),
      );
    },
  };
}
