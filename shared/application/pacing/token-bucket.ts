import type { Clock, Sleep } from "#shared/application/ports/lead-store";

/** A pace kept by waiting. */
export interface Pace {
  /** Returns once one more unit of work may start. */
  ready(): Promise<void>;
  /**
   * Runs `work` once it may start, and until it has ended holds back what such work spends on average:
   * work started side by side does not all start on the same allowance.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/** What a bucket holds at most, in seconds of its rate: the most work that may start at once after an idle stretch. */
export const BURST_SECONDS = 0.1;

/**
 * A token bucket over what `spent()` counts (cumulative: write units DynamoDB reported, alerts sent),
 * from the moment the bucket is made: what was spent before is no debt of this pace. The bucket fills at
 * `perSecond` up to `burstSeconds` of it (an idle stretch, a Scan page's wait, banks no more), and work
 * starts at once while it is not in debt; what the work then spends is taken out when it is reported,
 * and a bucket in debt waits until time has paid it off. Work measured after the fact (a write's units
 * are known when it returns) is paced by its debt: over any stretch of time the spending stays within
 * `perSecond` per second plus the burst, give or take what the work in flight spends, which `run` holds
 * back in advance at the average of the work ended so far: work starts only while the bucket covers
 * what the work in flight is held to.
 */
export function tokenBucket(input: {
  perSecond: number;
  spent: () => number;
  clock: Clock;
  sleep: Sleep;
  burstSeconds?: number;
}): Pace {
  const { perSecond, spent, clock, sleep } = input;
  if (!(perSecond > 0)) throw new Error("a pace needs a positive rate");
  const burst = perSecond * (input.burstSeconds ?? BURST_SECONDS);
  const since = spent();
  let tokens = burst;
  let filledAt = clock().getTime();
  let counted = since;
  let ended = 0;
  // What the work in flight is held to, until it ends and its own spending is reported instead.
  let held = 0;
  const ready = async () => {
    for (;;) {
      const now = clock().getTime();
      tokens = Math.min(burst, tokens + (perSecond * (now - filledAt)) / 1000);
      filledAt = now;
      const total = spent();
      tokens -= total - counted;
      counted = total;
      if (tokens >= held) return;
      await sleep(Math.ceil(((held - tokens) / perSecond) * 1000) + 1);
    }
  };
  return {
    ready,
    async run(work) {
      await ready();
      const hold = ended > 0 ? (counted - since) / ended : 0;
      held += hold;
      try {
        return await work();
      } finally {
        held -= hold;
        ended++;
      }
    },
  };
}

/** No pace: every unit may start at once. */
export const UNPACED: Pace = { ready: async () => {}, run: (work) => work() };

/** What a worker's store consumed so far, as DynamoDB reported it (ReturnConsumedCapacity). */
export interface CapacityMeter {
  readonly read: number;
  readonly written: number;
  /** The adapter's onCapacity callback: adds a request's units. */
  record(operation: string, units: { read?: number; write?: number }): void;
}

export function capacityMeter(): CapacityMeter {
  const meter = {
    read: 0,
    written: 0,
    record(_operation: string, units: { read?: number; write?: number }) {
      meter.read += units.read ?? 0;
      meter.written += units.write ?? 0;
    },
  };
  return meter;
}
