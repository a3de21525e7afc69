import * as z from "zod/mini";

export const SOURCES = [
  "typeform",
  "tally",
  "webflow",
  "hubspot",
  "zoom",
  "calendly",
  "calcom",
  "gotowebinar",
  "livestorm",
  "savvycal",
  "generic",
] as const;
export const SourceName = z.enum(SOURCES);
export type SourceName = z.infer<typeof SourceName>;

/** Canonical event types look like `form.submitted`, `demo.completed`, `page.viewed`. */
export const EventType = z
  .string()
  .check(
    z.regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must look like noun.verb, e.g. form.submitted"),
    z.maxLength(64),
  );

/**
 * Bounds on one event, so its stored item stays small: most events are well under 1 KB, and the facts
 * (attributes, answers and properties together) are at most MAX_FACTS_BYTES, far below DynamoDB's 400 KB.
 * Vendor adapters cut text to these lengths; anything else over a bound is refused, naming the field.
 */
export const MAX_KEY_LENGTH = 128;
export const MAX_TEXT_LENGTH = 2048;
export const MAX_LIST_ITEMS = 50;
export const MAX_LIST_ITEM_LENGTH = 256;
export const MAX_ATTRIBUTES = 50;
export const MAX_ANSWERS = 100;
export const MAX_PROPERTIES = 50;
export const MAX_FACTS_BYTES = 16_384;
/** How far ahead of the receiving clock an occurredAt may be by default (clock skew, time zones got wrong). */
export const DEFAULT_FUTURE_TOLERANCE_SECONDS = 86_400;
/** The earliest occurredAt accepted; the latest depends on the receiving clock (see ingestWebhook). */
export const OCCURRED_AT_FLOOR = "2000-01-01T00:00:00.000Z";

/**
 * The names every JavaScript object inherits. As keys of attributes, answers or properties they would
 * be silently dropped (`__proto__`) or break storage (the DynamoDB marshaller reads `value.constructor`),
 * so they are refused, naming the field: rename the form field, ref or property.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
  "constructor",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "toString",
  "valueOf",
]);

/** A scalar a form answer or lead attribute can hold. */
export const Scalar = z.union([z.string().check(z.maxLength(MAX_TEXT_LENGTH)), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;
export const AnswerValue = z.union([
  Scalar,
  z.array(z.string().check(z.maxLength(MAX_LIST_ITEM_LENGTH))).check(z.maxLength(MAX_LIST_ITEMS)),
]);
export type AnswerValue = z.infer<typeof AnswerValue>;

const Key = z.string().check(z.minLength(1), z.maxLength(MAX_KEY_LENGTH));

/**
 * A map of facts with at most `maxEntries` keys. Prototype names are refused before zod's record sees
 * them, because the record skips `__proto__` without a word.
 */
function facts<Value extends z.core.SomeType>(value: Value, maxEntries: number, what: string) {
  const record = z
    .record(Key, value)
    .check(z.refine((map) => Object.keys(map).length <= maxEntries, `at most ${maxEntries} ${what} per event`));
  const ownKeys = z.custom<z.input<typeof record>>().check(
    z.superRefine((input, context) => {
      if (typeof input !== "object" || input === null) return;
      for (const key of Object.keys(input)) {
        if (PROTOTYPE_KEYS.has(key)) {
          context.addIssue({ code: "custom", path: [key], message: `"${key}" cannot be a key: rename it` });
        }
      }
    }),
  );
  return z.pipe(ownKeys, record);
}

export const EventAttributes = facts(Scalar, MAX_ATTRIBUTES, "attributes");
export const EventAnswers = facts(AnswerValue, MAX_ANSWERS, "answers");
export const EventProperties = facts(Scalar, MAX_PROPERTIES, "properties");

/**
 * The size of maps of facts as DynamoDB counts it, near enough: the UTF-8 bytes of every key and text,
 * 21 bytes per number (the most DynamoDB uses for one), 1 per boolean and 1 more per list item.
 */
export function factsBytes(...maps: (Readonly<Record<string, AnswerValue>> | undefined)[]): number {
  let bytes = 0;
  for (const map of maps) {
    for (const [key, value] of Object.entries(map ?? {})) bytes += Buffer.byteLength(key) + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: AnswerValue): number {
  if (typeof value === "string") return Buffer.byteLength(value);
  if (typeof value === "number") return 21;
  if (typeof value === "boolean") return 1;
  return value.reduce((bytes, item) => bytes + 1 + Buffer.byteLength(item), 0);
}

/** An email, trimmed and lower-cased: the lead's identity. */
export const Email = z.pipe(
  z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email({ message: "must be an email address" })),
  z.transform((email: string) => email.toLowerCase()),
);

/** A name or company as the event carries it: trimmed, 1 to 256 characters. */
const Label = z.string().check(z.trim(), z.minLength(1), z.maxLength(256));

/**
 * The canonical event every source adapter produces and the engine folds.
 * `source` + `sourceEventId` is the dedupe key: the sender's own delivery or event id.
 */
export const LeadEvent = z
  .object({
    source: SourceName,
    sourceEventId: z.string().check(z.minLength(1), z.maxLength(256)),
    type: EventType,
    occurredAt: z
      .pipe(
        z.iso.datetime({ offset: true }),
        z.transform((at: string) => new Date(at).toISOString()),
      )
      .check(
        z.refine((at) => Date.parse(at) >= Date.parse(OCCURRED_AT_FLOOR), `must not be before ${OCCURRED_AT_FLOOR}`),
      ),
    email: Email,
    name: z.optional(Label),
    company: z.optional(Label),
    /** Facts about the person or company (fit): companySize, industry, country, jobTitle, ... */
    attributes: z._default(EventAttributes, {}),
    /** Form answers keyed by the sender's label or ref; the model maps them to attributes and BANT. */
    answers: z._default(EventAnswers, {}),
    /** Facts about the event itself: page path, webinar minutes, campaign, ... */
    properties: z._default(EventProperties, {}),
  })
  .check(
    z.superRefine((event, context) => {
      const bytes = factsBytes(event.attributes, event.answers, event.properties);
      if (bytes <= MAX_FACTS_BYTES) return;
      // Name the biggest of the three, where cutting helps most.
      const sizes = (["attributes", "answers", "properties"] as const).map(
        (field) => [field, factsBytes(event[field])] as const,
      );
      const [biggest] = sizes.reduce((most, next) => (next[1] > most[1] ? next : most));
      context.addIssue({
        code: "custom",
        path: [biggest],
        message: `attributes, answers and properties take ${bytes} bytes together, more than ${MAX_FACTS_BYTES}`,
      });
    }),
  );
export type LeadEvent = z.output<typeof LeadEvent>;
export type LeadEventInput = z.input<typeof LeadEvent>;

/** The key an event is stored and deduplicated under, stable across redeliveries. */
export function eventKey(event: Pick<LeadEvent, "source" | "sourceEventId">): string {
  return `${event.source}:${event.sourceEventId}`;
}
