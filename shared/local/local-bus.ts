import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import { backoff, type RetryPolicy } from "#shared/application/pacing/retry";
import { RULES } from "#shared/bus/rules";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { FUNCTIONS } from "#shared/runtime/routes";
import type { BusJournal, JournaledDelivery } from "./bus-journal";
import type { DeadLetterFile } from "./dead-letters";
import { describeError } from "./describe-error";
import { assertValidPattern, matchesPattern } from "./event-pattern";
import { isFunctionName, type LambdaHandler } from "./handlers";
import { LOCAL_ACCOUNT_ID, lambdaContext } from "./lambda-context";

/** An event on the bus, in EventBridge's envelope. */
export type BusEvent = EventBridgeEvent<string, unknown>;
export type BusTarget = LambdaHandler<BusEvent, unknown>;

/** One PutEvents entry: who publishes, what kind of event, and its detail. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: unknown;
}

export interface BusRule {
  target: string;
  pattern: EventPattern;
}

/**
 * A rule target's retry policy: attempts in all, with jittered exponential backoff between them. Like
 * EventBridge's, the retries outlast a notifier's claim on an alert (RIPEN_ALERT_LEASE_SECONDS, 60 s by
 * default): a redelivery that finds the alert in flight fails, and only a retry after the lease sends it.
 */
export const DEFAULT_TARGET_RETRY: RetryPolicy = { attempts: 10, baseMs: 500, capMs: 30_000 };

/** Half the step fixed, half jittered: the retries span a known minimum (about 61 s by default). */
export function retryDelay(policy: RetryPolicy, retry: number): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** retry);
  return Math.floor(step / 2 + backoff(policy, retry) / 2);
}

export interface LocalBusOptions {
  /** The handler of a rule's target, by function name. */
  target: (name: string) => Promise<BusTarget>;
  deadLetters: DeadLetterFile;
  /** Where accepted deliveries wait until they finish; the bus resumes what it holds when made. */
  journal: BusJournal;
  rules?: Readonly<Record<string, BusRule>>;
  retry?: RetryPolicy;
  /** Most deliveries in flight; beyond it put() waits for room (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  region: string;
  log: (line: string) => void;
}

/** Enough for minutes of alerts behind a notifier that is down, and a bound on the journal's size. */
export const DEFAULT_MAX_IN_FLIGHT = 1_000;

/**
 * What became of one event for one matching rule: delivered, dead-lettered after every attempt, or
 * interrupted by close() (it stays in the journal and is delivered after the next start).
 */
export interface Delivery {
  rule: string;
  target: string;
  eventId: string;
  outcome: "delivered" | "dead-lettered" | "interrupted";
  attempts: number;
}

/** A delivery the bus has journaled; `finished` settles (never rejects) with what became of it. */
export interface AcceptedDelivery {
  rule: string;
  target: string;
  eventId: string;
  finished: Promise<Delivery>;
}

/** The bus is closed, or closed while put() waited for room: nothing was journaled; the caller keeps its events. */
export class BusClosedError extends Error {
  override readonly name = "BusClosedError";
}

export interface LocalBus {
  /**
   * Puts events on the bus: journals one delivery per matching rule, synced to disk, and resolves then,
   * while the deliveries go on. A caller that checkpoints afterwards loses nothing to a crash (the next
   * start resumes the journal), and one failing target never holds back the events behind it. Waits
   * while the most deliveries are in flight; rejects with BusClosedError if closed before journaling.
   */
  put(entries: readonly BusEntry[]): Promise<AcceptedDelivery[]>;
  /** The deliveries resumed from the journal when the bus was made. */
  readonly resumed: readonly AcceptedDelivery[];
  /** Ends pending retries, leaving their deliveries in the journal, and resolves once no attempt runs. */
  close(): Promise<void>;
}

/**
 * The in-process EventBridge bus: each event is matched against every rule's pattern (the same
 * declarations the CDK stack deploys) and handed to the rule's target, retried with backoff, and
 * dead-lettered with the reason when every attempt fails. Guarantees at-least-once delivery across a
 * crash: a delivery is journaled before put() resolves and leaves the journal only once it is delivered
 * or dead-lettered; a resumed delivery starts its retry schedule over. Exactly-once effect is the
 * targets' part (the notifiers' alert ledger).
 */
export function createLocalBus(options: LocalBusOptions): LocalBus {
  const rules = Object.entries(options.rules ?? RULES);
  for (const [name, rule] of rules) {
    try {
      assertValidPattern(rule.pattern);
    } catch (error) {
      throw new Error(`rule ${name}: ${(error as Error).message}`);
    }
  }
  const { journal, log } = options;
  const retry = options.retry ?? DEFAULT_TARGET_RETRY;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let closed = false;
  let inFlight = 0;
  /** Sleepers woken by close(): retries waiting for their time, puts waiting for room. */
  const waiting = new Set<() => void>();
  /** Put() waiting for room: woken when a delivery finishes. */
  const waitingForRoom = new Set<() => void>();
  const running = new Set<Promise<unknown>>();

  /** Work close() waits for: journal writes and delivery attempts. */
  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    const forget = () => running.delete(work);
    work.then(forget, forget);
    return work;
  };

