import { z } from "zod";
import type { Transition } from "../domain/lead";
import { Stage } from "../domain/stages";

/**
 * `Lead Stage Changed`: published for every change of a lead's stage (a lead's creation into `lead`
 * only when asked: see TRANSITION_STREAM_FILTERS), declared once with its schema and the rule patterns
 * that route it (beside `Lead SLA Breached`, below). The CDK stack, the local bus and the notifiers all
 * import from here.
 */
export const LEAD_STAGE_CHANGED = {
  source: "ripen",
  detailType: "Lead Stage Changed",
  version: "1",
} as const;

const RuleHitSchema = z.object({
  ruleId: z.string(),
  axis: z.enum(["fit", "engagement"]),
  attribute: z.string().optional(),
  label: z.string(),
  /** Events the rule scored for (1 for a fit rule). */
  hits: z.number().int().min(0).default(1),
  points: z.number(),
  decayedPoints: z.number(),
});
const BantItemSchema = z.object({ value: z.string(), satisfied: z.boolean(), eventId: z.string() });
const OwnerSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  slackUserId: z.string().optional(),
});
const LeadSummarySchema = z.object({
  leadId: z.string(),
  email: z.string(),
  name: z.string().optional(),
  company: z.string().optional(),
  domain: z.string(),
});

export const LeadStageChangedDetail = z.object({
  metadata: z.object({
    version: z.literal(LEAD_STAGE_CHANGED.version),
    transitionId: z.string(),
    occurredAt: z.string(),
    modelVersion: z.string(),
  }),
  data: z.object({
    lead: LeadSummarySchema,
    from: Stage.nullable(),
    to: Stage,
    score: z.number(),
    reason: z.string(),
    actor: z.object({ type: z.enum(["rule", "rep", "model"]), id: z.string() }),
    reasons: z.array(RuleHitSchema),
    bant: z.record(z.string(), BantItemSchema),
    owner: OwnerSchema.optional(),
    eventId: z.string().optional(),
    /** The lead's first-touch source and campaign. */
    source: z.string().optional(),
    campaign: z.string().optional(),
  }),
});
export type LeadStageChangedDetail = z.infer<typeof LeadStageChangedDetail>;

/** The bus event's detail for a transition. */
export function stageChangedDetail(transition: Transition): LeadStageChangedDetail {
  return {
    metadata: {
      version: LEAD_STAGE_CHANGED.version,
      transitionId: transition.transitionId,
      occurredAt: transition.at,
      modelVersion: transition.modelVersion,
    },
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
    breachId: z.string().min(1),
    occurredAt: z.string(),
    modelVersion: z.string(),
  }),
  data: z.object({
    lead: LeadSummarySchema,
    stage: Stage,
    stageEnteredAt: z.string(),
    /** The transition that entered the stage, when known: the alert's buttons refer to it. */
    transitionId: z.string().optional(),
    ruleId: z.string(),
    label: z.string(),
    dueAt: z.string(),
    hoursOverdue: z.number(),
    score: z.number(),
    reasons: z.array(RuleHitSchema).default([]),
    bant: z.record(z.string(), BantItemSchema).default({}),
    owner: OwnerSchema.optional(),
    /** The channels the SLA rule names. */
    notify: z.array(z.enum(["slack", "email"])).default(["slack", "email"]),
  }),
});
export type LeadSlaBreachedDetail = z.infer<typeof LeadSlaBreachedDetail>;

/** An EventBridge event pattern, as JSON. */
export type EventPattern = Record<string, unknown>;

/** Rules on the bus, each a pattern and the notifier it invokes. */
export const RULES = {
  notifySlackOnSql: {
    description: "A lead became sales qualified: tell its owner on Slack",
    target: "notify-slack",
    pattern: {
      source: [LEAD_STAGE_CHANGED.source],
      "detail-type": [LEAD_STAGE_CHANGED.detailType],
      detail: { data: { to: ["sql"] } },
    },
  },
  notifySlackOnMql: {
    description: "A lead became marketing qualified: tell the marketing channel on Slack, when one is configured",
    target: "notify-slack",
    pattern: {
      source: [LEAD_STAGE_CHANGED.source],
      "detail-type": [LEAD_STAGE_CHANGED.detailType],
      detail: { data: { to: ["mql"] } },
    },
  },
  notifySlackOnSlaBreach: {
    description: "A lead waited too long for a rep: remind its owner on Slack",
    target: "notify-slack",
    pattern: { source: [LEAD_SLA_BREACHED.source], "detail-type": [LEAD_SLA_BREACHED.detailType] },
  },
  notifyEmailOnSql: {
    description: "A lead became sales qualified: email its owner",
    target: "notify-email",
    pattern: {
      source: [LEAD_STAGE_CHANGED.source],
      "detail-type": [LEAD_STAGE_CHANGED.detailType],
      detail: { data: { to: ["sql"] } },
    },
  },
  notifyEmailOnSlaBreach: {
    description: "A lead waited too long for a rep: email its owner",
    target: "notify-email",
    pattern: { source: [LEAD_SLA_BREACHED.source], "detail-type": [LEAD_SLA_BREACHED.detailType] },
  },
} as const satisfies Record<string, { description: string; target: string; pattern: EventPattern }>;
export type RuleName = keyof typeof RULES;

/**
 * An item a migration copied under a new key carries this attribute (`npm run migrate`): it was
 * published when it was first written, so its copy's INSERT is not published again.
 */
export const MOVED_ATTRIBUTE = "moved";
const NOT_MOVED = { [MOVED_ATTRIBUTE]: { S: [{ exists: false }] } };

/** A new transition item on the table stream, with more of its image to match when given. */
const insertedTransition = (image: EventPattern = {}): EventPattern => ({
  eventName: ["INSERT"],
  dynamodb: { NewImage: { entity: { S: ["transition"] }, ...NOT_MOVED, ...image } },
});

/**
 * The transition Pipe's filters on the table stream (a record passes when any of them matches): new
 * transition items, except a lead's creation into `lead` (`from` null), which is a fifth of all
 * webhooks and routes to no notifier: each published event costs a Pipe request, a publish invocation
 * and an EventBridge event. The creation is still a transition item (audit, funnel). Stream filters use
 * the event-pattern syntax, so the local poller applies them with the same matcher. Every stream
 * publication is listed in STREAM_PUBLICATIONS (stream-publications.ts).
 */
export const TRANSITION_STREAM_FILTERS: readonly EventPattern[] = [
  // A move from a stage: every transition but a creation.
  insertedTransition({ from: { S: [{ exists: true }] } }),
  // A creation whose first event took the lead past `lead` (straight to mql or sql, say).
  insertedTransition({ to: { S: [{ "anything-but": ["lead"] }] } }),
];

/** Every new transition item, creations into `lead` included (ripen:publishNewLeads, RIPEN_PUBLISH_NEW_LEADS). */
export const EVERY_TRANSITION_STREAM_FILTER: EventPattern = insertedTransition();

/** The SLA breach Pipe's filter: only new breach records (written by the maintenance sweep) become bus events. */
export const SLA_BREACH_STREAM_FILTER: EventPattern = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { entity: { S: ["sla-breach"] }, ...NOT_MOVED } },
};
