import * as z from "zod/mini";

/**
 * The parts every alerting bus event carries about its lead: who, the rules that scored, BANT and the
 * owner. Shared by `Lead Stage Changed`, `Lead SLA Breached` and `Lead SQL Ready`, so an alert reads them the same way.
 */
export const RuleHitSchema = z.object({
  ruleId: z.string(),
  axis: z.enum(["fit", "engagement"]),
  attribute: z.optional(z.string()),
  label: z.string(),
  /** Events the rule scored for (1 for a fit rule). */
  hits: z._default(z.number().check(z.int(), z.gte(0)), 1),
  points: z.number(),
  decayedPoints: z.number(),
});
export const BantItemSchema = z.object({ value: z.string(), satisfied: z.boolean(), eventId: z.string() });
export const OwnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  slackUserId: z.optional(z.string()),
});
export const LeadSummarySchema = z.object({
  leadId: z.string(),
  email: z.string(),
  name: z.optional(z.string()),
  company: z.optional(z.string()),
  domain: z.string(),
});

/**
 * A channel as the bus carries it. Read tolerantly (any name): a channel added to the model before its
 * notifier is deployed is one no rule matches, not a detail every notifier refuses.
 */
export const ChannelName = z.string().check(z.minLength(1));

/** An EventBridge event pattern, as JSON. */
export type EventPattern = Record<string, unknown>;
