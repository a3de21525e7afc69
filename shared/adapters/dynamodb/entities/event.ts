import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { entityItem, type Item } from "./item";
import { leadPk } from "./lead";

/**
 * An event: pk LEAD#<leadId>, sk EVENT#<key>. The key, a keyed hash of <source>:<id> (Pseudonyms.eventKey),
 * is the dedupe key, never the sender's own id; its body keeps the sender's id for the lead's timeline.
 * An erasure replaces the event with a record of the key alone (ERASED_EVENT), under the same key.
 */
export const EVENT = "event";
/** An erased event's record: its key (a keyed hash of the sender's id) and nothing else. */
export const ERASED_EVENT = "erased-event";

export const EVENT_PREFIX = "EVENT#";
export const eventSk = (eventKey: string) => `${EVENT_PREFIX}${eventKey}`;

/** Written beside the event by ingest's commits: the lead version the event committed with. */
const LEAD_VERSION = "leadVersion";

/**
 * An event item. `leadVersion`: the lead version it commits with (ingest's commits), so a read that sees
 * the event beside an older lead knows it saw half of the commit (committedLeadVersion).
 */
export function eventItem(leadId: string, event: StoredEvent, key: string, leadVersion?: number): Item {
  const item = entityItem(EVENT, leadPk(leadId), eventSk(key), { leadId, ...event });
  if (leadVersion !== undefined) item[LEAD_VERSION] = { N: String(leadVersion) };
  return item;
}

/**
 * The event an item holds, built field by field in storedEvent's order: events read back from the table
 * then share the few shapes ingest's own events have, whatever order the item's attributes came in, so
 * a replay's reads of them stay monomorphic instead of looking each field up by name.
 */
export function toEvent(item: Item): StoredEvent {
  const record = unmarshall(item) as StoredEvent;
  const event: StoredEvent = {
    source: record.source,
    sourceEventId: record.sourceEventId,
    type: record.type,
    occurredAt: record.occurredAt,
    email: record.email,
    attributes: record.attributes,
    answers: record.answers,
    properties: record.properties,
    eventId: record.eventId,
    receivedAt: record.receivedAt,
  };
  if (record.name !== undefined) event.name = record.name;
  if (record.company !== undefined) event.company = record.company;
  return event;
}

/** True when the keys name every field of T: a field added to StoredEvent must be read back too. */
type EveryField<T, Keys extends keyof T> = Exclude<keyof T, Keys> extends never ? true : never;
const _toEventReadsEveryField: EveryField<
  StoredEvent,
  | "source"
  | "sourceEventId"
  | "type"
  | "occurredAt"
  | "email"
  | "name"
  | "company"
  | "attributes"
  | "answers"
  | "properties"
  | "eventId"
  | "receivedAt"
> = true;

/**
 * The lead version an event item was committed with (ingest writes it beside the event), or undefined for
 * an item written without it (an import, a rekey, an erasure's record, an item from before it was kept).
 */
export function committedLeadVersion(item: Item): number | undefined {
  const version = item[LEAD_VERSION]?.N;
  return version === undefined ? undefined : Number(version);
}

/** An erased event's record, over the event's own key (its sort key): the content goes, the key stays. */
export function erasedEventItem(leadId: string, sk: string): Item {
  return entityItem(ERASED_EVENT, leadPk(leadId), sk);
}
