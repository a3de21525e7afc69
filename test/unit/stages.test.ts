import { describe, expect, it } from "vitest";
import { canMove, isForward, type Stage } from "#shared/domain/stages";

describe("isForward", () => {
  it.each([
    ["lead", "mql", true],
    ["lead", "sql", true],
    ["mql", "sal", true],
    ["sql", "sqo", true],
    ["mql", "mql", false],
    ["sql", "mql", false],
    ["sqo", "lead", false],
    ["recycled", "mql", true],
    ["recycled", "lead", false],
    ["disqualified", "sql", false],
    ["lead", "disqualified", false],
    ["mql", "recycled", false],
  ] as const)("%s → %s is forward: %s", (from, to, expected) => {
    expect(isForward(from, to)).toBe(expected);
  });
});

describe("canMove", () => {
  it.each<[Stage | null, Stage, boolean, string]>([
    [null, "lead", true, "a creation"],
    [null, "sql", true, "a first event straight to sql"],
    [null, "disqualified", true, "a first event from a competitor"],
    [null, "recycled", false, "nothing is recycled before it exists"],
    ["disqualified", "lead", true, "a reopened lead"],
    ["disqualified", "sql", true, "a reopened lead that re-enters further"],
    ["mql", "lead", false, "the funnel never goes back to lead"],
    ["sqo", "mql", false, "nor backwards in general"],
    ["mql", "sqo", true, "forward, skipping stages"],
    ["recycled", "mql", true, "a recycled lead re-entering"],
    ["recycled", "lead", false, "a recycled lead re-enters at mql or beyond"],
    ["lead", "recycled", true, "a recycle rule from lead"],
    ["disqualified", "recycled", true, "a rep recycling a disqualified lead"],
    ["sqo", "disqualified", true, "disqualified from anywhere"],
    ["disqualified", "disqualified", false, "a move changes the stage"],
  ])("%s → %s: %s (%s)", (from, to, expected) => {
    expect(canMove(from, to)).toBe(expected);
  });
});
