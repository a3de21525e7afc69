import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { busiestWindow } from "#shared/bench/stats";

describe("the busiest stretch of a run's writes", () => {
  it("sums the amounts within a window's length of each one, the window's end left out", () => {
    const amounts = [
      { at: 2_500, units: 4 },
      { at: 0, units: 10 },
      { at: 999, units: 5 },
      { at: 1_000, units: 7 },
      { at: 1_600, units: 1 },
    ];

    // From 0: 10 + 5 (1,000 is out); from 999: 5 + 7 + 1; from 1,600: 1 + 4.
    expect(busiestWindow(amounts, 1_000)).toBe(15);
    expect(busiestWindow(amounts, 1_001)).toBe(22);
    expect(busiestWindow([], 1_000)).toBe(0);
  });

  it("agrees with summing every window one by one (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(5_000), units: fc.nat(100) }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 3_000 }),
        (amounts, milliseconds) => {
          const oneByOne = Math.max(
            0,
            ...amounts.map((first) =>
              amounts
                .filter((other) => other.at >= first.at && other.at < first.at + milliseconds)
                .reduce((sum, other) => sum + other.units, 0),
            ),
          );
          expect(busiestWindow(amounts, milliseconds)).toBe(oneByOne);
        },
      ),
    );
  });
});
