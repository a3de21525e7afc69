import { Agent, request } from "node:http";
import {
  type AttributeValue,
  BatchGetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { IS_ABSENT, keyOf, PK, SK, sortKeyOf } from "#shared/adapters/dynamodb/entities/item";
import { LEAD_SK, leadKey } from "#shared/adapters/dynamodb/entities/lead";
import { localDynamoDbClient } from "#shared/local/clients";
import { type LatencySummary, latencySummary } from "./stats";
import { decodeTemplate } from "./templates";
import { benchLead, benchLeadId, JOURNEY, journeyWebhook, signedHeaders } from "./webhooks";

/**
 * One load run, in its own process so the load generator does not share the server's event loop:
 * `ripen` posts signed webhooks to the local server; `floor` makes the same engine round trips directly
 * (the BatchGetItem of the lead and the event's key, then the transaction Ripen's store committed for
 * that step, its items as the entity modules build them), without Ripen.
 * Usage: node --import tsx shared/bench/load-worker.ts '<LoadConfig as JSON>'; prints a LoadResult as JSON.
 */
export interface LoadConfig {
  mode: "ripen" | "floor";
  /** The local server (ripen). */
  url?: string;
  /** The engine and table (floor). */
  endpoint?: string;
  tableName?: string;
  /**
   * The transactions Ripen's store committed for each journey step of one lead (encodeTemplate: binary
   * attributes as base64), with its id to substitute.
   */
  templates?: { leadId: string; steps: string[] };
  run: string;
  concurrency: number;
  count: number;
  /** Requests sent before the measured ones, to leads of their own (at most maxSeconds of them). */
  warmup: number;
  maxSeconds: number;
  /** Journey steps per lead: request i goes to lead i mod leads, at step floor(i / leads). */
  steps: number;
}

export interface LoadResult {
  mode: LoadConfig["mode"];
  concurrency: number;
  requests: number;
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  latencyMs: LatencySummary;
  /** Every request's latency (ms), so runs can be merged; dropped from the saved results. */
  samples?: number[];
}

type Send = (index: number) => Promise<string | undefined>;

async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const sender = (run: string, count: number): Send => {
    const leads = Math.max(config.concurrency * 4, Math.ceil(count / config.steps));
    const own = { ...config, run };
    return config.mode === "ripen" ? ripenSender(own, leads) : floorSender(own, leads);
  };
  const drive = async (
    send: Send,
    count: number,
    deadline: number,
    latencies: number[],
    failures: Record<string, number>,
  ) => {
    let next = 0;
    const loops = Array.from({ length: config.concurrency }, async () => {
      while (next < count && performance.now() < deadline) {
        const index = next++;
        const started = performance.now();
        const failure = await send(index).catch((error: unknown) => (error as Error).name || "Error");
        latencies.push(performance.now() - started);
        if (failure) failures[failure] = (failures[failure] ?? 0) + 1;
      }
    });
    await Promise.all(loops);
  };

  // The warm-up has leads of its own, so the measured requests follow the whole journey from its first step.
  const deadline = performance.now() + config.maxSeconds * 1000;
  await drive(sender(`${config.run}w`, config.warmup), config.warmup, deadline, [], {});
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const started = performance.now();
  await drive(sender(config.run, config.count), config.count, started + config.maxSeconds * 1000, latencies, failures);
  const seconds = (performance.now() - started) / 1000;
  return {
    mode: config.mode,
    concurrency: config.concurrency,
    requests: latencies.length,
    failures,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round((latencies.length / seconds) * 10) / 10,
    latencyMs: latencySummary(latencies),
    samples: latencies.map((latency) => Math.round(latency * 100) / 100),
  };
}

function journeyStep(config: LoadConfig, leads: number, index: number) {
  return { lead: benchLead(config.run, index % leads), step: Math.floor(index / leads) % config.steps };
}

function ripenSender(config: LoadConfig, leads: number): Send {
  const url = new URL(`${config.url}/webhooks/generic`);
  const occurredAt = new Date(Date.now() - 60_000);
  // Kept-alive connections, one per concurrent request, as the floor's SDK client keeps its own: the load
  // process's HTTP client is the senders', not Ripen's, and fetch took 0.3–0.8 ms more CPU per request
  // than this (both ends in one process, loopback, 2,000 requests).
  const agent = new Agent({ keepAlive: true, maxSockets: config.concurrency });
  return async (index) => {
    const { lead, step } = journeyStep(config, leads, index);
    const body = journeyWebhook(lead, JOURNEY[step] ?? "blog", `${config.run}-${index}`, occurredAt);
    const status = await post(url, agent, signedHeaders(body), body);
    return status === 200 ? undefined : `http ${status}`;
  };
}

/** POSTs `body`, reads the whole answer, and resolves to its status. */
function post(url: URL, agent: Agent, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } },
      (response) => {
        response.on("error", reject);
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.resume();
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

/** Ripen's round trips without Ripen: read the lead and the event's key, then commit the step's transaction. */
function floorSender(config: LoadConfig, leads: number): Send {
  const { endpoint, tableName, templates } = config;
  if (!endpoint || !tableName || !templates) throw new Error("floor needs endpoint, tableName and templates");
  const client = localDynamoDbClient(endpoint);
  return async (index) => {
    const { lead, step } = journeyStep(config, leads, index);
    const leadId = benchLeadId(lead.email);
    const template = (templates.steps[step] ?? "[]").replaceAll(templates.leadId, leadId);
    const eventKey = (decodeTemplate(template)[1]?.Put?.Item ?? {}) as Record<string, AttributeValue>;
    const keys = [leadKey(leadId)];
    if (eventKey[PK] && eventKey[SK]) keys.push(keyOf(eventKey));
    for (let attempt = 0; attempt < 8; attempt++) {
      const read = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: attempt > 0 } } }),
      );
      const stored = read.Responses?.[tableName]?.find((item) => sortKeyOf(item) === LEAD_SK)?.version?.N;
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: versioned(template, stored) }));
        return undefined;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
      }
    }
    return "contention";
  };
}

/** The step's transaction with the lead put conditioned on the version just read, as Ripen does. */
function versioned(template: string, stored: string | undefined): TransactWriteItem[] {
  const items = decodeTemplate(template);
  const leadPut = items[0]?.Put;
  if (leadPut?.Item) {
    const version = Number(stored ?? 0) + 1;
    leadPut.Item.version = { N: String(version) } satisfies AttributeValue;
    if (stored === undefined) {
      leadPut.ConditionExpression = IS_ABSENT;
      delete leadPut.ExpressionAttributeValues;
    } else {
      leadPut.ConditionExpression = "version = :expected";
      leadPut.ExpressionAttributeValues = { ":expected": { N: stored } };
    }
  }
  return items;
}

const config = JSON.parse(process.argv[2] ?? "{}") as LoadConfig;
runLoad(config).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`load worker: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