  /** Resolves true after `ms`, or false as soon as the bus closes. */
  const pause = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (closed) return resolve(false);
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        waiting.delete(wake);
        resolve(true);
      }, ms);
      waiting.add(wake);
    });

  const roomChanged = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        waiting.delete(wake);
        waitingForRoom.delete(wake);
        resolve();
      };
      waiting.add(wake);
      waitingForRoom.add(wake);
    });

  async function deliver({ id, rule, target, event }: JournaledDelivery): Promise<Delivery> {
    const outcome = (result: Delivery["outcome"], attempts: number): Delivery => ({
      rule,
      target,
      eventId: event.id,
      outcome: result,
      attempts,
    });
    const memoryMb = isFunctionName(target) ? FUNCTIONS[target].memoryMb : undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1 && !(await pause(retryDelay(retry, attempt - 2)))) return outcome("interrupted", attempt - 1);
      if (closed) return outcome("interrupted", attempt - 1);
      try {
        const handler = await options.target(target);
        // Targets get their own copy, serialized as EventBridge would send it.
        const copy = JSON.parse(JSON.stringify(event)) as BusEvent;
        await handler(copy, lambdaContext({ functionName: target, region: options.region, memoryMb }));
        log(`bus: event ${event.id} → ${target} (rule ${rule})`);
        return finish(id, outcome("delivered", attempt));
      } catch (error) {
        lastError = error;
        log(
          `bus: ${target} failed on event ${event.id} (rule ${rule}, attempt ${attempt} of ${retry.attempts}): ${describeError(error)}`,
        );
      }
    }
    const reason = describeError(lastError);
    try {
      await options.deadLetters.add({
        at: new Date().toISOString(),
        rule,
        target,
        attempts: retry.attempts,
        reason,
        payload: event,
      });
    } catch (error) {
      log(
        `bus: could not dead-letter event ${event.id} for ${target} (${describeError(error)}); the next start retries it`,
      );
      return outcome("interrupted", retry.attempts);
    }
    log(
      `bus: dead-lettered event ${event.id} for ${target} after ${retry.attempts} attempts: ${reason} (see ${options.deadLetters.path})`,
    );
    return finish(id, outcome("dead-lettered", retry.attempts));
  }

  async function finish(id: string, delivery: Delivery): Promise<Delivery> {
    await journal.finish(id).catch((error: unknown) => {
      log(
        `bus: could not mark event ${delivery.eventId} done in ${journal.path} (${describeError(error)}); the next start delivers it again`,
      );
    });
    return delivery;
  }

  /** Starts a journaled delivery; `inFlight` already counts it. */
  function start(delivery: JournaledDelivery): AcceptedDelivery {
    const finished = track(
      deliver(delivery).finally(() => {
        inFlight--;
        for (const wake of [...waitingForRoom]) wake();
      }),
    );
    return { rule: delivery.rule, target: delivery.target, eventId: delivery.event.id, finished };
  }

  inFlight += journal.unfinished.length;
  const resumed = journal.unfinished.map(start);
  if (journal.unreadableLines > 0) {
    log(`bus: skipped ${journal.unreadableLines} unreadable line(s) in ${journal.path} (cut short by a crash)`);
  }
  if (resumed.length > 0) log(`bus: resuming ${resumed.length} delivery(ies) left unfinished in ${journal.path}`);

  return {
    resumed,
    async put(entries) {
      if (closed) throw new BusClosedError("the bus is closed");
      const deliveries = entries.map(envelope(options.region)).flatMap((event) =>
        rules
          .filter(([, rule]) => matchesPattern(rule.pattern, event))
          .map(
            ([name, rule]): JournaledDelivery => ({
              id: `${event.id}/${name}`,
              rule: name,
              target: rule.target,
              event,
            }),
          ),
      );
      if (deliveries.length === 0) return [];
      // One batch may always go in, however large, so an empty bus never waits.
      while (inFlight > 0 && inFlight + deliveries.length > maxInFlight) {
        await roomChanged();
        if (closed) throw new BusClosedError("the bus closed while waiting for room");
      }
      inFlight += deliveries.length;
      try {
        await track(journal.accept(deliveries));
      } catch (error) {
        inFlight -= deliveries.length;
        throw error;
      }
      return deliveries.map(start);
    },
    async close() {
      closed = true;
      for (const wake of [...waiting]) wake();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/** The EventBridge envelope around an entry, as a rule's pattern and target see it. */
function envelope(region: string) {
  return ({ source, detailType, detail }: BusEntry): BusEvent => ({
    version: "0",
    id: randomUUID(),
    "detail-type": detailType,
    source,
    account: LOCAL_ACCOUNT_ID,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [],
    detail,
  });
}
