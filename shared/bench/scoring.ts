import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILED_MODEL_FILE } from "#shared/adapters/compiled-model-file";
import { FUNCTION_NODE_OPTIONS } from "#shared/runtime/node-options";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { bundleLikeTheStack, STACK_BUNDLING } from "./init";
import { SCORING_MODEL_VARIABLE, type ScoringResult } from "./scoring-rounds";

export type { ScoringPath, ScoringResult } from "./scoring-rounds";

const ROUNDS_MODULE = fileURLToPath(new URL("./scoring-rounds.ts", import.meta.url));

/**
 * Scoring throughput of the default model on one thread, run as AWS runs it: scoring-rounds.ts is
 * bundled as the stack bundles a function (esbuild, minified, ESM, platform node, target node22; no
 * tsx, whose keep-names helper a Lambda never runs) and the engine read from the compiled model, as a
 * function's init reads it. A process of its own, started with the functions' NODE_OPTIONS (the young
 * generation's size among them), loads that bundle and does all the work on its main thread. 20,000
 * synthetic leads of 10 events of mixed kinds are generated before the clock starts; each path then
 * scores all of them once untimed (to warm up) and in 5 timed rounds, the paths taking turns, so a burst
 * of load on this shared machine slows a round of each, not one path.
 */
export async function benchScoring(log: (line: string) => void): Promise<ScoringResult> {
  const directory = await mkdtemp(join(tmpdir(), "ripen-bench-scoring-"));
  try {
    const { compiled } = compileModelFile();
    const { file } = await bundleLikeTheStack(directory, "scoring", ROUNDS_MODULE, compiled);
    const compiledModel = join(dirname(file), COMPILED_MODEL_FILE);
    return await new Promise<ScoringResult>((resolve, reject) => {
      // The functions' flags, and not this process's (tsx's loader among them).
      const child = fork(file, [], {
        execArgv: FUNCTION_NODE_OPTIONS.split(" "),
        env: { ...process.env, NODE_OPTIONS: "", [SCORING_MODEL_VARIABLE]: compiledModel },
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      child.on("message", (message: { log: string } | { result: Omit<ScoringResult, "bundling"> }) => {
        if ("log" in message) log(message.log);
        else resolve({ ...message.result, bundling: STACK_BUNDLING });
      });
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`the scoring process exited with ${code} before it reported`)));
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
