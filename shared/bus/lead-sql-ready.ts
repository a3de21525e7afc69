import * as z from "zod/mini";
import type { SqlReadyRequest } from "#shared/domain/lead";
import { OWNER_CHANNELS } from "#shared/domain/model/notifications";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { Stage } from "#shared/domain/stages";
import { BantItemSchema, ChannelName, LeadSummarySchema, OwnerSchema, RuleHitSchema } from "./summary-schemas";

/**
 * `Lead SQL Ready`: with the SDR gate on (stages.sqlReview), a lead met an sql rule and began to wait for
 * its owner to Qualify or Disqualify it. Published once per wait (`requestId`, deterministic per lead and
 * wait): the notifiers alert once per request id, however often the bus delivers it.
 */
export const LEAD_SQL_READY = {
  source: "ripen",
  detailType: "Lead SQL Ready",
  version: "1",
} as const;

export const LeadSqlReadyDetail = z.object({
  metadata: z.object({
    version: z.literal(LEAD_SQL_READY.version),
    requestId: z.string().check(z.minLength(1)),
    occurredAt: z.string(),
    modelVersion: z.string(),
  }),
  /** Where the request goes: the owner's channels among those the model sends a move to sql (none: quiet). */
  channels: z.array(ChannelName),
  data: z.object({
    lead: LeadSummarySchema,
    /** The stage the lead waits in, and the sql rule that holds it. */
    stage: Stage,
    ruleId: z.string(),
    reason: z.string(),
    score: z.number(),
    reasons: z._default(z.array(RuleHitSchema), []),
    bant: z._default(z.record(z.string(), BantItemSchema), {}),
    owner: z.optional(OwnerSchema),
    eventId: z.optional(z.string()),
  }),
});
export type LeadSqlReadyDetail = z.infer<typeof LeadSqlReadyDetail>;

/** The bus event's detail for a wait's request, with the channels it goes to. */
export function sqlReadyDetail(request: SqlReadyRequest, channels: readonly string[]): LeadSqlReadyDetail {
  return {
    metadata: {
      version: LEAD_SQL_READY.version,
      requestId: request.requestId,
      occurredAt: request.since,
      modelVersion: request.modelVersion,
    },
    channels: [...channels],
    data: {
      lead: { leadId: request.leadId, ...request.lead },
      stage: request.stage,
      ruleId: request.ruleId,
      reason: request.reason,
      score: request.score,
      reasons: request.reasons,
      bant: request.bant,
      ...(request.owner && { owner: request.owner }),
      ...(request.eventId !== undefined && { eventId: request.eventId }),
    },
  };
}

const OWNER: ReadonlySet<string> = new Set(OWNER_CHANNELS);

/**
 * Where a wait for review is announced: the owner's channels among those the model's notification rules
 * send the lead's move to sql (none for a quiet one).
 */
export function sqlReadyChannels(request: SqlReadyRequest, channelsFor: ScoringEngine["channelsFor"]): string[] {
  if (request.quiet) return [];
  return channelsFor({ from: request.stage, to: "sql" }).filter((channel) => OWNER.has(channel));
}
