import * as z from "zod";
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
