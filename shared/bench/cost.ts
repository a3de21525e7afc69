import { FUNCTIONS } from "#shared/runtime/routes";
import type { CapacityResult } from "./capacity";
import { PRICES } from "./prices";
import { round } from "./stats";
import type { ThroughputResult } from "./throughput";

/** All in, and without the SES line (email volume is the customer's choice, not the engine's). */
export const COST_TARGET_PER_MILLION = 6.5;
export const COST_TARGET_WITHOUT_SES_PER_MILLION = 5.5;

/**
 * What a million webhooks are made of (an assumption, not a measurement): a lead sends about five
 * webhooks, so one in five creates a lead; about 15% of leads reach mql and a quarter of those sql;
 * senders redeliver about 2%. Every stage change is a transition item on the stream; the Pipe puts the
 * moves on the bus, and a lead's creation only with `ripen:publishNewLeads` (off by default).
 */
export const WEBHOOK_MIX = {
  "new-lead": 0.2,
  "no-stage-change": 0.74,
  "to-mql": 0.03,
  "to-sql": 0.01,
  duplicate: 0.02,
} as const;
type Scenario = keyof typeof WEBHOOK_MIX;

/** Billed time of the functions the benchmark does not time (assumptions). */
const PUBLISH_BILLED_MS = 10;
/** A notifier waits on Slack or SES: a few hundred milliseconds from Lambda. */
const NOTIFIER_BILLED_MS = 300;
/** One API Gateway access log line as the stack's format writes it, with typical values. */
const ACCESS_LOG_LINE = JSON.stringify({
  requestId: "Ab1Cd2Ef3Gh4Ij=",
  requestTime: "1795495200000",
  routeKey: "POST /webhooks/{source}",
  status: "200",
  responseLength: "73",
  responseLatency: "48",
  integrationStatus: "200",
  integrationLatency: "46",
  integrationError: "-",
  errorMessage: "-",
  caller: "-",
});
const LOG_EVENT_OVERHEAD_BYTES = 26;

export interface CostLine {
  item: string;
  /** Quantity per million webhooks. */
  quantity: number;
  unit: string;
  dollars: number;
}

export interface CostResult {
  prices: { asOf: string; region: string; basis: string };
  mix: typeof WEBHOOK_MIX;
  assumptions: string[];
  perWebhook: { writeUnits: number; readUnits: number; ingestBilledMs: number; logBytes: number };
  lines: CostLine[];
  totalPerMillion: number;
  totalWithoutSesPerMillion: number;
  target: { dollars: number; met: boolean; withoutSes: { dollars: number; actual: number; met: boolean } };
}

