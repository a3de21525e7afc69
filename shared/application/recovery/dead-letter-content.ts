import type { BusEntry } from "./ports";

/** Sources Ripen publishes on its bus: only their events are put back on it. */
export const RIPEN_EVENT_SOURCES: readonly string[] = ["ripen"];

/**
 * What a dead letter holds: an event to put back on the bus, the time range of a stream batch a Pipe could
 * not publish (its records are gone from the stream after 24 hours: republish from the table instead), or
 * something no tool here can resend (a scheduled invocation, a message of another shape).
 */
export type DeadLetterContent =
  | { kind: "event"; entry: BusEntry }
  | { kind: "stream-batch"; from: string; to: string }
  | { kind: "other"; why: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads a dead letter's body, whichever queue it came from:
 * - a rule's dead-letter queue holds the EventBridge event itself;
 * - a function's on-failure destination holds an invocation record, the event in `requestPayload`;
 * - a Pipe's dead-letter queue holds the batch's description (`…StreamBatchInfo`, with the arrival times
 *   of its first and last records); locally, the batch's stream records themselves.
 */
export function readDeadLetter(body: unknown): DeadLetterContent {
  if (Array.isArray(body)) return streamRecords(body);
  if (!isObject(body)) return { kind: "other", why: "not a JSON object" };
  if (isObject(body.requestPayload)) return readDeadLetter(body.requestPayload);
  const batch = Object.entries(body).find(([key, value]) => /StreamBatchInfo$/i.test(key) && isObject(value))?.[1];
  if (isObject(batch)) return batchInfo(batch);
  const detailType = body["detail-type"];
  if (typeof body.source === "string" && typeof detailType === "string" && "detail" in body) {
    if (!RIPEN_EVENT_SOURCES.includes(body.source)) {
      return { kind: "other", why: `a ${body.source} "${detailType}" event, not one of Ripen's` };
    }
    return { kind: "event", entry: { source: body.source, detailType, detail: body.detail } };
  }
  return { kind: "other", why: "neither an event, an invocation record nor a stream batch" };
}

function batchInfo(batch: Json): DeadLetterContent {
  const from = batch.approximateArrivalOfFirstRecord;
  const to = batch.approximateArrivalOfLastRecord;
  if (typeof from !== "string" || typeof to !== "string" || !validTime(from) || !validTime(to)) {
    return { kind: "other", why: "a stream batch without the arrival times of its records" };
  }
  return { kind: "stream-batch", from: iso(from), to: iso(to) };
}

/** Stream records as the local pipe dead-letters them: the range of their creation times (epoch seconds). */
function streamRecords(records: unknown[]): DeadLetterContent {
  const times = records.flatMap((record) => {
    const at = isObject(record) && isObject(record.dynamodb) ? record.dynamodb.ApproximateCreationDateTime : undefined;
    return typeof at === "number" && Number.isFinite(at) ? [at] : [];
  });
  if (times.length === 0) return { kind: "other", why: "stream records without creation times" };
  // Seconds, rounded down by the stream: the range covers the whole last second.
  return {
    kind: "stream-batch",
    from: new Date(Math.min(...times) * 1000).toISOString(),
    to: new Date(Math.max(...times) * 1000 + 999).toISOString(),
  };
}

const validTime = (value: string) => !Number.isNaN(Date.parse(value));
const iso = (value: string) => new Date(value).toISOString();
