import * as z from "zod";
import { BANT_KEYS, type BantKey } from "#shared/domain/lead";

/**
 * The condition language of the model. One shape everywhere: a condition is an object with exactly
 * one kind of test, and `all` / `any` / `not` combine them. Three flavours differ only in what they
 * can look at: a value (BANT answers), an event (engagement rules), or a lead (fit, stages, routing).
 */

/** Inclusive bounds; either may be left out. */
export const Range = z
  .strictObject({
    min: z.number().optional().describe("inclusive lower bound"),
    max: z.number().optional().describe("inclusive upper bound"),
  })
  .superRefine((range, ctx) => {
    if (range.min === undefined && range.max === undefined)
      ctx.addIssue({ code: "custom", message: "needs min or max" });
    if (range.min !== undefined && range.max !== undefined && range.min > range.max)
      ctx.addIssue({ code: "custom", message: `min ${range.min} is above max ${range.max}` });
  });
export type Range = z.infer<typeof Range>;

export const ConditionValue = z.union([z.string(), z.number(), z.boolean()]);
export type ConditionValue = z.infer<typeof ConditionValue>;

/** A regular expression, checked when the model loads; matched case-insensitively. */
export const Pattern = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, "i");
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(error as Error).message}` });
  }
});

export const Identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' or '-' (starting with a letter or digit)")
  .max(64);

/** The tests a value can be put to. Strings compare case-insensitively, lists match if any element does. */
export interface ValueOperators {
  equals?: ConditionValue;
  in?: ConditionValue[];
  inList?: string;
  range?: Range;
  pattern?: string;
  exists?: boolean;
}
const operatorShape = {
  equals: ConditionValue.optional().describe("equal to this value (strings compare case-insensitively)"),
  in: z.array(ConditionValue).min(1).optional().describe("one of these values"),
  inList: Identifier.optional().describe("one of the values of a named list under `lists`"),
  range: Range.optional().describe("a number (or text starting with one, e.g. '51-200') within the bounds"),
  pattern: Pattern.optional().describe("matches this regular expression (case-insensitive)"),
  exists: z.boolean().optional().describe("true: present and not empty; false: absent or empty"),
};
export const OPERATORS = Object.keys(operatorShape) as (keyof ValueOperators)[];

export interface ValueTest extends ValueOperators {
  all?: ValueTest[];
  any?: ValueTest[];
  not?: ValueTest;
}

/** `field` names what an event condition looks at. */
export const EVENT_FIELD = /^(source|type|(properties|answers|attributes)\..+)$/;
/** `field` names what a lead condition looks at; `domain` is the email's domain. */
export const LEAD_FIELD = /^(email|domain|name|company|attributes\..+)$/;

export interface FieldCondition extends ValueOperators {
  /** One field, or several: the first one present is tested. */
  field?: string | string[];
}
export interface EventCondition extends FieldCondition {
  all?: EventCondition[];
  any?: EventCondition[];
  not?: EventCondition;
}
export interface AttributeCondition extends FieldCondition {
  all?: AttributeCondition[];
  any?: AttributeCondition[];
  not?: AttributeCondition;
}

/** Events of a type (and matching a condition) that the lead has had, at least `atLeast` times. */
export interface EventOccurrence {
  on: string | string[];
  where?: EventCondition;
  atLeast?: number;
  withinDays?: number;
  sinceStageEntered?: boolean;
}
export interface LeadCondition extends FieldCondition {
  score?: Range;
  fit?: Range;
  engagement?: Range;
  bant?: { atLeast?: number; of?: BantKey[] };
  event?: EventOccurrence;
  rule?: string;
  atLeast?: number;
  idleDays?: Range;
  daysInStage?: Range;
  all?: LeadCondition[];
  any?: LeadCondition[];
  not?: LeadCondition;
}

const COMBINATORS = ["all", "any", "not"] as const;
const FIELD_KINDS = ["field", ...OPERATORS] as const;
const METRIC_KINDS = ["score", "fit", "engagement", "bant", "event", "rule", "idleDays", "daysInStage"] as const;

/** Exactly one kind of test per condition object, so a condition never means two things at once. */
function oneKind(kinds: readonly string[], fieldPattern: RegExp | undefined, fieldHint: string) {
  return (condition: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const operators = OPERATORS.filter((key) => condition[key] !== undefined);
    const others = kinds.filter((key) => !FIELD_KINDS.includes(key as never) && condition[key] !== undefined);
    const hasField = condition.field !== undefined;
    const fields =
      typeof condition.field === "string" ? [condition.field] : Array.isArray(condition.field) ? condition.field : [];
    const named = fields.join(", ");
    if (fieldPattern === undefined) {
      if (operators.length + others.length !== 1)
        ctx.addIssue({ code: "custom", message: describeCount(operators.length + others.length, kinds) });
      return;
    }
    for (const field of fields)
      if (typeof field === "string" && !fieldPattern.test(field))
        ctx.addIssue({ code: "custom", path: ["field"], message: `unknown field "${field}": ${fieldHint}` });
    if (hasField && operators.length !== 1)
      ctx.addIssue({
        code: "custom",
        message:
          operators.length === 0
            ? `field "${named}" needs one test: ${OPERATORS.join(", ")}`
            : `field "${named}" has ${operators.join(" and ")}; use one test per condition (combine with all/any)`,
      });
    if (!hasField && operators.length > 0)
      ctx.addIssue({ code: "custom", message: `${operators.join(", ")} needs a "field" to test` });
    const count = (hasField ? 1 : 0) + others.length;
    if (count !== 1 && !(count === 0 && operators.length > 0))
      ctx.addIssue({ code: "custom", message: describeCount(count, ["field", ...others]) });
    if (condition.atLeast !== undefined && condition.rule === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["atLeast"],
        message: 'atLeast goes with "rule" (or inside "event"/"bant")',
      });
  };
}

function describeCount(count: number, kinds: readonly string[]): string {
  return count === 0
    ? `needs one of: ${kinds.filter((kind) => kind !== "atLeast").join(", ")}`
    : "has more than one kind of test; put each in its own condition under all/any";
}

export const ValueTest: z.ZodType<ValueTest> = z
  .strictObject({
    ...operatorShape,
    get all() {
      return z.array(ValueTest).min(1).optional();
    },
    get any() {
      return z.array(ValueTest).min(1).optional();
    },
    get not() {
      return ValueTest.optional();
    },
  })
  .superRefine(oneKind([...OPERATORS, ...COMBINATORS], undefined, ""))
  .meta({ id: "ValueTest", description: "A test on one value; exactly one test, or all/any/not." });

const fieldDoc = (hint: string) =>
  z
    .union([z.string(), z.array(z.string()).min(1)])
    .optional()
    .describe(`${hint}; a list tests the first one present`);
const EVENT_FIELD_HINT = "source, type, properties.<name>, answers.<label> or attributes.<name>";
const LEAD_FIELD_HINT = "email, domain, name, company or attributes.<name>";

export const EventCondition: z.ZodType<EventCondition> = z
  .strictObject({
    field: fieldDoc(EVENT_FIELD_HINT),
    ...operatorShape,
    get all() {
      return z.array(EventCondition).min(1).optional();
    },
    get any() {
      return z.array(EventCondition).min(1).optional();
    },
    get not() {
      return EventCondition.optional();
    },
  })
  .superRefine(oneKind([...FIELD_KINDS, ...COMBINATORS], EVENT_FIELD, EVENT_FIELD_HINT))
  .meta({ id: "EventCondition", description: "A condition on one event's fields." });

export const AttributeCondition: z.ZodType<AttributeCondition> = z
  .strictObject({
    field: fieldDoc(LEAD_FIELD_HINT),
    ...operatorShape,
    get all() {
      return z.array(AttributeCondition).min(1).optional();
    },
    get any() {
      return z.array(AttributeCondition).min(1).optional();
    },
    get not() {
      return AttributeCondition.optional();
    },
  })
  .superRefine(oneKind([...FIELD_KINDS, ...COMBINATORS], LEAD_FIELD, LEAD_FIELD_HINT))
  .meta({ id: "AttributeCondition", description: "A condition on the lead's attributes, email or domain." });

/** An event type like `demo.completed`, or a family like `webinar.*`. */
export const EventTypeSelector = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/, "must be an event type like demo.completed or webinar.*");
export const EventTypes = z.union([EventTypeSelector, z.array(EventTypeSelector).min(1)]);

export const EventOccurrence = z.strictObject({
  on: EventTypes.describe("event type(s), e.g. demo.completed or webinar.*"),
  where: EventCondition.optional(),
  atLeast: z.int().min(1).max(1000).optional().describe("how many such events (default 1)"),
  withinDays: z.number().positive().optional().describe("only events in the last N days"),
  sinceStageEntered: z.boolean().optional().describe("only events after the lead entered its current stage"),
});

export const BantCount = z.strictObject({
  atLeast: z.int().min(1).max(4).optional().describe("how many of the listed criteria are satisfied (default 1)"),
  of: z.array(z.enum(BANT_KEYS)).min(1).optional().describe("which criteria count (default all four)"),
});

export const LeadCondition: z.ZodType<LeadCondition> = z
  .strictObject({
    field: fieldDoc(LEAD_FIELD_HINT),
    ...operatorShape,
    score: Range.optional().describe("total score (fit + engagement, decayed to now)"),
    fit: Range.optional(),
    engagement: Range.optional(),
    bant: BantCount.optional(),
    event: EventOccurrence.optional(),
    rule: Identifier.optional().describe("a fit or engagement rule that matched (engagement: count of events)"),
    atLeast: z.int().min(1).optional().describe('with "rule": how many matching events'),
    idleDays: Range.optional().describe("days since the lead's latest event"),
    daysInStage: Range.optional().describe("days since the lead entered its current stage"),
    get all() {
      return z.array(LeadCondition).min(1).optional();
    },
    get any() {
      return z.array(LeadCondition).min(1).optional();
    },
    get not() {
      return LeadCondition.optional();
    },
  })
  .superRefine(oneKind([...FIELD_KINDS, ...METRIC_KINDS, ...COMBINATORS], LEAD_FIELD, LEAD_FIELD_HINT))
  .meta({ id: "LeadCondition", description: "A condition on the lead: fields, score, BANT, events, rules, time." });
