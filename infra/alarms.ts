import { Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { DeadLetterQueue } from "./dead-letter-queue";
import { PERIOD, pipeMetric, ruleMetric, type Signals, serverErrorRate } from "./metrics";
import { acknowledge } from "./nag";
import { pipeConstructId } from "./pipe";

/** Alarm when more than this share of API requests fail with a 5xx, in 2 of 3 periods. */
export const SERVER_ERROR_RATE_PERCENT = 5;

export interface RipenAlarmsProps extends Signals {
  /** Subscribed to the alarm topic by email when set. */
  alarmEmail?: string;
}

/**
 * Alarms that fire before a user notices: anything in a dead-letter queue, API 5xx rate, function
 * errors and throttles, Pipe failures and throttles, rule delivery failures. All publish to one topic.
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
