import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type ReturnConsumedCapacity,
  TransactGetItemsCommand,
  type TransactGetItemsCommandOutput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DuplicateEventError,
  ErasedPersonError,
  type LeadChange,
  type LeadHistory,
  type LeadStore,
  VersionConflictError,
} from "#shared/application/ports/lead-store";
import type { Lead, Transition } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { batchGet, consumedUnits } from "./batch";
import { committedLeadVersion, EVENT, EVENT_PREFIX, eventItem, eventSk, toEvent } from "./entities/event";
import { entityOf, IS_ABSENT, type Item, itemKey } from "./entities/item";
import { LEAD, leadItem, leadKey, leadPk, leadPutCondition, STAGE_SHARDS, toLead } from "./entities/lead";
import { appliedOf, markerItem, markerKey } from "./entities/marker";
import { sqlReadyItem } from "./entities/sql-ready";
import { leadIdOfStaleMarker, staleMarkerItem, staleMarkerKey, stalePk } from "./entities/stale-marker";
import { tombstoneKey } from "./entities/tombstone";
import { TRANSITION_PREFIX, toTransition, transitionItem } from "./entities/transition";
import { queryAll, queryPages, tablePartition } from "./query";

export interface DynamoLeadStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Ask DynamoDB for consumed capacity and report it (benchmarks). */
  onCapacity?: (operation: string, units: { read?: number; write?: number }) => void;
}

/**
 * LeadStore over the single table. A lead's partition holds the lead (with its snapshot), its events
 * and transitions; ingest reads two keys of it (the lead and the new event's), never the whole partition.
 */
