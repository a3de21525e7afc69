import { type Audience, audiencesFor, NOTIFIERS, type NotifierRoute } from "#shared/bus/notifiers";
import type { Alert } from "#shared/domain/alert";
import {
  AlertInFlightError,
  type AlertKey,
  type AlertLedger,
  type AlertLog,
  type DeliveryResult,
} from "./ports/alert-ledger";
import type { AlertSender } from "./ports/alert-sender";
import type { Tombstone, TombstoneReader } from "./ports/tombstones";

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
