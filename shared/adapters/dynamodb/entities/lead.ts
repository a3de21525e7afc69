import { createHash } from "node:crypto";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { decodeLead, encodeLead, type LeadBody } from "#shared/adapters/dynamodb/lead-codec";
import { indexNamed } from "#shared/adapters/dynamodb/table-definition";
import { isFreeMailDomain, type Lead, scoreBand } from "#shared/domain/lead";
import type { Stage } from "#shared/domain/stages";
import { entityItem, IS_ABSENT, type Item, itemKey, PK, packedBody, strip, unpackedBody } from "./item";

/**
 * The lead: pk LEAD#<leadId>, sk LEAD, the partition that holds everything about the person. Lead items
 * are indexed by stage (gsi1 by score band, gsi2 by time entered), sharded so one stage is never one
 * hot partition, and by company domain (gsi3; free-mail domains are no account).
 */
export const LEAD = "lead";

export const leadPk = (leadId: string) => `LEAD#${leadId}`;
export const LEAD_SK = "LEAD";
export const leadKey = (leadId: string): Item => itemKey(leadPk(leadId), LEAD_SK);
/** The lead id of any item in a lead's partition (or of a lead in an index). */
export const leadIdOfPk = (item: Item): string | undefined => item[PK]?.S?.slice(leadPk("").length);

/** A stage's leads, by score band and by time entered; a company domain's leads. */
export const LEADS_BY_SCORE = indexNamed("gsi1v2");
export const LEADS_BY_ENTERED = indexNamed("gsi2v2");
export const LEADS_BY_DOMAIN = indexNamed("gsi3v2");

export const STAGE_SHARDS = 8;

export function stageShard(leadId: string): number {
  return createHash("sha256").update(leadId).digest().readUInt32BE(0) % STAGE_SHARDS;
}
export const stagePk = (stage: Stage, shard: number) => `STAGE#${stage}#${shard}`;

/** Score bands sort as strings: offset so negative bands sort first, fixed width. */
export function bandSortKey(band: number, leadId: string): string {
  return `${String(Math.max(0, Math.min(999_999, band + 500_000))).padStart(6, "0")}#${leadId}`;
}
export const enteredSortKey = (enteredAt: string, leadId: string) => `${enteredAt}#${leadId}`;
export const domainPk = (domain: string) => `DOMAIN#${domain}`;

/** The stage index sort keys above end with `#<leadId>`. */
export const leadIdOfIndexKey = (sortKey: string) => sortKey.slice(sortKey.lastIndexOf("#") + 1);

/**
 * A lead item: its keys, the index keys, `version` (what the write path's condition checks) and the
 * lead with its snapshot packed in `d`. The score band, not the score, sorts the rep queue, and the
 * account index leaves free-mail domains out, so a webhook that moves no stage rewrites no index.
 */
export function leadItem(lead: Lead): Item {
  const shard = stageShard(lead.leadId);
  const { version, ...body } = lead;
  return {
    ...entityItem(LEAD, leadPk(lead.leadId), LEAD_SK, {
      [LEADS_BY_SCORE.partitionKey]: stagePk(lead.stage, shard),
      [LEADS_BY_SCORE.sortKey]: bandSortKey(lead.scoreBand ?? scoreBand(lead.score), lead.leadId),
      [LEADS_BY_ENTERED.partitionKey]: stagePk(lead.stage, shard),
      [LEADS_BY_ENTERED.sortKey]: enteredSortKey(lead.stageEnteredAt, lead.leadId),
      ...(!isFreeMailDomain(lead.domain) && {
        [LEADS_BY_DOMAIN.partitionKey]: domainPk(lead.domain),
        [LEADS_BY_DOMAIN.sortKey]: lead.leadId,
      }),
      version,
    }),
    ...packedBody(encodeLead(body)),
  };
}

export function toLead(item: Item): Lead {
  const body = unpackedBody<LeadBody>(item);
  if (!body) return strip<Lead>(unmarshall(item));
  return decodeLead(body, leadIdOfPk(item) ?? "", Number(item.version?.N));
}

/** A lead item's email alone, its snapshot left packed: what a read of every lead's history needs of it. */
export function leadEmailOf(item: Item): string {
  const body = unpackedBody<LeadBody>(item) ?? unmarshall(item);
  return String(body.email);
}

/**
 * The condition on a lead's put: the lead is new, or still at the version it was read with (optimistic
 * locking: a concurrent write makes the put fail, and the writer reads again).
 */
export function leadPutCondition(expectedVersion: number | undefined) {
  return expectedVersion === undefined
    ? { ConditionExpression: IS_ABSENT }
    : {
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: marshall({ ":expected": expectedVersion }),
      };
}
