import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "#shared/local/dynamodb-local";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface RipenProcess {
  url: string;
  pid: number;
  /** Everything it printed so far (to explain a failure). */
  output(): string;
  /** SIGKILL: no handler runs, nothing is flushed; resolves once the process is gone. */
  kill9(): Promise<void>;
}

/**
 * `npm start` as its own process: `node --import tsx shared/local/main.ts` (what `npx tsx` runs, minus the
 * wrapper process, so a SIGKILL reaches the server itself), with the given environment. Resolves once it
 * says where it listens.
 */
export async function startRipenProcess(env: Record<string, string>, startTimeoutMs = 90_000): Promise<RipenProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "shared/local/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening" within ${startTimeoutMs} ms:\n${output}`)),
      startTimeoutMs,
    );
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Ripen is listening on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited before listening:\n${output}`));
    });
  });
  const kill9 = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  try {
    await listening;
  } catch (error) {
    await kill9();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, output: () => output, kill9 };
}
