import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Tombstone } from "#shared/application/ports/tombstones";
import { entityItem, type Item, itemKey } from "./item";
import { leadPk } from "./lead";

/**
 * Left by an erasure in the person's partition: pk LEAD#<leadId>, sk TOMBSTONE. When, and nothing about
 * who; the write path reads it (one GetItem) before it creates a lead for an erased person again.
 */
export const TOMBSTONE = "tombstone";

export const TOMBSTONE_SK = "TOMBSTONE";
export const tombstoneKey = (leadId: string): Item => itemKey(leadPk(leadId), TOMBSTONE_SK);

export function tombstoneItem(tombstone: Tombstone): Item {
  return entityItem(TOMBSTONE, leadPk(tombstone.leadId), TOMBSTONE_SK, { ...tombstone });
}

/** The tombstone an item holds, as the lead's under `leadId`. */
export function toTombstone(leadId: string, item: Item): Tombstone {
  const { erasedOn, erasedAt } = unmarshall(item);
  return { leadId, erasedOn: String(erasedOn), ...(typeof erasedAt === "string" && { erasedAt }) };
}
