import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { LeadHistoryScan } from "#shared/application/ports/lead-reads";
import type { LeadHistory, RepDecision } from "#shared/domain/calibration/training-set";
import type { StoredEvent } from "#shared/domain/scoring-engine";
import { EVENT, toEvent } from "./entities/event";
import { ENTITY, entityOf, type Item } from "./entities/item";
import { LEAD, leadEmailOf, leadIdOfPk } from "./entities/lead";
import { TRANSITION, toFunnelTransition } from "./entities/transition";
import { scanPages } from "./query";

/**
 * Parts the table is cut into. DynamoDB Local spends on each page in proportion to its segment's size,
 * so a read grows with the square of a segment's items: the benchmark's 50,000 leads (330,000 items) read
 * in 75 s as 4 segments, in about 20 s as 32, on a busy 2-core machine. In AWS, a parallel Scan of 32
 * segments is an ordinary one; the caller decides how many are read at once.
 */
export const HISTORY_SCAN_SEGMENTS = 32;
/**
 * Items a page reads: DynamoDB Local spends twice as much per item on a page of 1 MB (some 1,700 items)
 * as on one of 1,000. In AWS, about 600 KB.
 */
export const HISTORY_SCAN_PAGE_ITEMS = 1_000;

export interface DynamoLeadHistoryScanOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Parts the table is cut into (default HISTORY_SCAN_SEGMENTS). */
  segments?: number;
  /** Items a Scan page reads before its filter (default HISTORY_SCAN_PAGE_ITEMS). */
  pageItems?: number;
}

/** A lead partition read so far: it may go on in the next page. */
interface OpenPartition {
  leadId: string;
  email?: string;
  events: StoredEvent[];
  reachedSqoAt?: string;
  decision?: RepDecision;
}

/**
 * LeadHistoryScan as a parallel Scan of the table. DynamoDB cuts Scan segments by partition key, so a
 * lead's partition (its record, events and transitions) is in one segment, its items one after another
 * in sort-key order (events, then the lead, then transitions); a page may end inside one, which then goes
 * on in the next page. The filter keeps leads, events and (with `reachedSqo`) transitions to sqo: every
 * item is still read (and billed), but the rest never crosses the wire. Held per segment: two pages (one
 * read ahead) and the partition being read.
 */
export function dynamoLeadHistoryScan(options: DynamoLeadHistoryScanOptions): LeadHistoryScan {
  const { client, tableName } = options;
  const segments = options.segments ?? HISTORY_SCAN_SEGMENTS;
  return {
    segments,
    async *read(segment, { reachedSqo, decisions = false }) {
      const pages = scanPages(client, {
        TableName: tableName,
        Segment: segment,
        TotalSegments: segments,
        ...historyFilter(reachedSqo, decisions),
        Limit: options.pageItems ?? HISTORY_SCAN_PAGE_ITEMS,
      });
      let open: OpenPartition | undefined;
      for await (const page of pages) {
        const histories: LeadHistory[] = [];
        for (const item of page.Items ?? []) {
          const leadId = leadIdOfPk(item) ?? "";
          if (open?.leadId !== leadId) {
            const history = open && historyOf(open);
            if (history) histories.push(history);
            open = { leadId, events: [] };
          }
          addItem(open, item);
        }
        yield histories;
      }
      const last = open && historyOf(open);
      if (last) yield [last];
    },
  };
}

/**
 * Lead records, events, and when asked for transitions to sqo and a rep's moves to sql or disqualified:
 * nothing else a partition holds.
 */
function historyFilter(reachedSqo: boolean, decisions: boolean) {
  const values = {
    ":lead": LEAD,
    ":event": EVENT,
    ...((reachedSqo || decisions) && { ":transition": TRANSITION }),
    ...(reachedSqo && { ":sqo": "sqo" }),
    ...(decisions && { ":sql": "sql", ":disqualified": "disqualified", ":rep": "rep" }),
  };
  const kept = ["#entity IN (:lead, :event)"];
  if (reachedSqo) kept.push("(#entity = :transition AND #to = :sqo)");
  if (decisions) kept.push("(#entity = :transition AND #to IN (:sql, :disqualified) AND #actor.#type = :rep)");
  return {
    FilterExpression: kept.join(" OR "),
    ExpressionAttributeNames: {
      "#entity": ENTITY,
      ...((reachedSqo || decisions) && { "#to": "to" }),
      ...(decisions && { "#actor": "actor", "#type": "type" }),
    },
    ExpressionAttributeValues: marshall(values),
  };
}

function addItem(open: OpenPartition, item: Item): void {
  switch (entityOf(item)) {
    case LEAD:
      open.email = leadEmailOf(item);
      break;
    case EVENT:
      open.events.push(toEvent(item));
      break;
    case TRANSITION: {
      // Transitions sort by time: the first one read is the first move to sqo, or the rep's first decision
      // (the filter keeps only a rep's moves to sql and disqualified).
      const move = toFunnelTransition(item);
      if (move?.to === "sqo") open.reachedSqoAt ??= move.at;
      else if (move) open.decision ??= { at: move.at, qualified: move.to === "sql" };
      break;
    }
  }
}

/** The history of a partition read whole; none without a lead record (an erased person's leftovers). */
function historyOf(open: OpenPartition): LeadHistory | undefined {
  if (open.email === undefined) return undefined;
  return {
    leadId: open.leadId,
    email: open.email,
    events: open.events,
    ...(open.reachedSqoAt !== undefined && { reachedSqoAt: open.reachedSqoAt }),
    ...(open.decision && { decision: open.decision }),
  };
}
