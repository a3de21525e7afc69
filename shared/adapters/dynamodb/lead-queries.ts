import { type DynamoDBClient, QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DomainIndex, LeadBatchReader, LeadSort, StageIndex } from "#shared/application/ports/lead-reads";
import type { Lead } from "#shared/domain/lead";
import { batchGet } from "./batch";
import { entityOf, primaryKey } from "./entities/item";
import {
  domainPk,
  LEAD,
  LEAD_SK,
  LEADS_BY_DOMAIN,
  LEADS_BY_ENTERED,
  LEADS_BY_SCORE,
  leadIdOfIndexKey,
  leadIdOfPk,
  leadKey,
  leadPk,
  STAGE_SHARDS,
  stagePk,
  toLead,
} from "./entities/lead";
import { partitionQuery, queryPages } from "./query";
import type { TableIndex } from "./table-definition";

/** gsi1 orders a stage's leads by score, gsi2 by time entered; both sharded by lead id. */
const STAGE_INDEXES: Record<LeadSort, TableIndex> = { score: LEADS_BY_SCORE, entered: LEADS_BY_ENTERED };

/** The Query input for one partition of an index. */
function indexPartition(tableName: string, index: TableIndex, pk: string) {
  return { TableName: tableName, IndexName: index.name, ...partitionQuery(index, pk) };
}

/**
 * The stage indexes. Each read is one Query on one shard's partition; the start key is rebuilt from
 * the sort key alone (it embeds the lead id), so positions stay small enough for a cursor.
 */
export function dynamoStageIndex(options: { client: DynamoDBClient; tableName: string }): StageIndex {
  const { client, tableName } = options;
  return {
    shards: STAGE_SHARDS,
    async read({ partition, sort, order, after, limit }) {
      const index = STAGE_INDEXES[sort];
      const pk = stagePk(partition.stage, partition.shard);
      const startKey = after && {
        ...primaryKey(leadPk(leadIdOfIndexKey(after)), LEAD_SK),
        [index.partitionKey]: pk,
        [index.sortKey]: after,
      };
      const result = await client.send(
        new QueryCommand({
          ...indexPartition(tableName, index, pk),
          ScanIndexForward: order === "asc",
          Limit: limit,
          ...(startKey && { ExclusiveStartKey: marshall(startKey) }),
        }),
      );
      const entries = (result.Items ?? []).flatMap((item) => {
        const sortKey = item[index.sortKey]?.S;
        const leadId = leadIdOfPk(item);
        return sortKey && leadId ? [{ sortKey, leadId }] : [];
      });
      return { entries, more: result.LastEvaluatedKey !== undefined };
    },
  };
}

/** Lead items by id with BatchGetItem, 100 keys a call. */
export function dynamoLeadBatchReader(options: { client: DynamoDBClient; tableName: string }): LeadBatchReader {
  const { client, tableName } = options;
  return {
    async getLeads(leadIds) {
      const keys = [...new Set(leadIds)].map(leadKey);
      const items = await batchGet(client, tableName, keys);
      const leads = new Map<string, Lead>();
      for (const item of items) {
        if (entityOf(item) !== LEAD) continue;
        const lead = toLead(item);
        leads.set(lead.leadId, lead);
      }
      return leads;
    },
  };
}

/** The company-domain index: lead ids under DOMAIN#<domain>, read page by page up to a limit. */
export function dynamoDomainIndex(options: { client: DynamoDBClient; tableName: string }): DomainIndex {
  const { client, tableName } = options;
  return {
    async leadIdsOf(domain, limit) {
      const leadIds: string[] = [];
      const pages = queryPages(client, () => ({
        ...indexPartition(tableName, LEADS_BY_DOMAIN, domainPk(domain)),
        // One more than asked for: finding it says the domain has more leads than the limit.
        Limit: limit + 1 - leadIds.length,
      }));
      for await (const page of pages) {
        for (const item of page.Items ?? []) {
          const leadId = leadIdOfPk(item);
          if (leadId) leadIds.push(leadId);
        }
        if (leadIds.length > limit) break;
      }
      return { leadIds: leadIds.slice(0, limit), truncated: leadIds.length > limit };
    },
  };
}
