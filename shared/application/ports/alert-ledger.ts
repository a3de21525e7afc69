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
