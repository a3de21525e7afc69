/** The value below which `fraction` of the sorted samples fall (nearest rank). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export function latencySummary(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 0.5), 2),
    p99: round(percentile(sorted, 0.99), 2),
    max: round(sorted.at(-1) ?? Number.NaN, 2),
  };
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The most units within any stretch of `milliseconds` (from each amount's time on), over amounts at times in ms. */
export function busiestWindow(amounts: readonly { at: number; units: number }[], milliseconds: number): number {
  const sorted = [...amounts].sort((a, b) => a.at - b.at);
  let busiest = 0;
  let inWindow = 0;
  let last = 0;
  for (let first = 0; first < sorted.length; first++) {
    const from = (sorted[first] as { at: number }).at;
    for (; last < sorted.length && (sorted[last] as { at: number }).at < from + milliseconds; last++)
      inWindow += (sorted[last] as { units: number }).units;
    busiest = Math.max(busiest, inWindow);
    inWindow -= (sorted[first] as { units: number }).units;
  }
  return busiest;
}
