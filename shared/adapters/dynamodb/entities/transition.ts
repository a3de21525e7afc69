import { unmarshall } from "@aws-sdk/util-dynamodb";
import { indexNamed } from "#shared/adapters/dynamodb/table-definition";
import type { EventPattern } from "#shared/bus/summary-schemas";
import type { FunnelTransition } from "#shared/domain/funnel";
import type { Transition } from "#shared/domain/lead";
import { Stage } from "#shared/domain/stages";
import { entityItem, type Item, packedBody, strip, unpackedBody, withoutBody } from "./item";
import { leadPk } from "./lead";
import { insertedItems, type StreamRecord } from "./stream";

/**
 * A change of stage: pk LEAD#<leadId>, sk TRANSITION#<at>#<id>, indexed by day (gsi3: TDAY#<yyyy-mm-dd>,
 * <at>#<id>) for the funnel. New transition items leave through the table's stream as `Lead Stage
 * Changed` events.
 */
export const TRANSITION = "transition";

export const TRANSITION_PREFIX = "TRANSITION#";
export const transitionSk = (at: string, transitionId: string) => `${TRANSITION_PREFIX}${at}#${transitionId}`;

/** Transitions by day: live ones and erased people's stubs (transition-stub.ts), what the funnel reads. */
export const TRANSITIONS_BY_DAY = indexNamed("gsi3v2");
export const transitionDayPk = (at: string) => `TDAY#${at.slice(0, 10)}`;
/** A transition's (or a stub's) keys in the day index. */
export const dayIndexKeys = (at: string, id: string) => ({
  [TRANSITIONS_BY_DAY.partitionKey]: transitionDayPk(at),
  [TRANSITIONS_BY_DAY.sortKey]: `${at}#${id}`,
});

/** What the funnel and the erasure read of a transition through the day index: kept unpacked. */
type IndexedTransition = Pick<
  Transition,
  "transitionId" | "leadId" | "from" | "to" | "at" | "actor" | "source" | "campaign"
>;

/** A transition item: what the day index projects stays readable, the rest (reasons, BANT, owner, contact) packed. */
export function transitionItem(transition: Transition): Item {
  const { transitionId, leadId, from, to, at, actor, source, campaign, ...body } = transition;
  const indexed: IndexedTransition = {
    transitionId,
    leadId,
    from,
    to,
    at,
    actor,
    ...(source !== undefined && { source }),
    ...(campaign !== undefined && { campaign }),
  };
  return {
    ...entityItem(TRANSITION, leadPk(leadId), transitionSk(at, transitionId), {
      ...dayIndexKeys(at, transitionId),
      ...indexed,
    }),
    ...packedBody(body),
  };
}

export function toTransition(item: Item): Transition {
  const fields = strip<IndexedTransition>(unmarshall(withoutBody(item)));
  const body = unpackedBody<Omit<Transition, keyof IndexedTransition>>(item);
  return body ? { ...body, ...fields } : (fields as Transition);
}

const inserted = insertedItems(TRANSITION);

/**
 * The transition Pipe's filters on the table stream (a record passes when any of them matches): new
 * transition items, except a lead's creation into `lead` (`from` null), which is a fifth of all
 * webhooks and alerts no one unless the model's rules say so (then EVERY_TRANSITION_STREAM_FILTER
 * applies): each published event costs a Pipe request, a publish invocation and an EventBridge event.
 * The creation is still a transition item (audit, funnel). Stream filters use the event-pattern syntax,
 * so the local poller applies them with the same matcher. Every stream publication is listed in
 * STREAM_PUBLICATIONS (stream-publications.ts).
 */
export const TRANSITION_STREAM_FILTERS: readonly EventPattern[] = [
  // A move from a stage: every transition but a creation.
  inserted.filter({ from: { S: [{ exists: true }] } }),
  // A creation whose first event took the lead past `lead` (straight to mql or sql, say).
  inserted.filter({ to: { S: [{ "anything-but": ["lead"] }] } }),
];

/**
 * Every new transition item, creations into `lead` included (ripen:publishNewLeads, RIPEN_PUBLISH_NEW_LEADS,
 * or a model rule that alerts on new leads).
 */
export const EVERY_TRANSITION_STREAM_FILTER: EventPattern = inserted.filter();

/** The transition a stream record inserted, or undefined for any other record. */
export function transitionFromRecord(record: StreamRecord): Transition | undefined {
  const image = inserted.image(record);
  return image && toTransition(image);
}

/** Only the attributes the funnel reads (the day index projects these, so nothing else is billed). */
export const FUNNEL_ATTRIBUTES = ["leadId", "from", "to", "at", "source", "campaign"];

/** A funnel transition from a day index item: a live transition or an erased person's stub. */
export function toFunnelTransition(item: Item): FunnelTransition | undefined {
  const record = unmarshall(item);
  const to = Stage.safeParse(record.to);
  const from = record.from === null || record.from === undefined ? null : Stage.safeParse(record.from);
  if (!to.success || (from !== null && !from.success)) return undefined;
  if (typeof record.leadId !== "string" || typeof record.at !== "string") return undefined;
  return {
    leadId: record.leadId,
    from: from === null ? null : from.data,
    to: to.data,
    at: record.at,
    ...(typeof record.source === "string" && { source: record.source }),
    ...(typeof record.campaign === "string" && { campaign: record.campaign }),
  };
}