/** Dollars per million webhooks from the measured units and handler time, the mix above and PRICES. */
export function costPerMillion(capacity: CapacityResult, throughput: ThroughputResult): CostResult {
  const scenario = (id: Scenario) => {
    const found = capacity.scenarios.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`the capacity results have no "${id}" scenario`);
    return found;
  };
  const mixed = (pick: (id: Scenario) => number) =>
    (Object.keys(WEBHOOK_MIX) as Scenario[]).reduce((sum, id) => sum + WEBHOOK_MIX[id] * pick(id), 0);
  // Priced by DynamoDB's billing rules over the requests made (billing-rules.ts), not by what DynamoDB
  // Local reports: it halves a two-item transaction's table writes and doubles its index entries.
  const writeUnits = mixed((id) => scenario(id).billed.write);
  const readUnits = mixed((id) => scenario(id).billed.read);
  const million = 1_000_000;
  const transitions = WEBHOOK_MIX["new-lead"] + WEBHOOK_MIX["to-mql"] + WEBHOOK_MIX["to-sql"];
  const published = WEBHOOK_MIX["to-mql"] + WEBHOOK_MIX["to-sql"];
  const sqlAlerts = WEBHOOK_MIX["to-sql"];
  // Invocations per webhook, by function. sql: notify-slack and notify-email (owner); mql: notify-slack
  // (the marketing channel, when set); publish: one per published transition (a batch of 1, worst case).
  const invocations: Record<string, number> = {
    ingest: 1,
    publish: published,
    "notify-slack": WEBHOOK_MIX["to-sql"] + WEBHOOK_MIX["to-mql"],
    "notify-email": WEBHOOK_MIX["to-sql"],
  };
  const notifierInvocations = (invocations["notify-slack"] ?? 0) + (invocations["notify-email"] ?? 0);
  const ledgerWrites = 2 * sqlAlerts * capacity.alertLedgerPerChannel.billed.write;
  const ingestBilledMs = Math.ceil(throughput.handlerMs.p50);
  const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);
  const accessLogBytes = Buffer.byteLength(ACCESS_LOG_LINE) + LOG_EVENT_OVERHEAD_BYTES;
  // Each function's logs per invocation (measured) at the mix's invocations: the throughput workload
  // changes stage more often than the mix does, so its logs per webhook would overstate the publish path.
  const measuredLogs = throughput.logs;
  const functionLogBytes = measuredLogs
    ? Object.entries(invocations).reduce(
        (sum, [name, count]) => sum + count * (measuredLogs[name]?.bytesPerInvocation ?? 0),
        0,
      )
    : throughput.logBytesPerWebhook;
  const logBytes = Math.round(functionLogBytes + accessLogBytes);

  const line = (item: string, perWebhook: number, unit: string, price: number, per: number): CostLine => ({
    item,
    quantity: round(perWebhook * million, 2),
    unit,
    dollars: round(((perWebhook * million) / per) * price, 4),
  });
  const lines: CostLine[] = [
    line("API Gateway HTTP API", 1, "requests", PRICES.httpApiPerMillionRequests, million),
    line("Lambda ingest invocations", 1, "requests", PRICES.lambdaPerMillionRequests, million),
    line(
      `Lambda ingest duration (${ingestBilledMs} ms at ${FUNCTIONS.ingest.memoryMb} MB, arm64)`,
      gbSeconds(ingestBilledMs, FUNCTIONS.ingest.memoryMb),
      "GB-s",
      PRICES.lambdaArm64PerGbSecond,
      1,
    ),
    line("DynamoDB writes (ingest)", writeUnits, "WRU", PRICES.dynamodbPerMillionWriteUnits, million),
    line("DynamoDB reads (ingest)", readUnits, "RRU", PRICES.dynamodbPerMillionReadUnits, million),
    line(
      "DynamoDB Streams reads (≤ 1 per transition)",
      transitions,
      "reads",
      PRICES.dynamodbStreamsPerMillionReads,
      million,
    ),
    line(
      "EventBridge Pipe (moves of stage; creations filtered out)",
      published,
      "requests",
      PRICES.pipesPerMillionRequests,
      million,
    ),
    line(
      "Lambda publish invocations (batch of 1, worst case)",
      published,
      "requests",
      PRICES.lambdaPerMillionRequests,
      million,
    ),
    line(
      `Lambda publish duration (${PUBLISH_BILLED_MS} ms at ${FUNCTIONS.publish.memoryMb} MB, assumed)`,
      published * gbSeconds(PUBLISH_BILLED_MS, FUNCTIONS.publish.memoryMb),
      "GB-s",
      PRICES.lambdaArm64PerGbSecond,
      1,
    ),
    line("EventBridge custom events", published, "events", PRICES.eventBridgePerMillionEvents, million),
    line("Lambda notifier invocations", notifierInvocations, "requests", PRICES.lambdaPerMillionRequests, million),
    line(
      `Lambda notifier duration (${NOTIFIER_BILLED_MS} ms at ${FUNCTIONS["notify-slack"].memoryMb} MB, assumed)`,
      notifierInvocations * gbSeconds(NOTIFIER_BILLED_MS, FUNCTIONS["notify-slack"].memoryMb),
      "GB-s",
      PRICES.lambdaArm64PerGbSecond,
      1,
    ),
    line("DynamoDB writes (alert ledger)", ledgerWrites, "WRU", PRICES.dynamodbPerMillionWriteUnits, million),
    line("SES emails (one per sql alert)", sqlAlerts, "emails", PRICES.sesPerThousandEmails, 1000),
    line(
      `CloudWatch Logs (function and access logs, ${logBytes} B per webhook)`,
      logBytes / 2 ** 30,
      "GB",
      PRICES.cloudWatchLogsPerGbIngested,
      1,
    ),
  ];
  const total = round(
    lines.reduce((sum, entry) => sum + entry.dollars, 0),
    2,
  );
  const withoutSes = round(
    lines.filter((entry) => !entry.item.startsWith("SES")).reduce((sum, entry) => sum + entry.dollars, 0),
    2,
  );
  return {
    prices: { asOf: PRICES.asOf, region: PRICES.region, basis: PRICES.basis },
    mix: WEBHOOK_MIX,
    assumptions: [
      "the webhook mix above (5 webhooks per lead, 15% of leads to mql, a quarter of those to sql, 2% redeliveries)",
      `ingest billed for its measured median handler time locally (${ingestBilledMs} ms, DynamoDB Local round trips included)`,
      `publish ${PUBLISH_BILLED_MS} ms and notifiers ${NOTIFIER_BILLED_MS} ms billed (not measured)`,
      "logs: each function's measured bytes per invocation (throughput run, 26 bytes per log event added) at the " +
        "mix's invocations, plus one API Gateway access log line per request; Lambda's platform lines are off " +
        "(JSON format, system log level WARN)",
      "no failures: dead-letter queues (SQS) and retries cost nothing in the nominal path",
      "excluded (not per webhook): storage, point-in-time recovery, the Pipe's idle stream polling, alarms, " +
        "the dashboard, the secret ($0.40 a month) and its reads (once per container every 5 minutes)",
    ],
    perWebhook: {
      writeUnits: round(writeUnits, 2),
      readUnits: round(readUnits, 3),
      ingestBilledMs,
      logBytes,
    },
    lines,
    totalPerMillion: total,
    totalWithoutSesPerMillion: withoutSes,
    target: {
      dollars: COST_TARGET_PER_MILLION,
      met: total <= COST_TARGET_PER_MILLION,
      withoutSes: {
        dollars: COST_TARGET_WITHOUT_SES_PER_MILLION,
        actual: withoutSes,
        met: withoutSes <= COST_TARGET_WITHOUT_SES_PER_MILLION,
      },
    },
  };
}
