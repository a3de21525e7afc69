import { randomUUID } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import {
  type EventPattern,
  LEAD_STAGE_CHANGED,
  type LeadStageChangedDetail,
  RULES,
} from "../application/lead-stage-changed";
import { backoff, type RetryPolicy } from "../application/retry";
import { FUNCTIONS } from "../runtime/routes";
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

/** The bus entries the Pipe puts for the publish function's details. */
export function leadStageChangedEntries(details: readonly LeadStageChangedDetail[]): BusEntry[] {
  return details.map((detail) => ({
    source: LEAD_STAGE_CHANGED.source,
    detailType: LEAD_STAGE_CHANGED.detailType,
    detail,
  }));
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
  rules?: Readonly<Record<string, BusRule>>;
  retry?: RetryPolicy;
  region: string;
  log: (line: string) => void;
}

/** What became of one event for one matching rule. */
export interface Delivery {
  rule: string;
  target: string;
  eventId: string;
  delivered: boolean;
  attempts: number;
}

/** The bus closed while a delivery was waiting to retry; the event was neither delivered nor dead-lettered. */
export class BusClosedError extends Error {
  override readonly name = "BusClosedError";
}

export interface LocalBus {
  /**
   * Puts events on the bus and resolves once every matching rule's target has
   * taken its event or had it dead-lettered. Unlike PutEvents it waits for that, so a caller that
   * checkpoints afterwards never loses an event to a crash. Rejects with BusClosedError if closed meanwhile.
   */
  put(entries: readonly BusEntry[]): Promise<Delivery[]>;
  /** Cuts pending retries short: their put() rejects with BusClosedError and the event stays unsent. */
  close(): void;
}

/**
 * The in-process EventBridge bus: each event is matched against every rule's pattern (the same
 * declarations the CDK stack deploys) and handed to the rule's target, retried with backoff, and
 * dead-lettered with the reason when every attempt fails.
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
  const retry = options.retry ?? DEFAULT_TARGET_RETRY;
  let closed = false;
  const waiting = new Set<() => void>();

  const pause = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (closed) return reject(new BusClosedError("the bus closed before a retry"));
      const wake = () => {
        clearTimeout(timer);
        waiting.delete(wake);
        reject(new BusClosedError("the bus closed before a retry"));
      };
      const timer = setTimeout(() => {
        waiting.delete(wake);
        resolve();
      }, ms);
      waiting.add(wake);
    });

  async function deliver(ruleName: string, rule: BusRule, event: BusEvent): Promise<Delivery> {
    const memoryMb = isFunctionName(rule.target) ? FUNCTIONS[rule.target].memoryMb : undefined;
    let lastError: unknown;
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      if (attempt > 1) await pause(retryDelay(retry, attempt - 2));
      try {
        const handler = await options.target(rule.target);
        // Targets get their own copy, serialized as EventBridge would send it.
        const copy = JSON.parse(JSON.stringify(event)) as BusEvent;
        await handler(copy, lambdaContext({ functionName: rule.target, region: options.region, memoryMb }));
        options.log(`bus: event ${event.id} → ${rule.target} (rule ${ruleName})`);
        return { rule: ruleName, target: rule.target, eventId: event.id, delivered: true, attempts: attempt };
      } catch (error) {
        lastError = error;
        options.log(
          `bus: ${rule.target} failed on event ${event.id} (rule ${ruleName}, attempt ${attempt} of ${retry.attempts}): ${describeError(error)}`,
        );
      }
    }
    const reason = describeError(lastError);
    await options.deadLetters.add({
      at: new Date().toISOString(),
      rule: ruleName,
      target: rule.target,
      attempts: retry.attempts,
      reason,
      payload: event,
    });
    options.log(
      `bus: dead-lettered event ${event.id} for ${rule.target} after ${retry.attempts} attempts: ${reason} (see ${options.deadLetters.path})`,
    );
    return { rule: ruleName, target: rule.target, eventId: event.id, delivered: false, attempts: retry.attempts };
  }

  return {
    async put(entries) {
      if (closed) throw new BusClosedError("the bus is closed");
      const deliveries = entries
        .map(envelope(options.region))
        .flatMap((event) =>
          rules
            .filter(([, rule]) => matchesPattern(rule.pattern, event))
            .map(([name, rule]) => deliver(name, rule, event)),
        );
      // Wait for all, even after one fails, so nothing is still running when the caller moves on.
      const settled = await Promise.allSettled(deliveries);
      const failure = settled.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
      return settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    },
    close() {
      closed = true;
      for (const wake of [...waiting]) wake();
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
