import * as z from "zod/mini";
import { OWNER_CHANNELS } from "#shared/domain/model/notifications";
import { Stage } from "#shared/domain/stages";
import { BantItemSchema, ChannelName, LeadSummarySchema, OwnerSchema, RuleHitSchema } from "./summary-schemas";

/**
 * `Lead SLA Breached`: a lead waited in a stage longer than the model allows (published by the maintenance
 * sweep). `breachId` must be deterministic per (lead, SLA rule, stage entry): the notifiers alert once per
 * breach id, so a daily sweep that finds the same breach again does not alert twice.
 */
export const LEAD_SLA_BREACHED = {
  source: "ripen",
  detailType: "Lead SLA Breached",
  version: "1",
} as const;

export const LeadSlaBreachedDetail = z.object({
  metadata: z.object({
    version: z.literal(LEAD_SLA_BREACHED.version),
    breachId: z.string().check(z.minLength(1)),
    occurredAt: z.string(),
    modelVersion: z.string(),
  }),
  data: z.object({
    lead: LeadSummarySchema,
    stage: Stage,
    stageEnteredAt: z.string(),
    /** The transition that entered the stage, when known: the alert's buttons refer to it. */
    transitionId: z.optional(z.string()),
    ruleId: z.string(),
    label: z.string(),
    dueAt: z.string(),
    hoursOverdue: z.number(),
    score: z.number(),
    reasons: z._default(z.array(RuleHitSchema), []),
    bant: z._default(z.record(z.string(), BantItemSchema), {}),
    owner: z.optional(OwnerSchema),
    /** The channels the SLA rule names (channels that reach the lead's owner). */
    notify: z._default(z.array(ChannelName), [...OWNER_CHANNELS]),
  }),
});
export type LeadSlaBreachedDetail = z.infer<typeof LeadSlaBreachedDetail>;
