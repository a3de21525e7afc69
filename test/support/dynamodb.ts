import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { inject } from "vitest";
import { localDynamoDbClient } from "#shared/local/clients";
import { ensureTable } from "#shared/local/table";

/** The run's shared DynamoDB endpoint (see global-setup.ts); throws the fix when there is none. */
export function testEndpoint(): string {
  const endpoint = inject("dynamodbEndpoint");
  if (!endpoint) throw new Error(inject("dynamodbUnavailable") || "no DynamoDB endpoint was provided");
  return endpoint;
}

/** A table name no other test file uses: `<prefix>-<random>`, within DynamoDB's naming rules. */
export function uniqueTableName(prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 200);
  return `${safe}-${randomUUID().slice(0, 8)}`;
}

export interface TestTable {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  streamArn: string;
}

/** A fresh table built from the real table definition on the shared endpoint, and a client for it. */
export async function createTestTable(prefix: string): Promise<TestTable> {
  const endpoint = testEndpoint();
  const client = localDynamoDbClient(endpoint);
  const tableName = uniqueTableName(prefix);
  const { streamArn } = await ensureTable(client, tableName);
  return { client, tableName, endpoint, streamArn };
}
