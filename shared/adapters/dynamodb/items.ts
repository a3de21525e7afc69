import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { isFreeMailDomain, type Lead, scoreBand, type Transition } from "../../domain/lead";
import type { StoredEvent } from "../../domain/scoring";
import {
  bandSortKey,
  domainPk,
  enteredSortKey,
  eventSk,
  LEAD_SK,
  leadPk,
  stagePk,
  stageShard,
  transitionDayPk,
  transitionSk,
} from "./keys";
import { decodeLead, encodeLead, type LeadBody } from "./lead-codec";
import { keyAttributes, TABLE } from "./table-definition";

export type Item = Record<string, AttributeValue>;

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;
/** What a record read back holds besides its own fields: the keys the table declares, and `entity`. */
const KEY_ATTRIBUTES = [...keyAttributes(), TABLE.entityAttribute];

function strip<T>(record: Record<string, unknown>): T {
  const copy = { ...record };
  for (const key of KEY_ATTRIBUTES) delete copy[key];
  return copy as T;
}

/** The packed body of an item: JSON, deflated. Capacity is billed per KB, and names count as bytes. */
function pack(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value));
}
/** A stream record that crossed JSON (the Pipe's event) carries binary as base64 text. */
function unpack<T>(bytes: Uint8Array | string): T {
  const raw = typeof bytes === "string" ? Buffer.from(bytes, "base64") : bytes;
  return JSON.parse(inflateRawSync(raw).toString("utf8")) as T;
}

/**
 * A lead item: its keys, the index keys, `version` (what the write path's condition checks) and the
 * lead with its snapshot packed in `d`. The score band, not the score, sorts the rep queue, and the
 * account index leaves free-mail domains out, so a webhook that moves no stage rewrites no index.
 */
export function leadItem(lead: Lead): Item {
  const shard = stageShard(lead.leadId);
  const { version, ...body } = lead;
  const item = marshall(
    {
      pk: leadPk(lead.leadId),
      sk: LEAD_SK,
      entity: "lead",
      gsi1pk: stagePk(lead.stage, shard),
      gsi1sk: bandSortKey(lead.scoreBand ?? scoreBand(lead.score), lead.leadId),
      gsi2pk: stagePk(lead.stage, shard),
      gsi2sk: enteredSortKey(lead.stageEnteredAt, lead.leadId),
      ...(!isFreeMailDomain(lead.domain) && { gsi3pk: domainPk(lead.domain), gsi3sk: lead.leadId }),
      version,
    },
    MARSHALL,
  );
  item.d = { B: pack(encodeLead(body)) };
  return item;
}

export function toLead(item: Item): Lead {
  const packed = item.d?.B as Uint8Array | string | undefined;
  if (!packed) return strip<Lead>(unmarshall(item));
  const leadId = (item.pk?.S ?? "").slice(leadPk("").length);
  return decodeLead(unpack<LeadBody>(packed), leadId, Number(item.version?.N));
}

/** An event item, under its pseudonym (`key`): its body keeps the sender's id for the lead's timeline. */
/**
 * An event item. `leadVersion`: the lead version it commits with (ingest's commits), so a read that sees
 * the event beside an older lead knows it saw half of the commit (committedLeadVersion).
 */
export function eventItem(leadId: string, event: StoredEvent, key: string, leadVersion?: number): Item {
  const item = marshall({ pk: leadPk(leadId), sk: eventSk(key), entity: "event", leadId, ...event }, MARSHALL);
  if (leadVersion !== undefined) item.leadVersion = { N: String(leadVersion) };
  return item;
}

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
  const item = marshall(
    {
      pk: leadPk(leadId),
      sk: transitionSk(at, transitionId),
      entity: "transition",
      gsi3pk: transitionDayPk(at),
      gsi3sk: `${at}#${transitionId}`,
      ...indexed,
    },
    MARSHALL,
  );
  item.d = { B: pack(body) };
  return item;
}

export function entityOf(item: Item): string | undefined {
  return item.entity?.S;
}

export function toTransition(item: Item): Transition {
  const { d, ...indexed } = item;
  const fields = strip<IndexedTransition>(unmarshall(indexed));
  const packed = d?.B as Uint8Array | string | undefined;
  return packed ? { ...unpack<Omit<Transition, keyof IndexedTransition>>(packed), ...fields } : (fields as Transition);
}
export function toEvent(item: Item): StoredEvent {
  const {
    leadId: _leadId,
    leadVersion: _leadVersion,
    ...event
  } = strip<StoredEvent & { leadId: string; leadVersion?: number }>(unmarshall(item));
  return event;
}

/**
 * The lead version an event item was committed with (ingest writes it beside the event), or undefined for
 * an item written without it (an import, a rekey, an erasure's record, an item from before it was kept).
 */
export function committedLeadVersion(item: Item): number | undefined {
  const version = item.leadVersion?.N;
  return version === undefined ? undefined : Number(version);
}
