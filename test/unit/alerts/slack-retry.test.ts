import { describe, expect, it } from "vitest";
import { retryDeadline, withSlackRetry } from "#shared/adapters/slack/delivery";
import { AlertRejectedError, AlertUnavailableError } from "#shared/application/ports/alert-sender";

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** An operation that fails with the given errors in turn, then succeeds. */
function failing(...errors: Error[]) {
  let calls = 0;
  return {
    calls: () => calls,
    run: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return "ok";
    },
  };
}

describe("retrying Slack within one invocation", () => {
  it("waits the Retry-After Slack asked for", async () => {
    // Prepare
    const time = fakeTime();
    const operation = failing(new AlertUnavailableError("429", 3));

    // Act
    const result = await withSlackRetry(operation.run, { ...time, deadline: 10_000 });

    // Assess
    expect(result).toBe("ok");
    expect(time.slept).toEqual([3000]);
  });

  it("backs off on 5xx, a bounded number of times, then rethrows the last reason", async () => {
    // Prepare
    const time = fakeTime();
    const operation = failing(...Array.from({ length: 10 }, (_, index) => new AlertUnavailableError(`500 #${index}`)));
    const policy = { attempts: 4, baseMs: 100, capMs: 1000 };

    // Act
    const outcome = withSlackRetry(operation.run, { ...time, policy, deadline: 60_000 });

    // Assess
    await expect(outcome).rejects.toThrow("500 #3");
    expect(operation.calls()).toBe(4);
    expect(time.slept).toHaveLength(3);
    for (const [attempt, delay] of time.slept.entries()) expect(delay).toBeLessThanOrEqual(100 * 2 ** attempt);
  });

  it("never retries a refusal", async () => {
    const time = fakeTime();
    const operation = failing(new AlertRejectedError("channel_not_found"));

    await expect(withSlackRetry(operation.run, { ...time, deadline: 60_000 })).rejects.toBeInstanceOf(
      AlertRejectedError,
    );
    expect(operation.calls()).toBe(1);
  });

  it("gives up rather than wait past the deadline", async () => {
    const time = fakeTime();
    const operation = failing(new AlertUnavailableError("429", 30));

    await expect(withSlackRetry(operation.run, { ...time, deadline: 5000 })).rejects.toThrow("429");
    expect(time.slept).toEqual([]);
  });

  it.each([
    ["a Lambda with plenty of time", 15_000, 8000],
    ["a Lambda about to time out", 2500, 500],
    ["no time left", 1000, 0],
    ["no Lambda context", undefined, 8000],
  ])("keeps the retries inside %s", (_, remaining, budget) => {
    expect(retryDeadline(1000, remaining)).toBe(1000 + budget);
  });
});
