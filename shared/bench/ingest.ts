import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import { WEBHOOK_SOURCES } from "#shared/adapters/sources/index";
import { ingestWebhook, type WebhookOutcome } from "#shared/application/ingest-webhook";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { recordEvent } from "#shared/application/record-event";
import { ContentionError } from "#shared/domain/errors";
import { loadEngine } from "#shared/runtime/scoring-model";
import { BENCH_PSEUDONYMS, BENCH_SECRET, webhookRequest } from "./webhooks";

export interface BenchIngestOptions {
  client: DynamoDBClient;
  tableName: string;
  onCapacity?: (operation: string, units: { read?: number; write?: number }) => void;
  /** Wraps the DynamoDB store (e.g. to count its replays). */
  wrapStore?: (store: LeadStore) => LeadStore;
}

/**
 * The ingest use case wired as functions/ingest.ts wires it (generic source, the default model, the
 * DynamoDB store), minus middy: a generic body in, the webhook's outcome out, whatever its status.
 */
export function benchIngestOutcome(options: BenchIngestOptions): (body: string) => Promise<WebhookOutcome> {
  const store = dynamoLeadStore(options);
  const ingest = ingestWebhook({
    sources: WEBHOOK_SOURCES,
    secrets: { get: async () => BENCH_SECRET },
    record: recordEvent({
      store: options.wrapStore ? options.wrapStore(store) : store,
      pseudonyms: async () => BENCH_PSEUDONYMS,
      engine: loadEngine(),
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
    clock: () => new Date(),
    toleranceSeconds: 300,
    unsigned: new Set(),
  });
  return async (body) => {
    try {
      return await ingest("generic", webhookRequest(body));
    } catch (error) {
      // As the handler answers it (shared/edge/http-errors.ts): contention is a 503 the sender retries.
      if (error instanceof ContentionError) return { statusCode: 503, body: { error: { code: error.code } } };
      throw error;
    }
  };
}

/** As benchIngestOutcome, but throws unless the webhook is answered 2xx (a deferred replay is a 202). */
export function benchIngest(options: BenchIngestOptions): (body: string) => Promise<WebhookOutcome> {
  const ingest = benchIngestOutcome(options);
  return async (body) => {
    const outcome = await ingest(body);
    if (outcome.statusCode < 200 || outcome.statusCode >= 300) {
      throw new Error(`ingest answered ${outcome.statusCode}: ${JSON.stringify(outcome.body)}`);
    }
    return outcome;
  };
}
