import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? "ripen";

/** Resolves the dotted correlation-id paths the handlers use, without bundling a JMESPath engine. */
function dottedPath(expression: string, data: unknown): unknown {
  let value = data;
  for (const key of expression.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The one logger. JSON, with the service name; never log secrets, tokens or personal data. */
export const logger = new Logger({
  serviceName,
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? "INFO") as "INFO",
  correlationIdSearchFn: dottedPath,
});

/** CloudWatch metrics in the Embedded Metric Format, namespace `Ripen`. */
const metrics = new Metrics({ namespace: "Ripen", serviceName });

/**
 * Counts one occurrence of `name` with its own dimensions, written at once as one EMF line, so a
 * count is never lost to an error path. Dimension values must come from closed sets (source names,
 * stages, error codes), never from what a caller sent. The one Metrics instance adds, writes and
 * clears in a single synchronous step (no await between), so concurrent invocations of the local
 * server can't mix their dimensions; a `singleMetric()` per count would build a Metrics and a Console
 * each time.
 */
export function countMetric(name: string, dimensions: Readonly<Record<string, string>> = {}): void {
  for (const [dimension, value] of Object.entries(dimensions)) metrics.addDimension(dimension, value);
  metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/** Counts an alert that could not be delivered, per channel and whether a retry may help. */
export const countAlertFailure = (dimensions: Readonly<Record<string, string>>) =>
  countMetric("AlertFailures", dimensions);
