import { Duration } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { acknowledge } from "./nag";

/**
 * Where a delivery that ran out of retries waits for an operator: kept the longest SQS allows,
 * encrypted, TLS only. Every dead-letter queue gets an alarm on depth > 0 (alarms.ts).
 */
export class DeadLetterQueue extends Queue {
  /** What ends up here, for the alarm description and the dashboard. */
  readonly holds: string;

  constructor(scope: Construct, id: string, holds: string) {
    super(scope, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.holds = holds;
    acknowledge(
      this,
      "AwsSolutions-SQS3",
      "This queue is itself a dead-letter queue (of a Pipe, a rule target or an async invocation); " +
        "its depth is alarmed and an operator redrives it.",
    );
  }
}
