import { describe, expect, it } from "vitest";
import { DEFAULT_TARGET_RETRY, retryDelay } from "#shared/local/local-bus";

const total = (random: number) => {
  let sum = 0;
  const original = Math.random;
  Math.random = () => random;
  try {
    for (let retry = 0; retry < DEFAULT_TARGET_RETRY.attempts - 1; retry++)
      sum += retryDelay(DEFAULT_TARGET_RETRY, retry);
  } finally {
    Math.random = original;
  }
  return sum;
};

describe("the local bus's retries", () => {
  it("outlast the default 60 s claim on an alert, however the jitter falls, and end within a few minutes", () => {
    expect(total(0)).toBeGreaterThan(60_000);
    expect(total(0.999_999)).toBeLessThan(180_000);
  });

  it("grow: each delay at least half its exponential step", () => {
    expect([0, 1, 2, 3].map((retry) => retryDelay(DEFAULT_TARGET_RETRY, retry) >= 250 * 2 ** retry)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });
});
