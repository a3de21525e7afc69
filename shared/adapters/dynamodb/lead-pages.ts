import { type DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { LeadPages } from "#shared/application/ports/runs";
import type { Lead } from "#shared/domain/lead";
import { batchGet, consumedUnits } from "./batch";
import { entityOf, itemKey, SK } from "./entities/item";
import { LEAD, LEAD_SK, leadKey, toLead } from "./entities/lead";
import { leadIdOfStaleMarker, stalePk } from "./entities/stale-marker";
import { dynamoStageIndex } from "./lead-queries";
import { tablePartition } from "./query";

/** Items a Scan page reads (leads and everything else: events, transitions), at most 1 MB. */
export const SCAN_PAGE_ITEMS = 400;
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
 * no further read per lead); a stage shard or a stale shard reads keys, then the lead items in one
 * strongly consistent BatchGetItem. Positions are the last key read, as text.
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
    async read(source, after) {
      switch (source.from) {
        case "scan": {
          const page = await client.send(
            new ScanCommand({
              TableName: tableName,
              Segment: source.segment,
              TotalSegments: source.segments,
              FilterExpression: `${SK} = :lead`,
              ExpressionAttributeValues: marshall({ ":lead": LEAD_SK }),
              Limit: options.scanPageItems ?? SCAN_PAGE_ITEMS,
              ...(after && { ExclusiveStartKey: marshall(JSON.parse(after) as Record<string, string>) }),
              ...capacity,
            }),
          );
          onCapacity?.("scan", { read: page.ConsumedCapacity?.CapacityUnits ?? 0 });
          const leads = (page.Items ?? []).filter((item) => entityOf(item) === LEAD).map(toLead);
          const next = page.LastEvaluatedKey && JSON.stringify(unmarshall(page.LastEvaluatedKey));
          return next ? { leads, next } : { leads };
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
