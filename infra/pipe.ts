import { RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnPipe } from "aws-cdk-lib/aws-pipes";
import { Construct } from "constructs";
import { LEAD_STAGE_CHANGED, TRANSITION_STREAM_FILTER } from "../shared/application/lead-stage-changed";
import { DeadLetterQueue } from "./dead-letter-queue";

/** How the Pipe reads the stream: small batches for low latency, bounded retries, bad records isolated. */
export const STREAM_READING = {
  batchSize: 10,
  maximumRetryAttempts: 10,
  /** Past this, an alert is stale: it goes to the dead-letter queue (alarmed) for an operator to replay. */
  maximumRecordAgeInSeconds: 3 * 60 * 60,
  onPartialBatchItemFailure: "AUTOMATIC_BISECT",
  // From the oldest record: a transition written while the Pipe is being replaced is still delivered.
  // Notifiers are idempotent per transition, so a redelivery cannot alert twice.
  startingPosition: "TRIM_HORIZON",
} as const;

export interface TransitionPipeProps {
  table: ITable;
  bus: IEventBus;
  /** The enrichment: stream records in, `Lead Stage Changed` details out. */
  publish: IFunction;
  logRetention: RetentionDays;
}

/**
 * Table stream → filter (new transition items) → publish function → bus. The stream, not the write
 * path, carries notifications out, so a crash can delay an alert but never lose it.
 */
export class TransitionPipe extends Construct {
  readonly pipe: CfnPipe;
  readonly deadLetters: DeadLetterQueue;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TransitionPipeProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error("the table has no stream: the Pipe reads transitions from it");

    this.deadLetters = new DeadLetterQueue(this, "DeadLetters", "stream records the Pipe could not publish");
    const logs = new LogGroup(this, "Logs", { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("pipes.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: "Ripen transition pipe: read the table stream, enrich, put on the bus",
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          "dynamodb:DescribeStream",
          "dynamodb:GetRecords",
          "dynamodb:GetShardIterator",
          "dynamodb:ListStreams",
        ],
        resources: [streamArn],
      }),
    );
    // Not grantInvoke: that also grants every version and alias (`:*`); the Pipe calls $LATEST only.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [props.publish.functionArn] }),
    );
    props.bus.grantPutEventsTo(this.role);
    this.deadLetters.grantSendMessages(this.role);
    logs.grantWrite(this.role);

    this.pipe = new CfnPipe(this, "Pipe", {
      description: "New transition items on the table stream become Lead Stage Changed events",
      roleArn: this.role.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: { filters: [{ pattern: JSON.stringify(TRANSITION_STREAM_FILTER) }] },
        dynamoDbStreamParameters: {
          ...STREAM_READING,
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
      },
      enrichment: props.publish.functionArn,
      target: props.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: {
          source: LEAD_STAGE_CHANGED.source,
          detailType: LEAD_STAGE_CHANGED.detailType,
        },
      },
      // Errors only and no execution data: payloads carry names and emails.
      logConfiguration: { level: "ERROR", cloudwatchLogsLogDestination: { logGroupArn: logs.logGroupArn } },
    });
    // The Pipe validates its source and targets on creation: the role's policy must exist first.
    this.pipe.node.addDependency(this.role);
  }

  /** The Pipe's name: the dimension of its CloudWatch metrics. */
  get pipeName(): string {
    return this.pipe.ref;
  }
}
