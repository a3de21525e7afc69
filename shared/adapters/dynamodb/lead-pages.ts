import { type DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { LeadPages } from "#shared/application/ports/runs";
import type { Lead } from "#shared/domain/lead";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { batchGet, consumedUnits } from "./batch";
import { EVENT, toEvent } from "./entities/event";
import { ENTITY, entityOf, type Item, itemKey, PK, SK } from "./entities/item";
import { LEAD, LEAD_SK, leadIdOfPk, leadKey, toLead } from "./entities/lead";
import { leadIdOfStaleMarker, stalePk } from "./entities/stale-marker";
import { dynamoStageIndex } from "./lead-queries";
import { tablePartition } from "./query";

/** Items a Scan page reads (leads and everything else: events, transitions), at most 1 MB. */
export const SCAN_PAGE_ITEMS = 400;
/** A Scan page's filter: the lead items alone (every item is still read and billed; no other crosses the wire). */
const LEADS_ONLY = { FilterExpression: `${SK} = :lead`, ExpressionAttributeValues: marshall({ ":lead": LEAD_SK }) };
/** The lead items and their events: what a replay needs, read in the same pass. */
const LEADS_AND_EVENTS = {
  FilterExpression: "#entity IN (:lead, :event)",
  ExpressionAttributeNames: { "#entity": ENTITY },
  ExpressionAttributeValues: marshall({ ":lead": LEAD, ":event": EVENT }),
};

/** Index entries (or stale markers) per page of the sweep. */
export const INDEX_PAGE = 100;

export interface DynamoLeadPagesOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Reports each request's consumed read capacity (a run's tally and its pace). */
  onCapacity?: (operation: string, units: { read?: number }) => void;
  /** Items a Scan page reads (default SCAN_PAGE_ITEMS). */
  scanPageItems?: number;
}

/**
 * The pages a run's parts read. A Scan segment reads the lead items themselves (filtered on `sk = LEAD`:
 * no further read per lead), and with `events` their events too (a rescore that replays); a stage shard
 * or a stale shard reads keys, then the lead items in one strongly consistent BatchGetItem. Positions are
 * the last key read, as text.
 */
export function dynamoLeadPages(options: DynamoLeadPagesOptions): LeadPages {
  const { client, tableName, onCapacity } = options;
  const index = dynamoStageIndex(options);
  const capacity = onCapacity ? ({ ReturnConsumedCapacity: "TOTAL" } as const) : {};

  async function leadsById(leadIds: readonly string[]): Promise<Lead[]> {
    if (leadIds.length === 0) return [];
    const items = await batchGet(client, tableName, leadIds.map(leadKey), {
      consistent: true,
      ...(onCapacity && { onRead: (read: number) => onCapacity("read", { read }) }),
    });
    return items.filter((item) => entityOf(item) === LEAD).map(toLead);
  }

  return {
    async read(source, after, read) {
      switch (source.from) {
        case "scan": {
          const page = await client.send(
            new ScanCommand({
              TableName: tableName,
              Segment: source.segment,
              TotalSegments: source.segments,
              ...(read?.events ? LEADS_AND_EVENTS : LEADS_ONLY),
              Limit: options.scanPageItems ?? SCAN_PAGE_ITEMS,
              ...(after && { ExclusiveStartKey: marshall(JSON.parse(after) as Record<string, string>) }),
              ...capacity,
            }),
          );
          onCapacity?.("scan", { read: page.ConsumedCapacity?.CapacityUnits ?? 0 });
          const next = page.LastEvaluatedKey && JSON.stringify(unmarshall(page.LastEvaluatedKey));
          const found = read?.events
            ? leadsWithEvents(page.Items ?? [], after && (JSON.parse(after) as Record<string, string>)[PK])
            : { leads: (page.Items ?? []).filter((item) => entityOf(item) === LEAD).map(toLead) };
          return next ? { ...found, next } : found;
        }
        case "stage": {
          const page = await index.read({
            partition: { stage: source.stage, shard: source.shard },
            sort: "entered",
            order: "asc",
            after,
            limit: INDEX_PAGE,
          });
          const leads = await leadsById(page.entries.map((entry) => entry.leadId));
          const last = page.entries.at(-1)?.sortKey;
          return page.more && last !== undefined ? { leads, next: last } : { leads };
        }
        case "stale": {
          const page = await client.send(
            new QueryCommand({
              TableName: tableName,
              ...tablePartition(stalePk(source.shard)),
              Limit: INDEX_PAGE,
              ...(after && { ExclusiveStartKey: itemKey(stalePk(source.shard), after) }),
              ...capacity,
            }),
          );
          onCapacity?.("query", { read: consumedUnits(page.ConsumedCapacity ? [page.ConsumedCapacity] : []) });
          const leadIds = (page.Items ?? []).flatMap((item) => leadIdOfStaleMarker(item) ?? []);
          const leads = await leadsById(leadIds);
          const next = page.LastEvaluatedKey && leadIdOfStaleMarker(page.LastEvaluatedKey);
          return next ? { leads, next } : { leads };
        }
      }
    },
  };
}

/**
 * The page's leads, and the events of each lead whose partition began on this page. A Scan segment holds
 * each partition whole, its items one after another in key order, events (`EVENT#…`) before the lead
 * (`LEAD`): a lead's events are on its page, unless its partition is the one the page before ended in
 * (`startedIn`: the partition key of the page before's last item read).
 */
function leadsWithEvents(
  items: readonly Item[],
  startedIn: string | undefined,
): { leads: Lead[]; events: Map<string, StoredEvent[]> } {
  const leads: Lead[] = [];
  const events = new Map<string, StoredEvent[]>();
  const first = items[0]?.[PK]?.S;
  const partial = first !== undefined && first === startedIn ? leadIdOfPk(items[0] as Item) : undefined;
  for (const item of items) {
    const leadId = leadIdOfPk(item);
    if (leadId === undefined) continue;
    if (entityOf(item) === LEAD) {
      leads.push(toLead(item));
      if (leadId !== partial) events.set(leadId, events.get(leadId) ?? []);
    } else if (leadId !== partial) {
      const read = events.get(leadId);
      if (read) read.push(toEvent(item));
      else events.set(leadId, [toEvent(item)]);
    }
  }
  return { leads, events };
}
