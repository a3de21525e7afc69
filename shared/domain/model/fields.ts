import type { AnswerValue, Scalar, SourceName } from "#shared/domain/lead-event";
import type { FieldMapping } from "./grammar/fields";

export type { FieldMapping } from "./grammar/fields";

/**
 * Form answers arrive keyed by whatever the sender uses (Typeform refs, Tally labels, Calendly question
 * text). The field mapping turns them into lead attributes (companySize, jobTitle, budget, timeline...)
 * that fit rules and BANT read: by phrases found in the label, for every source, and by exact keys per source.
 */

/** Who the person is: sources use these to build the event; they are not copied into attributes. */
export const IDENTITY_FIELDS: ReadonlySet<string> = new Set(["email", "name", "firstName", "lastName", "company"]);

function words(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Label resolution, cached: labels repeat on every submission of a form. */
export interface FieldResolver {
  attributeFor(source: SourceName, label: string): string | undefined;
}

const CACHE_LIMIT = 5_000;

export function fieldResolver(mapping: FieldMapping): FieldResolver {
  const phrases: { attribute: string; exact: string; within: RegExp; words: number }[] = [];
  for (const [attribute, list] of Object.entries(mapping.labels)) {
    for (const phrase of list) {
      const normalized = words(phrase);
      if (!normalized) continue;
      // Whole words, and a plural of the last one ("use cases" for "use case").
      const within = new RegExp(`(^| )${normalized.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}s?( |$)`);
      phrases.push({ attribute, exact: normalized, within, words: normalized.split(" ").length });
    }
  }
  const exact = new Map<string, Map<string, string>>();
  for (const [source, keys] of Object.entries(mapping.sources ?? {})) {
    const byKey = new Map<string, string>();
    for (const [key, attribute] of Object.entries(keys ?? {})) {
      byKey.set(key, attribute);
      byKey.set(words(key), attribute);
    }
    exact.set(source, byKey);
  }
  const cache = new Map<string, Map<string, string | null>>();

  function resolve(source: string, label: string): string | null {
    const normalized = words(label);
    const bySource = exact.get(source);
    const direct = bySource?.get(label) ?? bySource?.get(normalized);
    if (direct) return direct;
    let best: (typeof phrases)[number] | undefined;
    for (const candidate of phrases) {
      if (normalized === candidate.exact) return candidate.attribute;
      if ((!best || candidate.words > best.words) && candidate.within.test(normalized)) best = candidate;
    }
    return best?.attribute ?? null;
  }

  return {
    attributeFor(source, label) {
      let bySource = cache.get(source);
      if (!bySource) {
        bySource = new Map();
        cache.set(source, bySource);
      }
      let attribute = bySource.get(label);
      if (attribute === undefined) {
        // A sender that invents labels must not grow memory without bound in a warm function.
        if (bySource.size >= CACHE_LIMIT) bySource.clear();
        attribute = resolve(source, label);
        bySource.set(label, attribute);
      }
      return attribute ?? undefined;
    },
  };
}

/** One answer as an attribute value: several choices become one comma-separated text. */
export function answerScalar(value: AnswerValue): Scalar {
  return Array.isArray(value) ? value.join(", ") : value;
}
