import { unmarshall } from "@aws-sdk/util-dynamodb";
import { LeadSlaBreachedDetail } from "#shared/bus/lead-sla-breached";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { entityItem, type Item } from "./item";
import { leadPk } from "./lead";
import { insertedItems, type StreamRecord } from "./stream";

/**
 * An SLA breach: pk LEAD#<leadId> (so an erasure takes it too), sk SLA#<ruleId>#<enteredAt>, once per
 * SLA rule and stay in a stage: the key makes recording idempotent. The item carries the bus event's
 * detail and leaves through the table's stream as `Lead SLA Breached`, like a transition does.
 */
export const SLA_BREACH = "sla-breach";

export const SLA_PREFIX = "SLA#";
export const slaBreachSk = (ruleId: string, enteredAt: string) => `${SLA_PREFIX}${ruleId}#${enteredAt}`;

export function slaBreachItem(detail: LeadSlaBreachedDetail): Item {
  const { lead, ruleId, stageEnteredAt } = detail.data;
  return entityItem(SLA_BREACH, leadPk(lead.leadId), slaBreachSk(ruleId, stageEnteredAt), {
    breachId: detail.metadata.breachId,
    detail,
  });
}

const inserted = insertedItems(SLA_BREACH);

/** The SLA breach Pipe's filter: only new breach records (written by the maintenance sweep) become bus events. */
export const SLA_BREACH_STREAM_FILTER: EventPattern = inserted.filter();

/** The `Lead SLA Breached` detail a stream record inserted, or undefined for any other record. */
export function slaBreachFromRecord(record: StreamRecord): LeadSlaBreachedDetail | undefined {
  const image = inserted.image(record);
  if (!image) return undefined;
  const parsed = LeadSlaBreachedDetail.safeParse(unmarshall(image).detail);
  return parsed.success ? parsed.data : undefined;
}
