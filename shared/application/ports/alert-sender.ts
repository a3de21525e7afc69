import type { Audience } from "#shared/bus/notifiers";
import type { Alert } from "#shared/domain/alert";
import type { DeliveryResult } from "./alert-ledger";

/** One alert channel (Slack, email) as the notifier sees it. */
export interface AlertSender {
  /** The notifier's name (NOTIFIERS): the ledger's key, logs and metrics. */
  readonly channel: string;
  /** The audiences this channel can reach as configured (no marketing channel: no marketing alerts). */
  audiences(): ReadonlySet<Audience>;
  /**
   * Sends the alert to the audience. "skipped" when there is nobody to send it to (e.g. no recipient).
   * Throws AlertRejectedError (retrying will not help) or AlertUnavailableError (retry later).
   */
  send(alert: Alert, audience: Audience): Promise<DeliveryResult>;
}

/**
 * Why an alert could not be delivered. The notifier throws either one; the bus retries the invocation
 * and, when retries run out, the event lands in the target's dead-letter queue with this message.
 * `retryable` tells a retrying caller (the local bus, a redrive script) whether another try can help.
 */

/** The channel refused the alert for good (bad payload, unknown channel, rejected address). */
export class AlertRejectedError extends Error {
  override readonly name = "AlertRejectedError";
  readonly retryable = false;
}

/** The channel could not take the alert now (throttled, 5xx, network). */
export class AlertUnavailableError extends Error {
  override readonly name = "AlertUnavailableError";
  readonly retryable = true;
  constructor(
    message: string,
    /** The wait the channel asked for (Slack's Retry-After), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
