import type { AlertKey } from "#shared/application/ports/alert-ledger";
import { EXPIRES_AT, entityItem, type Item, itemKey } from "./item";

/**
 * An alert claimed or sent, for the alert ledger: pk ALERT#<alertId>, sk <channel>:<audience>, expiring by
 * the table's TTL. No personal data: ids, state and times only. A claim is `sending` until its sender
 * confirms it (`sent`) or releases it (the item goes); a `sending` claim past `leaseUntil` has lapsed.
 */
export const ALERT_CLAIM = "alert";

const alertPk = (alertId: string) => `ALERT#${alertId}`;
export const alertClaimKey = (key: AlertKey): Item => itemKey(alertPk(key.alertId), key.channel);

/** A claim being sent: `token` is its holder's, `leaseUntil` (epoch ms) when it lapses. */
export function sendingClaimItem(key: AlertKey, claim: { token: string; leaseUntil: number; expiresAt: number }): Item {
  return entityItem(ALERT_CLAIM, alertPk(key.alertId), key.channel, {
    state: "sending",
    token: claim.token,
    leaseUntil: claim.leaseUntil,
    [EXPIRES_AT]: claim.expiresAt,
  });
}
