import * as z from "zod/mini";
import {
  LEAD_SLA_BREACHED,
  type LeadSlaBreachedDetail,
  LeadSlaBreachedDetail as LeadSlaBreachedSchema,
} from "#shared/bus/lead-sla-breached";
import {
  LEAD_SQL_READY,
  type LeadSqlReadyDetail,
  LeadSqlReadyDetail as LeadSqlReadySchema,
} from "#shared/bus/lead-sql-ready";
import {
  LEAD_STAGE_CHANGED,
  type LeadStageChangedDetail,
  LeadStageChangedDetailV1,
  LeadStageChangedDetail as LeadStageChangedSchema,
  upgradedDetail,
} from "#shared/bus/lead-stage-changed";
import type { Alert } from "#shared/domain/alert";
import { InvalidPayloadError } from "#shared/domain/errors";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { issueDetails } from "./schema-issues";

/** An EventBridge event as a rule target receives it. */
export interface BusEvent {
  "detail-type": string;
  source: string;
  detail: unknown;
}

const StageChangedOfEitherVersion = z.union([LeadStageChangedSchema, LeadStageChangedDetailV1]);

/**
 * The alert a bus event asks for: where a notifier's event enters, so what follows sees a domain Alert.
 * Input: the event as the rule delivered it, and the model's channels for a version 1 stage change
 * replayed from the archive (as the notifiers decided before the publisher stamped them). Throws
 * InvalidPayloadError for a detail that does not match its declared schema, or an unknown event.
 */
export function alertFromBusEvent(event: BusEvent, modelChannels: ScoringEngine["channelsFor"]): Alert {
  if (event.source === LEAD_STAGE_CHANGED.source && event["detail-type"] === LEAD_STAGE_CHANGED.detailType) {
    const detail = parseDetail(StageChangedOfEitherVersion, event.detail);
    return alertFromStageChange("channels" in detail ? detail : upgradedDetail(detail, modelChannels(detail.data)));
  }
  if (event.source === LEAD_SLA_BREACHED.source && event["detail-type"] === LEAD_SLA_BREACHED.detailType) {
    return alertFromSlaBreach(parseDetail(LeadSlaBreachedSchema, event.detail));
  }
  if (event.source === LEAD_SQL_READY.source && event["detail-type"] === LEAD_SQL_READY.detailType) {
    return alertFromSqlReady(parseDetail(LeadSqlReadySchema, event.detail));
  }
  throw new InvalidPayloadError(`no alert for "${event["detail-type"]}" from "${event.source}"`);
}

function parseDetail<Schema extends z.ZodMiniType>(schema: Schema, detail: unknown): z.output<Schema> {
  const result = schema.safeParse(detail);
  if (result.success) return result.data;
  throw new InvalidPayloadError("the event detail does not match its schema", {
    issues: issueDetails(result.error.issues),
  });
}

/** What every alert says of its lead, as each event's data carries it: who, score, reasons, BANT, owner. */
function aboutLead(data: {
  lead: Alert["lead"] & { leadId: string };
  score: number;
  reasons: Alert["reasons"];
  bant: Alert["bant"];
  owner?: Alert["owner"];
}) {
  const { leadId, ...lead } = data.lead;
  return {
    leadId,
    lead,
    score: data.score,
    reasons: data.reasons,
    bant: data.bant,
    ...(data.owner && { owner: data.owner }),
  };
}

export function alertFromStageChange(detail: LeadStageChangedDetail): Alert {
  const { data, metadata } = detail;
  return {
    kind: "stage_changed",
    alertId: metadata.transitionId,
    transitionId: metadata.transitionId,
    ...aboutLead(data),
    stage: data.to,
    from: data.from,
    reason: data.reason,
    occurredAt: metadata.occurredAt,
    ...(data.eventId !== undefined && { source: sourceOf(data.eventId) }),
    ...(data.campaign !== undefined && { campaign: data.campaign }),
    channels: detail.channels,
  };
}

export function alertFromSlaBreach(detail: LeadSlaBreachedDetail): Alert {
  const { data, metadata } = detail;
  return {
    kind: "sla_breached",
    alertId: metadata.breachId,
    ...(data.transitionId !== undefined && { transitionId: data.transitionId }),
    ...aboutLead(data),
    stage: data.stage,
    reason: data.label,
    occurredAt: metadata.occurredAt,
    channels: data.notify,
    sla: { ruleId: data.ruleId, dueAt: data.dueAt, hoursOverdue: data.hoursOverdue },
  };
}

export function alertFromSqlReady(detail: LeadSqlReadyDetail): Alert {
  const { data, metadata } = detail;
  return {
    kind: "sql_ready",
    alertId: metadata.requestId,
    ...aboutLead(data),
    stage: data.stage,
    reason: data.reason,
    occurredAt: metadata.occurredAt,
    ...(data.eventId !== undefined && { source: sourceOf(data.eventId) }),
    channels: detail.channels,
  };
}

/** Event ids are `<source>:<the sender's id>`. */
function sourceOf(eventId: string): string | undefined {
  const at = eventId.indexOf(":");
  return at > 0 ? eventId.slice(0, at) : undefined;
}
