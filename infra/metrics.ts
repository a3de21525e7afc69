import { Duration } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { MathExpression, Metric, type MetricOptions } from "aws-cdk-lib/aws-cloudwatch";
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
