import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  MathExpression,
  Stats,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { NOTIFIERS } from "#shared/bus/notifiers";
import {
  alertFailures,
  PERIOD,
  pipeMetric,
  ruleMetric,
  type Signals,
  serverErrorRate,
  TABLE_OPERATIONS,
} from "./metrics";

/** Every series of one of Ripen's own metrics, one line per value of its dimensions (a CloudWatch search). */
function ripenSeries(metricName: string, dimensions: string[], label: string): MathExpression {
  const schema = ["Ripen", "service", ...dimensions].join(",");
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    period: PERIOD,
    label,
  });
}

export interface RipenDashboardProps extends Signals {
  deadLetterQueues: readonly IQueue[];
  alarms: readonly Alarm[];
}

/** One page for the on-call: alarm states first, then the path a webhook takes, left to right. */
export class RipenDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: RipenDashboardProps) {
    super(scope, id);
    const functions = [...props.handlers.entries()];
    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 8, height: 6 });
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            "## Ripen\nWebhooks → ingest → table → stream → Pipes (transitions, SLA breaches) → bus → notifiers. Runbook: README, Operations.",
          width: 24,
          height: 2,
        }),
      ],
      [new AlarmStatusWidget({ title: "Alarms", alarms: [...props.alarms], width: 24, height: 4 })],
      [
        graph("API requests and errors", [
          props.api.metricCount({ period: PERIOD, statistic: Stats.SUM }),
          props.api.metricClientError({ period: PERIOD, statistic: Stats.SUM }),
          props.api.metricServerError({ period: PERIOD, statistic: Stats.SUM }),
        ]),
        graph("API 5xx rate (%)", [serverErrorRate(props.api)]),
        graph("API latency p99 (ms)", [props.api.metricLatency({ period: PERIOD, statistic: Stats.p(99) })]),
      ],
      [
        graph("Webhooks received, by sender", [ripenSeries("WebhooksReceived", ["source"], "received")]),
        graph("Webhooks refused, by sender and code", [
          ripenSeries("WebhooksRefused", ["code", "source"], "refused"),
          ripenSeries("PayloadsRefused", ["code", "source"], "acknowledged, not stored"),
          ripenSeries("RequestsRefused", ["code"], "any route"),
        ]),
        graph("Stage changes, by stage", [ripenSeries("Transitions", ["stage"], "transitions")]),
      ],
      [
        graph(
          "Alert failures, by channel",
          Object.values(NOTIFIERS).map((notifier) => alertFailures(notifier.name)),
        ),
        // Separate graphs: both expressions name their metrics by operation.
        graph("DynamoDB throttled requests", [
          props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
        ]),
        graph("DynamoDB system errors", [
          props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
        ]),
      ],
      [
        graph(
          "Function errors",
          functions.map(([name, handler]) =>
            handler.metricErrors({ period: PERIOD, label: name, statistic: Stats.SUM }),
          ),
        ),
        graph(
          "Function throttles",
          functions.map(([name, handler]) =>
            handler.metricThrottles({ period: PERIOD, label: name, statistic: Stats.SUM }),
          ),
        ),
        graph(
          "Function duration p99 (ms)",
          functions.map(([name, handler]) =>
            handler.metricDuration({ period: PERIOD, label: name, statistic: Stats.p(99) }),
          ),
        ),
      ],
      [
        graph(
          "Pipes",
          [...props.pipes.entries()].flatMap(([name, pipeName]) =>
            ["Invocations", "ExecutionFailed", "ExecutionThrottled"].map((metric) =>
              pipeMetric(pipeName, metric).with({ label: `${name} ${metric}` }),
            ),
          ),
        ),
        graph(
          "Rules",
          [...props.rules.entries()].flatMap(([name, rule]) => [
            ruleMetric(props.bus, rule, "Invocations").with({ label: `${name} invocations` }),
            ruleMetric(props.bus, rule, "FailedInvocations").with({ label: `${name} failed` }),
          ]),
        ),
        graph(
          "Dead-letter queues (messages)",
          props.deadLetterQueues.map((queue) =>
            queue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: Stats.MAXIMUM,
              label: queue.node.id,
            }),
          ),
        ),
      ],
    ];
    this.dashboard = new Dashboard(this, "Dashboard", { widgets: rows });
  }
}
