import { LEAD_SLA_BREACHED } from "#shared/bus/lead-sla-breached";
import { LEAD_SQL_READY } from "#shared/bus/lead-sql-ready";
import { LEAD_STAGE_CHANGED } from "#shared/bus/lead-stage-changed";
import type { EventPattern } from "#shared/bus/summary-schemas";
import { type NotificationRule, notifiesOnCreation } from "#shared/domain/model/notifications";
import { SLA_BREACH, SLA_BREACH_STREAM_FILTER } from "./entities/sla-breach";
import { SQL_READY_STREAM_FILTER } from "./entities/sql-ready";
import { EVERY_TRANSITION_STREAM_FILTER, TRANSITION, TRANSITION_STREAM_FILTERS } from "./entities/transition";

/**
 * The items that leave through one Pipe of the table's stream as bus events: which stream records
 * (EventBridge patterns on the record, any of which lets it through), and the source and detail-type
 * they are published with. The enrichment (functions/publish.ts) turns each matching record into the
 * event's detail.
 */
export interface StreamPublication {
  /** The first item's `entity`, and the Pipe's name in the stack and in the local data dir. */
  name: string;
  description: string;
  /** A record passes when it matches any of them (a Pipe's filter criteria: at most 5). */
  filters: readonly EventPattern[];
  source: string;
  /** The Pipe's detail-type: the one it puts, or DETAIL_TYPE_PATH when it puts several (detailTypes). */
  detailType: string;
  /** Every detail-type its events carry. */
  detailTypes: readonly string[];
}

/**
 * Where a Pipe that puts several detail-types reads each event's (a dynamic path parameter of the Pipe's
 * target, resolved against what the enrichment returned): the publisher stamps it on each such detail.
 */
export const DETAIL_TYPE_PATH = "$.detailType";

/** The detail-type an event of this publication is put with: as the Pipe resolves it. */
export function detailTypeOf(publication: Pick<StreamPublication, "detailType">, detail: unknown): string {
  if (publication.detailType !== DETAIL_TYPE_PATH) return publication.detailType;
  const stamped = (detail as { detailType?: unknown } | null)?.detailType;
  if (typeof stamped !== "string") throw new Error("a detail of a Pipe that puts several detail-types carries its own");
  return stamped;
}

export interface PublicationOptions {
  /**
   * Publish a lead's creation into `lead` too (`ripen:publishNewLeads` in AWS, RIPEN_PUBLISH_NEW_LEADS
   * locally): for a consumer of the bus that wants every new lead. Off by default: it would be most of
   * what the bus carries.
   */
  publishNewLeads?: boolean;
  /**
   * The model's notification rules: a rule that alerts on a creation (`to: [lead]`, from any stage) needs
   * creations on the bus, so they are published whatever publishNewLeads says.
   */
  notifications?: readonly NotificationRule[];
}

/**
 * Everything Ripen publishes from the table's stream, declared once: the CDK stack deploys one Pipe
 * per entry and the local runtime one pipe per entry (its pipes share one reader of the stream). No dual
 * writes: each item commits with the write that caused it and leaves through the stream, so a crash can
 * delay an alert but never lose it.
 *
 * A DynamoDB stream serves at most two concurrent readers per shard before reads are throttled, and
 * each Pipe is one reader: two publications is the limit. A third kind shares one of these Pipes rather
 * than add a reader: the waits for review share the SLA breaches' (both few, both the owner's), which
 * reads each event's detail-type from the detail (DETAIL_TYPE_PATH).
 */
export function streamPublications(options: PublicationOptions = {}) {
  const creations = options.publishNewLeads || notifiesOnCreation(options.notifications ?? []);
  return [
    {
      name: TRANSITION,
      description: creations
        ? "New transition items become Lead Stage Changed events"
        : "New transition items, but a lead's creation, become Lead Stage Changed events",
      filters: creations ? [EVERY_TRANSITION_STREAM_FILTER] : TRANSITION_STREAM_FILTERS,
      source: LEAD_STAGE_CHANGED.source,
      detailType: LEAD_STAGE_CHANGED.detailType,
      detailTypes: [LEAD_STAGE_CHANGED.detailType],
    },
    {
      name: SLA_BREACH,
      description: "New SLA breach records and waits for review become Lead SLA Breached and Lead SQL Ready events",
      filters: [SLA_BREACH_STREAM_FILTER, SQL_READY_STREAM_FILTER],
      source: LEAD_SLA_BREACHED.source,
      detailType: DETAIL_TYPE_PATH,
      detailTypes: [LEAD_SLA_BREACHED.detailType, LEAD_SQL_READY.detailType],
    },
  ] as const satisfies readonly StreamPublication[];
}

/** The publications with the default options. */
export const STREAM_PUBLICATIONS = streamPublications();

export type StreamPublicationName = ReturnType<typeof streamPublications>[number]["name"];
