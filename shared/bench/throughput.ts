import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";
import { localDynamoDbClient } from "#shared/local/clients";
import { startRipen } from "#shared/local/runtime";
import { ensureTable } from "#shared/local/table";
import { benchIngest } from "./ingest";
import type { LoadConfig, LoadResult } from "./load-worker";
import { runNode } from "./node-process";
import { type LatencySummary, latencySummary, round } from "./stats";
import { encodeTemplate } from "./templates";
import { BENCH_SECRET, benchLead, benchLeadId, JOURNEY, journeyWebhook } from "./webhooks";

export const THROUGHPUT_TARGET = 0.9;
/**
 * Each concurrency runs floor, ripen, ripen, floor (so a machine getting busier or quieter favours neither),
 * each run stopping at its count or its time limit, whichever comes first.
 */
const RUNS = [
  { concurrency: 1, count: 150, maxSeconds: 10 },
  { concurrency: 8, count: 600, maxSeconds: 10 },
  { concurrency: 32, count: 1200, maxSeconds: 10 },
] as const;
/** newsletter (new lead), blog, pricing, whitepaper (→ mql): two stage changes in four webhooks. */
const STEPS = 4;
const ORDER = ["floor", "ripen", "ripen", "floor"] as const;
/**
 * Requests each load process sends before its measured ones (both modes alike: each run's load process
 * is new, and so are its client's code and connections).
 */
const WARMUP = 200;
/**
 * What the server takes before the first measured run: enough for DynamoDB Local's JIT to settle too.
 * After 300 webhooks its C2 compiler was still busy (2.5-5 s of its thread's CPU during the 650 webhooks
 * of a concurrency-1 run, the engine at 11-15 ms of CPU per webhook); after 3,000 to 8,000 it used
 * 0.6-1.4 s (7-8.6 ms per webhook). AWS's DynamoDB has no such transient, and on 2 cores the compiler's
 * thread took its CPU from whichever process needed more, Ripen's server more than the floor's load.
 * 600, the count before, left the first concurrencies measuring it.
 */
const SERVER_WARMUP = { concurrency: 8, count: 5000, warmup: 0, maxSeconds: 90, steps: STEPS } as const;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKER = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

export interface ThroughputRow {
  concurrency: number;
  floor: LoadResult;
  ripen: LoadResult;
  /** Ripen's webhooks per second over the floor's. */
  ratio: number;
}

export interface ThroughputResult {
  engine: string;
  workload: string;
  rows: ThroughputRow[];
  /** The ingest handler's own time per webhook at concurrency 1, from the local server's request log. */
  handlerMs: LatencySummary & { samples: number };
  /** What the handlers logged per webhook (JSON lines), for the log ingestion cost. */
  logBytesPerWebhook: number;
  /**
   * What each function logged per invocation, as CloudWatch Logs bills it (the line, plus 26 bytes per
   * log event), and how often it ran: the cost prices each function's logs at the mix's invocations.
   */
  logs?: Record<string, { invocations: number; bytesPerInvocation: number }>;
  /** Alerts or batches the local bus and poller gave up on during the runs (should be none). */
  deadLetters: number;
  target: { ratio: number; worst: number; met: boolean };
}

/**
 * Webhooks per second and latency through the local server (the same handler modules the Lambdas run),
 * beside the floor: the same BatchGetItem and TransactWriteItems (the store's own items) made directly, without Ripen. The load comes
 * from a second process on 127.0.0.1, one run per mode and concurrency.
 */
