import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Lead, Transition } from "../../domain/lead";
import type { StoredEvent } from "../../domain/scoring";
import {
  domainPk,
  enteredSortKey,
  eventSk,
  LEAD_SK,
  leadPk,
  scoreSortKey,
  stagePk,
  stageShard,
  transitionDayPk,
  transitionSk,
} from "./keys";

export type Item = Record<string, AttributeValue>;

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;
const KEY_ATTRIBUTES = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "entity"];

function strip<T>(record: Record<string, unknown>): T {
  const copy = { ...record };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy as T;
}

export function leadItem(lead: Lead): Item {
  const shard = stageShard(lead.leadId);
  return marshall(
    {
      pk: leadPk(lead.leadId),
      sk: LEAD_SK,
      entity: "lead",
      gsi1pk: stagePk(lead.stage, shard),
      gsi1sk: scoreSortKey(lead.score, lead.leadId),
      gsi2pk: stagePk(lead.stage, shard),
      gsi2sk: enteredSortKey(lead.stageEnteredAt, lead.leadId),
      gsi3pk: domainPk(lead.domain),
      gsi3sk: lead.leadId,
      ...lead,
    },
    MARSHALL,
  );
}

export function eventItem(leadId: string, event: StoredEvent): Item {
  return marshall({ pk: leadPk(leadId), sk: eventSk(event.eventId), entity: "event", leadId, ...event }, MARSHALL);
}

export function transitionItem(transition: Transition): Item {
  return marshall(
    {
      pk: leadPk(transition.leadId),
      sk: transitionSk(transition.at, transition.transitionId),
      entity: "transition",
      gsi3pk: transitionDayPk(transition.at),
      gsi3sk: `${transition.at}#${transition.transitionId}`,
      ...transition,
    },
    MARSHALL,
  );
}

export function entityOf(item: Item): string | undefined {
  return item.entity?.S;
}

export const toLead = (item: Item): Lead => strip<Lead>(unmarshall(item));
export const toTransition = (item: Item): Transition => strip<Transition>(unmarshall(item));
export function toEvent(item: Item): StoredEvent {
  const { leadId: _leadId, ...event } = strip<StoredEvent & { leadId: string }>(unmarshall(item));
  return event;
}
