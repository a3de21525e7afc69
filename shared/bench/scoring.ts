import { fork } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILED_MODEL_FILE } from "#shared/adapters/compiled-model-file";
import { FUNCTION_NODE_OPTIONS } from "#shared/runtime/node-options";
import { compileModelFile } from "#shared/runtime/scoring-model";
import { bundleLikeTheStack, STACK_BUNDLING } from "./init";
import {
  EVENTS_PER_LEAD,
  LEADS,
  type Round,
  type RoundsCommand,
  type RoundsMessage,
  SCORING_MODEL_VARIABLE,
  SCORING_PATH_VARIABLE,
  SCORING_PATHS,
  SCORING_TARGET_EVENTS_PER_SECOND,
  type ScoringPath,
  type ScoringPathName,
  type ScoringResult,
  summarize,
} from "./scoring-rounds";

export type { ScoringPath, ScoringResult } from "./scoring-rounds";

const ROUNDS_MODULE = fileURLToPath(new URL("./scoring-rounds.ts", import.meta.url));
const ROUNDS = 5;

/**
 * Scoring throughput of the default model on one thread, run as AWS runs it: scoring-rounds.ts is
 * bundled as the stack bundles a function (esbuild, minified, ESM, platform node, target node22; no
 * tsx, whose keep-names helper a Lambda never runs) and the engine read from the compiled model, as a
 * function's init reads it. Each path (replay, replay of just-decoded pages, ingest) runs in a process
 * of its own, started with the functions' NODE_OPTIONS (the young generation's size among them), which
 * loads that bundle and does all the work on its main thread, alone on the machine: as a rescore worker
 * replays and an ingest function folds, each in its own sandbox. In one process the paths paid for each
 * other's garbage (a path's collections came during the next one's rounds) and shared the engine's type
 * feedback; processes alive side by side, even taking turns, slowed each other too (replay 643k-921k
 * events/s beside the others against 942k-987k alone, alternated runs). Each process makes 20,000
 * synthetic leads of 10 events of mixed kinds before the clock starts, scores all of them once untimed
 * (to warm up), then times 5 rounds; the median round is the figure.
 */
export async function benchScoring(log: (line: string) => void): Promise<ScoringResult> {
  const directory = await mkdtemp(join(tmpdir(), "ripen-bench-scoring-"));
  // The path's process running now, ended in any case.
  let current: PathProcess | undefined;
  try {
    const { compiled } = compileModelFile();
    const { file } = await bundleLikeTheStack(directory, "scoring", ROUNDS_MODULE, compiled);
    const compiledModel = join(dirname(file), COMPILED_MODEL_FILE);
    const events = LEADS * EVENTS_PER_LEAD;
    const before = loadAverage();
    log(
      `scoring: ${ROUNDS} rounds of ${events.toLocaleString("en-US")} events per path, load average ${before.join(" ")}`,
    );
    const rounds = {} as Record<ScoringPathName, Round[]>;
    let model = "";
    // One path at a time, its process alone on the machine from its start to its end.
    for (const path of SCORING_PATHS) {
      current = await startPath(file, compiledModel, path);
      model = current.model;
      rounds[path] = [];
      for (let round = 0; round < ROUNDS; round++) rounds[path].push(await current.round());
      // Gone before the next path's process starts, so that one is alone too.
      await current.end();
    }
    const after = loadAverage();
    const timed = (path: ScoringPathName) => summarize(rounds[path], events);
    const replayJustDecoded = withoutTarget(timed("replayJustDecoded"));
    return {
      model,
      bundling: STACK_BUNDLING,
      processes: "one path at a time, alone on the machine",
      leads: LEADS,
      eventsPerLead: EVENTS_PER_LEAD,
      rounds: ROUNDS,
      loadAverage: { before, after },
      replay: timed("replay"),
      replayJustDecoded,
      ingest: withoutTarget(timed("ingest")),
      targetEventsPerSecond: SCORING_TARGET_EVENTS_PER_SECOND,
    };
  } finally {
    await current?.end();
    await rm(directory, { recursive: true, force: true });
  }
}

/** A path shown beside the replay with no target of its own. */
function withoutTarget({ met: _noTarget, ...path }: ScoringPath): Omit<ScoringPath, "met"> {
  return path;
}

interface PathProcess {
  model: string;
  /** Times one more round of the path's work. */
  round(): Promise<Round>;
  /** Tells the process to end (once, however often called) and resolves when it has exited. */
  end(): Promise<void>;
}

/** How long an ended path's process may take to exit before it is killed. */
const EXIT_GRACE_MS = 10_000;

/** A process timing one path (see scoring-rounds.ts), once it has made its work and warmed it up. */
function startPath(file: string, compiledModel: string, path: ScoringPathName): Promise<PathProcess> {
  // The functions' flags, and not this process's (tsx's loader among them).
  const child = fork(file, [], {
    execArgv: FUNCTION_NODE_OPTIONS.split(" "),
    env: { ...process.env, NODE_OPTIONS: "", [SCORING_MODEL_VARIABLE]: compiledModel, [SCORING_PATH_VARIABLE]: path },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let waiting: { resolve: (round: Round) => void; reject: (error: Error) => void } | undefined;
  let failed: Error | undefined;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let ending: Promise<void> | undefined;
  const end = () => {
    ending ??= (async () => {
      // Sent once: a second "end" would reach a process that has already let its channel go.
      if (child.connected) child.send("end" satisfies RoundsCommand);
      const grace = setTimeout(() => child.kill(), EXIT_GRACE_MS);
      await exited;
      clearTimeout(grace);
    })();
    return ending;
  };
  const fail = (error: Error) => {
    failed ??= error;
    waiting?.reject(failed);
    waiting = undefined;
  };
  return new Promise<PathProcess>((resolve, reject) => {
    child.on("message", (message: RoundsMessage) => {
      if ("ready" in message)
        resolve({
          model: message.ready.model,
          round: () =>
            new Promise<Round>((resolveRound, rejectRound) => {
              if (failed) return rejectRound(failed);
              waiting = { resolve: resolveRound, reject: rejectRound };
              const command: RoundsCommand = "round";
              child.send(command);
            }),
          end,
        });
      else {
        waiting?.resolve(message.round);
        waiting = undefined;
      }
    });
    child.on("error", (error) => {
      fail(error);
      reject(error);
    });
    child.on("exit", (code) => {
      if (code === 0 && !waiting) return;
      const error = new Error(`the scoring process for ${path} exited with ${code} before it reported`);
      fail(error);
      reject(error);
    });
  });
}

const loadAverage = () => loadavg().map((value) => Math.round(value * 100) / 100);
