import { canonicalInstantMs } from "#shared/domain/instant";
import type { AnswerValue, Scalar, SourceName } from "#shared/domain/lead-event";
import type { StoredEvent } from "#shared/domain/scoring-engine";

/** What an event condition reads of an event. */
export type EventFields = Pick<StoredEvent, "source" | "type" | "properties" | "answers" | "attributes">;

/**
 * What the fold reads of a stored event, read once: its time parsed to epoch milliseconds, and its fields
 * on one fixed shape. Stored events come in as many shapes as the senders and the store give them, so
 * every read of one is a megamorphic lookup; a replay reads each event through this instead, several
 * times (sorting, facts, conditions) for the price of one read.
 */
export class FoldEvent implements EventFields {
  readonly at: number;
  /** Whether occurredAt is canonical, as every stored time is (see compareFoldEvents). */
  readonly canonical: boolean;
  readonly id: string;
  readonly occurredAt: string;
  readonly type: string;
  readonly source: SourceName;
  readonly name: string | undefined;
  readonly company: string | undefined;
  readonly attributes: Record<string, Scalar>;
  readonly answers: Record<string, AnswerValue>;
  readonly properties: Record<string, Scalar>;

  constructor(event: StoredEvent) {
    this.occurredAt = event.occurredAt;
    const ms = canonicalInstantMs(this.occurredAt);
    this.canonical = !Number.isNaN(ms);
    this.at = this.canonical ? ms : Date.parse(this.occurredAt);
    this.id = event.eventId;
    this.type = event.type;
    this.source = event.source;
    this.name = event.name;
    this.company = event.company;
    this.attributes = event.attributes;
    this.answers = event.answers;
    this.properties = event.properties;
  }
}

/**
 * compareEvents (time as text, then id) over read events: the one order every fold uses. Two canonical
 * times compare as their numbers, in the same order as their texts (and equal only when the texts are),
 * without reading a character; a time in any other form is compared as text.
 */
export function compareFoldEvents(a: FoldEvent, b: FoldEvent): number {
  if (a.canonical && b.canonical) {
    if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  } else if (a.occurredAt !== b.occurredAt) return a.occurredAt < b.occurredAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Histories up to this long are put in order by insertion as they are read; longer ones by Array sort. */
const INSERTION_LIMIT = 32;

/**
 * The events read, in fold order. A short history (most of them) is ordered by insertion as it is read,
 * a few comparisons per event, where Array.prototype.sort's calls into the comparator cost several times
 * more; both keep equal events in the order given.
 */
export function readInOrder(events: readonly StoredEvent[]): FoldEvent[] {
  const read = new Array<FoldEvent>(events.length);
  const inserting = events.length <= INSERTION_LIMIT;
  let sorted = true;
  for (let index = 0; index < events.length; index++) {
    const event = new FoldEvent(events[index] as StoredEvent);
    let at = index;
    if (inserting) {
      for (; at > 0 && compareFoldEvents(read[at - 1] as FoldEvent, event) > 0; at--)
        read[at] = read[at - 1] as FoldEvent;
    } else if (sorted && index > 0 && compareFoldEvents(read[index - 1] as FoldEvent, event) > 0) sorted = false;
    read[at] = event;
  }
  return sorted ? read : read.sort(compareFoldEvents);
}
