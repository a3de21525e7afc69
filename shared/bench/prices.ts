/**
 * AWS list prices in us-east-1 that the cost per million webhooks uses, first pricing tier, no free tier.
 *
 * Written down on 2026-11-24 from AWS's public pricing pages as last known (DynamoDB on-demand after its
 * November 2024 price cut), without network access on the benchmark machine: check them against
 * https://aws.amazon.com/pricing/ before quoting the figures, and update `asOf` when you do.
 */
export const PRICES = {
  asOf: "2026-11-24",
  region: "us-east-1",
  basis: "public list prices as last known, not fetched at run time; verify at aws.amazon.com/pricing",
  /** API Gateway HTTP API, per million requests (each 512 KB of a request counts as one). */
  httpApiPerMillionRequests: 1.0,
  /** Lambda on arm64 (Graviton), per GB-second of billed duration (billed per 1 ms). */
  lambdaArm64PerGbSecond: 0.0000133334,
  /** Lambda, per million invocations. */
  lambdaPerMillionRequests: 0.2,
  /** DynamoDB on-demand, per million write request units. */
  dynamodbPerMillionWriteUnits: 0.625,
  /** DynamoDB on-demand, per million read request units. */
  dynamodbPerMillionReadUnits: 0.125,
  /** DynamoDB Streams, per million GetRecords calls (read request units) made by a Pipe (Lambda triggers read free). */
  dynamodbStreamsPerMillionReads: 0.2,
  /** EventBridge Pipes, per million requests (events that pass the filter, in 64 KB chunks). */
  pipesPerMillionRequests: 0.4,
  /** EventBridge, per million custom events put on a bus (64 KB chunks). */
  eventBridgePerMillionEvents: 1.0,
  /** SQS standard, per million requests (dead-letter queues: only what fails). */
  sqsPerMillionRequests: 0.4,
  /** SES outbound email, per thousand messages. */
  sesPerThousandEmails: 0.1,
  /** CloudWatch Logs ingestion (standard class), per GB; each event adds 26 bytes of metadata. */
  cloudWatchLogsPerGbIngested: 0.5,
  /** Secrets Manager, per 10,000 API calls (read once per container every 5 minutes). */
  secretsManagerPer10kCalls: 0.05,
} as const;

export type Prices = typeof PRICES;
