import {
  type DynamoDBClient,
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
import { ErasedPersonError, VersionConflictError } from "#shared/application/ports/lead-store";
import type { Lead } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { batchGet } from "./batch";
import { ERASED_EVENT, EVENT, EVENT_PREFIX, eventItem, toEvent } from "./entities/event";
import { entityOf, IS_ABSENT, type Item, sortKeyOf } from "./entities/item";
import { LEAD, leadIdOfPk, leadItem, leadKey, leadPk, leadPutCondition, toLead } from "./entities/lead";
import { sqlReadyItem } from "./entities/sql-ready";
import { staleMarkerItem, staleMarkerKey } from "./entities/stale-marker";
import { TOMBSTONE, tombstoneKey } from "./entities/tombstone";
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
  /** The index of the check that the person has no tombstone: in a new lead's transaction, and in middle ones. */
  tombstoneIndex?: number;
  lead?: Lead;
}

/** HistoryImportStore over the single table: the partition read once, the change written in transactions of ≤ 100 items. */
export function dynamoHistoryImportStore(options: { client: DynamoDBClient; tableName: string }): HistoryImportStore {
  const { client, tableName } = options;
  const packer = transactionPacker(client);
  const probe = partitionProbe(client, tableName);
  return {
    async readForImport(leadId, options) {
      if (!options?.full && !(await probe.occupied(leadId))) {
        // No lead: a tombstone, if any, fails the new lead's commit (ErasedPersonError).
        return { lead: undefined, events: [], erasedKeys: new Set<string>(), erased: false };
      }
      // The whole partition in one Query: the lead, its events (and erased events' records) and the
      // tombstone. Not isolated from a concurrent commit: the import re-reads a lead that counts an event
      // the Query missed, and its commit is version-checked anyway.
      let lead: Lead | undefined;
      let erased = false;
      const events: StoredEvent[] = [];
      const erasedKeys = new Set<string>();
      const pages = queryPages(client, () => ({
        TableName: tableName,
        ...tablePartition(leadPk(leadId)),
        ConsistentRead: true,
      }));
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const entity = entityOf(item);
          if (entity === EVENT) events.push(toEvent(item));
          else if (entity === ERASED_EVENT) erasedKeys.add((sortKeyOf(item) ?? "").slice(EVENT_PREFIX.length));
          else if (entity === LEAD) lead = toLead(item);
          else if (entity === TOMBSTONE) erased = true;
        }
      }
      return { lead, events, erasedKeys, erased };
    },

    async commitImport(change, onCommitted) {
      const transactions = importTransactions(tableName, change);
      const [only] = transactions;
      if (transactions.length === 1 && only) {
        // A lead that fits one transaction shares it with other leads' (group commit).
        await packer.commit(only);
        onCommitted?.([...only.eventKeys.values()]);
        return only.lead ?? change.lead;
      }
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
      throw refusalOf(transaction, error.CancellationReasons ?? []) ?? error;
    }
  }
}

/** Leads whose existence one BatchGetItem checks: its limit of 100 keys, a lead key each. */
const PROBE_LEADS = 100;

/**
 * Whether a lead's partition holds its lead, asked for several leads at once: one strongly consistent
 * BatchGetItem (unprocessed keys retried) instead of a Query per lead, which on a fresh import finds
 * nothing. What else a partition without a lead may hold is met at the commit: events stored without it
 * (an import stopped between transactions; an erasure's records) fail their `attribute_not_exists` and
 * the import reads again in full; a tombstone fails the new lead's check on it (ErasedPersonError), which
 * the commit needs in any case, since an erasure may land between this check and the commit.
 */
