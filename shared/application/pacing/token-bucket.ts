import type { Clock, Sleep } from "#shared/application/ports/lead-store";

/** A pace kept by waiting: `ready()` returns once one more unit of work may start. */
export interface Pace {
  ready(): Promise<void>;
}

/**
 * A token bucket over what `spent()` counts (cumulative: write units DynamoDB reported, alerts sent):
 * `ready()` returns at once while the spending since the start is within `perSecond` per second plus one
 * second's worth, and otherwise waits until time has paid the excess off. Work measured after the fact
 * (a write's units are known when it returns) is paced by its debt: over any stretch of time the rate
 * stays within `perSecond`, give or take what the work in flight spends.
 */
export function tokenBucket(input: { perSecond: number; spent: () => number; clock: Clock; sleep: Sleep }): Pace {
  if (!(input.perSecond > 0)) throw new Error("a pace needs a positive rate");
  const start = input.clock().getTime();
  return {
    async ready() {
      for (;;) {
        const allowed = input.perSecond * ((input.clock().getTime() - start) / 1000 + 1);
        const excess = input.spent() - allowed;
        if (excess < 0) return;
        await input.sleep(Math.ceil((excess / input.perSecond) * 1000) + 1);
      }
    },
  };
}

/** No pace: every unit may start at once. */
export const UNPACED: Pace = { ready: async () => {} };

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
