/** A bounded retry with full jitter: attempts in all, and the base and cap of the exponential delay. */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 10, capMs: 400 };

/** The delay before retry number `attempt` (0-based): a random point in [0, min(cap, base·2^attempt)]. */
export function backoff(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}
