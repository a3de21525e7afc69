import { describe, expect, it } from "vitest";
import { NOTIFIERS } from "#shared/bus/notifiers";
import { SOURCES } from "#shared/domain/lead-event";
import { ALARM_THRESHOLDS } from "../../infra/config";
import { resourceAt, resourcesOfType, synthRipen, type TemplateResource } from "./ripen-app";

const withEmail = { "ripen:fromAddress": "alerts@example.com" };
const { stateless } = synthRipen({ context: withEmail });
const alarms = Object.values(resourcesOfType(stateless, "AWS::CloudWatch::Alarm"));

type Dimension = { Name: string; Value: unknown };
const dimensionsOf = (alarm: TemplateResource) =>
  Object.fromEntries(((alarm.Properties.Dimensions ?? []) as Dimension[]).map((d) => [d.Name, d.Value]));
const metricsOf = (alarm: TemplateResource) => JSON.stringify(alarm.Properties.Metrics ?? []);

/** Alarms on one of Ripen's own metrics (namespace Ripen), by their dimensions. */
const ripenAlarms = (metricName: string) =>
  alarms.filter((alarm) => alarm.Properties.Namespace === "Ripen" && alarm.Properties.MetricName === metricName);

describe("Ripen's own alarms", () => {
  it("watch each known sender for a surge of invalid_signature and of source_not_configured, and no other name", () => {
    // Act
    const watched = ripenAlarms("WebhooksRefused").map((alarm) => dimensionsOf(alarm));

    // Assess
    const expected = SOURCES.flatMap((source) =>
      ["invalid_signature", "source_not_configured"].map((code) => ({ service: "ripen", source, code })),
    );
    expect(watched).toHaveLength(expected.length);
    expect(watched).toEqual(expect.arrayContaining(expected));
  });

  it("fire above the default thresholds over 5 minutes", () => {
    // Prepare
    const typeform = ripenAlarms("WebhooksRefused").filter((alarm) => dimensionsOf(alarm).source === "typeform");
    const byCode = Object.fromEntries(typeform.map((alarm) => [dimensionsOf(alarm).code, alarm.Properties]));

    // Assess
    expect(byCode.invalid_signature).toMatchObject({
      Threshold: ALARM_THRESHOLDS.invalidSignatures,
      Period: 300,
      Statistic: "Sum",
      ComparisonOperator: "GreaterThanThreshold",
    });
    expect(byCode.source_not_configured).toMatchObject({ Threshold: ALARM_THRESHOLDS.sourceNotConfigured });
  });

  it("take their thresholds from ripen:alarmThresholds, leaving the others at their defaults", () => {
    // Act
    const tuned = synthRipen({ context: { ...withEmail, "ripen:alarmThresholds": '{"invalidSignatures":50}' } });
    const refused = Object.values(resourcesOfType(tuned.stateless, "AWS::CloudWatch::Alarm")).filter(
      (alarm) => alarm.Properties.MetricName === "WebhooksRefused",
    );

    // Assess
    const thresholds = (code: string) =>
      new Set(refused.filter((alarm) => dimensionsOf(alarm).code === code).map((alarm) => alarm.Properties.Threshold));
    expect(thresholds("invalid_signature")).toEqual(new Set([50]));
    expect(thresholds("source_not_configured")).toEqual(new Set([ALARM_THRESHOLDS.sourceNotConfigured]));
  });

  it("refuse a threshold nobody defined, naming the context key", () => {
    expect(() => synthRipen({ context: { "ripen:alarmThresholds": { invalidSignature: 5 } } })).toThrow(
      /ripen:alarmThresholds/,
    );
  });

  it.each(Object.values(NOTIFIERS).map((notifier) => notifier.name))(
    "watch alert failures on %s, retryable or not",
    (channel) => {
      // Act
      const watching = alarms.filter((alarm) => {
        const metrics = metricsOf(alarm);
        return metrics.includes('"AlertFailures"') && metrics.includes(`"Value":"${channel}"`);
      });

      // Assess
      expect(watching).toHaveLength(1);
      expect(metricsOf(watching[0] as TemplateResource)).toContain('"Value":"true"');
      expect(metricsOf(watching[0] as TemplateResource)).toContain('"Value":"false"');
    },
  );

  it("watch the table for throttled requests and system errors on the operations Ripen makes", () => {
    // Act
    const [, throttles] = resourceAt(stateless, "AWS::CloudWatch::Alarm", "/Alarms/TableThrottles/Resource");
    const [, systemErrors] = resourceAt(stateless, "AWS::CloudWatch::Alarm", "/Alarms/TableSystemErrors/Resource");

    // Assess
    expect(metricsOf(throttles)).toContain('"MetricName":"ThrottledRequests"');
    expect(metricsOf(throttles)).toContain('"Value":"TransactWriteItems"');
    expect(metricsOf(systemErrors)).toContain('"MetricName":"SystemErrors"');
    expect(metricsOf(systemErrors)).toContain('"Value":"Query"');
  });

  it("watch SES's bounce and complaint rates when alerts go out by email, and not otherwise", () => {
    // Prepare
    const ses = (resources: TemplateResource[]) =>
      resources
        .filter((alarm) => alarm.Properties.Namespace === "AWS/SES")
        .map((alarm) => [alarm.Properties.MetricName, alarm.Properties.Threshold]);
    const withoutEmail = Object.values(resourcesOfType(synthRipen().stateless, "AWS::CloudWatch::Alarm"));

    // Assess
    expect(ses(alarms)).toEqual(
      expect.arrayContaining([
        ["Reputation.BounceRate", ALARM_THRESHOLDS.sesBounceRate],
        ["Reputation.ComplaintRate", ALARM_THRESHOLDS.sesComplaintRate],
      ]),
    );
    expect(ses(withoutEmail)).toEqual([]);
  });

  it("are on the dashboard with Ripen's own metrics", () => {
    // Prepare
    const [, dashboard] = resourceAt(stateless, "AWS::CloudWatch::Dashboard", "/Operations/Dashboard/Resource");

    // Act
    const body = JSON.stringify(dashboard.Properties.DashboardBody);

    // Assess
    for (const metric of ["WebhooksReceived", "WebhooksRefused", "PayloadsRefused", "Transitions", "AlertFailures"]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain("ThrottledRequests");
    expect(body).toContain("SystemErrors");
  });
});
