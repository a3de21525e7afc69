/**
 * The record of alerts already sent, so a bus event delivered twice alerts once.
 * Keyed by (alert id, channel + audience): Slack and email, owner and marketing, each count once.
 */
export interface AlertKey {
  alertId: string;
  channel: string;
}

/** A claim on one alert: whoever holds it sends, then confirms (for good) or releases (so a retry can send). */
export interface AlertClaim {
  confirm(): Promise<void>;
  release(): Promise<void>;
}

export interface AlertLedger {
  /**
   * Claims the alert, or says why not: "sent" (it went out already) or "in-flight" (another delivery
   * holds a claim). A claim that is neither confirmed nor released (the sender crashed) lapses after a
   * short lease, and then may be claimed again.
   */
  claim(key: AlertKey): Promise<AlertClaim | "sent" | "in-flight">;
}

/**
 * Another delivery holds the alert's claim. Not a duplicate yet: that sender may have crashed before
 * posting, so this delivery fails and the bus retries it; after the lease it sends, or finds it sent.
 */
export class AlertInFlightError extends Error {
  override readonly name = "AlertInFlightError";
  readonly retryable = true;
}

/** Where a notifier reports what it did; the Powertools logger fits. */
export interface AlertLog {
  info(message: string, ...attributes: Record<string, unknown>[]): void;
  warn(message: string, ...attributes: Record<string, unknown>[]): void;
  error(message: string, ...attributes: Record<string, unknown>[]): void;
}

export type DeliveryResult = "sent" | "skipped";

/**
 * Runs `send` at most once per key, across retries and duplicate deliveries.
 * Output: "sent", "skipped" (the sender had nothing to send) or "duplicate" (already sent); while another
 * delivery holds the claim, AlertInFlightError, so the bus retries once that sender finished or its lease lapsed.
 * Guarantees: a failed or skipped send releases the claim, so a retry can send; a successful send is
 * confirmed and never repeats. If confirming fails after a send, the error is logged, not thrown:
 * throwing would make the bus retry a message that already went out.
 */
export async function deliverOnce(
  ledger: AlertLedger,
  key: AlertKey,
  send: () => Promise<DeliveryResult>,
  log: AlertLog,
): Promise<DeliveryResult | "duplicate"> {
  const claim = await ledger.claim(key);
  if (claim === "sent") return "duplicate";
  if (claim === "in-flight") throw new AlertInFlightError(`alert ${key.alertId} on ${key.channel} is being sent`);
  let result: DeliveryResult;
  try {
    result = await send();
  } catch (error) {
    await claim.release().catch((releaseError: unknown) => {
      log.warn("could not release the alert claim; it lapses with its lease", {
        channel: key.channel,
        reason: String(releaseError),
      });
    });
    throw error;
  }
  if (result === "skipped") {
    await claim.release();
    return result;
  }
  await claim.confirm().catch((confirmError: unknown) => {
    log.error("alert sent but not confirmed: a redelivery after the lease could repeat it", {
      channel: key.channel,
      reason: String(confirmError),
    });
  });
  return result;
}
