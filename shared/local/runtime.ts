import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DynamoDBRecord } from "aws-lambda";
import { TRANSITION } from "#shared/adapters/dynamodb/entities/transition";
import { dynamoLeadStore } from "#shared/adapters/dynamodb/lead-store";
import {
  detailTypeOf,
  type StreamPublication,
  streamPublications,
} from "#shared/adapters/dynamodb/stream-publications";
import { replayStaleLeads } from "#shared/application/lead-replay";
import type { RetryPolicy } from "#shared/application/pacing/retry";
import type { LeadStore } from "#shared/application/ports/lead-store";
import { DEVELOPMENT_ID_KEY } from "#shared/domain/pseudonyms";
import type { ScoringEngine } from "#shared/domain/scoring-engine";
import { loadCompiledEngine } from "#shared/runtime/compiled-engine";
import { FUNCTION_ENV, readEnv } from "#shared/runtime/env";
import { FUNCTIONS, type FunctionName } from "#shared/runtime/routes";
import { compileModelFile, modelPath } from "#shared/runtime/scoring-model";
import { LOCAL_WORK_QUEUE_URL, WORK_QUEUE } from "#shared/runtime/work-queue";
import { openBusJournal } from "./bus-journal";
import { localDynamoDbClient, localStreamsClient } from "./clients";
import { type DeadLetterFile, deadLetterFile } from "./dead-letters";
import { describeError } from "./describe-error";
import { startDynamoDbLocal } from "./dynamodb-local";
import { importHandler, type LambdaHandler } from "./handlers";
import { startHttpServer } from "./http-server";
import { lambdaContext } from "./lambda-context";
import { localLinkKey } from "./link-key";
import { type BusTarget, createLocalBus, type LocalBus } from "./local-bus";
import { checkpointFile } from "./stream-checkpoint";
import { startStreamReader } from "./stream-poller";
import { ensureTable } from "./table";

export interface RipenOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Where the database, the stream checkpoints, the bus's journal and the dead letters live. Default `.ripen`
   * in the cwd, or a temporary directory (removed on stop) when `inMemory`. */
  dataDir?: string;
  /** Run DynamoDB Local in memory: nothing survives stop(). */
  inMemory?: boolean;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local. */
  dynamodbEndpoint?: string;
  /** Default `ripen`. */
  tableName?: string;
  /** Extra environment for the handler modules (secrets, SLACK_WEBHOOK_URL, ...). */
  env?: Record<string, string>;
  /** How often the stream is read when idle; default 250 ms. */
  pollIntervalMs?: number;
  /** Default console.log. Lines never carry secret values. */
  log?: (line: string) => void;
  /** Handlers to run instead of the function modules, by function name (publish, notify-slack, ...). */
  handlers?: Readonly<Record<string, LambdaHandler<never, unknown>>>;
  /** Retry policy of the bus rules' targets before an event is dead-lettered. */
  targetRetry?: RetryPolicy;
  /** Retry policy of each Pipe's enrichment (publish) before a batch is dead-lettered. */
  publishRetry?: RetryPolicy;
  /** Import every function module during start (default true): a broken one fails the start, not a request. */
  preload?: boolean;
  /**
   * Put a lead's creation into `lead` on the bus too, as `ripen:publishNewLeads` does in AWS (default false;
   * a model rule that alerts on new leads publishes them anyway).
   */
  publishNewLeads?: boolean;
  /**
   * The base URL a tunnel gives senders and Slack (RIPEN_PUBLIC_URL): its host reaches the public routes,
   * the read and erase routes then need `adminToken`, and the handlers see it as their public URL
   * (HubSpot signs it). Default: this server's own URL, and no host but this machine's.
   */
  publicUrl?: string;
  /** RIPEN_ADMIN_TOKEN: the token the read and erase routes ask for (see access.ts). */
  adminToken?: string;
  /** Wraps every function's handler, by function name (the benchmarks attribute each function's logs). */
  wrapHandler?: (name: string, handler: LambdaHandler<never, unknown>) => LambdaHandler<never, unknown>;
}

export interface RunningRipen {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The DynamoDB endpoint in use. */
  endpoint: string;
  tableName: string;
  dataDir: string;
  /** Events and batches that failed every retry, with the reason. */
  deadLetters: DeadLetterFile;
  /** The in-process bus: the recovery commands put events back on it. */
  bus: LocalBus;
  /** Stops the HTTP server, the stream reader, the bus and DynamoDB Local (if started here), in that order. */
  stop(): Promise<void>;
}

/** The Pipes' enrichment: stream records in, one event detail per record out. */
type PublishHandler = LambdaHandler<DynamoDBRecord[], unknown[]>;

/**
 * Where a publication's pipe keeps its position. The transition pipe keeps the name it always had,
 * so an existing data dir resumes where it stopped instead of sending every alert in the stream again.
 */
