import type { DynamoDBClient, WriteRequest } from "@aws-sdk/client-dynamodb";
import { batchWrite } from "#shared/adapters/dynamodb/batch";
import { eventItem } from "#shared/adapters/dynamodb/entities/event";
import { leadItem } from "#shared/adapters/dynamodb/entities/lead";
import { generic } from "#shared/adapters/sources/generic";
import type { VerifyContext } from "#shared/application/ports/webhook-source";
import { storedEvent } from "#shared/application/record-event";
import type { Lead, Transition } from "#shared/domain/lead";
import { eventKey, type LeadEvent } from "#shared/domain/lead-event";
import { foldLead } from "#shared/domain/lead-fold";
import type { ScoringEngine, StoredEvent } from "#shared/domain/scoring-engine";
import { BENCH_PSEUDONYMS, type BenchLead, benchLeadId, webhookRequest } from "./webhooks";

/** A generic body as the generic source maps it: the canonical event the ingest path would record. */
export function canonicalEvent(body: string): LeadEvent {
  const result = generic.toEvents(webhookRequest(body), {} as VerifyContext);
  if (result.kind !== "events" || !result.events[0]) throw new Error("the generic source mapped no event");
  const event = result.events[0];
  return {
    ...event,
    attributes: event.attributes ?? {},
    answers: event.answers ?? {},
    properties: event.properties ?? {},
  };
}

export interface FoldedHistory {
  lead: Lead;
  events: StoredEvent[];
  transitions: Transition[];
  /** The largest lead seen along the way (the fold's snapshot grows, then is bounded by the model). */
  largest: Lead;
}

/**
 * Folds bodies one by one as record-event would (each at its own receipt time `occurredAt`), without
 * DynamoDB: the lead, its stored events and transitions, exactly as the write path would have left them.
 */
export function foldBodies(engine: ScoringEngine, bodies: readonly string[], largest?: (lead: Lead) => number) {
  let lead: Lead | undefined;
  let biggest: Lead | undefined;
  const events: StoredEvent[] = [];
  const transitions: Transition[] = [];
  for (const body of bodies) {
    const event = canonicalEvent(body);
    const now = new Date(event.occurredAt);
    const stored = storedEvent(event, eventKey(event), now);
    const leadId = benchLeadId(event.email);
    const folded =
      foldLead({ engine, leadId, current: lead, event: stored, now }) ??
      foldLead({ engine, leadId, current: lead, event: stored, history: events, now });
    if (!folded) throw new Error("the fold could not place a seeded event even with its history");
    lead = folded.lead;
    events.push(stored);
    if (folded.transition) transitions.push(folded.transition);
    if (largest && (!biggest || largest(lead) > largest(biggest))) biggest = lead;
  }
  if (!lead) throw new Error("no body to fold");
  return { lead, events, transitions, largest: biggest ?? lead } satisfies FoldedHistory;
}

/**
 * Writes a folded history straight to the table (BatchWriteItem, a few batches at a time): the events
 * and the lead item with its snapshot, exactly the items the write path stores. Transitions are left
 * out (no stream consumer reads this table).
 */
export async function seedHistory(client: DynamoDBClient, tableName: string, history: FoldedHistory): Promise<void> {
  const requests: WriteRequest[] = history.events.map((event) => ({
    PutRequest: { Item: eventItem(history.lead.leadId, event, BENCH_PSEUDONYMS.eventKey(event.eventId)) },
  }));
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += 25) batches.push(requests.slice(start, start + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) await batchWrite(client, tableName, batch);
      }
    }),
  );
  await batchWrite(client, tableName, [{ PutRequest: { Item: leadItem(history.lead) } }]);
}

export type { BenchLead };
