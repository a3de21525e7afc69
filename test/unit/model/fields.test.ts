import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FieldMapping, fieldResolver } from "#shared/domain/model/fields";

/** The resolution as a straightforward reading of the rule: Unicode words, a regular expression per phrase. */
function referenceResolver(mapping: FieldMapping) {
  const words = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  const phrases = Object.entries(mapping.labels).flatMap(([attribute, list]) =>
    list
      .map((phrase) => words(phrase))
      .filter(Boolean)
      .map((exact) => ({
        attribute,
        exact,
        within: new RegExp(`(^| )${exact.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}s?( |$)`),
        words: exact.split(" ").length,
      })),
  );
  const exact = new Map<string, Map<string, string>>();
  for (const [source, keys] of Object.entries(mapping.sources ?? {})) {
    const byKey = new Map<string, string>();
    for (const [key, attribute] of Object.entries(keys ?? {})) byKey.set(key, attribute).set(words(key), attribute);
    exact.set(source, byKey);
  }
  return (source: string, label: string): string | undefined => {
    const normalized = words(label);
    const direct = exact.get(source)?.get(label) ?? exact.get(source)?.get(normalized);
    if (direct) return direct;
    let best: (typeof phrases)[number] | undefined;
    for (const candidate of phrases) {
      if (normalized === candidate.exact) return candidate.attribute;
      if ((!best || candidate.words > best.words) && candidate.within.test(normalized)) best = candidate;
    }
    return best?.attribute;
  };
}

/** Texts from pieces that meet each rule's edges: plurals, word ends, case, letters beyond ASCII (some lower-cased to ASCII). */
const text = fc
  .array(
    fc.constantFrom(
      "a",
      "b",
      "s",
      "as",
      "bs",
      " ",
      "  ",
      "-",
      "_",
      "1",
      "A",
      "S",
      "é",
      "É",
      "\u212a", // the Kelvin sign, "k" once lower-cased
      "İ",
      "ß",
      "ǅ",
      "½",
      "日",
    ),
    {
      maxLength: 8,
    },
  )
  .map((pieces) => pieces.join(""));

describe("fieldResolver", () => {
  it("resolves labels as the rule reads with Unicode words and a regular expression per phrase", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("budget", "need", "timeline", "company"), fc.array(text, { maxLength: 4 })),
        fc.dictionary(text, fc.constantFrom("budget", "need"), { maxKeys: 3 }),
        fc.array(text, { minLength: 1, maxLength: 10 }),
        (labels, typeformKeys, asked) => {
          const mapping: FieldMapping = { labels, sources: { typeform: typeformKeys } };
          const resolver = fieldResolver(mapping);
          const reference = referenceResolver(mapping);
          for (const label of asked) {
            expect(resolver.attributeFor("typeform", label)).toBe(reference("typeform", label));
            expect(resolver.attributeFor("tally", label)).toBe(reference("tally", label));
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("finds a phrase as whole words, its last word maybe plural, anywhere in the label", () => {
    const resolver = fieldResolver({ labels: { useCase: ["use case"], budget: ["budget"] }, sources: {} });

    expect(resolver.attributeFor("tally", "Your main use cases?")).toBe("useCase");
    expect(resolver.attributeFor("tally", "USE-CASE")).toBe("useCase");
    expect(resolver.attributeFor("tally", "abuse case")).toBeUndefined();
    expect(resolver.attributeFor("tally", "use cases_s")).toBe("useCase");
    expect(resolver.attributeFor("tally", "use casess")).toBeUndefined();
    expect(resolver.attributeFor("tally", "Budgetary")).toBeUndefined();
    expect(resolver.attributeFor("tally", "Budget (€)")).toBe("budget");
    expect(resolver.attributeFor("tally", "Presupuesto del año, budget")).toBe("budget");
  });
});
