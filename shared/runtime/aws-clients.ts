import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * The one place SDK clients are made: created once per container, outside handlers, and reused.
 * A DYNAMODB_ENDPOINT (DynamoDB Local) gets placeholder credentials when none are set.
 */
let dynamodb: DynamoDBClient | undefined;

export function dynamodbClient(): DynamoDBClient {
  dynamodb ??= new DynamoDBClient({
    region: process.env.AWS_REGION ?? "us-east-1",
    ...(process.env.DYNAMODB_ENDPOINT && {
      endpoint: process.env.DYNAMODB_ENDPOINT,
      ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    }),
    maxAttempts: 3,
  });
  return dynamodb;
}
