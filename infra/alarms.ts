import { Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { NOTIFIERS } from "#shared/bus/notifiers";
import { SOURCES } from "#shared/domain/lead-event";
import { WEBHOOKS_REFUSED } from "#shared/edge/webhook-refusals";
import { ALARM_THRESHOLDS, type AlarmThresholds } from "./config";
import { DeadLetterQueue } from "./dead-letter-queue";
import {
  alertFailures,
  PERIOD,
  pipeMetric,
  ripenMetric,
  ruleMetric,
  type Signals,
  serverErrorRate,
  sesReputation,
  TABLE_OPERATIONS,
} from "./metrics";
import { acknowledge } from "./nag";
import { pipeConstructId } from "./pipe";

/** Alarm when more than this share of API requests fail with a 5xx, in 2 of 3 periods. */
export const SERVER_ERROR_RATE_PERCENT = 5;

export interface RipenAlarmsProps extends Signals {
  /** Subscribed to the alarm topic by email when set. */
  alarmEmail?: string;
  /** Ripen's own alarms' thresholds (ripen:alarmThresholds). */
  thresholds?: AlarmThresholds;
  /** Whether alerts go out by email: SES's reputation is watched only then. */
  sendsEmail?: boolean;
}

/**
 * Alarms that fire before a user notices: anything in a dead-letter queue, API 5xx rate, function
 * errors and throttles, Pipe failures and throttles, rule delivery failures; and Ripen's own signals: a
 * sender's deliveries refused (a rotated secret, a missing one), alerts a channel could not deliver,
 * DynamoDB throttles and system errors, SES bounce and complaint rates. All publish to one topic.
 */
export class RipenAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly deadLetterQueues: DeadLetterQueue[];

  constructor(scope: Construct, id: string, props: RipenAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, "Topic", { displayName: "Ripen alarms", enforceSSL: true });
    acknowledge(
      this.topic,
      "AwsSolutions-SNS2",
      "Alarm notifications carry alarm names and states only, no lead data. CloudWatch cannot publish to a topic " +
        "encrypted with the AWS managed SNS key, and a customer managed key would add cost without protecting anything.",
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // Every dead-letter queue in the stack, wherever it was made: none can be forgotten.
    this.deadLetterQueues = Stack.of(this)
      .node.findAll()
      .filter((construct) => construct instanceof DeadLetterQueue);
    for (const queue of this.deadLetterQueues) {
      const name = queue.node.path.split("/").slice(1).join("");
      this.whenAbove(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: "Maximum" }),
        0,
        `Messages wait in a dead-letter queue: ${queue.holds}`,
      );
    }

    this.whenAbove(
      "ApiServerErrorRate",
      serverErrorRate(props.api),
      SERVER_ERROR_RATE_PERCENT,
      `More than ${SERVER_ERROR_RATE_PERCENT}% of API requests failed with a 5xx`,
      3,
      2,
    );

    for (const [name, handler] of props.handlers) {
      this.whenAbove(
        `${name}Errors`,
        handler.metricErrors({ period: PERIOD, statistic: "Sum" }),
        0,
        `The ${name} function threw`,
      );
      this.whenAbove(
        `${name}Throttles`,
        handler.metricThrottles({ period: PERIOD, statistic: "Sum" }),
        0,
        `The ${name} function was throttled`,
      );
    }

    for (const [name, pipeName] of props.pipes) {
      const id = pipeConstructId({ name });
      this.whenAbove(
        `${id}ExecutionFailed`,
        pipeMetric(pipeName, "ExecutionFailed"),
        0,
        `The ${name} pipe failed to publish stream records`,
      );
      this.whenAbove(
        `${id}ExecutionThrottled`,
        pipeMetric(pipeName, "ExecutionThrottled"),
        0,
        `The ${name} pipe was throttled`,
      );
    }

    for (const [name, rule] of props.rules) {
      this.whenAbove(
        `${name}FailedInvocations`,
        ruleMetric(props.bus, rule, "FailedInvocations"),
        0,
        `The ${name} rule could not invoke its target`,
      );
    }

    this.addRipenAlarms(props, props.thresholds ?? ALARM_THRESHOLDS);
  }

  private addRipenAlarms(props: RipenAlarmsProps, limits: AlarmThresholds): void {
    // One per known sender and code: the metric's source dimension only ever takes these names.
    const refusals = [
      ["invalid_signature", "InvalidSignatures", limits.invalidSignatures, "its signatures fail: a rotated secret?"],
      ["source_not_configured", "SourceNotConfigured", limits.sourceNotConfigured, "it has no secret in Ripen's"],
    ] as const;
    for (const source of SOURCES) {
      for (const [code, name, threshold, why] of refusals) {
        this.whenAbove(
          `${pascal(source)}${name}`,
          ripenMetric(WEBHOOKS_REFUSED, { source, code }),
          threshold,
          `Deliveries from ${source} are refused with ${code} (more than ${threshold} in 5 minutes): ${why}`,
        );
      }
    }
    for (const notifier of Object.values(NOTIFIERS)) {
      this.whenAbove(
        `${pascal(notifier.name)}AlertFailures`,
        alertFailures(notifier.name),
        limits.alertFailures,
        `Alerts by ${notifier.name} could not be delivered (more than ${limits.alertFailures} in 5 minutes)`,
      );
    }
    this.whenAbove(
      "TableThrottles",
      props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      limits.dynamodbThrottles,
      "DynamoDB throttled requests to the table",
    );
    this.whenAbove(
      "TableSystemErrors",
      props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      limits.dynamodbSystemErrors,
      "DynamoDB answered the table's requests with internal errors",
    );
    if (!props.sendsEmail) return;
    this.whenAbove(
      "SesBounceRate",
      sesReputation("Reputation.BounceRate"),
      limits.sesBounceRate,
      `SES bounce rate above ${limits.sesBounceRate * 100} %: AWS reviews the account at 5 %`,
    );
    this.whenAbove(
      "SesComplaintRate",
      sesReputation("Reputation.ComplaintRate"),
      limits.sesComplaintRate,
      `SES complaint rate above ${limits.sesComplaintRate * 100} %: AWS reviews the account at 0.1 %`,
    );
  }

  private whenAbove(
    id: string,
    metric: IMetric,
    threshold: number,
    description: string,
    periods = 1,
    datapoints = 1,
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: datapoints,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** `notify-slack` → `NotifySlack`, `calcom` → `Calcom`: a construct id from a closed set of names. */
const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]/)
    .map((part) => (part[0]?.toUpperCase() ?? "") + part.slice(1))
    .join("");
