import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RuleHit } from "#shared/domain/lead";
import { TOP_REASONS, topReasons } from "#shared/domain/lead-fold";

const hit = (ruleId: string, decayedPoints: number): RuleHit => ({
  ruleId,
  axis: "engagement",
  label: ruleId,
  hits: 1,
  points: decayedPoints,
  decayedPoints,
});

/** The straightforward definition: a stable sort by weight, heaviest first, cut to `count`. */
function bySort(hits: readonly RuleHit[], count: number): RuleHit[] {
  return [...hits].sort((a, b) => Math.abs(b.decayedPoints) - Math.abs(a.decayedPoints)).slice(0, Math.max(0, count));
}

describe("topReasons", () => {
  it("selects what a stable sort by weight would keep, in its order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 8 }),
        (weights, count) => {
          const hits = weights.map((weight, position) => hit(`rule-${position}`, weight / 2));

          expect(topReasons(hits, count)).toEqual(bySort(hits, count));
        },
      ),
    );
  });

  it("keeps the five heaviest by default, negative weights by their size", () => {
    const hits = [hit("a", 1), hit("b", -30), hit("c", 5), hit("d", 5), hit("e", 2), hit("f", 12), hit("g", 0.5)];

    expect(topReasons(hits).map((top) => top.ruleId)).toEqual(["b", "f", "c", "d", "e"]);
    expect(topReasons(hits)).toHaveLength(TOP_REASONS);
  });
});
