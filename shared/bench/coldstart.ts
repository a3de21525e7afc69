import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { mapConcurrent } from "#shared/application/pacing/concurrency";
import { toApiGatewayEvent } from "#shared/local/api-gateway-event";
import { localDynamoDbClient } from "#shared/local/clients";
import { ensureTable } from "#shared/local/table";
import { FUNCTION_NODE_OPTIONS } from "#shared/runtime/node-options";
import { FUNCTIONS, matchRoute } from "#shared/runtime/routes";
import { compileModelFile } from "#shared/runtime/scoring-model";
import type { BenchEngine } from "./dynamodb";
import { benchIngest } from "./ingest";
import { bundleLikeTheStack } from "./init";
import { runNode } from "./node-process";
import { median } from "./stats";
import { BENCH_SECRET, benchLead, JOURNEY, type JourneyStep, journeyWebhook, signedHeaders } from "./webhooks";

const RUNS = 9;
/**
 * Webhooks the engine serves, through the bench's in-process write path on the same table, before the
 * first timed process: DynamoDB in AWS is never cold, while a fresh DynamoDB Local runs its code
 * interpreted until its JVM has compiled it. Without them, the engine's first TransactWriteItems took
 * 35–55 ms against 7–10 once it had served 300 (2026-12-07): most of what ingest's first request measured.
 */
const ENGINE_WARMUP = 200;
const ENGINE_WARMUP_CONCURRENCY = 4;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const REGION = "us-east-1";
const SECRETS_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:ripen-AbCdEf`;
const ID_KEY_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:ripen-id-key-AbCdEf`;

/** The item the bare client asks for (there is none). */
const BARE_KEY = { pk: { S: "LEAD#none" }, sk: { S: "LEAD" } };
/** The least a function reading DynamoDB does on its first request: one GetItem, the SDK's own chain. */
const BARE_ENTRY = `import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
const client = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
export const handler = async () => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: ${JSON.stringify(BARE_KEY)} }),
  );
  return { statusCode: 200, body: JSON.stringify(Item ?? null) };
};
`;

/**
 * A fresh Node process as Lambda starts one: imports the handler, then hands it one event with a Lambda
 * context. Prints, in milliseconds since the process started (performance.now's origin), when the
 * runner's first line ran (Node's own start), when the import (module load and init) ended, and when
 * the first answer came back.
 */
const RUNNER = `const started = performance.now();
const { handler } = await import(process.argv[2]);
const imported = performance.now();
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + process.env.AWS_LAMBDA_FUNCTION_NAME,
  memoryLimitInMB: "512",
  awsRequestId: "00000000-0000-4000-8000-000000000000",
  logGroupName: "/aws/lambda/bench",
  logStreamName: "bench",
  getRemainingTimeInMillis: () => 10000,
  done() {}, fail() {}, succeed() {},
};
const response = await handler(JSON.parse(process.env.BENCH_EVENT), context);
const answered = performance.now();
process.stdout.write("\\n" + JSON.stringify({ started, imported, answered, status: response?.statusCode }) + "\\n");
process.exit(0);
`;

export interface ColdStartFigure {
  name: string;
  /** Medians, ms since the process started: Node's own start, the end of the import, the first answer. */
  nodeMs: number;
  importedMs: number;
  answeredMs: number;
  /** Median of the first request alone (answered − imported). */
  firstRequestMs: number;
  answeredRange: { min: number; max: number };
}

export interface ColdStartResult {
  runs: number;
  engine: string;
  /** What the first webhook did: a new lead from a signed generic delivery, secrets read from a stand-in. */
  request: string;
  bare: ColdStartFigure;
  ingest: ColdStartFigure;
  /** ingest's process start → first answer over the bare client's. */
  ratio: number;
}

interface Sample {
  started: number;
  imported: number;
  answered: number;
  status: number;
}

/**
 * Process start → import → init → first handled webhook, for the ingest bundle and a bare DynamoDB
 * client doing one GetItem, each from a fresh `node` process, runs interleaved, against the same
 * DynamoDB Local, warmed up first (ENGINE_WARMUP). The bundles are built as the stack builds them. The
 * ingest function reads its secrets (the sender's and the lead id key) from Secrets Manager as in AWS:
 * here a stand-in on 127.0.0.1 answering GetSecretValue, so the first webhook pays the lazy import of
 * the client and a round trip.
 */
