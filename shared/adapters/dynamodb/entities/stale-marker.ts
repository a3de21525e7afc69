import { entityItem, type Item, itemKey, SK } from "./item";
import { stageShard } from "./lead";

/**
 * A lead whose snapshot is behind its events (committed without its fold, or merged by a rekey), listed
 * for the stale-lead worker by shard: pk STALE#<shard>, sk <leadId>. It names the lead outside its partition, so an erasure
 * and a rekey delete it by key.
 */
export const STALE_MARKER = "stale";

/** Sharded as the stage indexes are (STAGE_SHARDS), by the lead's stageShard. */
export const stalePk = (shard: number) => `STALE#${shard}`;
export const staleMarkerKey = (leadId: string): Item => itemKey(stalePk(stageShard(leadId)), leadId);
export const staleMarkerItem = (leadId: string): Item => entityItem(STALE_MARKER, stalePk(stageShard(leadId)), leadId);

/** The lead a stale marker (or a position in the list) names. */
export const leadIdOfStaleMarker = (item: Item): string | undefined => item[SK]?.S;
