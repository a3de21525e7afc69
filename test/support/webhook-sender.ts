import { QueryCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Item } from "#shared/adapters/dynamodb/entities/item";
import { toLead } from "#shared/adapters/dynamodb/entities/lead";
import { toTransition } from "#shared/adapters/dynamodb/entities/transition";
import { signGeneric } from "#shared/adapters/sources/generic";
import type { TestTable } from "./dynamodb";
import { GENERIC_SECRET } from "./generic";
import { leadIdOf } from "./pseudonyms";

export interface SenderResponse {
  status: number;
  body: Record<string, unknown>;
  /** The retry-after header, on the answers that carry one (a 503). */
  retryAfter?: string;
}

/** One delivery of a generic body, signed now as a sender signs it. A connection failure rejects. */
export async function postGeneric(baseUrl: string, body: string, secret = GENERIC_SECRET): Promise<SenderResponse> {
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${baseUrl}/webhooks/generic`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-ripen-timestamp": String(timestamp),
      "x-ripen-signature": signGeneric(secret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const answer: SenderResponse = {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
  const retryAfter = response.headers.get("retry-after");
  if (retryAfter !== null) answer.retryAfter = retryAfter;
  return answer;
}

export interface Delivery {
  /** The 2xx that ended it. */
  final: SenderResponse;
  /** What each attempt got: a status, or the network error's name. */
  attempts: (number | string)[];
}

/**
 * Delivers like a sender with retries: again after a 5xx or a connection failure, with exponential
 * jittered backoff, until a 2xx; a 4xx ends it (it would not succeed later). Bounded in attempts and time.
 */
export async function deliver(
  baseUrl: () => string,
  body: string,
  { attempts = 40, pauseMs = 100, maxPauseMs = 2000, deadlineMs = 90_000 } = {},
): Promise<Delivery> {
  const history: (number | string)[] = [];
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; attempt < attempts && Date.now() < deadline; attempt++) {
    try {
      const response = await postGeneric(baseUrl(), body);
      history.push(response.status);
      if (response.status < 300) return { final: response, attempts: history };
      if (response.status < 500) throw new Error(`refused with ${response.status}: ${JSON.stringify(response.body)}`);
    } catch (error) {
      if ((error as Error).message.startsWith("refused")) throw error;
      history.push((error as Error).name);
    }
    const pause = Math.min(maxPauseMs, pauseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  throw new Error(`not accepted after ${history.length} attempts: ${history.join(", ")}`);
}

/** Everything stored about a lead, read directly from the table (strongly consistent), by entity. */
/** An item as the application reads it: lead and transition bodies are packed. */
function decoded(item: Item): Record<string, unknown> {
  const entity = item.entity?.S;
  if (entity === "lead") return { entity, ...toLead(item) };
  if (entity === "transition") return { entity, ...toTransition(item) };
  return unmarshall(item);
}

export async function storedLead(table: Pick<TestTable, "client" | "tableName">, email: string) {
  const leadId = leadIdOf(email);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: marshall({ ":pk": `LEAD#${leadId}` }),
        ConsistentRead: true,
        ...(startKey && { ExclusiveStartKey: startKey }),
      }),
    );
    items.push(...(page.Items ?? []).map(decoded));
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey);
  const of = (entity: string) => items.filter((item) => item.entity === entity);
  return {
    leadId,
    lead: of("lead")[0] as (Record<string, unknown> & { score: number; stage: string; version: number }) | undefined,
    events: of("event") as (Record<string, unknown> & { eventId: string; sourceEventId: string })[],
    transitions: of("transition") as (Record<string, unknown> & { from: string | null; to: string; at: string })[],
  };
}
