import * as z from "zod/mini";
import type { Transition } from "#shared/domain/lead";
import type { Channel } from "#shared/domain/model/notifications";
import { Stage } from "#shared/domain/stages";
import { BantItemSchema, ChannelName, LeadSummarySchema, OwnerSchema, RuleHitSchema } from "./summary-schemas";

/**
 * `Lead Stage Changed`: published for every change of a lead's stage (a lead's creation into `lead` only
 * when asked: see the transition entity's stream filters). The CDK stack, the local bus, the publisher and
 * the notifiers all import it from here.
 *
 * Version 2 carries `channels`: where the model's notification rules send the change, stamped by the
 * publisher, so each notifier's rule matches its channels and no notifier decides routing again.
 * Version 1 (no `channels`) may still be replayed from the bus archive: rules.ts routes it as it was
 * routed when it was published.
 */
export const LEAD_STAGE_CHANGED = {
  source: "ripen",
  detailType: "Lead Stage Changed",
  version: "2",
} as const;

const stageChangedMetadata = <Version extends string>(version: Version) =>
  z.object({
    version: z.literal(version),
    transitionId: z.string(),
    occurredAt: z.string(),
    modelVersion: z.string(),
  });

const StageChangeData = z.object({
  lead: LeadSummarySchema,
  from: z.nullable(Stage),
  to: Stage,
  score: z.number(),
  reason: z.string(),
  actor: z.object({ type: z.enum(["rule", "rep", "model", "import"]), id: z.string() }),
  reasons: z.array(RuleHitSchema),
  bant: z.record(z.string(), BantItemSchema),
  owner: z.optional(OwnerSchema),
  eventId: z.optional(z.string()),
  /** The lead's first-touch source and campaign. */
  source: z.optional(z.string()),
  campaign: z.optional(z.string()),
});

export const LeadStageChangedDetail = z.object({
  metadata: stageChangedMetadata(LEAD_STAGE_CHANGED.version),
  /** Where the model's notification rules send this change (none: no alert, or a rescore's quiet move). */
  channels: z.array(ChannelName),
  data: StageChangeData,
});
export type LeadStageChangedDetail = z.infer<typeof LeadStageChangedDetail>;

/** A detail published before the channels were stamped: the bus archive may still replay it. */
export const LeadStageChangedDetailV1 = z.object({ metadata: stageChangedMetadata("1"), data: StageChangeData });
export type LeadStageChangedDetailV1 = z.infer<typeof LeadStageChangedDetailV1>;

/** A version 1 detail as the current version: with the channels it would have been stamped with. */
export function upgradedDetail(detail: LeadStageChangedDetailV1, channels: readonly Channel[]): LeadStageChangedDetail {
  return { ...detail, metadata: { ...detail.metadata, version: LEAD_STAGE_CHANGED.version }, channels: [...channels] };
}

/** The bus event's detail for a transition, with the channels the model's rules send it to. */
export function stageChangedDetail(transition: Transition, channels: readonly string[]): LeadStageChangedDetail {
  return {
    metadata: {
      version: LEAD_STAGE_CHANGED.version,
      transitionId: transition.transitionId,
      occurredAt: transition.at,
      modelVersion: transition.modelVersion,
    },
    channels: [...channels],
    data: {
      lead: { leadId: transition.leadId, ...transition.lead },
      from: transition.from,
      to: transition.to,
      score: transition.score,
      reason: transition.reason,
      actor: transition.actor,
      reasons: transition.reasons,
      bant: transition.bant,
      ...(transition.owner && { owner: transition.owner }),
      ...(transition.eventId !== undefined && { eventId: transition.eventId }),
      ...(transition.source !== undefined && { source: transition.source }),
      ...(transition.campaign !== undefined && { campaign: transition.campaign }),
    },
  };
}