export function dynamoLeadStore(options: DynamoLeadStoreOptions): LeadStore {
  const { client, tableName, onCapacity } = options;
  const capacity: { ReturnConsumedCapacity?: ReturnConsumedCapacity } = onCapacity
    ? { ReturnConsumedCapacity: "TOTAL" }
    : {};

  async function queryEvents(leadId: string, consistent: boolean, limit = Number.POSITIVE_INFINITY) {
    const events: StoredEvent[] = [];
    const pages = queryPages(client, () => ({
      TableName: tableName,
      ...tablePartition(leadPk(leadId), EVENT_PREFIX),
      ConsistentRead: consistent,
      // One more than asked for: finding it says the history is longer than the limit.
      ...(Number.isFinite(limit) && { Limit: Math.min(1000, limit - events.length + 1) }),
      ...capacity,
    }));
    for await (const page of pages) {
      onCapacity?.("query", { read: page.ConsumedCapacity?.CapacityUnits ?? 0 });
      // An erased event's record shares the prefix: a person erased and recorded again has both.
      for (const item of page.Items ?? []) if (entityOf(item) === EVENT) events.push(toEvent(item));
      if (events.length > limit) break;
    }
    return events.length > limit ? { events: events.slice(0, limit), complete: false } : { events, complete: true };
  }

  /** Items read as one transaction: never half of another transaction's writes. */
  async function transactGet(keys: Item[]): Promise<(Item | undefined)[]> {
    let result: TransactGetItemsCommandOutput;
    try {
      result = await client.send(
        new TransactGetItemsCommand({
          TransactItems: keys.map((Key) => ({ Get: { TableName: tableName, Key } })),
          ...capacity,
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        throw new VersionConflictError("a transaction on this lead is in flight");
      }
      throw error;
    }
    onCapacity?.("read", { read: consumedUnits(result.ConsumedCapacity) });
    return (result.Responses ?? []).map((response) => response.Item);
  }

  async function getLead(leadId: string, consistent = true): Promise<Lead | undefined> {
    const result = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: leadKey(leadId),
        ConsistentRead: consistent,
        ...capacity,
      }),
    );
    onCapacity?.("get", { read: result.ConsumedCapacity?.CapacityUnits ?? 0 });
    return result.Item ? toLead(result.Item) : undefined;
  }

  return {
    async readForEvent(leadId, eventKey, { consistent = false, isolated = false } = {}) {
      const keys = [leadKey(leadId), itemKey(leadPk(leadId), eventSk(eventKey))];
      if (isolated) {
        const [lead, event] = await transactGet(keys);
        return { lead: lead && toLead(lead), recorded: event !== undefined };
      }
      const items = await batchGet(client, tableName, keys, {
        consistent,
        ...(onCapacity && { onRead: (read: number) => onCapacity("read", { read }) }),
      });
      const lead = items.find((item) => entityOf(item) === LEAD);
      const event = items.find((item) => item !== lead);
      const committedWith = event && committedLeadVersion(event);
      return {
        lead: lead && toLead(lead),
        recorded: event !== undefined,
        ...(committedWith !== undefined && { committedWith }),
      };
    },

    async readForAction(leadId, actionKey) {
      // Transactional: a BatchGetItem may see the lead of a rep action's transaction without its marker.
      const [lead, marker] = await transactGet([leadKey(leadId), markerKey(leadId, actionKey)]);
      return { lead: lead && toLead(lead), ...(marker && { applied: appliedOf(marker) }) };
    },

    async loadEvents(leadId, { consistent = false, limit }) {
      return queryEvents(leadId, consistent, limit);
    },

    async loadHistory(leadId, { consistent = false } = {}): Promise<LeadHistory> {
      // The lead first: every event it counts was committed before it, so the Query after it sees them.
      const lead = await getLead(leadId, consistent);
      if (!lead) return { lead, events: [] };
      return { lead, events: (await queryEvents(leadId, consistent)).events };
    },

    async listStale(limit) {
      const leadIds: string[] = [];
      for (let shard = 0; shard < STAGE_SHARDS && leadIds.length < limit; shard++) {
        const page = await client.send(
          new QueryCommand({ TableName: tableName, ...tablePartition(stalePk(shard)), Limit: limit - leadIds.length }),
        );
        for (const item of page.Items ?? []) {
          const leadId = leadIdOfStaleMarker(item);
          if (leadId) leadIds.push(leadId);
        }
      }
      return leadIds;
    },

    getLead: (leadId) => getLead(leadId),

    async listTransitions(leadId): Promise<Transition[]> {
      const items = await queryAll(client, {
        TableName: tableName,
        ...tablePartition(leadPk(leadId), TRANSITION_PREFIX),
      });
      return items.map(toTransition);
    },

    async commit(change: LeadChange) {
      const { items, eventIndex, markerIndex, tombstoneIndex } = transactionItems(tableName, change);
      try {
        const result = await client.send(new TransactWriteItemsCommand({ TransactItems: items, ...capacity }));
        onCapacity?.("commit", { write: consumedUnits(result.ConsumedCapacity) });
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failed = (index: number | undefined) =>
          index !== undefined && reasons[index]?.Code === "ConditionalCheckFailed";
        if (failed(tombstoneIndex)) throw new ErasedPersonError("the person was erased before the commit");
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

/**
 * The transaction for a change: the lead first, then the check that the person has no tombstone (when
 * asked), the event, transition, wait for review and marker.
 */
function transactionItems(tableName: string, change: LeadChange) {
  const { lead } = change;
  const items: TransactWriteItem[] = [
    { Put: { TableName: tableName, Item: leadItem(lead), ...leadPutCondition(change.expectedVersion) } },
  ];
  let tombstoneIndex: number | undefined;
  if (change.unlessErased) {
    tombstoneIndex = items.length;
    items.push({
      ConditionCheck: { TableName: tableName, Key: tombstoneKey(lead.leadId), ConditionExpression: IS_ABSENT },
    });
  }
  let eventIndex: number | undefined;
  if (change.event) {
    if (change.eventKey === undefined) throw new Error("an event is stored under its key: LeadChange.eventKey");
    eventIndex = items.length;
    const event = eventItem(lead.leadId, change.event, change.eventKey, lead.version);
    items.push({ Put: { TableName: tableName, Item: event, ConditionExpression: IS_ABSENT } });
  }
  if (change.transition) {
    items.push({ Put: { TableName: tableName, Item: transitionItem(change.transition) } });
  }
  // Not conditional: the key is the wait's, so writing it again replaces it (never a second INSERT).
  if (change.sqlReady) items.push({ Put: { TableName: tableName, Item: sqlReadyItem(change.sqlReady) } });
  let markerIndex: number | undefined;
  if (change.marker) {
    markerIndex = items.length;
    const expiresAt = Math.floor(Date.parse(lead.updatedAt) / 1000) + change.marker.ttlSeconds;
    const marker = markerItem(lead.leadId, change.marker.key, lead.updatedAt, expiresAt);
    items.push({ Put: { TableName: tableName, Item: marker, ConditionExpression: IS_ABSENT } });
  }
  if (change.stale) {
    items.push(
      change.stale === "mark"
        ? { Put: { TableName: tableName, Item: staleMarkerItem(lead.leadId) } }
        : { Delete: { TableName: tableName, Key: staleMarkerKey(lead.leadId) } },
    );
  }
  return { items, eventIndex, markerIndex, tombstoneIndex };
}
