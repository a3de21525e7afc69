import { spawn } from "node:child_process";

/**
 * Runs `node <args>` to its end and returns the last line it printed, parsed as JSON; killed after
 * `timeoutMs`. Throws with the end of its stderr when it fails or prints no JSON.
 */
export async function runNode<Result>(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; what: string },
): Promise<Result> {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const limit = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(limit);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{")) {
    throw new Error(`${options.what} failed (exit ${code}): ${stderr.slice(-2000)}`);
  }
  return JSON.parse(line) as Result;
}
