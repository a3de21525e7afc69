import { EXPIRES_AT, entityItem, type Item, itemKey } from "./item";
import { leadPk } from "./lead";

/**
 * A rep action applied: pk LEAD#<leadId>, sk MARKER#<key> (the action's idempotency key), written in the
 * action's transaction and kept for a week (it expires), so a repeated action is recognised.
 */
export const MARKER = "marker";

export const markerSk = (key: string) => `MARKER#${key}`;
export const markerKey = (leadId: string, key: string): Item => itemKey(leadPk(leadId), markerSk(key));

/** The marker of an action applied at `at`, expiring at `expiresAt` (epoch seconds). */
export function markerItem(leadId: string, key: string, at: string, expiresAt: number): Item {
  return entityItem(MARKER, leadPk(leadId), markerSk(key), { at, [EXPIRES_AT]: expiresAt });
}

/** When a marker's action was applied (unknown for a marker written without it). */
export function appliedOf(marker: Item): { at?: string } {
  return marker.at?.S ? { at: marker.at.S } : {};
}
