import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { RESOLVE_MIDDLEWARE_ONCE, withoutSdkLogging } from "#shared/runtime/aws-clients";

/**
 * SDK configuration for a local or other non-AWS DynamoDB endpoint. DynamoDB Local runs with
 * -sharedDb, so region and credentials only have to be present, not real.
 */
export function localClientConfig(endpoint: string) {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = process.env;
  return {
    endpoint,
    region: process.env.AWS_REGION ?? "us-east-1",
    ...RESOLVE_MIDDLEWARE_ONCE,
    credentials:
      AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: AWS_ACCESS_KEY_ID,
            secretAccessKey: AWS_SECRET_ACCESS_KEY,
            ...(AWS_SESSION_TOKEN && { sessionToken: AWS_SESSION_TOKEN }),
          }
        : { accessKeyId: "local", secretAccessKey: "local" },
  };
}

/** Without the SDK's logger, as every other client: its filtering of each command cost ~15 % of a read's CPU. */
export function localDynamoDbClient(endpoint: string, maxAttempts = 3): DynamoDBClient {
  return withoutSdkLogging(new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts }));
}

/** DynamoDB Local serves the Streams API on the same endpoint as the table API. */
export function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return withoutSdkLogging(new DynamoDBStreamsClient({ ...localClientConfig(endpoint), maxAttempts: 3 }));
}
