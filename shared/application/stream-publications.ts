import {
  type EventPattern,
  LEAD_SLA_BREACHED,
  LEAD_STAGE_CHANGED,
  SLA_BREACH_STREAM_FILTER,
  TRANSITION_STREAM_FILTER,
} from "./lead-stage-changed";

/**
 * One kind of item that leaves through the table's stream as a bus event: which stream records
 * (an EventBridge pattern on the record), and the source and detail-type they are published with.
 * The enrichment (functions/publish.ts) turns each matching record into the event's detail.
 */
export interface StreamPublication {
  /** The item's `entity`, and the Pipe's name in the stack and in the local data dir. */
  name: string;
  description: string;
  filter: EventPattern;
  source: string;
  detailType: string;
}

/**
 * Everything Ripen publishes from the table's stream, declared once: the CDK stack deploys one Pipe
 * per entry and the local runtime runs one stream poller per entry. No dual writes: each item commits
 * with the write that caused it and leaves through the stream, so a crash can delay an alert but never
 * lose it.
 *
 * A DynamoDB stream serves at most two concurrent readers per shard before reads are throttled, and
 * each Pipe is one reader: two publications is the limit. A third kind would have to share one of
 * these Pipes rather than add a reader.
 */
export const STREAM_PUBLICATIONS = [
  {
    name: "transition",
    description: "New transition items become Lead Stage Changed events",
    filter: TRANSITION_STREAM_FILTER,
    source: LEAD_STAGE_CHANGED.source,
    detailType: LEAD_STAGE_CHANGED.detailType,
  },
  {
    name: "sla-breach",
    description: "New SLA breach records become Lead SLA Breached events",
    filter: SLA_BREACH_STREAM_FILTER,
    source: LEAD_SLA_BREACHED.source,
    detailType: LEAD_SLA_BREACHED.detailType,
  },
] as const satisfies readonly StreamPublication[];

export type StreamPublicationName = (typeof STREAM_PUBLICATIONS)[number]["name"];
