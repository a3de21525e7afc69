import {
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { Item } from "./items";

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