function partitionProbe(client: DynamoDBClient, tableName: string) {
  const queue: { leadId: string; answer: (occupied: boolean) => void; failed: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) void check(queue.splice(0, PROBE_LEADS));
  };

  async function check(batch: typeof queue) {
    try {
      const keys = batch.map(({ leadId }) => leadKey(leadId));
      const found = new Set((await batchGet(client, tableName, keys, { consistent: true })).map(leadIdOfPk));
      for (const entry of batch) entry.answer(found.has(entry.leadId));
    } catch (error) {
      for (const entry of batch) entry.failed(error);
    }
  }

  return {
    occupied(leadId: string): Promise<boolean> {
      return new Promise((answer, failed) => {
        queue.push({ leadId, answer, failed });
        if (queue.length >= PROBE_LEADS) flush();
        else timer ??= setTimeout(flush, GATHER_MS);
      });
    },
  };
}

type Reason = { Code?: string | undefined };

/**
 * Why DynamoDB cancelled a lead's transaction, from the reasons for its items: the person was erased,
 * duplicates (named), its lead moved on, or another transaction on its items; undefined when none of its
 * items failed.
 */
function refusalOf(transaction: ImportTransaction, reasons: readonly Reason[]): Error | undefined {
  const failed = (index: number | undefined) =>
    index !== undefined && reasons[index]?.Code === "ConditionalCheckFailed";
  if (failed(transaction.tombstoneIndex)) return new ErasedPersonError("the person was erased during the import");
  const duplicates = [...transaction.eventKeys]
    .filter(([index]) => reasons[index]?.Code === "ConditionalCheckFailed")
    .map(([, key]) => key);
  if (duplicates.length > 0) return new DuplicateEventsError(duplicates);
  if (failed(transaction.leadIndex)) return new VersionConflictError("lead changed since the import read it");
  // Another transaction touched these items (a webhook on this lead): the same remedy.
  if (reasons.some((reason) => reason.Code === "TransactionConflict")) {
    return new VersionConflictError("concurrent transaction on this lead");
  }
  return reasons.some((reason) => reason.Code !== undefined && reason.Code !== "None")
    ? new Error(`the import's transaction was cancelled: ${reasons.map((reason) => reason.Code).join(", ")}`)
    : undefined;
}

interface Waiting {
  transaction: ImportTransaction;
  done: () => void;
  failed: (error: unknown) => void;
}

/** How long a lead's existence check or transaction waits for others to share it. */
const GATHER_MS = 2;

/**
 * Group commit: the single transactions of several leads sent as one TransactWriteItems of at most 100
 * items, since DynamoDB (and above all DynamoDB Local) spends more per transaction than per item.
 * Leads' items never overlap (each writes only its own partition and its own stale marker), so packing
 * changes no outcome: when DynamoDB cancels the shared transaction, each lead learns from the reasons for
 * its own items (a duplicate, its version moved on), and the leads whose items were all fine are sent
 * again without the failed ones.
 */
function transactionPacker(client: DynamoDBClient) {
  const queue: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;
  const size = (waiting: readonly Waiting[]) =>
    waiting.reduce((total, entry) => total + entry.transaction.items.length, 0);

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch: Waiting[] = [];
      while (queue.length > 0 && size(batch) + (queue[0]?.transaction.items.length ?? 0) <= MAX_TRANSACTION_ITEMS) {
        batch.push(queue.shift() as Waiting);
      }
      if (batch.length === 0) batch.push(queue.shift() as Waiting);
      void sendBatch(batch);
    }
  };

  async function sendBatch(batch: Waiting[]) {
    try {
      await client.send(
        new TransactWriteItemsCommand({ TransactItems: batch.flatMap((entry) => entry.transaction.items) }),
      );
      for (const entry of batch) entry.done();
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || batch.length === 1) {
        const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : undefined;
        const refusal = reasons && batch[0] ? refusalOf(batch[0].transaction, reasons) : undefined;
        for (const entry of batch) entry.failed(refusal ?? error);
        return;
      }
      const reasons = error.CancellationReasons ?? [];
      let offset = 0;
      const retry: Waiting[] = [];
      for (const entry of batch) {
        const own = reasons.slice(offset, offset + entry.transaction.items.length);
        offset += entry.transaction.items.length;
        const refusal = refusalOf(entry.transaction, own);
        if (refusal) entry.failed(refusal);
        else retry.push(entry);
      }
      if (retry.length === batch.length) {
        // No lead's own item failed, yet DynamoDB refused: nothing to learn by packing; each goes alone.
        for (const entry of retry) void sendBatch([entry]);
        return;
      }
      queue.unshift(...retry);
      flush();
    }
  }

  return {
    commit(transaction: ImportTransaction): Promise<void> {
      return new Promise<void>((done, failed) => {
        queue.push({ transaction, done, failed });
        if (size(queue) >= MAX_TRANSACTION_ITEMS) flush();
        else timer ??= setTimeout(flush, GATHER_MS);
      });
    },
  };
}

