import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { keyAttributes, TABLE } from "#shared/adapters/dynamodb/table-definition";

/**
 * The single table's items, one module per entity in this folder: each holds the entity's `entity`
 * value, its keys, and the conversion of its item to and from the domain. This module holds what they
 * share. A lead's partition holds everything about the person, so erasing them is one Query:
 *   pk LEAD#<leadId>  sk LEAD                      the lead                                  lead.ts
 *                     sk EVENT#<key>               an event (or an erased event's record)    event.ts
 *                     sk TRANSITION#<at>#<id>      a change of stage                         transition.ts
 *                     sk SLA#<ruleId>#<enteredAt>  an SLA breach                             sla-breach.ts
 *                     sk MARKER#<key>              a rep action applied, for a week          marker.ts
 *                     sk TOMBSTONE                 left by an erasure                        tombstone.ts
 * and outside it:
 *   pk ERASED#<random>          sk TRANSITION#<at>#<random>  an erased person's transition   transition-stub.ts
 *   pk AUDIT#ERASURE#<yyyy-mm>  sk <at>#<leadId>             one erasure, audited            erasure-audit.ts
 *   pk STALE#<shard>            sk <leadId>                  a lead behind its events        stale-marker.ts
 *   pk ALERT#<alertId>          sk <channel>:<audience>      an alert claimed or sent        alert-claim.ts
 *   pk RUN#<runId>, pk RUNS     sk RUN, PART#..., ...        a batch run over the leads      run.ts
 *   pk CALIBRATION              sk LATEST                    the latest calibration report   calibration-report.ts
 * Lead items are indexed by stage and by company domain, transitions (and their stubs) by day: see
 * lead.ts and transition.ts. The attribute names of the keys come from TABLE (table-definition.ts).
 */
export type Item = Record<string, AttributeValue>;

export const PK = TABLE.partitionKey;
export const SK = TABLE.sortKey;
export const ENTITY = TABLE.entityAttribute;
/** Items with it (epoch seconds) expire by the table's TTL. */
export const EXPIRES_AT = TABLE.ttlAttribute;

/** Conditions on whether an item is there, by the partition key every item has. */
export const IS_ABSENT = `attribute_not_exists(${PK})`;
export const IS_PRESENT = `attribute_exists(${PK})`;

const MARSHALL = { removeUndefinedValues: true, convertEmptyValues: false } as const;

/** An item's primary key, as plain values (what `marshall` takes, and a Scan position as JSON). */
export const primaryKey = (pk: string, sk: string) => ({ [PK]: pk, [SK]: sk });

/** An item's primary key, for a request. */
export const itemKey = (pk: string, sk: string): Item => ({ [PK]: { S: pk }, [SK]: { S: sk } });

/** The primary key of an item read back (to delete or copy it). */
export const keyOf = (item: Item): Item => ({ [PK]: item[PK] as AttributeValue, [SK]: item[SK] as AttributeValue });

export const sortKeyOf = (item: Item): string | undefined => item[SK]?.S;

export function entityOf(item: Item): string | undefined {
  return item[ENTITY]?.S;
}

/** An item of an entity: its key, its `entity`, then its attributes (undefined ones left out). */
export function entityItem(entity: string, pk: string, sk: string, attributes: Record<string, unknown> = {}): Item {
  return marshall({ ...primaryKey(pk, sk), [ENTITY]: entity, ...attributes }, MARSHALL);
}

/** An item's keys, index keys and `entity`: what strip leaves out. */
export const NOT_STORED_FIELDS: ReadonlySet<string> = new Set([...keyAttributes(), ENTITY]);

/** A record's own fields: its keys, index keys and `entity` left out. */
export function strip<T>(record: Record<string, unknown>): T {
  // Built field by field rather than copied and deleted from: an object with deleted fields turns into a
  // dictionary, slow for everything that reads it after (a read of every lead converts millions).
  const copy: Record<string, unknown> = {};
  for (const key in record) if (!NOT_STORED_FIELDS.has(key)) copy[key] = record[key];
  return copy as T;
}

/** The attribute holding an item's packed body. */
const BODY = "d";

/** The packed body of an item: JSON, deflated. Capacity is billed per KB, and names count as bytes. */
export function packedBody(value: unknown): Item {
  return { [BODY]: { B: deflateRawSync(JSON.stringify(value)) } };
}

/** An item's packed body, or undefined for an item written without one. */
export function unpackedBody<T>(item: Item): T | undefined {
  // A stream record that crossed JSON (the Pipe's event) carries binary as base64 text.
  const bytes = item[BODY]?.B as Uint8Array | string | undefined;
  if (!bytes) return undefined;
  const raw = typeof bytes === "string" ? Buffer.from(bytes, "base64") : bytes;
  return JSON.parse(inflateRawSync(raw).toString("utf8")) as T;
}

/** An item without its packed body: the attributes it keeps readable. */
export function withoutBody(item: Item): Item {
  const { [BODY]: _body, ...rest } = item;
  return rest;
}
