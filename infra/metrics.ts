import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { MathExpression, Metric, type MetricOptions } from "aws-cdk-lib/aws-cloudwatch";
import { type ITable, Operation } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus, IRule } from "aws-cdk-lib/aws-events";
import type { IFunction } from "aws-cdk-lib/aws-lambda";

/** What alarms and the dashboard watch: the path a webhook and its alert take. */
export interface Signals {
  api: HttpApi;
  handlers: ReadonlyMap<string, IFunction>;
  /** The stream Pipes' names (their metrics' dimension), by publication name. */
  pipes: ReadonlyMap<string, string>;
  bus: IEventBus;
  rules: ReadonlyMap<string, IRule>;
  table: ITable;
}

/** Powertools' default dimension on every metric the functions count (POWERTOOLS_SERVICE_NAME). */
const SERVICE = { service: "ripen" };

/** One of Ripen's own metrics (namespace Ripen, shared/runtime/powertools.ts), with its exact dimensions. */
export function ripenMetric(metricName: string, dimensions: Readonly<Record<string, string>> = {}): Metric {
  return new Metric({ namespace: "Ripen", metricName, dimensionsMap: { ...SERVICE, ...dimensions }, ...sum });
}

/** Alerts a channel could not deliver, whether a retry may help or not (notify-alert.ts counts both). */
export function alertFailures(channel: string): MathExpression {
  // Ids unique per channel: one graph shows every channel's expression.
  const id = channel.toLowerCase().replace(/[^a-z0-9]/g, "_");
  return new MathExpression({
    expression: `FILL(retryable_${id}, 0) + FILL(final_${id}, 0)`,
    usingMetrics: {
      [`retryable_${id}`]: ripenMetric("AlertFailures", { channel, retryable: "true" }),
      [`final_${id}`]: ripenMetric("AlertFailures", { channel, retryable: "false" }),
    },
    period: PERIOD,
    label: `${channel} alert failures`,
  });
}

/** The table operations Ripen makes: DynamoDB reports throttles and system errors per operation (10 at most). */
export const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.SCAN,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

/** SES's account reputation (a fraction): published by SES itself, a few times an hour. */
export function sesReputation(metricName: "Reputation.BounceRate" | "Reputation.ComplaintRate"): Metric {
  return new Metric({ namespace: "AWS/SES", metricName, period: Duration.hours(1), statistic: "Maximum" });
}

/** The one period alarms and the dashboard share. */
export const PERIOD = Duration.minutes(5);

const sum: MetricOptions = { period: PERIOD, statistic: "Sum" };

/** A Pipe metric (ExecutionFailed, ExecutionThrottled, Invocations, ...). */
export function pipeMetric(pipeName: string, metricName: string): Metric {
  return new Metric({ namespace: "AWS/EventBridge/Pipes", metricName, dimensionsMap: { PipeName: pipeName }, ...sum });
}

/** A rule metric on a custom bus (Invocations, FailedInvocations, ...). */
export function ruleMetric(bus: IEventBus, rule: IRule, metricName: string): Metric {
  return new Metric({
    namespace: "AWS/Events",
    metricName,
    dimensionsMap: { EventBusName: bus.eventBusName, RuleName: rule.ruleName },
    ...sum,
  });
}

/** Share of API requests answered with a 5xx, in percent; 0 when there was no traffic. */
export function serverErrorRate(api: HttpApi): MathExpression {
  return new MathExpression({
    expression: "IF(requests > 0, 100 * errors / requests, 0)",
    usingMetrics: { errors: api.metricServerError(sum), requests: api.metricCount(sum) },
    period: PERIOD,
    label: "5xx rate (%)",
  });
}
