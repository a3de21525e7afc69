import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { EventPattern } from "#shared/bus/summary-schemas";
import type { FunnelWait } from "#shared/domain/funnel";
import type { SqlReadyRequest } from "#shared/domain/lead";
import { entityItem, type Item, packedBody, SK, unpackedBody, withoutBody } from "./item";
import { leadPk } from "./lead";
import { insertedItems, type StreamRecord } from "./stream";
import { dayIndexKeys } from "./transition";

/**
 * A wait for review began (stages.sqlReview): pk LEAD#<leadId> (so an erasure takes it too), sk
 * SQLREADY#<since>, once per wait. Written in the transaction that started the wait; a second write of
 * the same wait replaces it (a MODIFY on the stream, which no filter passes), so it is published once.
 * Indexed in the day index under its start (TDAY#<day of since>), where the funnel counts waits: the
 * index projects its leadId and `at` (the wait's start) and, as of every index, the table's keys.
 */
export const SQL_READY = "sql-ready";

export const SQL_READY_PREFIX = "SQLREADY#";
export const sqlReadySk = (since: string) => `${SQL_READY_PREFIX}${since}`;

export function sqlReadyItem(request: SqlReadyRequest): Item {
  const { requestId, leadId, since, quiet, ...body } = request;
  return {
    ...entityItem(SQL_READY, leadPk(leadId), sqlReadySk(since), {
      ...dayIndexKeys(since, requestId),
      requestId,
      leadId,
      at: since,
      ...(quiet && { quiet: true }),
    }),
    ...packedBody(body),
  };
}

export function toSqlReadyRequest(item: Item): SqlReadyRequest | undefined {
  const body = unpackedBody<Omit<SqlReadyRequest, "requestId" | "leadId" | "since" | "quiet">>(item);
  const fields = unmarshall(withoutBody(item));
  if (!body || typeof fields.requestId !== "string" || typeof fields.leadId !== "string") return undefined;
  if (typeof fields.at !== "string") return undefined;
  return {
    ...body,
    requestId: fields.requestId,
    leadId: fields.leadId,
    since: fields.at,
    ...(fields.quiet === true && { quiet: true }),
  };
}

const inserted = insertedItems(SQL_READY);

/** New requests but quiet ones (an import's, a rescore's without --notify): those alert no one, so are not published. */
export const SQL_READY_STREAM_FILTER: EventPattern = inserted.filter({ quiet: { BOOL: [{ exists: false }] } });

/** The request a stream record inserted, or undefined for any other record. */
export function sqlReadyFromRecord(record: StreamRecord): SqlReadyRequest | undefined {
  const image = inserted.image(record);
  return image && toSqlReadyRequest(image);
}

/** A wait's start from a day index item (undefined for a transition or a stub): the funnel's read of it. */
export function toFunnelWait(item: Item): FunnelWait | undefined {
  if (!item[SK]?.S?.startsWith(SQL_READY_PREFIX)) return undefined;
  const leadId = item.leadId?.S;
  const since = item.at?.S;
  return leadId !== undefined && since !== undefined ? { leadId, since } : undefined;
}