export async function benchThroughput(
  endpoint: string,
  engineDescription: string,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const tableName = `bench-throughput-${Date.now()}`;
  const slack = await startSink();
  const handlerTimes: number[] = [];
  let measuring = false;
  const invoking = new AsyncLocalStorage<string>();
  const invocations: Record<string, number> = {};
  const ripen = await startRipen({
    port: 0,
    dynamodbEndpoint: endpoint,
    tableName,
    // A temporary data directory (stream checkpoint, dead letters), removed on stop.
    inMemory: true,
    env: { RIPEN_SECRET_GENERIC: BENCH_SECRET, SLACK_WEBHOOK_URL: slack.url },
    // Each function's invocations and what it writes, as its own log group would get it.
    wrapHandler: (name, handler) => (event, context) => {
      invocations[name] = (invocations[name] ?? 0) + 1;
      return invoking.run(name, () => handler(event, context));
    },
    log: (line) => {
      const match = /^http: POST \/webhooks\/generic 200 (\d+) ms$/.exec(line);
      if (match && measuring) handlerTimes.push(Number(match[1]));
    },
  });
  const logs = countStdout(() => invoking.getStore() ?? "runtime");
  try {
    // The floor writes to a table of its own, so Ripen's stream poller does not work on its transitions.
    const floorTable = `${tableName}-floor`;
    const templates = await journeyTemplates(endpoint, floorTable);
    const rows: ThroughputRow[] = [];
    let webhooks = 0;
    // A Lambda that serves a steady load is warm: its code optimised, its connections open. The server
    // takes a load of its own before any measured run, so the first run does not measure its warming up
    // (nor the engine's: see SERVER_WARMUP).
    log(`throughput: warming the server and the engine up (${SERVER_WARMUP.count} webhooks)…`);
    const warm = await load({
      ...SERVER_WARMUP,
      mode: "ripen",
      url: ripen.url,
      run: `warm-${Date.now().toString(36)}`,
    });
    webhooks += warm.requests;
    for (const run of RUNS) {
      const base = { ...run, warmup: WARMUP, steps: STEPS };
      const results: Record<LoadConfig["mode"], LoadResult[]> = { floor: [], ripen: [] };
      for (const [turn, mode] of ORDER.entries()) {
        const id = `${Date.now().toString(36)}c${run.concurrency}r${turn}`;
        log(`throughput: concurrency ${run.concurrency}: ${mode} (${turn + 1} of ${ORDER.length})…`);
        measuring = mode === "ripen" && run.concurrency === 1;
        const target =
          mode === "floor"
            ? { mode, endpoint, tableName: floorTable, templates, run: `floor-${id}` }
            : { mode, url: ripen.url, run: `ripen-${id}` };
        const result = await load({ ...base, ...target });
        results[mode].push(result);
        if (mode === "ripen") webhooks += result.requests + base.warmup;
        measuring = false;
      }
      const floor = merge(results.floor);
      const measured = merge(results.ripen);
      rows.push({
        concurrency: run.concurrency,
        floor,
        ripen: measured,
        ratio: round(measured.perSecond / floor.perSecond, 2),
      });
    }
    const deadLetters = (await ripen.deadLetters.list()).length;
    const worst = Math.min(...rows.map((row) => row.ratio));
    return {
      engine: engineDescription,
      workload:
        "generic webhooks, 4 per lead (newsletter → lead, blog view, pricing view, whitepaper → mql); leads spread so concurrent requests rarely share one",
      rows,
      handlerMs: { ...latencySummary(handlerTimes), samples: handlerTimes.length },
      logBytesPerWebhook: Math.round(logs.bytes() / Math.max(1, webhooks)),
      logs: Object.fromEntries(
        Object.entries(invocations).map(([name, count]) => [
          name,
          { invocations: count, bytesPerInvocation: Math.round(logs.billedBytes(name) / count) },
        ]),
      ),
      deadLetters,
      target: { ratio: THROUGHPUT_TARGET, worst, met: worst >= THROUGHPUT_TARGET },
    };
  } finally {
    logs.restore();
    await ripen.stop();
    await slack.stop();
  }
}

/** Runs of one mode as one: requests over time spent, percentiles over every request. */
function merge(runs: readonly LoadResult[]): LoadResult {
  const first = runs[0];
  if (!first) throw new Error("no run to merge");
  const samples = runs.flatMap((run) => run.samples ?? []);
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const failures: Record<string, number> = {};
  for (const run of runs) {
    for (const [reason, count] of Object.entries(run.failures)) failures[reason] = (failures[reason] ?? 0) + count;
  }
  return {
    mode: first.mode,
    concurrency: first.concurrency,
    requests: samples.length,
    failures,
    seconds: round(seconds, 2),
    perSecond: round(samples.length / seconds, 1),
    latencyMs: latencySummary(samples),
  };
}

/** The transactions Ripen commits for each step of one lead's journey, recorded to be replayed by the floor. */
async function journeyTemplates(endpoint: string, tableName: string): Promise<LoadConfig["templates"]> {
  const client = localDynamoDbClient(endpoint);
  const steps: string[] = [];
  // Added before the client's first request: a client resolves each command's middleware once.
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<TransactWriteItemsCommandInput>;
      if (input.TransactItems) steps.push(encodeTemplate(input.TransactItems));
      return next(args);
    },
    { step: "initialize", name: "benchTemplates" },
  );
  await ensureTable(client, tableName);
  const ingest = benchIngest({ client, tableName });
  const lead = benchLead(`template-${Date.now().toString(36)}`, 0);
  const occurredAt = new Date(Date.now() - 60_000);
  for (const step of JOURNEY.slice(0, STEPS)) await ingest(journeyWebhook(lead, step, `template-${step}`, occurredAt));
  client.destroy();
  return { leadId: benchLeadId(lead.email), steps };
}

function load(config: LoadConfig): Promise<LoadResult> {
  return runNode<LoadResult>(["--import", "tsx", WORKER, JSON.stringify(config)], {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    timeoutMs: (config.maxSeconds * 2 + 60) * 1000,
    what: "load worker",
  });
}

/** A loopback Slack webhook that answers ok to everything. */
async function startSink() {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0/B0/bench`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** CloudWatch Logs bills each log event's message plus this much. */
const LOG_EVENT_OVERHEAD_BYTES = 26;

/**
 * Counts (and holds back) what the in-process handlers write to stdout while the load runs, in all and
 * by `writer` (the function whose invocation wrote it).
 */
function countStdout(writer: () => string) {
  const write = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  const billed = new Map<string, number>();
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    bytes += size;
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    const events = Math.max(1, text.split("\n").filter((line) => line !== "").length);
    const name = writer();
    billed.set(name, (billed.get(name) ?? 0) + size + events * LOG_EVENT_OVERHEAD_BYTES);
    const callback = rest.find((argument) => typeof argument === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    bytes: () => bytes,
    billedBytes: (name: string) => billed.get(name) ?? 0,
    restore: () => {
      process.stdout.write = write;
    },
  };
}
