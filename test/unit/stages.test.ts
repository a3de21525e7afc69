import { describe, expect, it } from "vitest";
import { isForward } from "../../shared/domain/stages";

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
