import * as z from "zod/mini";
import { InvalidPayloadError } from "../domain/errors";
import type { Owner, RuleHit } from "../domain/lead";
import type { Channel } from "../domain/model/notifications";
import type { ScoringEngine } from "../domain/scoring";
import type { Stage } from "../domain/stages";
// The refusal below carries zod's issues as they are, messages included: this module sets their locale.
import "../domain/schema-issues";
import {
  LEAD_SLA_BREACHED,
  LEAD_STAGE_CHANGED,
  type LeadSlaBreachedDetail,
  LeadSlaBreachedDetail as LeadSlaBreachedSchema,
  type LeadStageChangedDetail,
  LeadStageChangedDetailV1,
  LeadStageChangedDetail as LeadStageChangedSchema,
  upgradedDetail,
} from "./lead-stage-changed";

export type AlertChannel = "slack" | "email";

/** One BANT criterion as an alert shows it. */
export interface AlertBantItem {
  value: string;
  satisfied: boolean;
}

/**
 * What a rep is alerted about, whatever the bus event was: a stage change or an SLA breach.
 * Channel renderers (Slack blocks, email) read only this.
 */
export interface Alert {
  kind: "stage_changed" | "sla_breached";
  /** The idempotency key of the alert: the transition id, or the SLA breach id. */
  alertId: string;
  leadId: string;
  /** The transition the alert is about (the one that entered the stage); buttons carry it. */
  transitionId?: string;
  lead: { email: string; name?: string; company?: string; domain: string };
  stage: Stage;
  from?: Stage | null;
  score: number;
  /** Why the lead moved (the rule's label), or the SLA rule's label. */
  reason: string;
  reasons: RuleHit[];
  bant: Record<string, AlertBantItem>;
  owner?: Owner;
  occurredAt: string;
  /** The source of the event that caused the move (`typeform`, `generic`, ...). */
  source?: string;
  campaign?: string;
  /** Where the alert goes: the channels stamped on a stage change, or those an SLA rule names. */
  channels: Channel[];
  sla?: { ruleId: string; dueAt: string; hoursOverdue: number };
}

/** An EventBridge event as a rule target receives it. */
export interface BusEvent {
  "detail-type": string;
  source: string;
  detail: unknown;
}

const StageChangedOfEitherVersion = z.union([LeadStageChangedSchema, LeadStageChangedDetailV1]);

/**
 * The alert a bus event asks for. Input: the event as the rule delivered it, and the model's channels
 * for a version 1 stage change replayed from the archive (as the notifiers decided before the publisher
 * stamped them). Throws InvalidPayloadError for a detail that does not match its declared schema, or an
 * unknown event.
 */
export function alertFromBusEvent(event: BusEvent, modelChannels: ScoringEngine["channelsFor"]): Alert {
  if (event.source === LEAD_STAGE_CHANGED.source && event["detail-type"] === LEAD_STAGE_CHANGED.detailType) {
    const detail = parseDetail(StageChangedOfEitherVersion, event.detail);
    return alertFromStageChange("channels" in detail ? detail : upgradedDetail(detail, modelChannels(detail.data)));
  }
  if (event.source === LEAD_SLA_BREACHED.source && event["detail-type"] === LEAD_SLA_BREACHED.detailType) {
    return alertFromSlaBreach(parseDetail(LeadSlaBreachedSchema, event.detail));
  }
  throw new InvalidPayloadError(`no alert for "${event["detail-type"]}" from "${event.source}"`);
}

function parseDetail<Schema extends z.ZodMiniType>(schema: Schema, detail: unknown): z.output<Schema> {
  const result = schema.safeParse(detail);
  if (result.success) return result.data;
  throw new InvalidPayloadError("the event detail does not match its schema", { issues: result.error.issues });
}

export function alertFromStageChange(detail: LeadStageChangedDetail): Alert {
  const { data, metadata } = detail;
  const { leadId, ...lead } = data.lead;
  return {
    kind: "stage_changed",
    alertId: metadata.transitionId,
    leadId,
    transitionId: metadata.transitionId,
    lead,
    stage: data.to,
    from: data.from,
    score: data.score,
    reason: data.reason,
    reasons: data.reasons,
    bant: data.bant,
    ...(data.owner && { owner: data.owner }),
    occurredAt: metadata.occurredAt,
    ...(data.eventId !== undefined && { source: sourceOf(data.eventId) }),
    ...(data.campaign !== undefined && { campaign: data.campaign }),
    channels: detail.channels,
  };
}

export function alertFromSlaBreach(detail: LeadSlaBreachedDetail): Alert {
  const { data, metadata } = detail;
  const { leadId, ...lead } = data.lead;
  return {
    kind: "sla_breached",
    alertId: metadata.breachId,
    leadId,
    ...(data.transitionId !== undefined && { transitionId: data.transitionId }),
    lead,
    stage: data.stage,
    score: data.score,
    reason: data.label,
    reasons: data.reasons,
    bant: data.bant,
    ...(data.owner && { owner: data.owner }),
    occurredAt: metadata.occurredAt,
    channels: data.notify,
    sla: { ruleId: data.ruleId, dueAt: data.dueAt, hoursOverdue: data.hoursOverdue },
  };
}

/** Event ids are `<source>:<the sender's id>`. */
function sourceOf(eventId: string): string | undefined {
  const at = eventId.indexOf(":");
  return at > 0 ? eventId.slice(0, at) : undefined;
}
