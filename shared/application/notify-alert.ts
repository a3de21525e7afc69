import { type Audience, audiencesFor, NOTIFIERS, type NotifierRoute } from "../bus/notifiers";
import type { Alert } from "../domain/alert";
import { type AlertLedger, type AlertLog, type DeliveryResult, deliverOnce } from "./alert-ledger";
import type { Tombstone, TombstoneReader } from "./consent-gate";

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

export interface NotifyAlertDeps {
  sender: AlertSender;
  /** The channels this notifier delivers, and to whom; NOTIFIERS[sender.channel] unless given. */
  notifier?: NotifierRoute;
  ledger: AlertLedger;
  log: AlertLog;
  /** Counts a delivery that failed (a metric the alarms and dashboard watch). */
  countFailure?: (dimensions: { channel: string; retryable: string }) => void;
  /** Erasures: an alert about a person erased after its move is never sent (a replay of the bus archive). */
  tombstones?: TombstoneReader;
}

export interface AudienceOutcome {
  audience: Audience;
  result: DeliveryResult | "duplicate" | "not_configured" | "erased";
}

function notifierNamed(name: string): NotifierRoute {
  const notifier = (NOTIFIERS as Record<string, NotifierRoute | undefined>)[name];
  if (!notifier) throw new Error(`no notifier named "${name}" in NOTIFIERS (shared/bus/notifiers.ts)`);
  return notifier;
}

/** True when the person was erased at or after the alert's move: what the alert carries is gone. */
function erasedSince(tombstone: Tombstone | undefined, occurredAt: string): boolean {
  if (!tombstone) return false;
  // A tombstone that kept only its day erases the whole day: the later moves are a re-created lead's.
  return tombstone.erasedAt !== undefined
    ? occurredAt <= tombstone.erasedAt
    : occurredAt.slice(0, 10) <= tombstone.erasedOn;
}

/**
 * Alerts the right people about one bus event on one channel.
 * Input: the alert the event asks for. Output: what happened per audience.
 * Main course: the alert's channels name the audiences this channel reaches (slack → owner, marketing
 * → the marketing channel, email → owner); each configured one is sent at most once through the ledger.
 * Guarantees: exactly one alert per (alert id, channel, audience) however often the bus delivers the
 * event; a failure throws (after releasing its claim) so the bus retries and, in the end, dead-letters it;
 * nothing is sent about a person erased since the move, whatever replays the event.
 */
export const notifyAlert =
  (deps: NotifyAlertDeps) =>
  async (alert: Alert): Promise<AudienceOutcome[]> => {
    const { sender, ledger, log } = deps;
    const notifier = deps.notifier ?? notifierNamed(sender.channel);
    // Routing was decided by the model's rules (the channels on the alert); this only reads it.
    const audiences = audiencesFor(notifier, alert.channels);
    if (audiences.length > 0 && erasedSince(await deps.tombstones?.tombstoneOf(alert.leadId), alert.occurredAt)) {
      log.info("alert not sent: the person was erased", { channel: sender.channel, kind: alert.kind });
      return audiences.map((audience) => ({ audience, result: "erased" }));
    }
    const configured = sender.audiences();
    const outcomes: AudienceOutcome[] = [];
    for (const audience of audiences) {
      if (!configured.has(audience)) {
        outcomes.push({ audience, result: "not_configured" });
        continue;
      }
      const key = { alertId: alert.alertId, channel: `${sender.channel}:${audience}` };
      try {
        outcomes.push({ audience, result: await deliverOnce(ledger, key, () => sender.send(alert, audience), log) });
      } catch (error) {
        const retryable = (error as { retryable?: boolean }).retryable ?? true;
        log.error("alert not delivered", {
          channel: sender.channel,
          audience,
          reason: error instanceof Error ? error.message : String(error),
          retryable,
        });
        deps.countFailure?.({ channel: sender.channel, retryable: String(retryable) });
        throw error;
      }
    }
    log.info("alert handled", {
      channel: sender.channel,
      kind: alert.kind,
      stage: alert.stage,
      outcomes: outcomes.map((outcome) => `${outcome.audience}:${outcome.result}`),
    });
    return outcomes;
  };