export function checkpointPath(dataDir: string, tableName: string, publication: Pick<StreamPublication, "name">) {
  const suffix = publication.name === TRANSITION ? "" : `.${publication.name}`;
  return join(dataDir, `stream-checkpoint-${tableName}${suffix}.json`);
}

/**
 * Where the bus journals the deliveries it has accepted and not finished: beside the checkpoints that moved
 * past their stream records, and like them one per table.
 */
export function busJournalPath(dataDir: string, tableName: string) {
  return join(dataDir, `bus-journal-${tableName}.jsonl`);
}

/**
 * Runs Ripen on this machine with the same handler modules the Lambdas run: DynamoDB Local (unless
 * an endpoint is given), the table, an HTTP server standing in for the HTTP API, and a stream reader with
 * one pipe per stream publication (as AWS runs one Pipe per publication), each feeding the publish
 * function and an in-process bus standing in for the Pipes and EventBridge.
 */
export async function startRipen(options: RipenOptions = {}): Promise<RunningRipen> {
  const log = options.log ?? ((line: string) => console.log(line));
  const region = process.env.AWS_REGION ?? "us-east-1";
  const tableName = options.tableName ?? "ripen";
  const cleanups: (() => Promise<void>)[] = [];
  let stopped: Promise<void> | undefined;
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${describeError(error)}`));
    }
  };

  // Handlers read their environment at import, and it is complete only once the engine is up:
  // a request that comes earlier waits here, and gets a 500 if the start fails.
  let environment: { set(): void; fail(error: unknown): void } = { set: () => {}, fail: () => {} };
  const environmentReady = new Promise<void>((set, fail) => {
    environment = { set, fail };
  });
  environmentReady.catch(() => {});
  let handlerEnv: Record<string, string> = {};
  const handler = async <Handler>(name: string): Promise<Handler> => {
    let found = options.handlers?.[name];
    if (!found) {
      await environmentReady;
      found = await importHandler<LambdaHandler<never, unknown>>(name, handlerEnv);
    }
    return (options.wrapHandler ? options.wrapHandler(name, found) : found) as Handler;
  };

  try {
    // The model first: an invalid one stops the start with the message synth gives, before anything
    // starts. The handlers then read the compiled model, as a Lambda's init does.
    const model = compileModelFile(modelPath({ ...process.env, ...options.env }));
    const temporary = options.inMemory && !options.dataDir;
    const dataDir = temporary ? await mkdtemp(join(tmpdir(), "ripen-")) : resolve(options.dataDir ?? ".ripen");
    if (temporary) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    await mkdir(dataDir, { recursive: true });

    // The port first: a taken one fails in a moment, not after the JVM has started.
    const http = await startHttpServer({
      port: options.port ?? 0,
      handler,
      region,
      log,
      access: {
        ...(options.publicUrl !== undefined && { publicUrl: options.publicUrl }),
        ...(options.adminToken !== undefined && { adminToken: options.adminToken }),
      },
    });
    cleanups.push(() => http.stop());

    let endpoint = options.dynamodbEndpoint;
    if (!endpoint) {
      const dbPath = options.inMemory ? undefined : join(dataDir, "dynamodb");
      if (dbPath) await mkdir(dbPath, { recursive: true });
      const engine = await startDynamoDbLocal({
        ...(dbPath && { dbPath }),
        onUnexpectedExit: (reason) => {
          if (!stopped) log(`DynamoDB Local stopped on its own (${reason}); restart Ripen`);
        },
      });
      cleanups.push(() => engine.stop());
      endpoint = engine.endpoint;
    }
    const dynamodb = localDynamoDbClient(endpoint);
    const streams = localStreamsClient(endpoint);
    cleanups.push(async () => {
      dynamodb.destroy();
      streams.destroy();
    });
    const { streamArn } = await ensureTable(dynamodb, tableName);

    handlerEnv = {
      AWS_REGION: region,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: endpoint,
      RIPEN_PUBLIC_URL: options.publicUrl ?? http.url,
      RIPEN_LOCAL: "1",
      // Locally, runs go through the local driver (npm run maintenance, npm run model -- rescore), never
      // through the queue-fed handlers: this only lets their modules load, as every handler is preloaded.
      [WORK_QUEUE.urlVariable]: LOCAL_WORK_QUEUE_URL,
      // A data dir keeps its lead ids across restarts: the development key, unless one is set.
      RIPEN_ID_KEY: process.env.RIPEN_ID_KEY || DEVELOPMENT_ID_KEY,
      // Links made by this machine's alerts and `npm run link` open its pages after a restart too.
      RIPEN_LINK_KEY: await localLinkKey(dataDir, { ...process.env, ...options.env }),
      ...(!process.env.AWS_ACCESS_KEY_ID && { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" }),
      ...options.env,
      RIPEN_COMPILED_MODEL: model.compiled,
    };
    checkFunctionEnvironments({ ...process.env, ...handlerEnv });
    cleanups.push(applyEnvironment(handlerEnv));
    environment.set();
    if (options.preload ?? true) {
      for (const name of Object.keys(FUNCTIONS)) {
        await handler(name).catch((error: unknown) => {
          throw new Error(`${FUNCTIONS[name as FunctionName].entry} could not be loaded: ${describeError(error)}`);
        });
      }
    }

    const deadLetters = deadLetterFile(join(dataDir, "dead-letters.jsonl"));
    // Made before the stream reader starts: it resumes the deliveries a crash or a stop left unfinished.
    const bus = createLocalBus({
      target: (name) => handler<BusTarget>(name),
      deadLetters,
      journal: await openBusJournal(busJournalPath(dataDir, tableName)),
      region,
      log,
      ...(options.targetRetry && { retry: options.targetRetry }),
    });
    const publishContext = () =>
      lambdaContext({ functionName: "publish", region, memoryMb: FUNCTIONS.publish.memoryMb });
    // One pipe per publication, each with its own filter, checkpoint, retries and dead letters, as AWS runs
    // one Pipe per publication; locally they share one reader of the stream (see startStreamReader).
    const publications = streamPublications({
      publishNewLeads: options.publishNewLeads ?? false,
      notifications: model.model.notifications,
    });
    const reader = await startStreamReader({
      client: streams,
      streamArn,
      pipes: publications.map((publication) => {
        const pipe = `${publication.name} pipe`;
        return {
          filters: publication.filters,
          checkpoint: checkpointFile(checkpointPath(dataDir, tableName, publication)),
          deliver: async (records: DynamoDBRecord[]) => {
            const publish = await handler<PublishHandler>("publish");
            const details = await publish(records, publishContext());
            log(
              `stream: ${records.length} ${publication.name} record(s) → ${details.length} ${publication.detailTypes.join(" / ")} event(s) on the bus`,
            );
            if (details.length > 0) {
              await bus.put(
                details.map((detail) => ({
                  source: publication.source,
                  detailType: detailTypeOf(publication, detail),
                  detail,
                })),
              );
            }
          },
          onFailedBatch: async (records: DynamoDBRecord[], reason: string, attempts: number) => {
            await deadLetters.add({
              at: new Date().toISOString(),
              rule: pipe,
              target: "publish",
              attempts,
              reason,
              payload: records,
            });
            log(
              `stream: ${pipe} dead-lettered ${records.length} record(s) after ${attempts} attempts: ${reason} (see ${deadLetters.path})`,
            );
          },
          log: (line: string) => log(line.replace(/^stream: /, `stream (${pipe}): `)),
          ...(options.publishRetry && { retry: options.publishRetry }),
        };
      }),
      region,
      log,
      ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
    });
    cleanups.push(async () => {
      // Closing the bus ends the retries waiting for their time (they stay in the journal for the next
      // start) and frees a pipe waiting for room on the bus (its batch stays unacknowledged).
      const stopping = reader.stop();
      await bus.close();
      await stopping;
    });

    // The stale-lead worker (the maintenance function does this in AWS): events committed without their
    // fold, because replaying the lead was too long for a request, are replayed within seconds.
    const staleWorker = startStaleWorker(
      dynamoLeadStore({ client: dynamodb, tableName }),
      loadCompiledEngine(model.compiled),
      log,
    );
    cleanups.push(staleWorker);

    return {
      url: http.url,
      port: http.port,
      endpoint,
      tableName,
      dataDir,
      deadLetters,
      bus,
      stop: () => {
        // Refuse new requests first; then the stream reader finishes its batch before the engine goes.
        stopped ??= http.stop().then(cleanUp);
        return stopped;
      },
    };
  } catch (error) {
    environment.fail(error);
    await cleanUp();
    throw error;
  }
}

/** Replays stale leads every few seconds, one run at a time; returns what stops it. */
function startStaleWorker(
  store: LeadStore,
  engine: ScoringEngine,
  log: (line: string) => void,
  everyMs = 3_000,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= replayStaleLeads({ store, engine, clock: () => new Date() })
      .then(({ replayed }) => {
        if (replayed > 0) log(`stale leads: ${replayed} replayed`);
      })
      .catch((error: unknown) => log(`stale leads: replay failed: ${describeError(error)}`))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Every function's declared environment (FUNCTION_ENV) against what the handlers will run with: a bad
 * value stops the start naming the function, before any handler module is loaded.
 */
function checkFunctionEnvironments(env: NodeJS.ProcessEnv): void {
  for (const [name, shape] of Object.entries(FUNCTION_ENV)) {
    try {
      readEnv(shape, env);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  }
}

/** Sets the variables and returns what puts the previous values back. */
function applyEnvironment(variables: Record<string, string>): () => Promise<void> {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return async () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
