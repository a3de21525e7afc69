import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type ReturnConsumedCapacity,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import {
  DuplicateEventError,
  type LeadChange,
  type LeadHistory,
  type LeadStore,
  VersionConflictError,
} from "../../application/ports";
import type { Lead, Transition } from "../../domain/lead";
import type { StoredEvent } from "../../domain/scoring";
import { entityOf, eventItem, type Item, leadItem, toEvent, toLead, toTransition, transitionItem } from "./items";
import { EVENT_PREFIX, LEAD_SK, leadPk, TRANSITION_PREFIX } from "./keys";

export interface DynamoLeadStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Ask DynamoDB for consumed capacity and report it (benchmarks). */
  onCapacity?: (operation: string, units: { read?: number; write?: number }) => void;
}

/**
 * LeadStore over the single table. A lead's partition holds the lead, its events and transitions;
 * one Query (sk from EVENT# up to LEAD) reads the lead and all its events, nothing else.
 */
export function dynamoLeadStore(options: DynamoLeadStoreOptions): LeadStore {
  const { client, tableName, onCapacity } = options;
  const capacity: { ReturnConsumedCapacity?: ReturnConsumedCapacity } = onCapacity
    ? { ReturnConsumedCapacity: "TOTAL" }
    : {};

  async function queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ ...input, ...capacity, ...(startKey && { ExclusiveStartKey: startKey }) }),
      );
      onCapacity?.("query", { read: page.ConsumedCapacity?.CapacityUnits ?? 0 });
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  return {
    async loadHistory(leadId, { consistent = false } = {}): Promise<LeadHistory> {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
        ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId), ":from": EVENT_PREFIX, ":to": LEAD_SK }),
        ConsistentRead: consistent,
      });
      let lead: Lead | undefined;
      const events: StoredEvent[] = [];
      for (const item of items) {
        const entity = entityOf(item);
        if (entity === "lead") lead = toLead(item);
        else if (entity === "event") events.push(toEvent(item));
      }
      return { lead, events };
    },

    async getLead(leadId) {
      const result = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: marshall({ pk: leadPk(leadId), sk: LEAD_SK }),
          ConsistentRead: true,
        }),
      );
      return result.Item ? toLead(result.Item) : undefined;
    },

    async listTransitions(leadId): Promise<Transition[]> {
      const items = await queryAll({
        TableName: tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: marshall({ ":pk": leadPk(leadId), ":prefix": TRANSITION_PREFIX }),
      });
      return items.map(toTransition);
    },

    async commit(change: LeadChange) {
      const { items, eventIndex, markerIndex } = transactionItems(tableName, change);
      try {
        const result = await client.send(new TransactWriteItemsCommand({ TransactItems: items, ...capacity }));
        const write = (result.ConsumedCapacity ?? []).reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
        onCapacity?.("commit", { write });
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (index: number | undefined) =>
          index !== undefined && reasons[index]?.Code === "ConditionalCheckFailed";
        if (failed(eventIndex) || failed(markerIndex)) throw new DuplicateEventError("already recorded");
        if (failed(0)) throw new VersionConflictError("lead changed since it was read");
        // TransactionConflict: another transaction touched these items; same remedy as a version conflict.
        if (reasons.some((reason) => reason.Code === "TransactionConflict")) {
          throw new VersionConflictError("concurrent transaction on this lead");
        }
        throw error;
      }
    },
  };
}

/** The transaction for a change: the lead first, then the event, transition and marker. */
function transactionItems(tableName: string, change: LeadChange) {
  const items: TransactWriteItem[] = [];
  const leadPut =
    change.expectedVersion === undefined
      ? { ConditionExpression: "attribute_not_exists(pk)" }
      : {
          ConditionExpression: "version = :expected",
          ExpressionAttributeValues: marshall({ ":expected": change.expectedVersion }),
        };
  items.push({ Put: { TableName: tableName, Item: leadItem(change.lead), ...leadPut } });
  let eventIndex: number | undefined;
  if (change.event) {
    eventIndex = items.length;
    items.push({
      Put: {
        TableName: tableName,
        Item: eventItem(change.lead.leadId, change.event),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    });
  }
  if (change.transition) {
    items.push({ Put: { TableName: tableName, Item: transitionItem(change.transition) } });
  }
  let markerIndex: number | undefined;
  if (change.marker) {
    markerIndex = items.length;
    const expiresAt = Math.floor(Date.parse(change.lead.updatedAt) / 1000) + change.marker.ttlSeconds;
    items.push({
      Put: {
        TableName: tableName,
        Item: marshall({
          pk: leadPk(change.lead.leadId),
          sk: `MARKER#${change.marker.key}`,
          entity: "marker",
          expiresAt,
        }),
        ConditionExpression: "attribute_not_exists(pk)",
      },
    });
  }
  return { items, eventIndex, markerIndex };
}
