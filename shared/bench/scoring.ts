import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { COMPILED_MODEL_FILE } from "#shared/adapters/compiled-model-file";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { bundleLikeTheStack, STACK_BUNDLING } from "./init";
import type { ScoringResult } from "./scoring-rounds";

export type { ScoringPath, ScoringResult } from "./scoring-rounds";

const ROUNDS_MODULE = fileURLToPath(new URL("./scoring-rounds.ts", import.meta.url));

/**
 * Scoring throughput of the default model on one thread, run as AWS runs it: scoring-rounds.ts is
 * bundled as the stack bundles a function (esbuild, minified, ESM, platform node, target node22; no
 * tsx, whose keep-names helper a Lambda never runs) and the engine read from the compiled model, as a
 * function's init reads it. A worker thread of its own loads that bundle and does all the work while
 * the main thread waits. 20,000 synthetic leads of 10 events of mixed kinds are generated before the
 * clock starts; each path then scores all of them once untimed (to warm up) and in 5 timed rounds, the
 * paths taking turns, so a burst of load on this shared machine slows a round of each, not one path.
 */
export async function benchScoring(log: (line: string) => void): Promise<ScoringResult> {
  const directory = await mkdtemp(join(tmpdir(), "ripen-bench-scoring-"));
  try {
    const { compiled } = compileModelFile();
    const { file } = await bundleLikeTheStack(directory, "scoring", ROUNDS_MODULE, compiled);
    const compiledModel = join(dirname(file), COMPILED_MODEL_FILE);
    return await new Promise<ScoringResult>((resolve, reject) => {
      // No execArgv: the worker would otherwise inherit tsx's loader from this process.
      const worker = new Worker(file, { execArgv: [], workerData: { scoring: { compiledModel } } });
      worker.on("message", (message: { log: string } | { result: Omit<ScoringResult, "bundling"> }) => {
        if ("log" in message) log(message.log);
        else resolve({ ...message.result, bundling: STACK_BUNDLING });
      });
      worker.on("error", reject);
      worker.on("exit", (code) => reject(new Error(`the scoring worker exited with ${code} before it reported`)));
    });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