/**
 * The transactions of an import's change (see HistoryImportStore.commitImport): one when it fits,
 * otherwise a first one with the lead marked stale, middle ones of events, and a last one with the
 * transitions and the lead current one version later. Each event is written only if absent. A
 * ConditionCheck that the person has no tombstone goes with a new lead, and with every middle
 * transaction: those check no lead, and an erasure that emptied the partition meanwhile would otherwise
 * see their events land after it (a lead's own transactions are version-checked, and an erasure deletes
 * the lead, or finds what they wrote).
 */
export function importTransactions(tableName: string, change: ImportChange): ImportTransaction[] {
  const { lead, events, transitions } = change;
  const put = (Item: Item): TransactWriteItem => ({ Put: { TableName: tableName, Item } });
  const leadPut = (written: Lead, expected: number | undefined): TransactWriteItem => ({
    Put: { TableName: tableName, Item: leadItem(written), ...leadPutCondition(expected) },
  });
  const notErased: TransactWriteItem = {
    ConditionCheck: { TableName: tableName, Key: tombstoneKey(lead.leadId), ConditionExpression: IS_ABSENT },
  };
  const clearMarker: TransactWriteItem = { Delete: { TableName: tableName, Key: staleMarkerKey(lead.leadId) } };
  const withEvents = (transaction: ImportTransaction, chunk: readonly KeyedEvent[], version: number) => {
    for (const { event, key } of chunk) {
      transaction.eventKeys.set(transaction.items.length, key);
      const item = eventItem(lead.leadId, event, key, version);
      transaction.items.push({ Put: { TableName: tableName, Item: item, ConditionExpression: IS_ABSENT } });
    }
    return transaction;
  };
  /** A transaction opening with the lead (version-checked) and, for a new lead, the tombstone's check. */
  const opening = (written: Lead): ImportTransaction => {
    const transaction: ImportTransaction = {
      items: [leadPut(written, change.expectedVersion)],
      eventKeys: new Map(),
      leadIndex: 0,
    };
    if (change.expectedVersion === undefined) {
      transaction.tombstoneIndex = transaction.items.length;
      transaction.items.push(notErased);
    }
    return transaction;
  };
  const moves = transitions.map((transition) => put(transitionItem(transition)));
  if (change.sqlReady) moves.push(put(sqlReadyItem(change.sqlReady)));
  const checks = change.expectedVersion === undefined ? 1 : 0;

  const single = 1 + checks + events.length + moves.length + (change.clearStale ? 1 : 0);
  if (single <= MAX_TRANSACTION_ITEMS) {
    const only: ImportTransaction = { ...opening(lead), lead };
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
  const firstCount = MAX_TRANSACTION_ITEMS - 2 - checks;
  const rest = events.slice(firstCount);
  const lastCount = Math.min(rest.length, MAX_TRANSACTION_ITEMS - lastFixed);
  const middle = rest.slice(0, rest.length - lastCount);

  const first = opening(provisional);
  first.items.push(put(staleMarkerItem(lead.leadId)));
  const transactions = [withEvents(first, events.slice(0, firstCount), lead.version)];
  const middleCount = MAX_TRANSACTION_ITEMS - 1;
  for (let start = 0; start < middle.length; start += middleCount) {
    const chunk = middle.slice(start, start + middleCount);
    transactions.push(withEvents({ items: [notErased], eventKeys: new Map(), tombstoneIndex: 0 }, chunk, lead.version));
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