export async function benchColdStart(engine: BenchEngine, log: (line: string) => void): Promise<ColdStartResult> {
  const directory = await mkdtemp(join(tmpdir(), "ripen-bench-coldstart-"));
  const secrets = await startSecretsStandIn({
    [SECRETS_ARN]: JSON.stringify({ RIPEN_SECRET_GENERIC: BENCH_SECRET }),
    [ID_KEY_ARN]: randomBytes(32).toString("base64url"),
  });
  try {
    const tableName = `coldstart-${Date.now()}`;
    const client = localDynamoDbClient(engine.endpoint);
    await ensureTable(client, tableName);
    log(`coldstart: warming the engine up (${ENGINE_WARMUP} webhooks and as many GetItems)…`);
    await warmEngine(client, tableName);
    client.destroy();
    const runner = join(directory, "runner.mjs");
    await writeFile(runner, RUNNER);
    const { compiled } = compileModelFile();
    const bare = await bundleLikeTheStack(directory, "bare", { contents: BARE_ENTRY }, compiled);
    const ingest = await bundleLikeTheStack(directory, "ingest", join(ROOT, FUNCTIONS.ingest.entry), compiled);
    const env = {
      PATH: process.env.PATH ?? "",
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: engine.endpoint,
      NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
    };
    const functionEnv = {
      ...env,
      RIPEN_SECRETS_ARN: SECRETS_ARN,
      RIPEN_ID_KEY_ARN: ID_KEY_ARN,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      RIPEN_PUBLIC_URL: "https://api.example.com",
      POWERTOOLS_SERVICE_NAME: "ripen",
      POWERTOOLS_METRICS_NAMESPACE: "Ripen",
      // The logs and metrics a first webhook writes are part of its cost; they go to this process's pipe.
      AWS_LAMBDA_FUNCTION_NAME: "ingest",
    };
    log(`coldstart: ${RUNS} fresh processes each for ingest and the bare client`);
    const samples = { bare: [] as Sample[], ingest: [] as Sample[] };
    const run = `cs${Date.now().toString(36)}`;
    for (let round = 0; round < RUNS; round++) {
      samples.bare.push(await once(runner, bare.file, { ...env, AWS_LAMBDA_FUNCTION_NAME: "bare" }, {}));
      const body = journeyWebhook(benchLead(run, round), "newsletter", `${run}-${round}`, new Date());
      samples.ingest.push(await once(runner, ingest.file, functionEnv, webhookEvent(body)));
    }
    for (const [name, list] of Object.entries(samples)) {
      const refused = list.find((sample) => sample.status !== 200);
      if (refused) throw new Error(`coldstart: ${name} answered ${refused.status}`);
    }
    const barePart = figure("bare @aws-sdk/client-dynamodb, one GetItem", samples.bare);
    const ingestPart = figure("ingest, a new lead", samples.ingest);
    return {
      runs: RUNS,
      engine: engine.description,
      request: `a signed generic webhook creating a lead, on a table the engine has served ${ENGINE_WARMUP} webhooks on; secrets from a Secrets Manager stand-in on 127.0.0.1`,
      bare: barePart,
      ingest: ingestPart,
      ratio: Math.round((ingestPart.answeredMs / barePart.answeredMs) * 100) / 100,
    };
  } finally {
    await secrets.stop();
    await rm(directory, { recursive: true, force: true });
  }
}

/** The operations the timed processes make (ingest's reads and transactions, the bare client's GetItem), on their table. */
async function warmEngine(client: DynamoDBClient, tableName: string): Promise<void> {
  const ingest = benchIngest({ client, tableName });
  const run = `warm${Date.now().toString(36)}`;
  await mapConcurrent(Array.from({ length: ENGINE_WARMUP }), ENGINE_WARMUP_CONCURRENCY, async (_, index) => {
    const lead = benchLead(run, index % 50);
    const step = JOURNEY[Math.floor(index / 50) % JOURNEY.length] as JourneyStep;
    await ingest(journeyWebhook(lead, step, `${run}-${index}`, new Date()));
    await client.send(new GetItemCommand({ TableName: tableName, Key: BARE_KEY }));
  });
}

async function once(runner: string, file: string, env: NodeJS.ProcessEnv, event: unknown): Promise<Sample> {
  return runNode<Sample>([runner, file], {
    cwd: tmpdir(),
    env: { ...env, BENCH_EVENT: JSON.stringify(event) },
    timeoutMs: 60_000,
    what: `a cold start of ${file}`,
  });
}

function figure(name: string, samples: readonly Sample[]): ColdStartFigure {
  const answered = samples.map((sample) => sample.answered);
  return {
    name,
    nodeMs: round1(median(samples.map((sample) => sample.started))),
    importedMs: round1(median(samples.map((sample) => sample.imported))),
    answeredMs: round1(median(answered)),
    firstRequestMs: round1(median(samples.map((sample) => sample.answered - sample.imported))),
    answeredRange: { min: round1(Math.min(...answered)), max: round1(Math.max(...answered)) },
  };
}

/** POST /webhooks/generic as API Gateway's HTTP API (payload 2.0) hands it to the function, as npm start does. */
function webhookEvent(body: string): APIGatewayProxyEventV2 {
  const path = "/webhooks/generic";
  const found = matchRoute("POST", path);
  if (!found.route) throw new Error(`coldstart: no route for POST ${path}`);
  const headers = { ...signedHeaders(body), host: "api.example.com", "user-agent": "ripen-bench" };
  const request = {
    method: "POST",
    url: path,
    rawHeaders: Object.entries(headers).flat(),
    body: Buffer.from(body),
    sourceIp: "127.0.0.1",
    port: 443,
    httpVersion: "1.1",
  };
  const context = { requestId: `bench-${Date.now()}`, now: new Date(), region: REGION };
  return toApiGatewayEvent(request, { route: found.route, pathParameters: found.pathParameters }, context);
}

/**
 * Secrets Manager's GetSecretValue, answered from memory on 127.0.0.1 (AWS JSON 1.1, as the SDK speaks
 * it): the function under test reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
async function startSecretsStandIn(values: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    request.on("end", () => {
      const target = request.headers["x-amz-target"];
      const { SecretId } = JSON.parse(text || "{}") as { SecretId?: string };
      const value = SecretId === undefined ? undefined : values[SecretId];
      response.setHeader("content-type", "application/x-amz-json-1.1");
      if (target !== "secretsmanager.GetSecretValue" || value === undefined) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: "ResourceNotFoundException", message: "no such secret" }));
        return;
      }
      response.end(
        JSON.stringify({
          ARN: SecretId,
          Name: SecretId?.split(":").at(-1),
          SecretString: value,
          VersionId: "bench",
          VersionStages: ["AWSCURRENT"],
          CreatedDate: Math.floor(Date.now() / 1000),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
