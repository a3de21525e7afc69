import * as z from "zod";
import { EventCondition, EventTypes, Identifier } from "./conditions";

/**
 * Engagement: points for what the lead did. Each rule names event types and an optional condition on
 * the event; caps limit how often it scores; points decay by half every `halfLifeDays`, computed from
 * the event's time to the moment of scoring (never by a batch job).
 */

export const Cap = z
  .union([
    z.literal("once").describe("scores once per lead"),
    z.strictObject({
      max: z.int().min(1).max(1000).describe("at most this many scoring events (a snapshot keeps their times)"),
      perDays: z.number().positive().optional().describe("... within any window of this many days"),
    }),
  ])
  .meta({ id: "Cap" });
export type Cap = z.infer<typeof Cap>;

export const EngagementRule = z
  .strictObject({
    id: Identifier,
    label: z.string().min(1),
    on: EventTypes.describe("event type(s), e.g. page.viewed or webinar.*"),
    where: EventCondition.optional(),
    points: z.number().finite(),
    cap: Cap.optional().describe("once, or max N (per D days); default: every event scores"),
    halfLifeDays: z.number().positive().optional().describe("overrides engagement.halfLifeDays for this rule"),
    decay: z.boolean().optional().describe("false: these points never decay"),
  })
  .meta({ id: "EngagementRule" });
export type EngagementRule = z.infer<typeof EngagementRule>;

export const EngagementModel = z.strictObject({
  halfLifeDays: z
    .number()
    .positive()
    .optional()
    .describe("points halve every N days (30 ≈ 50% a month, 72 ≈ 25% a month); absent: no decay"),
  rules: z.array(EngagementRule).default([]),
});
export type EngagementModel = z.infer<typeof EngagementModel>;
