import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { traced } from "./tracing";

/**
 * The one place SDK clients are made: created once per container, outside handlers, and reused (and
 * traced, in a stack deployed with tracing).
 * A DYNAMODB_ENDPOINT (DynamoDB Local) or SES_ENDPOINT (the local SES emulator) gets placeholder
 * credentials when none are set.
 */
let dynamodb: DynamoDBClient | undefined;

/**
 * Takes the SDK's logger middleware off a client. It hands every command's input and output, filtered
 * field by field against the operation's schema, to the client's logger, which is a no-op here: Ripen
 * logs what it decides, never SDK payloads (they hold personal data). The filtering alone cost more CPU
 * per webhook than signing the request.
 */
export function withoutSdkLogging<Client extends { middlewareStack: { remove(name: string): boolean } }>(
  client: Client,
): Client {
  client.middlewareStack.remove("loggerMiddleware");
  return client;
}

export function dynamodbClient(): DynamoDBClient {
  dynamodb ??= traced(
    withoutSdkLogging(
      new DynamoDBClient({
        region: process.env.AWS_REGION ?? "us-east-1",
        ...(process.env.DYNAMODB_ENDPOINT && {
          endpoint: process.env.DYNAMODB_ENDPOINT,
          ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
        }),
        maxAttempts: 3,
      }),
    ),
  );
  return dynamodb;
}

let ses: SESv2Client | undefined;

/** SES v2; SES_ENDPOINT points it at a local emulator (aws-ses-v2-local). */
export function sesClient(): SESv2Client {
  ses ??= traced(
    withoutSdkLogging(
      new SESv2Client({
        region: process.env.AWS_REGION ?? "us-east-1",
        ...(process.env.SES_ENDPOINT && {
          endpoint: process.env.SES_ENDPOINT,
          ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
        }),
        maxAttempts: 3,
      }),
    ),
  );
  return ses;
}

let sqs: SQSClient | undefined;

/** SQS, for the work queue of batch runs (rescore, preview, the daily sweep). */
export function sqsClient(): SQSClient {
  sqs ??= traced(new SQSClient({ region: process.env.AWS_REGION ?? "us-east-1", maxAttempts: 3 }));
  return sqs;
}
