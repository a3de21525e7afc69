import { describe, expect, it } from "vitest";
import { STREAM_PUBLICATIONS } from "#shared/adapters/dynamodb/stream-publications";
import { RULES } from "#shared/bus/rules";
import { FUNCTIONS } from "#shared/runtime/routes";
import { SERVER_ERROR_RATE_PERCENT } from "../../infra/alarms";
import { pipeConstructId } from "../../infra/pipe";
import { resourceAt, resourcesOfType, synthRipen } from "./ripen-app";

const { stateless } = synthRipen({ context: { "ripen:alarmEmail": "oncall@example.com" } });
const alarms = Object.values(resourcesOfType(stateless, "AWS::CloudWatch::Alarm"));
const [topicId] = resourceAt(stateless, "AWS::SNS::Topic", "/Alarms/Topic/Resource");

/** Alarms on one metric, with the dimension values that mention `dimension` (a logical id or a name). */
function alarmsOn(metricName: string, dimension?: string) {
  return alarms.filter(
    (alarm) =>
      alarm.Properties.MetricName === metricName &&
      (dimension === undefined || JSON.stringify(alarm.Properties.Dimensions).includes(dimension)),
  );
}

describe("the alarms", () => {
  it("watch every dead-letter queue for a single message", () => {
    // Prepare: a queue with a redrive policy (the work queue) has a dead-letter queue of its own.
    const queueIds = Object.entries(resourcesOfType(stateless, "AWS::SQS::Queue"))
      .filter(([, queue]) => queue.Properties.RedrivePolicy === undefined)
      .map(([queueId]) => queueId);

    // Assess
    expect(queueIds.length).toBeGreaterThan(0);
    for (const queueId of queueIds) {
      expect(alarmsOn("ApproximateNumberOfMessagesVisible", queueId)).toEqual([
        expect.objectContaining({
          Properties: expect.objectContaining({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold" }),
        }),
      ]);
    }
  });

  it("watch the API's 5xx rate", () => {
    // Prepare
    const rate = alarms.find((alarm) => JSON.stringify(alarm.Properties.Metrics ?? []).includes("5xx"));

    // Assess
    expect(rate?.Properties).toMatchObject({ Threshold: SERVER_ERROR_RATE_PERCENT, EvaluationPeriods: 3 });
    expect(JSON.stringify(rate?.Properties.Metrics)).toContain("100 * errors / requests");
  });

  it.each(Object.keys(FUNCTIONS))("watch %s for errors and throttles", (name) => {
    // Prepare
    const [functionId] = resourceAt(stateless, "AWS::Lambda::Function", `/${name}/Handler/Resource`);

    // Assess
    expect(alarmsOn("Errors", functionId)).toHaveLength(1);
    expect(alarmsOn("Throttles", functionId)).toHaveLength(1);
  });

  it.each(STREAM_PUBLICATIONS.map((publication) => publication.name))(
    "watch the %s Pipe for failures and throttles",
    (name) => {
      // Prepare
      const [pipeId] = resourceAt(stateless, "AWS::Pipes::Pipe", `/${pipeConstructId({ name })}/Pipe`);

      // Assess
      expect(alarmsOn("ExecutionFailed", pipeId)).toHaveLength(1);
      expect(alarmsOn("ExecutionThrottled", pipeId)).toHaveLength(1);
    },
  );

  it.each(Object.keys(RULES))("watch rule %s for failed deliveries", (name) => {
    // Prepare
    const [ruleId] = resourceAt(stateless, "AWS::Events::Rule", `/Rules/${name}/Resource`);

    // Assess
    expect(alarmsOn("FailedInvocations", ruleId)).toHaveLength(1);
  });

  it("all notify the alarm topic, which mails the configured address over TLS only", () => {
    // Assess
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    stateless.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
      TopicArn: { Ref: topicId },
    });
    expect(JSON.stringify(resourcesOfType(stateless, "AWS::SNS::TopicPolicy"))).toContain("aws:SecureTransport");
  });

  it("are on a dashboard with the API, functions, Pipe, rules and queues", () => {
    // Prepare
    const [, dashboard] = resourceAt(stateless, "AWS::CloudWatch::Dashboard", "/Operations/Dashboard/Resource");

    // Act
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    for (const metric of ["5xx", "Errors", "Throttles", "ExecutionFailed", "FailedInvocations"]) {
      expect(body).toContain(metric);
    }
    for (const { name } of STREAM_PUBLICATIONS) {
      const [pipeId] = resourceAt(stateless, "AWS::Pipes::Pipe", `/${pipeConstructId({ name })}/Pipe`);
      expect(body).toContain(pipeId);
      expect(body).toContain(`${name} ExecutionFailed`);
    }
    expect(body).toContain("ApproximateNumberOfMessagesVisible");
  });
});
