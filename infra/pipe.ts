import { RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import { CfnPipe } from "aws-cdk-lib/aws-pipes";
import { Construct } from "constructs";
import type { StreamPublication } from "#shared/adapters/dynamodb/stream-publications";
import { DeadLetterQueue } from "./dead-letter-queue";

/** How each Pipe reads the stream: small batches for low latency, bounded retries, bad records isolated. */
export const STREAM_READING = {
  batchSize: 10,
  maximumRetryAttempts: 10,
  /** Past this, an alert is stale: it goes to the dead-letter queue (alarmed) for an operator to replay. */
  maximumRecordAgeInSeconds: 3 * 60 * 60,
  onPartialBatchItemFailure: "AUTOMATIC_BISECT",
  // From the oldest record: an item written while the Pipe is being replaced is still delivered.
  // Notifiers are idempotent per transition and per breach, so a redelivery cannot alert twice.
  startingPosition: "TRIM_HORIZON",
} as const;

/** The construct id of a publication's Pipe: `transition` → `TransitionPipe`, `sla-breach` → `SlaBreachPipe`. */
export function pipeConstructId(publication: Pick<StreamPublication, "name">): string {
  const words = publication.name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return `${words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join("")}Pipe`;
}

export interface StreamPipeProps {
  table: ITable;
  bus: IEventBus;
  /** Which records the Pipe reads, and the source and detail-type of the events it puts. */
  publication: StreamPublication;
  /** The enrichment: stream records in, one event detail per record out. */
  publish: IFunction;
  logRetention: RetentionDays;
}

/**
 * Table stream → filter (one publication's new items) → publish function → bus. The stream, not the
 * write path, carries notifications out, so a crash can delay an alert but never lose it.
 *
 * One Pipe per entry of STREAM_PUBLICATIONS. Each Pipe is one reader of every stream shard, and a
 * DynamoDB stream serves at most two readers per shard before it throttles them: two Pipes is the limit.
 */
export class StreamPipe extends Construct {
  readonly pipe: CfnPipe;
  readonly deadLetters: DeadLetterQueue;
  readonly role: Role;

  readonly publication: StreamPublication;

  constructor(scope: Construct, id: string, props: StreamPipeProps) {
    super(scope, id);
    const { publication } = props;
    this.publication = publication;
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error(`the table has no stream: the ${publication.name} Pipe reads from it`);

    this.deadLetters = new DeadLetterQueue(
      this,
      "DeadLetters",
      `${publication.name} stream records the Pipe could not publish`,
    );
    const logs = new LogGroup(this, "Logs", { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });

    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("pipes.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
      description: `Ripen ${publication.name} pipe: read the table stream, enrich, put on the bus`,
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
      description: publication.description,
      roleArn: this.role.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: { filters: publication.filters.map((filter) => ({ pattern: JSON.stringify(filter) })) },
        dynamoDbStreamParameters: {
          ...STREAM_READING,
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
      },
      enrichment: props.publish.functionArn,
      target: props.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: {
          source: publication.source,
          detailType: publication.detailType,
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
