import * as z from "zod";
import { BANT_KEYS, type Bant, type BantItem, type BantKey } from "../lead";
import type { Scalar } from "../lead-event";
import { type CompileScope, compileValueTest, type Test } from "./compile-conditions";
import { ValueTest } from "./conditions";

/**
 * BANT: which attributes (set by events or mapped from form answers, see fields.ts) answer Budget,
 * Authority, Need and Timing, and which answers count as satisfied.
 */

export const BantCriterion = z
  .strictObject({
    from: z
      .array(z.string().min(1))
      .min(1)
      .describe("attributes to read: the first satisfied wins, else the first given"),
    satisfied: ValueTest.optional().describe("when the value counts as satisfied (default: any non-empty answer)"),
  })
  .meta({ id: "BantCriterion" });
export type BantCriterion = z.infer<typeof BantCriterion>;

export const BantModel = z.strictObject({
  budget: BantCriterion.optional(),
  authority: BantCriterion.optional(),
  need: BantCriterion.optional(),
  timing: BantCriterion.optional(),
});
export type BantModel = z.infer<typeof BantModel>;

const NO_ANSWER = "^\\s*(no\\b|none|nothing|zero|\\$?0\\b|n/?a$|not sure|unsure|unknown|tbd|don'?t know)";

export const DEFAULT_BANT: BantModel = {
  budget: { from: ["budget"], satisfied: { not: { pattern: NO_ANSWER } } },
  authority: {
    from: ["jobTitle", "seniority", "purchaseRole"],
    satisfied: {
      pattern:
        "\\b(founder|co-?founder|owner|ceo|cto|cfo|coo|cmo|cio|cro|chief|president|vp|vice president|head|director|partner|principal|managing|decision maker)\\b",
    },
  },
  need: { from: ["need"] },
  timing: {
    from: ["timeline"],
    satisfied: {
      not: {
        any: [
          { pattern: NO_ANSWER },
          { pattern: "just (looking|browsing|researching)|no (plans|timeline)|someday|next year" },
          { pattern: "(more than|over|\\+)\\s*(a|1|one|12)\\s*(year|months)|12\\s*\\+" },
        ],
      },
    },
  },
};

export interface CompiledBant {
  /** BANT from the lead's attributes and the event that last set each one. */
  extract(attributes: Record<string, Scalar>, setBy: Record<string, string>): Bant;
}

export function compileBant(model: BantModel, scope: Pick<CompileScope, "lists">): CompiledBant {
  const criteria: { key: BantKey; from: string[]; satisfied: Test<unknown> }[] = [];
  for (const key of BANT_KEYS) {
    const criterion = model[key];
    if (!criterion) continue;
    criteria.push({
      key,
      from: criterion.from,
      satisfied: criterion.satisfied ? compileValueTest(criterion.satisfied, scope) : (value) => value !== "",
    });
  }
  return {
    extract(attributes, setBy) {
      const bant: Bant = {};
      for (const criterion of criteria) {
        // The first satisfied answer wins; failing that, the first one given (unsatisfied).
        let item: BantItem | undefined;
        for (const attribute of criterion.from) {
          const value = attributes[attribute];
          const eventId = setBy[attribute];
          if (value === undefined || eventId === undefined) continue;
          const text = String(value).trim();
          if (text === "") continue;
          const satisfied = criterion.satisfied(text);
          if (satisfied) {
            item = { value: text, satisfied, eventId };
            break;
          }
          item ??= { value: text, satisfied, eventId };
        }
        if (item) bant[criterion.key] = item;
      }
      return bant;
    },
  };
}
