import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileValueTest,
  MEMO_LIMIT,
  MEMO_TEXT_LENGTH,
  normalize,
  numberOf,
} from "#shared/domain/model/compile-conditions";
import type { ValueTest } from "#shared/domain/model/grammar/conditions";

/**
 * Value tests remember their answer per text (compile-conditions' `memoized`). The oracle compiles its
 * conditions with the same code, so the oracle tests can't see a wrong memo: here each test, asked
 * about texts that repeat, that change case and spacing, and more texts than the memo keeps (it starts
 * over) or longer than it keeps, answers as the condition's plain definition does.
 */

const PATTERN = "\\b(vp|head|chief)\\b|white ?paper";
const IN = ["DE", "United Kingdom", "fr"];
const RANGE = { min: 11, max: 200 };
const EQUALS = "Contact Sales";

const IN_SET = new Set(IN.map(normalize));
/** Each test as it was written before answers were remembered. */
const plain: [ValueTest, (text: string) => boolean][] = [
  [{ pattern: PATTERN }, (text) => new RegExp(PATTERN, "i").test(text)],
  [{ in: IN }, (text) => IN_SET.has(text) || (/\p{Lu}|^\s|\s$/u.test(text) && IN_SET.has(text.trim().toLowerCase()))],
  [
    { equals: EQUALS },
    (text) => text === EQUALS || (text.length >= EQUALS.length && text.trim().toLowerCase() === normalize(EQUALS)),
  ],
  [
    { range: RANGE },
    (text) => {
      const number = numberOf(text);
      return number !== undefined && number >= RANGE.min && number <= RANGE.max;
    },
  ],
  [{ not: { pattern: PATTERN } }, (text) => !new RegExp(PATTERN, "i").test(text)],
];

const words = [
  "VP",
  "head",
  "Chief",
  "whitepaper",
  "white paper",
  "de",
  " DE ",
  "united kingdom",
  "FR",
  "contact sales",
];
const aText = fc.oneof(
  fc.constantFrom(...words, "150", "1,000+", "$50k", "12 people", "", "Contact  Sales"),
  fc.array(fc.constantFrom(...words, "of", "Sales", " ", "x"), { maxLength: 6 }).map((parts) => parts.join(" ")),
  fc.string({ maxLength: 12 }),
  // Past the memo's length bound: always tested afresh.
  fc.constantFrom(...words).map((word) => `${"x ".repeat(MEMO_TEXT_LENGTH)}${word}`),
);

describe("memoized value tests", () => {
  it("answer as the plain definition, for texts asked again and again", () => {
    const compiled = plain.map(([test, expected]) => [compileValueTest(test, { lists: new Map() }), expected] as const);
    fc.assert(
      fc.property(fc.array(aText, { minLength: 1, maxLength: 60 }), (texts) => {
        // Each text twice: the second answer comes from the memo.
        for (const text of [...texts, ...texts]) {
          for (const [test, expected] of compiled) expect(test(text)).toBe(expected(text));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("still answer right after the memo filled up and started over", () => {
    const [test, expected] = plain[0] as (typeof plain)[number];
    const compiled = compileValueTest(test, { lists: new Map() });
    const texts = Array.from({ length: MEMO_LIMIT * 2 + 10 }, (_, index) =>
      index % 3 === 0 ? `vp ${index}` : `person ${index}`,
    );
    for (const text of [...texts, ...texts.reverse()]) expect(compiled(text)).toBe(expected(text));
  });
});
