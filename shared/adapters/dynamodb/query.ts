import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { Item } from "./entities/item";
import { TABLE } from "./table-definition";

/**
 * The key condition of a Query on one partition of the table (TABLE) or of an index, and on the sort
 * keys that begin with `prefix` when given. The key attributes are named through placeholders.
 */
export function partitionQuery(
  keys: { partitionKey: string; sortKey: string },
  pk: string,
  prefix?: string,
): Pick<QueryCommandInput, "KeyConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"> {
  if (prefix === undefined) {
    return {
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": keys.partitionKey },
      ExpressionAttributeValues: marshall({ ":pk": pk }),
    };
  }
  return {
    KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
    ExpressionAttributeNames: { "#pk": keys.partitionKey, "#sk": keys.sortKey },
    ExpressionAttributeValues: marshall({ ":pk": pk, ":prefix": prefix }),
  };
}

/** partitionQuery on the table's own keys. */
export const tablePartition = (pk: string, prefix?: string) => partitionQuery(TABLE, pk, prefix);

/**
 * The pages of a Query, following LastEvaluatedKey. `input` is asked again for each page (a caller that
 * wants n items lowers its Limit as they come); a caller that has enough stops reading by breaking out.
 */
export async function* queryPages(
  client: DynamoDBClient,
  input: QueryCommandInput | (() => QueryCommandInput),
): AsyncGenerator<QueryCommandOutput> {
  let startKey: Item | undefined;
  do {
    const request = typeof input === "function" ? input() : input;
    const page = await client.send(new QueryCommand({ ...request, ...(startKey && { ExclusiveStartKey: startKey }) }));
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every item of a Query, following LastEvaluatedKey. */
export async function queryAll(client: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(client, input)) items.push(...(page.Items ?? []));
  return items;
}

/**
 * The pages of a Scan (of one segment, when `input` names one), following LastEvaluatedKey. The next
 * page is asked for as soon as one arrives, so the request is on its way while the caller works on the
 * page: at most two pages are held at once. A caller that stops early leaves one read unawaited.
 */
export async function* scanPages(client: DynamoDBClient, input: ScanCommandInput): AsyncGenerator<ScanCommandOutput> {
  const read = (startKey: Item | undefined) => {
    const reading = client.send(new ScanCommand({ ...input, ...(startKey && { ExclusiveStartKey: startKey }) }));
    // A read ahead that fails while no one waits for it yet is not an unhandled rejection: the caller
    // meets the failure when it asks for that page, and none if it stopped before.
    reading.catch(() => {});
    return reading;
  };
  let reading: Promise<ScanCommandOutput> | undefined = read(input.ExclusiveStartKey);
  while (reading) {
    const page: ScanCommandOutput = await reading;
    reading = page.LastEvaluatedKey ? read(page.LastEvaluatedKey) : undefined;
    yield page;
  }
}
