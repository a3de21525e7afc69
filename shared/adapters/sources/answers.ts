import {
  type AnswerValue,
  Email,
  MAX_KEY_LENGTH,
  MAX_LIST_ITEM_LENGTH,
  MAX_LIST_ITEMS,
  MAX_TEXT_LENGTH,
  type Scalar,
} from "#shared/domain/lead-event";

/** Form answers keyed by the sender's readable label; the model maps them to attributes and BANT. */
export type Answers = Record<string, AnswerValue>;

/** Who the lead is, as far as one delivery says. */
export interface Identity {
  email?: string;
  name?: string;
  company?: string;
}

/**
 * Sets `key` as an own data property, whatever its name: plain assignment of `__proto__` would replace
 * the prototype (or, with a text, do nothing at all). A prototype name is kept so the canonical event's
 * schema refuses it, naming the field, instead of it vanishing.
 */
export function setOwn<Value>(target: Record<string, Value>, key: string, value: Value): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// The canonical event's lengths (lead-event.ts): longer vendor text is cut rather than refused.

/** A vendor's value as an answer: text, a number, yes/no or a list of texts; anything else is no answer. */
export function answerValue(value: unknown): AnswerValue | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.slice(0, MAX_TEXT_LENGTH);
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "boolean") return value;
  if (!Array.isArray(value)) return undefined;
  const items = value
    .filter((item) => typeof item === "string" || typeof item === "number" || typeof item === "boolean")
    .map((item) => String(item).slice(0, MAX_LIST_ITEM_LENGTH))
    .slice(0, MAX_LIST_ITEMS);
  return items.length === 0 ? undefined : items;
}

/**
 * Adds one answer under its label (whitespace collapsed, cut to the key limit). A repeated label gets
 * " (2)", " (3)"… so no answer is lost; empty labels and values are skipped.
 */
export function addAnswer(answers: Answers, label: string | undefined | null, value: unknown): void {
  const key = label?.replace(/\s+/g, " ").trim().slice(0, MAX_KEY_LENGTH);
  const answer = answerValue(value);
  if (!key || answer === undefined) return;
  let unique = key;
  for (let n = 2; Object.hasOwn(answers, unique); n++) unique = `${key.slice(0, MAX_KEY_LENGTH - 8)} (${n})`;
  setOwn(answers, unique, answer);
}

export function isEmail(value: unknown): value is string {
  return typeof value === "string" && Email.safeParse(value).success;
}

/** The first candidate that is an email address, trimmed. */
export function firstEmail(...candidates: unknown[]): string | undefined {
  for (const candidate of candidates) if (isEmail(candidate)) return candidate.trim();
  return undefined;
}

const LABELS = {
  email: /e-?mail/i,
  fullName: /^(what'?s |what is )?(your[ _-]?|full[ _-]?|contact[ _-]?)?name\??$|full[ _-]?name|your[ _-]?name/i,
  firstName: /first[ _-]?name|given[ _-]?name|^first$/i,
  lastName: /last[ _-]?name|surname|family[ _-]?name|^last$/i,
  company: /company|organi[sz]ation|employer|business[ _-]?name|^org$/i,
  notCompany: /size|employees|how many|people|industry|type|website|url|domain|revenue|role/i,
};

function textAnswer(answers: Answers, pattern: RegExp, unless?: RegExp): string | undefined {
  for (const [label, value] of Object.entries(answers)) {
    if (typeof value !== "string" || !pattern.test(label) || unless?.test(label)) continue;
    const text = value.trim();
    if (text !== "") return text.slice(0, 256);
  }
  return undefined;
}

/** "Ada" + "Lovelace" → "Ada Lovelace"; either part may be missing. */
export function fullName(first?: string | null, last?: string | null): string | undefined {
  const name = [first, last]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(" ");
  return name === "" ? undefined : name.slice(0, 256);
}

/** Email, name and company found in form answers by their usual labels ("Work email", "First name"…). */
export function identityFromAnswers(answers: Answers): Identity {
  const email = firstEmail(
    ...Object.entries(answers)
      .filter(([label]) => LABELS.email.test(label))
      .map(([, value]) => value),
  );
  const name =
    textAnswer(answers, LABELS.fullName) ??
    fullName(textAnswer(answers, LABELS.firstName), textAnswer(answers, LABELS.lastName));
  const company = textAnswer(answers, LABELS.company, LABELS.notCompany);
  return {
    ...(email !== undefined && { email }),
    ...(name !== undefined && { name }),
    ...(company !== undefined && { company }),
  };
}

/** Answers that are plainly fit facts, by label. The model's field mapping remains the authority. */
const FIT_LABELS: readonly (readonly [RegExp, string])[] = [
  [/company[ _-]?size|employees|headcount|team[ _-]?size/i, "companySize"],
  [/industry/i, "industry"],
  [/country/i, "country"],
  [/job[ _-]?title|^title$|^role$|position/i, "jobTitle"],
];

export function fitAttributes(answers: Answers): Record<string, Scalar> {
  const attributes: Record<string, Scalar> = {};
  for (const [label, value] of Object.entries(answers)) {
    const attribute = FIT_LABELS.find(([pattern]) => pattern.test(label))?.[1];
    if (attribute === undefined || Object.hasOwn(attributes, attribute)) continue;
    attributes[attribute] = Array.isArray(value) ? value.join(", ").slice(0, MAX_TEXT_LENGTH) : value;
  }
  return attributes;
}
