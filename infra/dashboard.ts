import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Stats,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { PERIOD, pipeMetric, ruleMetric, type Signals, serverErrorRate } from "./metrics";

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
