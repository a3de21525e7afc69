import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { entityItem, type Item, NOT_STORED_FIELDS } from "./item";
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
 * A stored event as the fold reads it: every decoded event built in one order, the fields a fold reads
 * first, each in the object itself. Decoded as unmarshall gives it, an event kept its first four fields
 * in the object and the others (its id and its attributes, answers and properties among them) in an
 * array beside it, one more read from memory per event, in an order and a shape that vary with the item.
 * Name and company follow when the event has them; a field of an older or newer item is kept after them.
 */
export function toEvent(item: Item): StoredEvent {
  const stored = unmarshall(item) as Record<string, unknown> & Partial<StoredEvent>;
  const event: StoredEvent = {
    occurredAt: stored.occurredAt as string,
    eventId: stored.eventId as string,
    type: stored.type as string,
    source: stored.source as StoredEvent["source"],
    attributes: sharedIfEmpty(stored.attributes ?? NOTHING),
    answers: sharedIfEmpty(stored.answers ?? NOTHING),
    properties: sharedIfEmpty(stored.properties ?? NOTHING),
    email: stored.email as string,
    sourceEventId: stored.sourceEventId as string,
    receivedAt: stored.receivedAt as string,
  };
  if (stored.name !== undefined) event.name = stored.name;
  if (stored.company !== undefined) event.company = stored.company;
  for (const key in stored)
    if (!(key in event) && !NOT_EVENT_FIELDS.has(key)) (event as unknown as Record<string, unknown>)[key] = stored[key];
  return event;
}

/** What an event item holds besides the event: its keys, its entity, its lead and the lead version it committed with. */
const NOT_EVENT_FIELDS: ReadonlySet<string> = new Set([...NOT_STORED_FIELDS, "leadId", LEAD_VERSION]);

/**
 * One frozen empty record for every decoded event's empty attributes, answers or properties. Most events
 * have an empty one (a page view has no answers, a webinar no attributes), and a replay reads each of
 * them: one object it has already read costs next to nothing, an object of its own per event is one more
 * read that misses the processor's caches (the scoring bench's replays ran 2-30 % faster with it).
 */
const NOTHING: Record<string, never> = Object.freeze({});

function sharedIfEmpty<Value>(record: Record<string, Value>): Record<string, Value> {
  for (const _key in record) return record;
  return NOTHING;
}

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
