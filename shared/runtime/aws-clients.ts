import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { traced } from "./tracing";

/**
 * The one place SDK clients are made: created once per container, outside handlers, and reused (and
 * traced, in a stack deployed with tracing).
 * A DYNAMODB_ENDPOINT (DynamoDB Local) or SES_ENDPOINT (the local SES emulator) gets placeholder
 * credentials when none are set.
 */
let dynamodb: DynamoDBClient | undefined;

export function dynamodbClient(): DynamoDBClient {
  dynamodb ??= traced(
    new DynamoDBClient({
      region: process.env.AWS_REGION ?? "us-east-1",
      ...(process.env.DYNAMODB_ENDPOINT && {
        endpoint: process.env.DYNAMODB_ENDPOINT,
        ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
      }),
      maxAttempts: 3,
    }),
  );
  return dynamodb;
}

let ses: SESv2Client | undefined;

/** SES v2; SES_ENDPOINT points it at a local emulator (aws-ses-v2-local). */
export function sesClient(): SESv2Client {
  ses ??= traced(
    new SESv2Client({
      region: process.env.AWS_REGION ?? "us-east-1",
      ...(process.env.SES_ENDPOINT && {
        endpoint: process.env.SES_ENDPOINT,
        ...(!process.env.AWS_ACCESS_KEY_ID && { credentials: { accessKeyId: "local", secretAccessKey: "local" } }),
      }),
      maxAttempts: 3,
    }),
  );
  return ses;
}
