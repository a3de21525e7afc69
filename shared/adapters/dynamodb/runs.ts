import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { type RunStore, unstartedParts } from "#shared/application/ports/runs";
import { batchWrite } from "./batch";
import { IS_ABSENT, IS_PRESENT, itemKey } from "./entities/item";
import {
  CHANGE_PREFIX,
  changeItem,
  PART_PREFIX,
  partItem,
  partSk,
  pointerItem,
  RUN_SK,
  RUNS_PK,
  runItem,
  runPk,
  toChange,
  toPart,
  toRun,
} from "./entities/run";
import { queryAll, tablePartition } from "./query";

/** How long a run's items stay (they expire by the table's TTL): long enough to read what a run did. */
export const RUN_RETENTION_DAYS = 30;

/**
 * RunStore over the single table: a run's header, parts and changes in its own partition, and the
 * pointer from the work's key to its run. Every item carries `expiresAt`.
 */
export function dynamoRunStore(options: { client: DynamoDBClient; tableName: string }): RunStore {
  const { client, tableName } = options;

  const expiresAt = (createdAt: string) => Math.floor(Date.parse(createdAt) / 1000) + RUN_RETENTION_DAYS * 86_400;

  async function getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: itemKey(pk, sk), ConsistentRead: true }),
    );
    return result.Item && unmarshall(result.Item);
  }

  async function queryPrefix(runId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items = await queryAll(client, {
      TableName: tableName,
      ...tablePartition(runPk(runId), prefix),
      ConsistentRead: true,
    });
    return items.map((item) => unmarshall(item));
  }

  async function conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  const store: RunStore = {
    async open({ key, run, parts }) {
      for (;;) {
        const pointer = await getItem(RUNS_PK, key);
        const pointed = typeof pointer?.runId === "string" ? pointer.runId : undefined;
        if (pointed) {
          const existing = await store.get(pointed);
          const existingParts = existing ? await store.parts(pointed) : [];
          const finished = existingParts.length > 0 && existingParts.every((part) => part.done);
          // A refused run is over: the same work asked again (the model deployed since) is a new run.
          if (existing && !existing.refused && !finished) {
            return { run: existing, parts: existingParts, created: false };
          }
        }
        const created = unstartedParts(parts, run.createdAt);
        // Parts and header first, the pointer last: a run is found only once it is whole.
        await batchWrite(client, tableName, [
          ...created.map((part) => ({ PutRequest: { Item: partItem(run.runId, part, expiresAt(run.createdAt)) } })),
          { PutRequest: { Item: runItem(run, expiresAt(run.createdAt)) } },
        ]);
        const claimed = await conditional(() =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: pointerItem(key, run.runId, expiresAt(run.createdAt)),
              ...(pointed
                ? {
                    ConditionExpression: "runId = :pointed",
                    ExpressionAttributeValues: marshall({ ":pointed": pointed }),
                  }
                : { ConditionExpression: IS_ABSENT }),
            }),
          ),
        );
        if (claimed) return { run, parts: created, created: true };
        // Another starter got there first: its run is the one (ours expires unused).
      }
    },

    async get(runId) {
      const item = await getItem(runPk(runId), RUN_SK);
      return item && toRun(item);
    },

    async parts(runId) {
      return (await queryPrefix(runId, PART_PREFIX)).map(toPart);
    },

    async part(runId, part) {
      const item = await getItem(runPk(runId), partSk(part));
      return item && toPart(item);
    },

    async checkpoint(runId, next, expected) {
      return conditional(() =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            // Kept as long from its last page as the header is from the start: a run lasts hours, not weeks.
            Item: partItem(runId, next, expiresAt(next.updatedAt)),
            ConditionExpression: "ticket = :ticket AND page = :page",
            ExpressionAttributeValues: marshall({ ":ticket": expected.ticket, ":page": expected.page }),
          }),
        ),
      );
    },

    async handOver(runId, part, expected) {
      return conditional(() =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: itemKey(runPk(runId), partSk(part)),
            UpdateExpression: "SET ticket = :next",
            ConditionExpression: "ticket = :ticket AND page = :page",
            ExpressionAttributeValues: marshall({
              ":ticket": expected.ticket,
              ":page": expected.page,
              ":next": expected.ticket + 1,
            }),
          }),
        ),
      );
    },

    async refuse(runId, reason) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: itemKey(runPk(runId), RUN_SK),
          UpdateExpression: "SET refused = :reason",
          ConditionExpression: IS_PRESENT,
          ExpressionAttributeValues: marshall({ ":reason": reason }),
        }),
      );
    },

    async recordChanges(runId, changes) {
      const expires = expiresAt(new Date().toISOString());
      await batchWrite(
        client,
        tableName,
        changes.map((change) => ({ PutRequest: { Item: changeItem(runId, change, expires) } })),
      );
    },

    async changes(runId) {
      return (await queryPrefix(runId, CHANGE_PREFIX)).map(toChange);
    },
  };
  return store;
}
