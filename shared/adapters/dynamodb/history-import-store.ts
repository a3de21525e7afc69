import {
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DuplicateEventsError,
  type HistoryImportStore,
  type ImportChange,
  type KeyedEvent,
} from "#shared/application/ports/history-import";
import { VersionConflictError } from "#shared/application/ports/lead-store";
import type { Lead } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { ERASED_EVENT, EVENT, EVENT_PREFIX, eventItem, toEvent } from "./entities/event";
import { entityOf, IS_ABSENT, type Item, sortKeyOf } from "./entities/item";
import { leadItem, leadKey, leadPk, leadPutCondition, toLead } from "./entities/lead";
import { staleMarkerItem, staleMarkerKey } from "./entities/stale-marker";
import { transitionItem } from "./entities/transition";
import { queryPages, tablePartition } from "./query";

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** One TransactWriteItems of an import: its items, and which of them are events (by index) under which key. */
export interface ImportTransaction {
  items: TransactWriteItem[];
  eventKeys: Map<number, string>;
  /** The index of the version-checked lead, when the transaction writes it. */
  leadIndex?: number;
  lead?: Lead;
}

/** HistoryImportStore over the single table: the partition read once, the change written in transactions of ≤ 100 items. */
export function dynamoHistoryImportStore(options: { client: DynamoDBClient; tableName: string }): HistoryImportStore {
  const { client, tableName } = options;
  return {
    async readForImport(leadId) {
      // The lead first: every event it counts was committed before it, so the Query after it sees them.
      const read = await client.send(
        new GetItemCommand({ TableName: tableName, Key: leadKey(leadId), ConsistentRead: true }),
      );
      const lead = read.Item && toLead(read.Item);
      const events: StoredEvent[] = [];
      const erasedKeys = new Set<string>();
      const pages = queryPages(client, () => ({
        TableName: tableName,
        ...tablePartition(leadPk(leadId), EVENT_PREFIX),
        ConsistentRead: true,
      }));
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const entity = entityOf(item);
          if (entity === EVENT) events.push(toEvent(item));
          else if (entity === ERASED_EVENT) erasedKeys.add((sortKeyOf(item) ?? "").slice(EVENT_PREFIX.length));
        }
      }
      return { lead, events, erasedKeys };
    },

    async commitImport(change, onCommitted) {
      const transactions = importTransactions(tableName, change);
      for (const transaction of transactions) {
        await send(transaction);
        onCommitted?.([...transaction.eventKeys.values()]);
      }
      return transactions.at(-1)?.lead ?? change.lead;
    },
  };

  async function send(transaction: ImportTransaction) {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: transaction.items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const duplicates = [...transaction.eventKeys]
        .filter(([index]) => reasons[index]?.Code === "ConditionalCheckFailed")
        .map(([, key]) => key);
      if (duplicates.length > 0) throw new DuplicateEventsError(duplicates);
      const leadFailed =
        transaction.leadIndex !== undefined && reasons[transaction.leadIndex]?.Code === "ConditionalCheckFailed";
      if (leadFailed) throw new VersionConflictError("lead changed since the import read it");
      // Another transaction touched these items (a webhook on this lead): the same remedy.
      if (reasons.some((reason) => reason.Code === "TransactionConflict")) {
        throw new VersionConflictError("concurrent transaction on this lead");
      }
      throw error;
    }
  }
}

/**
 * The transactions of an import's change (see HistoryImportStore.commitImport): one when it fits,
 * otherwise a first one with the lead marked stale, middle ones of events, and a last one with the
 * transitions and the lead current one version later. Each event is written only if absent.
 */
export function importTransactions(tableName: string, change: ImportChange): ImportTransaction[] {
  const { lead, events, transitions } = change;
  const put = (Item: Item): TransactWriteItem => ({ Put: { TableName: tableName, Item } });
  const leadPut = (written: Lead, expected: number | undefined): TransactWriteItem => ({
    Put: { TableName: tableName, Item: leadItem(written), ...leadPutCondition(expected) },
  });
  const clearMarker: TransactWriteItem = { Delete: { TableName: tableName, Key: staleMarkerKey(lead.leadId) } };
  const withEvents = (transaction: ImportTransaction, chunk: readonly KeyedEvent[], version: number) => {
    for (const { event, key } of chunk) {
      transaction.eventKeys.set(transaction.items.length, key);
      const item = eventItem(lead.leadId, event, key, version);
      transaction.items.push({ Put: { TableName: tableName, Item: item, ConditionExpression: IS_ABSENT } });
    }
    return transaction;
  };
  const moves = transitions.map((transition) => put(transitionItem(transition)));

  const single = 1 + events.length + moves.length + (change.clearStale ? 1 : 0);
  if (single <= MAX_TRANSACTION_ITEMS) {
    const only: ImportTransaction = {
      items: [leadPut(lead, change.expectedVersion)],
      eventKeys: new Map(),
      leadIndex: 0,
      lead,
    };
    withEvents(only, events, lead.version);
    only.items.push(...moves);
    if (change.clearStale) only.items.push(clearMarker);
    return [only];
  }

  const lastFixed = 2 + moves.length;
  if (lastFixed >= MAX_TRANSACTION_ITEMS) {
    throw new Error(`an import of one lead holds at most ${MAX_TRANSACTION_ITEMS - 3} stage changes`);
  }
  const provisional: Lead = { ...lead, stale: true };
  const current: Lead = { ...lead, version: lead.version + 1 };
  const firstCount = MAX_TRANSACTION_ITEMS - 2;
  const rest = events.slice(firstCount);
  const lastCount = Math.min(rest.length, MAX_TRANSACTION_ITEMS - lastFixed);
  const middle = rest.slice(0, rest.length - lastCount);

  const first: ImportTransaction = {
    items: [leadPut(provisional, change.expectedVersion), put(staleMarkerItem(lead.leadId))],
    eventKeys: new Map(),
    leadIndex: 0,
  };
  const transactions = [withEvents(first, events.slice(0, firstCount), lead.version)];
  for (let start = 0; start < middle.length; start += MAX_TRANSACTION_ITEMS) {
    const chunk = middle.slice(start, start + MAX_TRANSACTION_ITEMS);
    transactions.push(withEvents({ items: [], eventKeys: new Map() }, chunk, lead.version));
  }
  const last: ImportTransaction = {
    items: [leadPut(current, lead.version)],
    eventKeys: new Map(),
    leadIndex: 0,
    lead: current,
  };
  withEvents(last, rest.slice(rest.length - lastCount), current.version);
  last.items.push(...moves, clearMarker);
  transactions.push(last);
  return transactions;
}
