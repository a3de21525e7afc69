import * as z from "zod/mini";
import type { Transition } from "../domain/lead";
import { Channel, OWNER_CHANNELS, OwnerChannel } from "../domain/model/notifications";
import { Stage } from "../domain/stages";

/**
 * `Lead Stage Changed`: published for every change of a lead's stage (a lead's creation into `lead`
 * only when asked: see TRANSITION_STREAM_FILTERS), declared once with its schema and the rule patterns
 * that route it (beside `Lead SLA Breached`, below). The CDK stack, the local bus and the notifiers all
 * import from here.
 *
 * Version 2 carries `channels`: where the model's notification rules send the change, stamped by the
 * publisher, so each notifier's rule matches its channels and no notifier decides routing again.
 * Version 1 (no `channels`) may still be replayed from the bus archive: VERSION_1_RULES route it as it
 * was routed when it was published.
 */
export const LEAD_STAGE_CHANGED = {
  source: "ripen",
  detailType: "Lead Stage Changed",
  version: "2",
} as const;

const RuleHitSchema = z.object({
  ruleId: z.string(),
  axis: z.enum(["fit", "engagement"]),
  attribute: z.optional(z.string()),
  label: z.string(),
  /** Events the rule scored for (1 for a fit rule). */
  hits: z._default(z.number().check(z.int(), z.gte(0)), 1),
  points: z.number(),
  decayedPoints: z.number(),
});
const BantItemSchema = z.object({ value: z.string(), satisfied: z.boolean(), eventId: z.string() });
const OwnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  slackUserId: z.optional(z.string()),
});
const LeadSummarySchema = z.object({
  leadId: z.string(),
  email: z.string(),
  name: z.optional(z.string()),
  company: z.optional(z.string()),
  domain: z.string(),
});

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
  actor: z.object({ type: z.enum(["rule", "rep", "model"]), id: z.string() }),
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
  channels: z.array(Channel),
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
export function stageChangedDetail(transition: Transition, channels: readonly Channel[]): LeadStageChangedDetail {
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
    /** The channels the SLA rule names. */
    notify: z._default(z.array(OwnerChannel), [...OWNER_CHANNELS]),
  }),
});
export type LeadSlaBreachedDetail = z.infer<typeof LeadSlaBreachedDetail>;

/** An EventBridge event pattern, as JSON. */
export type EventPattern = Record<string, unknown>;

/** Who is alerted, and where: the lead's owner, or the marketing team's channel. */
export type Audience = "owner" | "marketing";

/**
 * How each channel a notification rule names is delivered: the notifier (an alert channel, the
 * `notify-<channel>` function) and the audience it alerts. The marketing channel is on Slack.
 */
export const CHANNEL_DELIVERY = {
  slack: { notifier: "slack", audience: "owner" },
  email: { notifier: "email", audience: "owner" },
  marketing: { notifier: "slack", audience: "marketing" },
} as const satisfies Record<Channel, { notifier: OwnerChannel; audience: Audience }>;

/** The channels a notifier delivers. */
export const channelsOfNotifier = (notifier: OwnerChannel): Channel[] =>
  Channel.options.filter((channel) => CHANNEL_DELIVERY[channel].notifier === notifier);

const stageChanged = (detail: EventPattern): EventPattern => ({
  source: [LEAD_STAGE_CHANGED.source],
  "detail-type": [LEAD_STAGE_CHANGED.detailType],
  detail,
});
const slaBreached = (detail: EventPattern): EventPattern => ({
  source: [LEAD_SLA_BREACHED.source],
  "detail-type": [LEAD_SLA_BREACHED.detailType],
  detail,
});

/**
 * Rules on the bus, each a pattern and the notifier it invokes: one per notifier for stage changes
 * (matching the channels stamped on the event: a pattern on an array matches when any element does)
 * and one per notifier for SLA breaches (matching the channels the SLA rule names).
 */
const CHANNEL_RULES = {
  notifySlack: {
    description: "A change of stage the model's rules send to Slack: the owner, or the marketing channel",
    target: "notify-slack",
    pattern: stageChanged({ channels: channelsOfNotifier("slack") }),
  },
  notifyEmail: {
    description: "A change of stage the model's rules send by email to the owner",
    target: "notify-email",
    pattern: stageChanged({ channels: channelsOfNotifier("email") }),
  },
  notifySlackOnSlaBreach: {
    description: "A lead waited too long for a rep: remind its owner on Slack",
    target: "notify-slack",
    pattern: slaBreached({ data: { notify: ["slack"] } }),
  },
  notifyEmailOnSlaBreach: {
    description: "A lead waited too long for a rep: email its owner",
    target: "notify-email",
    pattern: slaBreached({ data: { notify: ["email"] } }),
  },
} as const;

/**
 * Version 1 events (no channels) replayed from the archive, routed as they were when published: sql to
 * both notifiers, mql to Slack; each notifier reads the channels from the model then. The rules keep
 * their names, so a deployed stack updates them and their dead-letter queues in place. Remove them once
 * the archive (ripen:archiveRetentionDays) holds no version 1 event.
 */
const version1 = (to: string) => stageChanged({ metadata: { version: ["1"] }, data: { to: [to] } });
const VERSION_1_RULES = {
  notifySlackOnSql: {
    description: "Version 1 (replayed): a lead became sales qualified: tell its owner on Slack",
    target: "notify-slack",
    pattern: version1("sql"),
  },
  notifySlackOnMql: {
    description: "Version 1 (replayed): a lead became marketing qualified: tell the marketing channel",
    target: "notify-slack",
    pattern: version1("mql"),
  },
  notifyEmailOnSql: {
    description: "Version 1 (replayed): a lead became sales qualified: email its owner",
    target: "notify-email",
    pattern: version1("sql"),
  },
} as const;

export const RULES = { ...CHANNEL_RULES, ...VERSION_1_RULES } as const satisfies Record<
  string,
  { description: string; target: string; pattern: EventPattern }
>;
export type RuleName = keyof typeof RULES;
