import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { traced } from "./tracing";

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

/**
 * Each command's middleware resolved once per command class and client, instead of at every send: the
 * SDK otherwise copies and sorts the client's whole middleware stack for every request (about a fifth
 * of the CPU the SDK spends on a webhook's two DynamoDB calls, measured). It holds because every client
 * gets its middleware (the logger's removal, the tracer's, a benchmark's recorder) when it is made,
 * before its first request: a middleware added to a client after a command of its class was sent would
 * not run for that class.
 */
export const RESOLVE_MIDDLEWARE_ONCE = { cacheMiddleware: true } as const;

/**
 * The one place SDK clients are made: created once per container, outside handlers, and reused (and
 * traced, in a stack deployed with tracing). An endpoint (DYNAMODB_ENDPOINT for DynamoDB Local,
 * SES_ENDPOINT for the local SES emulator) gets placeholder credentials when none are set.
 */
function clientConfig(endpoint: string | undefined) {
  return {
    region: process.env.AWS_REGION ?? "us-east-1",
    ...(endpoint && {
      endpoint,
      ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
    }),
    maxAttempts: 3,
    ...RESOLVE_MIDDLEWARE_ONCE,
  };
}

let dynamodb: DynamoDBClient | undefined;

export function dynamodbClient(): DynamoDBClient {
  dynamodb ??= traced(withoutSdkLogging(new DynamoDBClient(clientConfig(process.env.DYNAMODB_ENDPOINT))));
  return dynamodb;
}

let ses: SESv2Client | undefined;

/** SES v2; SES_ENDPOINT points it at a local emulator (aws-ses-v2-local). */
export function sesClient(): SESv2Client {
  ses ??= traced(withoutSdkLogging(new SESv2Client(clientConfig(process.env.SES_ENDPOINT))));
  return ses;
}

let sqs: SQSClient | undefined;

/** SQS, for the work queue of batch runs (rescore, preview, the daily sweep). */
export function sqsClient(): SQSClient {
  sqs ??= traced(withoutSdkLogging(new SQSClient(clientConfig(undefined))));
  return sqs;
}
