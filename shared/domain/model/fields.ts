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

/**
 * A text as lower-case words, each run of anything but letters and digits one space. Text of ASCII alone
 * takes a regular expression of ASCII classes: the Unicode one costs about a millisecond to compile, which
 * every cold start would pay for the model's labels, while the two give the same words for such text.
 */
function words(text: string): string {
  const lower = text.toLowerCase();
  return (NOT_ASCII.test(lower) ? lower.replace(/[^\p{L}\p{N}]+/gu, " ") : lower.replace(/[^a-z0-9]+/g, " ")).trim();
}

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * Whether `phrase` is in `text` (both words()) as whole words, its last one maybe plural: what
 * `(^| )phrase s?( |$)` matches, by indexOf, so no regular expression is compiled per phrase at init.
 */
function hasPhrase(text: string, phrase: string): boolean {
  for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
    if (at > 0 && text.charCodeAt(at - 1) !== SPACE) continue;
    let end = at + phrase.length;
    if (text.charCodeAt(end) === LETTER_S) end++;
    if (end === text.length || text.charCodeAt(end) === SPACE) return true;
  }
  return false;
}

const SPACE = 32;
const LETTER_S = 115;

/** Label resolution, cached: labels repeat on every submission of a form. */
export interface FieldResolver {
  attributeFor(source: SourceName, label: string): string | undefined;
}

const CACHE_LIMIT = 5_000;

export function fieldResolver(mapping: FieldMapping): FieldResolver {
  const phrases: { attribute: string; exact: string; words: number }[] = [];
  for (const [attribute, list] of Object.entries(mapping.labels)) {
    for (const phrase of list) {
      const normalized = words(phrase);
      if (!normalized) continue;
      phrases.push({ attribute, exact: normalized, words: normalized.split(" ").length });
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
      // Whole words, and a plural of the last one ("use cases" for "use case").
      if ((!best || candidate.words > best.words) && hasPhrase(normalized, candidate.exact)) best = candidate;
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
