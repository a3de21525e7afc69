import { describe, expect, it } from "vitest";
import {
  factsBytes,
  LeadEvent,
  type LeadEventInput,
  MAX_ANSWERS,
  MAX_ATTRIBUTES,
  MAX_FACTS_BYTES,
  MAX_KEY_LENGTH,
  MAX_LIST_ITEM_LENGTH,
  MAX_LIST_ITEMS,
  MAX_PROPERTIES,
  MAX_TEXT_LENGTH,
  PROTOTYPE_KEYS,
} from "#shared/domain/lead-event";

const event = (overrides: Partial<LeadEventInput> = {}): LeadEventInput => ({
  source: "generic",
  sourceEventId: "evt-1",
  type: "form.submitted",
  occurredAt: "2026-11-20T10:00:00Z",
  email: "ada@example.com",
  ...overrides,
});

/** The dotted paths of the issues LeadEvent finds (empty when the event is valid). */
function refusedPaths(input: LeadEventInput): string[] {
  const result = LeadEvent.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

/** `count` entries named k0, k1, … with `value`. */
const entries = <Value>(count: number, value: Value) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, value]));

/** An object with `key` as an own property, `__proto__` included. */
function withOwnKey(key: string, value: unknown): Record<string, never> {
  const object = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

describe("LeadEvent bounds", () => {
  it.each([
    ["a key", MAX_KEY_LENGTH, (n: number) => ({ attributes: { ["k".repeat(n)]: 1 } }), "attributes"],
    ["a text", MAX_TEXT_LENGTH, (n: number) => ({ properties: { note: "x".repeat(n) } }), "properties.note"],
    ["a list", MAX_LIST_ITEMS, (n: number) => ({ answers: { picked: Array(n).fill("a") } }), "answers.picked"],
    ["a list item", MAX_LIST_ITEM_LENGTH, (n: number) => ({ answers: { picked: ["x".repeat(n)] } }), "answers.picked"],
    ["attributes", MAX_ATTRIBUTES, (n: number) => ({ attributes: entries(n, 1) }), "attributes"],
    ["answers", MAX_ANSWERS, (n: number) => ({ answers: entries(n, true) }), "answers"],
    ["properties", MAX_PROPERTIES, (n: number) => ({ properties: entries(n, "x") }), "properties"],
  ] as const)("accepts %s at its limit (%i) and refuses one more, naming the field", (_what, limit, build, path) => {
    expect(refusedPaths(event(build(limit)))).toEqual([]);
    const paths = refusedPaths(event(build(limit + 1)));
    expect(paths.length).toBeGreaterThan(0);
    for (const refused of paths) expect(refused.startsWith(path)).toBe(true);
  });

  it(`accepts ${MAX_FACTS_BYTES} bytes of facts and refuses one more, naming the biggest map`, () => {
    // 8 answers of a 2-byte key and a 2046-byte text: exactly the limit.
    const answers = entries(8, "x".repeat(2046));
    expect(factsBytes(answers)).toBe(MAX_FACTS_BYTES);
    expect(refusedPaths(event({ answers }))).toEqual([]);
    expect(refusedPaths(event({ answers, properties: { a: true } }))).toEqual(["answers"]);
  });

  it("counts facts in UTF-8 bytes, numbers as 21 and booleans as 1", () => {
    expect(factsBytes({ é: "日本" }, { n: 1 }, { b: false, list: ["ab", "c"] })).toBe(2 + 6 + 1 + 21 + 1 + 1 + 4 + 5);
    expect(refusedPaths(event({ answers: entries(6, "日".repeat(1000)) }))).toEqual(["answers"]);
  });

  it("names every property Object.prototype has", () => {
    expect([...PROTOTYPE_KEYS].sort()).toEqual(Object.getOwnPropertyNames(Object.prototype).sort());
  });

  it.each([...PROTOTYPE_KEYS].flatMap((key) => ["attributes", "answers", "properties"].map((field) => [field, key])))(
    "refuses %s keyed %s, naming the field",
    (field, key) => {
      const paths = refusedPaths(event({ [field]: withOwnKey(key, "x") }));
      expect(paths).toEqual([`${field}.${key}`]);
    },
  );

  it.each([
    ["0001-01-01T00:00:00Z", ["occurredAt"]],
    ["1999-12-31T23:59:59.999Z", ["occurredAt"]],
    ["2000-01-01T00:30:00+01:00", ["occurredAt"]],
    ["2000-01-01T00:00:00Z", []],
    ["2999-01-01T00:00:00Z", []],
  ])("bounds occurredAt below at 2000-01-01T00:00:00Z: %s", (occurredAt, paths) => {
    expect(refusedPaths(event({ occurredAt }))).toEqual(paths);
  });
});
