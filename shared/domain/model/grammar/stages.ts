import * as z from "zod";
import { OWNER_CHANNELS, OwnerChannel } from "#shared/domain/model/notifications";
import { Identifier, LeadCondition } from "./conditions";

/**
 * Stage rules: which leads the model qualifies for mql, sql and sqo (automatic moves, forward only,
 * skips allowed), which it disqualifies or recycles (backward, always with the rule as the reason),
 * which disqualified leads a new signal reopens, and how long a stage may wait for a rep (SLA).
 */

export const StageRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1).describe("the reason a transition records, e.g. 'Demo completed and budget shared'"),
    when: LeadCondition,
  })
  .meta({ id: "StageRule" });
export type StageRule = z.infer<typeof StageRule>;

const RECYCLABLE = ["lead", "mql", "sal", "sql", "sqo"] as const;
export const RecycleRule = StageRule.extend({
  from: z
    .array(z.enum(RECYCLABLE))
    .min(1)
    .default(["mql", "sal"])
    .describe("stages this rule recycles from (default mql, sal)"),
}).meta({ id: "RecycleRule" });
export type RecycleRule = z.infer<typeof RecycleRule>;

export const SlaRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1),
    stage: z
      .enum(["lead", "mql", "sal", "sql", "sqo", "recycled", "review"])
      .describe("review: a lead waiting sql-ready for a rep's decision (stages.sqlReview), timed from its since"),
    hours: z.number().positive(),
    until: z
      .enum(["accepted", "moved"])
      .default("accepted")
      .describe("accepted: a rep took ownership; moved: the lead left the stage (review: until a rep decides)"),
    notify: z
      .array(OwnerChannel)
      .min(1)
      .default([...OWNER_CHANNELS]),
  })
  .meta({ id: "SlaRule" });
export type SlaRule = z.infer<typeof SlaRule>;

export const StageModel = z.strictObject({
  acceptance: z
    .enum(["manual", "auto"])
    .default("manual")
    .describe("auto: a qualified lead is accepted by its routed owner at once (mql → sal)"),
  // Optional rather than defaulted: a model that leaves it out keeps its hash, so its leads' snapshots stay usable.
  sqlReview: z
    .boolean()
    .optional()
    .describe(
      "true: an sql or sqo rule marks the lead sql-ready for its owner to Qualify or Disqualify (default false)",
    ),
  mql: z.array(StageRule).default([]),
  sql: z.array(StageRule).default([]),
  sqo: z.array(StageRule).default([]),
  disqualify: z.array(StageRule).default([]).describe("moves the lead to disqualified, from any stage"),
  recycle: z.array(RecycleRule).default([]).describe("moves the lead back to nurturing"),
  reopen: z.array(StageRule).default([]).describe("lets a disqualified lead back into the funnel"),
  sla: z.array(SlaRule).default([]),
});
export type StageModel = z.infer<typeof StageModel>;
