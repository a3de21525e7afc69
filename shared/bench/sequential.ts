import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { ensureTable } from "#shared/local/table";
import { runNode } from "./node-process";
import { type LatencySummary, latencySummary, round } from "./stats";
import { BENCH_SECRET, benchLead, pageViewWebhook, signedHeaders } from "./webhooks";

export const SEQUENTIAL_EVENTS = 3_000;
/** The last 500 webhooks' p99 over the first 500's: flat means the history costs nothing. */
export const SEQUENTIAL_TARGET = 1.2;

export interface SequentialResult {
  events: number;
  statuses: Record<string, number>;
  first: LatencySummary;
  last: LatencySummary;
  ratio: number;
  leadEventCount: number;
  target: { ratio: number; met: boolean };
}

/**
 * 3,000 webhooks on one lead, one after the other, through the local server over HTTP as a sender
 * posts them: every answer, and the round-trip latency of the first and last 500. In a process of its
 * own: the handler modules read their environment once, and another benchmark may have loaded them.
 */
export function benchSequential(endpoint: string, progress: (line: string) => void): Promise<SequentialResult> {
  progress(`sequential: ${SEQUENTIAL_EVENTS} webhooks on one lead, in a child process…`);
  return runNode<SequentialResult>(["--import", "tsx", fileURLToPath(import.meta.url), endpoint], {
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    timeoutMs: 600_000,
    what: "sequential benchmark",
  });
}

async function runSequential(endpoint: string, progress: (line: string) => void): Promise<SequentialResult> {
  const tableName = `bench-sequential-${Date.now()}`;
  await ensureTable(localDynamoDbClient(endpoint), tableName);
  // Alerts go to a local sink: the benchmark measures ingest.
  const sink = createServer((_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
  const ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: endpoint,
    tableName,
    inMemory: true,
    env: {
      RIPEN_SECRET_GENERIC: BENCH_SECRET,
      SLACK_WEBHOOK_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`,
    },
    log: () => {},
  });
  const lead = benchLead(`sequential-${Date.now()}`, 0);
  const start = Date.now() - SEQUENTIAL_EVENTS * 1000;
  const statuses: Record<string, number> = {};
  const times: number[] = [];
  let leadEventCount = 0;
  try {
    // Warm the server up on another lead, so the first 500 measure the history and not the JIT.
    const warm = benchLead(`sequential-warm-${Date.now()}`, 1);
    for (let index = 0; index < 300; index++) {
      const body = pageViewWebhook(warm, `warm-${index}`, new Date(start + index * 1000), index);
      await (
        await fetch(`${ripen.url}/webhooks/generic`, { method: "POST", headers: signedHeaders(body), body })
      ).arrayBuffer();
    }
    for (let index = 0; index < SEQUENTIAL_EVENTS; index++) {
      const body = pageViewWebhook(lead, `seq-${index}`, new Date(start + index * 1000), index);
      const began = performance.now();
      const response = await fetch(`${ripen.url}/webhooks/generic`, {
        method: "POST",
        headers: signedHeaders(body),
        body,
      });
      await response.arrayBuffer();
      times.push(performance.now() - began);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if ((index + 1) % 500 === 0) progress(`sequential: ${index + 1} of ${SEQUENTIAL_EVENTS}`);
    }
    const read = await fetch(`${ripen.url}/leads/${encodeURIComponent(lead.email)}`);
    leadEventCount = ((await read.json()) as { lead?: { eventCount?: number } }).lead?.eventCount ?? 0;
  } finally {
    await ripen.stop();
    sink.close();
  }
  const first = latencySummary(times.slice(0, 500));
  const last = latencySummary(times.slice(-500));
  const ratio = round(last.p99 / first.p99, 2);
  return {
    events: SEQUENTIAL_EVENTS,
    statuses,
    first,
    last,
    ratio,
    leadEventCount,
    target: { ratio: SEQUENTIAL_TARGET, met: ratio <= SEQUENTIAL_TARGET && Object.keys(statuses).join() === "200" },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const endpoint = process.argv[2] ?? "";
  runSequential(endpoint, (line) => process.stderr.write(`${line}\n`)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
