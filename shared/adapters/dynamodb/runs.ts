import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import {
  type LeadRun,
  type RunPart,
  type RunStore,
  type StageChange,
  unstartedParts,
} from "../../application/lead-runs";
import { batchWrite } from "./batch";
import type { Item } from "./items";
import { CHANGE_PREFIX, changeSk, PART_PREFIX, partSk, RUN_SK, RUNS_PK, runPk } from "./keys";
import { queryAll } from "./query";

/** How long a run's items stay (they expire by the table's TTL): long enough to read what a run did. */
export const RUN_RETENTION_DAYS = 30;

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;

/**
 * RunStore over the single table: a run's header, parts and changes in its own partition, and the
 * pointer from the work's key to its run. Every item carries `expiresAt`.
 */
export function dynamoRunStore(options: { client: DynamoDBClient; tableName: string }): RunStore {
  const { client, tableName } = options;

  const expiresAt = (createdAt: string) => Math.floor(Date.parse(createdAt) / 1000) + RUN_RETENTION_DAYS * 86_400;

  async function getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: marshall({ pk, sk }), ConsistentRead: true }),
    );
    return result.Item && unmarshall(result.Item);
  }

  async function queryPrefix(runId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items = await queryAll(client, {
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: marshall({ ":pk": runPk(runId), ":prefix": prefix }),
      ConsistentRead: true,
    });
    return items.map((item) => unmarshall(item));
  }

  const partItem = (runId: string, part: RunPart, createdAt: string): Item =>
    marshall(
      { pk: runPk(runId), sk: partSk(part.part), entity: "run-part", ...part, expiresAt: expiresAt(createdAt) },
      MARSHALL,
    );

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
          ...created.map((part) => ({ PutRequest: { Item: partItem(run.runId, part, run.createdAt) } })),
          {
            PutRequest: {
              Item: marshall(
                { pk: runPk(run.runId), sk: RUN_SK, entity: "run", ...run, expiresAt: expiresAt(run.createdAt) },
                MARSHALL,
              ),
            },
          },
        ]);
        const claimed = await conditional(() =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: marshall({
                pk: RUNS_PK,
                sk: key,
                entity: "run-pointer",
                runId: run.runId,
                expiresAt: expiresAt(run.createdAt),
              }),
              ...(pointed
                ? {
                    ConditionExpression: "runId = :pointed",
                    ExpressionAttributeValues: marshall({ ":pointed": pointed }),
                  }
                : { ConditionExpression: "attribute_not_exists(pk)" }),
            }),
          ),
        );
        if (claimed) return { run, parts: created, created: true };
        // Another starter got there first: its run is the one (ours expires unused).
      }
    },

    async get(runId) {
      const item = await getItem(runPk(runId), RUN_SK);
      if (!item) return undefined;
      const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...run } = item;
      return run as unknown as LeadRun;
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
            Item: partItem(runId, next, next.updatedAt),
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
            Key: marshall({ pk: runPk(runId), sk: partSk(part) }),
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
          Key: marshall({ pk: runPk(runId), sk: RUN_SK }),
          UpdateExpression: "SET refused = :reason",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: marshall({ ":reason": reason }),
        }),
      );
    },

    async recordChanges(runId, changes) {
      const expires = expiresAt(new Date().toISOString());
      await batchWrite(
        client,
        tableName,
        changes.map((change) => ({
          PutRequest: {
            Item: marshall(
              { pk: runPk(runId), sk: changeSk(change.leadId), entity: "run-change", ...change, expiresAt: expires },
              MARSHALL,
            ),
          },
        })),
      );
    },

    async changes(runId) {
      return (await queryPrefix(runId, CHANGE_PREFIX)).map((item) => {
        const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...change } = item;
        return change as unknown as StageChange;
      });
    },
  };
  return store;
}

function toPart(item: Record<string, unknown>): RunPart {
  const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expires, ...part } = item;
  return part as unknown as RunPart;
}
