import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoLeadStore } from "../adapters/dynamodb/lead-store";
import { WEBHOOK_SOURCES } from "../adapters/sources";
import { ingestWebhook, type WebhookOutcome } from "../application/ingest-webhook";
import { recordEvent } from "../application/record-event";
import { loadEngine } from "../runtime/engine";
import { BENCH_SECRET, webhookRequest } from "./webhooks";

export interface BenchIngestOptions {
  client: DynamoDBClient;
  tableName: string;
  onCapacity?: (operation: string, units: { read?: number; write?: number }) => void;
}

/**
 * The ingest use case wired as functions/ingest.ts wires it (generic source, the default model, the
 * DynamoDB store), minus middy: a generic body in, the webhook's outcome out. Throws unless it is a 200.
 */
export function benchIngest(options: BenchIngestOptions): (body: string) => Promise<WebhookOutcome> {
  const ingest = ingestWebhook({
    sources: WEBHOOK_SOURCES,
    secrets: { get: async () => BENCH_SECRET },
    record: recordEvent({
      store: dynamoLeadStore(options),
      engine: loadEngine(),
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    }),
    clock: () => new Date(),
    toleranceSeconds: 300,
    unsigned: new Set(),
  });
  return async (body) => {
    const outcome = await ingest("generic", webhookRequest(body));
    if (outcome.statusCode !== 200) {
      throw new Error(`ingest answered ${outcome.statusCode}: ${JSON.stringify(outcome.body)}`);
    }
    return outcome;
  };
}
